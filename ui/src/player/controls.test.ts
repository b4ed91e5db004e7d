import { describe, expect, it } from "vitest";
import {
  clusterByOffset,
  idleWords,
  kindCounts,
  nearest,
  nextMarkerTime,
  parseSkip,
  parseSpeed,
  previousMarkerTime,
  skipTarget,
} from "./controls";

describe("remembered choices", () => {
  it("reads a stored speed, 1× otherwise", () => {
    expect(parseSpeed("4")).toBe(4);
    expect(parseSpeed("0.5")).toBe(0.5);
    expect(parseSpeed("3")).toBe(1);
    expect(parseSpeed("fast")).toBe(1);
    expect(parseSpeed(null)).toBe(1);
  });
  it("skips inactivity unless turned off", () => {
    expect(parseSkip(null)).toBe(true);
    expect(parseSkip("true")).toBe(true);
    expect(parseSkip("false")).toBe(false);
  });
});

describe("skipTarget", () => {
  const spans = [
    { from: 8_000, to: 17_000 },
    { from: 18_000, to: 50_000 },
  ];
  it("is the idle span playback just entered", () => {
    expect(skipTarget(spans, 7_990, 8_000)).toEqual(spans[0]);
    expect(skipTarget(spans, 7_900, 8_100)).toEqual(spans[0]);
    expect(skipTarget(spans, 17_990, 18_500)).toEqual(spans[1]);
    expect(skipTarget(spans, -1, 0)).toBeNull();
    expect(skipTarget([{ from: 0, to: 5_000 }], -1, 0)).toEqual({ from: 0, to: 5_000 });
  });
  it("is nothing when a seek put the playhead inside it", () => {
    expect(skipTarget(spans, 12_000, 12_000)).toBeNull();
    expect(skipTarget(spans, 12_000, 12_100)).toBeNull();
  });
  it("is nothing outside idle spans, at their end, or with too little left", () => {
    expect(skipTarget(spans, 7_900, 7_999)).toBeNull();
    expect(skipTarget(spans, 7_900, 17_000)).toBeNull();
    expect(skipTarget(spans, 7_900, 16_900)).toBeNull();
    expect(skipTarget(spans, 50_100, 55_000)).toBeNull();
    expect(skipTarget([], 0, 1_000)).toBeNull();
  });
});

describe("idleWords", () => {
  it("rounds to seconds, minutes, hours", () => {
    expect(idleWords(9_000)).toBe("9 s");
    expect(idleWords(32_000)).toBe("32 s");
    expect(idleWords(6 * 60_000 + 10_000)).toBe("6 min");
    expect(idleWords(65 * 60_000)).toBe("1 h 5 min");
    expect(idleWords(120 * 60_000)).toBe("2 h");
  });
});

describe("marker navigation", () => {
  const offsets = [0, 3_000, 3_200, 8_000, 18_300];
  it("goes to 1 s before the next marker", () => {
    expect(nextMarkerTime(offsets, 0)).toBe(2_000);
    expect(nextMarkerTime(offsets, 2_000)).toBe(2_200);
    expect(nextMarkerTime(offsets, 2_200)).toBe(7_000);
    expect(nextMarkerTime(offsets, 17_300)).toBeNull();
  });
  it("goes to 1 s before the previous marker, never below 0", () => {
    expect(previousMarkerTime(offsets, 7_000)).toBe(2_200);
    expect(previousMarkerTime(offsets, 2_200)).toBe(2_000);
    expect(previousMarkerTime(offsets, 2_000)).toBe(0);
    expect(previousMarkerTime(offsets, 0)).toBeNull();
  });
  it("with grace, a second press while playing goes further back", () => {
    expect(previousMarkerTime(offsets, 7_300, 1_000)).toBe(2_200);
    expect(previousMarkerTime(offsets, 8_100, 1_000)).toBe(7_000);
  });
  it("is order-independent", () => {
    expect(nextMarkerTime([18_300, 3_000], 0)).toBe(2_000);
  });
});

describe("clusterByOffset", () => {
  const at = (...offsets: number[]) => offsets.map((offset) => ({ offset }));
  it("merges markers closer than the gap, measured from the cluster's first", () => {
    // 60 s over 600 px: 10 px per second.
    const marks = at(3_000, 3_200, 3_400, 3_600, 8_000, 8_000, 16_000);
    const c = clusterByOffset(marks, 60_000, 600, 6);
    expect(c.map((x) => [x.offset, x.items.length])).toEqual([
      [3_000, 3],
      [3_600, 1],
      [8_000, 2],
      [16_000, 1],
    ]);
    // By default, a badge's width (14 px) apart.
    expect(clusterByOffset(marks, 60_000, 600).map((x) => [x.offset, x.items.length])).toEqual([
      [3_000, 4],
      [8_000, 2],
      [16_000, 1],
    ]);
  });
  it("keeps markers apart on a wide timeline", () => {
    const c = clusterByOffset(at(3_000, 3_200), 60_000, 6_000);
    expect(c).toHaveLength(2);
  });
  it("sorts, and leaves everything single without a width", () => {
    expect(clusterByOffset(at(5, 1), 10, 0).map((x) => x.offset)).toEqual([1, 5]);
  });
});

describe("nearest and kindCounts", () => {
  it("finds the nearest item within reach", () => {
    const items = [{ offset: 1_000 }, { offset: 5_000 }];
    expect(nearest(items, 4_200, 1_000)).toBe(items[1]);
    expect(nearest(items, 3_000, 500)).toBeNull();
  });
  it("counts kinds in the given order", () => {
    expect(kindCounts(["click", "exception", "click"], ["exception", "click"])).toEqual([
      ["exception", 1],
      ["click", 2],
    ]);
  });
});
