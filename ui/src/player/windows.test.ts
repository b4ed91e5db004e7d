import { describe, expect, test } from "vitest";
import type { WindowInfo } from "../lib/bindings";
import { defaultWindow, playableStart, windowLabel } from "./windows";

const win = (index: number, eventCount: number, snapshotAt: number | null): WindowInfo => ({
  index,
  key: `w${index}`,
  startedAt: 100,
  endedAt: 900,
  eventCount,
  chunks: [
    { seq: 0, startTs: 100, endTs: 200, eventCount: 1, fullSnapshot: false, rawBytes: 10 },
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
});
