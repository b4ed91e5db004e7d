import { describe, expect, test } from "vitest";
import type { ChunkInfo } from "../lib/bindings";
import { nextChunks, planPlayback, seekRange, urlAt } from "./plan";

const MB = 1024 * 1024;

function chunk(seq: number, startTs: number, endTs: number, opts: Partial<ChunkInfo> = {}) {
  return {
    seq,
    startTs,
    endTs,
    eventCount: 10,
    fullSnapshot: false,
    rawBytes: 1000,
    keyframe: null,
    ...opts,
  } as ChunkInfo;
}

describe("planPlayback", () => {
  test("starts at the first full-snapshot chunk and times from it", () => {
    const plan = planPlayback([
      chunk(0, 1000, 1005, { eventCount: 2 }), // DOMContentLoaded, Load
      chunk(1, 1010, 20_000, { fullSnapshot: true }),
      chunk(2, 20_001, 25_000),
    ]);
    expect(plan).not.toBeNull();
    expect(plan!.startTs).toBe(1010);
    expect(plan!.endTs).toBe(25_000);
    expect(plan!.durationMs).toBe(25_000 - 1010);
    expect(plan!.batches.map((b) => [b.fromSeq, b.toSeq])).toEqual([[1, 2]]);
  });

  test("no full snapshot: nothing to play", () => {
    expect(planPlayback([chunk(0, 0, 10), chunk(1, 10, 20)])).toBeNull();
    expect(planPlayback([])).toBeNull();
  });

  test("the first batch covers about 30 s, the rest follows in order", () => {
    const chunks = [0, 1, 2, 3, 4].map((i) =>
      chunk(i, i * 30_000, i * 30_000 + 29_000, { fullSnapshot: i === 0 }),
    );
    const plan = planPlayback(chunks)!;
    expect(plan.batches[0]).toMatchObject({ fromSeq: 0, toSeq: 0 });
    expect(plan.batches.slice(1).map((b) => [b.fromSeq, b.toSeq])).toEqual([[1, 4]]);
    expect(plan.durationMs).toBe(4 * 30_000 + 29_000);
  });

  test("the first batch stops at about 2 MB even inside 30 s", () => {
    const chunks = [0, 1, 2, 3].map((i) =>
      chunk(i, i * 1000, i * 1000 + 900, { fullSnapshot: i === 0, rawBytes: 0.8 * MB }),
    );
    const plan = planPlayback(chunks)!;
    expect(plan.batches[0]).toMatchObject({ fromSeq: 0, toSeq: 1 });
  });

  test("later batches are grouped up to the byte limit, one chunk at least", () => {
    const chunks = [
      chunk(0, 0, 1000, { fullSnapshot: true }),
      chunk(1, 40_000, 41_000, { rawBytes: 1.5 * MB }),
      chunk(2, 41_000, 42_000, { rawBytes: 1 * MB }),
      chunk(3, 42_000, 43_000, { rawBytes: 0.5 * MB }),
      chunk(4, 43_000, 44_000, { rawBytes: 5 * MB }),
      chunk(5, 44_000, 45_000, { rawBytes: 0.1 * MB }),
    ];
    const plan = planPlayback(chunks)!;
    expect(plan.batches.map((b) => [b.fromSeq, b.toSeq])).toEqual([
      [0, 0],
      [1, 1],
      [2, 3],
      [4, 4],
      [5, 5],
    ]);
  });

  test("a one-event snapshot chunk pulls in more: the Replayer needs two events", () => {
    const plan = planPlayback([
      chunk(0, 0, 0, { fullSnapshot: true, eventCount: 1 }),
      chunk(1, 60_000, 61_000, { eventCount: 3 }),
    ])!;
    expect(plan.batches).toHaveLength(1);
    expect(plan.batches[0]).toMatchObject({ fromSeq: 0, toSeq: 1, eventCount: 4 });
  });

  test("chunks are taken in sequence order whatever order they come in", () => {
    const plan = planPlayback([
      chunk(2, 60_000, 61_000),
      chunk(0, 0, 1000, { fullSnapshot: true }),
      chunk(1, 30_000, 31_000),
    ])!;
    expect(plan.batches.map((b) => [b.fromSeq, b.toSeq])).toEqual([
      [0, 0],
      [1, 2],
    ]);
  });
});

test("urlAt picks the page visited last at that time", () => {
  const urls = [
    { at: 100, url: "https://a.test/", window: 0 },
    { at: 500, url: "https://a.test/b", window: 0 },
  ];
  expect(urlAt(urls, 50)).toBe("https://a.test/");
  expect(urlAt(urls, 100)).toBe("https://a.test/");
  expect(urlAt(urls, 499)).toBe("https://a.test/");
  expect(urlAt(urls, 500)).toBe("https://a.test/b");
  expect(urlAt([], 500)).toBeNull();
});

describe("seekRange", () => {
  const kf = (ts: number) => ({ keyframe: { ts, eventCount: 3, rawBytes: 100 } });
  // 0: Load; 1: snapshot; 2, 3: plain; 4: keyframe; 5: plain; 6: keyframe; 7: plain.
  const chunks = [
    chunk(0, 0, 5, { eventCount: 1 }),
    chunk(1, 10, 29_000, { fullSnapshot: true }),
    chunk(2, 30_000, 59_000),
    chunk(3, 60_000, 89_000),
    chunk(4, 90_000, 119_000, kf(89_000)),
    chunk(5, 120_000, 149_000),
    chunk(6, 150_000, 179_000, kf(149_000)),
    chunk(7, 180_000, 209_000),
  ];
  const range = (at: number) => {
    const r = seekRange(chunks, at);
    return r && [r.fromSeq, r.toSeq, r.keyframe];
  };

  test("starts at the last keyframe or snapshot at or before the chunk holding the target", () => {
    expect(range(70_000)).toEqual([1, 3, false]);
    expect(range(90_000)).toEqual([4, 4, true]);
    expect(range(140_000)).toEqual([4, 5, true]);
    expect(range(200_000)).toEqual([6, 7, true]);
  });

  test("a gap between chunks belongs to the chunk before it", () => {
    expect(range(89_500)).toEqual([1, 3, false]);
  });

  test("before the snapshot, and past the end", () => {
    expect(range(0)).toEqual([1, 1, false]);
    expect(range(1e12)).toEqual([6, 7, true]);
  });

  test("a later full snapshot (a new page) is a starting point too", () => {
    const withPage = [...chunks.slice(0, 6), chunk(6, 150_000, 179_000, { fullSnapshot: true })];
    expect(seekRange(withPage, 160_000)).toEqual({ fromSeq: 6, toSeq: 6, keyframe: false });
  });

  test("no full snapshot: no range", () => {
    expect(seekRange([chunk(0, 0, 10), chunk(1, 10, 20, kf(9))], 15)).toBeNull();
  });
});

describe("nextChunks", () => {
  const chunks = [0, 1, 2, 3, 4].map((i) =>
    chunk(i, i * 30_000, i * 30_000 + 29_000, { rawBytes: 1 * MB }),
  );

  test("takes chunks after the last fetched while they start before the horizon", () => {
    expect(nextChunks(chunks, 0, 75_000, 10 * MB)).toEqual({
      fromSeq: 1,
      toSeq: 2,
      endTs: 89_000,
    });
  });

  test("stops at the byte limit, but always takes one", () => {
    expect(nextChunks(chunks, 0, 1e9, 2.5 * MB)).toMatchObject({ fromSeq: 1, toSeq: 2 });
    expect(nextChunks(chunks, 0, 0, 0)).toMatchObject({ fromSeq: 1, toSeq: 1 });
  });

  test("nothing after the last chunk", () => {
    expect(nextChunks(chunks, 4, 1e9, 10 * MB)).toBeNull();
  });
});
