import { describe, expect, test } from "vitest";
import type { WindowInfo } from "../lib/bindings";
import {
  activeWindowAt,
  continuationAfter,
  defaultWindow,
  playableStart,
  windowLabel,
} from "./windows";

const win = (
  index: number,
  eventCount: number,
  snapshotAt: number | null,
  interactionSpans: [number, number][] = [],
): WindowInfo => ({
  index,
  key: `w${index}`,
  startedAt: 100,
  endedAt: 900,
  eventCount,
  interactionSpans,
  segments: [],
  chunks: [
    {
      seq: 0,
      startTs: 100,
      endTs: 200,
      eventCount: 1,
      fullSnapshot: false,
      rawBytes: 10,
      keyframe: null,
    },
    ...(snapshotAt === null
      ? []
      : [
          {
            seq: 1,
            startTs: snapshotAt,
            endTs: 900,
            eventCount: 1,
            fullSnapshot: true,
            rawBytes: 10,
            keyframe: null,
          },
        ]),
  ],
});

describe("windows", () => {
  test("opens the busiest playable window first", () => {
    expect(defaultWindow([win(0, 10, 150), win(1, 40, 300), win(2, 40, 300)])).toBe(1);
    expect(defaultWindow([win(0, 99, null), win(1, 5, 150)])).toBe(1);
    expect(defaultWindow([win(0, 1, 150)])).toBe(0);
  });

  test("replay starts at the first full snapshot", () => {
    expect(playableStart(win(0, 1, 300))).toBe(300);
    expect(playableStart(win(0, 1, null))).toBe(100);
    expect(windowLabel(win(1, 38, 1), 1)).toBe("Window 2 · 38 events");
  });

  test("follows the window the user last began interacting in", () => {
    const a = win(0, 10, 100, [
      [150, 400],
      [800, 850],
    ]);
    const b = win(1, 10, 300, [[500, 600]]);
    const ws = [a, b];
    expect(activeWindowAt(ws, 120)).toBe(null);
    expect(activeWindowAt(ws, 450)).toBe(0);
    expect(activeWindowAt(ws, 550)).toBe(1);
    expect(activeWindowAt(ws, 700)).toBe(1);
    expect(activeWindowAt(ws, 820)).toBe(0);
    // A window that cannot be replayed yet is never chosen.
    expect(activeWindowAt([a, win(1, 10, 900, [[500, 600]])], 550)).toBe(0);
  });

  test("when the shown window ends, playback goes on in a window that continues", () => {
    const a = win(0, 10, 100); // ends at 900
    const b = { ...win(1, 10, 300, [[500, 600]]), endedAt: 2000 };
    const c = { ...win(2, 10, 300), endedAt: 1500 };
    expect(continuationAfter([a, b, c], 0, 900)).toBe(1);
    expect(continuationAfter([a, c], 0, 900)).toBe(1);
    expect(continuationAfter([a, b], 1, 2000)).toBe(null);
  });
});
