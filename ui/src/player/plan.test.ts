import { describe, expect, test } from "vitest";
import type { ChunkInfo } from "../lib/bindings";
import { planPlayback, urlAt } from "./plan";

const MB = 1024 * 1024;

function chunk(seq: number, startTs: number, endTs: number, opts: Partial<ChunkInfo> = {}) {
  return { seq, startTs, endTs, eventCount: 10, fullSnapshot: false, rawBytes: 1000, ...opts };
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
