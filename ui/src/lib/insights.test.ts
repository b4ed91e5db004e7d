import { describe, expect, test } from "vitest";
import type { MarkerKind } from "./bindings";
import { inactiveSpans, isSort, MARKER_LOOKS, plural, severity } from "./insights";

describe("severity", () => {
  test("bands the frustration score", () => {
    expect([0, 1, 29, 30, 59, 60, 100].map(severity)).toEqual([
      "none",
      "low",
      "low",
      "medium",
      "medium",
      "high",
      "high",
    ]);
    expect(severity(Number.NaN)).toBe("none");
  });
});

describe("marker looks", () => {
  test("every kind has its own colour and a name", () => {
    const kinds = Object.keys(MARKER_LOOKS) as MarkerKind[];
    expect(kinds).toHaveLength(16);
    expect(new Set(kinds.map((k) => MARKER_LOOKS[k].color)).size).toBe(kinds.length);
    for (const k of kinds) expect(MARKER_LOOKS[k].name).not.toBe("");
  });
});

describe("inactiveSpans", () => {
  const seg = (start: number, end: number, active: boolean) => ({ start, end, active });

  test("keeps the inactive segments, relative to the start, clipped and merged", () => {
    const segments = [
      seg(1000, 2000, true),
      seg(2000, 3000, false),
      seg(3000, 4000, false),
      seg(4000, 5000, true),
      seg(5000, 9000, false),
    ];
    expect(inactiveSpans(segments, 1500, 6000)).toEqual([
      { from: 500, to: 2500 },
      { from: 3500, to: 6000 },
    ]);
  });

  test("drops what lies outside the timeline", () => {
    expect(inactiveSpans([seg(0, 1000, false), seg(9000, 9500, false)], 1000, 5000)).toEqual([]);
  });
});

test("sorts and plurals", () => {
  expect(isSort("errors")).toBe(true);
  expect(isSort("nope")).toBe(false);
  expect(plural(1, "error")).toBe("1 error");
  expect(plural(2, "rage click")).toBe("2 rage clicks");
});
