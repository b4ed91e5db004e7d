import { describe, expect, test } from "vitest";
import type { Marker, MarkerKind, SessionDetail, WindowInfo } from "../lib/bindings";
import { firstError, linkAt, resolveOpening, startFromLink } from "./moments";

const win = (index: number, eventCount: number, from: number, spans: [number, number][]) =>
  ({
    index,
    key: `w${index}`,
    startedAt: from,
    endedAt: from + 60_000,
    eventCount,
    interactionSpans: spans,
    segments: [],
    chunks: [
      {
        seq: 0,
        startTs: from,
        endTs: from + 60_000,
        eventCount,
        fullSnapshot: true,
        rawBytes: 1,
        keyframe: null,
      },
    ],
  }) as WindowInfo;

const marker = (window: number, at: number, kind: MarkerKind): Marker =>
  ({ window, at, kind, label: kind, detail: {} }) as unknown as Marker;

const START = 1_000_000;

function session(markers: Marker[] = []): SessionDetail {
  return {
    summary: { id: "s1", startedAt: START },
    // Window 7 is the busier one; the user moved to window 3 at +20 s.
    windows: [
      win(3, 10, START, [
        [START, START + 5_000],
        [START + 20_000, START + 30_000],
      ]),
      win(7, 50, START + 2_000, [[START + 6_000, START + 15_000]]),
    ],
    markers,
  } as unknown as SessionDetail;
}

describe("where a session opens", () => {
  test("at its start, in the busiest window, by default", () => {
    expect(resolveOpening(session(), null)).toEqual({ windowIndex: 1, at: null });
  });

  test("at a moment: in the window the user was in then, unless one is named", () => {
    const d = session();
    expect(resolveOpening(d, { at: START + 25_000, window: null })).toEqual({
      windowIndex: 0,
      at: START + 25_000,
    });
    expect(resolveOpening(d, { at: START + 10_000, window: null }).windowIndex).toBe(1);
    expect(resolveOpening(d, { at: START + 25_000, window: 7 })).toEqual({
      windowIndex: 1,
      at: START + 25_000,
    });
    // A window the session does not have: wherever the user was.
    expect(resolveOpening(d, { at: START + 25_000, window: 99 }).windowIndex).toBe(0);
  });

  test("at its first error, a moment before it, in its window", () => {
    const d = session([
      marker(3, START + 40_000, "console_error"),
      marker(7, START + 9_000, "click"),
      marker(7, START + 12_000, "failed_request"),
      marker(3, START + 30_000, "exception"),
    ]);
    expect(firstError(d.markers)?.at).toBe(START + 12_000);
    expect(resolveOpening(d, "first-error")).toEqual({ windowIndex: 1, at: START + 11_000 });
  });

  test("a session with no error opens at its start", () => {
    const d = session([marker(7, START + 9_000, "click")]);
    expect(firstError(d.markers)).toBeNull();
    expect(resolveOpening(d, "first-error")).toEqual({ windowIndex: 1, at: null });
  });
});

describe("links", () => {
  test("name the moment from the session's start, and a window only when pinned", () => {
    const d = session();
    expect(linkAt(d, START + 62_345.6, null)).toEqual({
      sessionId: "s1",
      atMs: 62_346,
      window: null,
    });
    expect(linkAt(d, START - 50, 7)).toEqual({ sessionId: "s1", atMs: 0, window: 7 });
  });

  test("open at the moment they name", () => {
    const d = session();
    const link = linkAt(d, START + 25_000, 7);
    expect(startFromLink(d, link)).toEqual({ at: START + 25_000, window: 7 });
    expect(resolveOpening(d, startFromLink(d, link))).toEqual({
      windowIndex: 1,
      at: START + 25_000,
    });
    expect(startFromLink(d, { sessionId: "s1", atMs: null, window: null })).toBeNull();
    expect(startFromLink(d, { sessionId: "s1", atMs: null, window: 3 })).toEqual({
      at: START,
      window: 3,
    });
  });
});
