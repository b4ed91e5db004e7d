import { describe, expect, it } from "vitest";
import { scrollToShow, visibleRange } from "./windowing";

describe("list windowing", () => {
  it("draws the rows in view and a few more", () => {
    expect(visibleRange(0, 28, 0, 300)).toEqual([0, 0]);
    expect(visibleRange(5, 28, 0, 300, 2)).toEqual([0, 5]);
    expect(visibleRange(100_000, 28, 28 * 1000, 280, 5)).toEqual([995, 1016]);
  });
  it("scrolls only when the row is out of view", () => {
    expect(scrollToShow(2, 28, 0, 280)).toBeNull();
    expect(scrollToShow(-1, 28, 0, 280)).toBeNull();
    expect(scrollToShow(1, 28, 280, 280)).toBe(28);
    expect(scrollToShow(20, 28, 0, 280)).toBe(21 * 28 - 280 + 28);
  });
});
