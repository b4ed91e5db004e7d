import { describe, expect, it } from "vitest";
import type { Marker, MarkerKind } from "../lib/bindings";
import {
  PANEL_DEFAULT,
  PANEL_MAX,
  PANEL_MIN,
  STAGE_MIN,
  byTime,
  clampPanelWidth,
  currentIndex,
  filterMarkers,
  parsePanelOpen,
  parsePanelWidth,
  parseTab,
} from "./panels";

const mk = (
  at: number,
  kind: MarkerKind,
  label: string,
  detail: Marker["detail"] = {},
): Marker => ({
  at,
  window: 0,
  kind,
  label,
  detail,
});

const MARKERS = [
  mk(10, "navigation", "shop.example.test/cart", { url: "https://shop.example.test/cart" }),
  mk(3000, "click", "Click on button “Buy now”", {
    target: { node: 9, tag: "button", selector: "button#buy" },
  }),
  mk(3000, "rage_click", "Rage click ×4 on button “Buy now”"),
  mk(14000, "console_error", "Payment failed", { message: "Payment failed: card declined" }),
  mk(16000, "failed_request", "POST /api/pay → 500", {
    url: "https://shop.example.test/api/pay",
  }),
];

describe("remembered panel choices", () => {
  it("is open unless hidden", () => {
    expect(parsePanelOpen(null)).toBe(true);
    expect(parsePanelOpen("true")).toBe(true);
    expect(parsePanelOpen("false")).toBe(false);
  });
  it("reads a width within bounds, the default otherwise", () => {
    expect(parsePanelWidth("400")).toBe(400);
    expect(parsePanelWidth("10")).toBe(PANEL_MIN);
    expect(parsePanelWidth("99999")).toBe(PANEL_MAX);
    expect(parsePanelWidth("wide")).toBe(PANEL_DEFAULT);
    expect(parsePanelWidth("")).toBe(PANEL_DEFAULT);
    expect(parsePanelWidth(null)).toBe(PANEL_DEFAULT);
  });
  it("leaves the replay room", () => {
    expect(clampPanelWidth(600, 800)).toBe(800 - STAGE_MIN);
    expect(clampPanelWidth(600, 2000)).toBe(600);
    expect(clampPanelWidth(100, 400)).toBe(PANEL_MIN);
  });
  it("reads the tab, events otherwise", () => {
    expect(parseTab("session")).toBe("session");
    expect(parseTab("console")).toBe("console");
    expect(parseTab("network")).toBe("network");
    expect(parseTab("logs")).toBe("events");
    expect(parseTab(null)).toBe("events");
  });
});

describe("filterMarkers", () => {
  it("keeps everything with no kind and no query", () => {
    expect(filterMarkers(MARKERS, new Set(), "")).toEqual(MARKERS);
    expect(filterMarkers(MARKERS, new Set(), "   ")).toEqual(MARKERS);
  });
  it("keeps the kinds chosen", () => {
    const out = filterMarkers(MARKERS, new Set<MarkerKind>(["click", "failed_request"]), "");
    expect(out.map((m) => m.kind)).toEqual(["click", "failed_request"]);
  });
  it("searches label, message, url and selector, case-insensitively, every word", () => {
    expect(filterMarkers(MARKERS, new Set(), "BUY now").map((m) => m.kind)).toEqual([
      "click",
      "rage_click",
    ]);
    expect(filterMarkers(MARKERS, new Set(), "declined").map((m) => m.kind)).toEqual([
      "console_error",
    ]);
    expect(filterMarkers(MARKERS, new Set(), "api/pay").map((m) => m.kind)).toEqual([
      "failed_request",
    ]);
    expect(filterMarkers(MARKERS, new Set(), "button#buy").map((m) => m.kind)).toEqual(["click"]);
    expect(filterMarkers(MARKERS, new Set(), "buy declined")).toEqual([]);
  });
  it("combines kind and search", () => {
    const out = filterMarkers(MARKERS, new Set<MarkerKind>(["rage_click"]), "buy");
    expect(out.map((m) => m.kind)).toEqual(["rage_click"]);
    expect(filterMarkers(MARKERS, new Set<MarkerKind>(["navigation"]), "buy")).toEqual([]);
  });
});

describe("currentIndex", () => {
  it("is the last marker at or before the time", () => {
    expect(currentIndex(MARKERS, 0)).toBe(-1);
    expect(currentIndex(MARKERS, 10)).toBe(0);
    expect(currentIndex(MARKERS, 2999)).toBe(0);
    // Two markers at the same moment: the later row.
    expect(currentIndex(MARKERS, 3000)).toBe(2);
    expect(currentIndex(MARKERS, 15000)).toBe(3);
    expect(currentIndex(MARKERS, 1e15)).toBe(4);
    expect(currentIndex([], 100)).toBe(-1);
  });
});

describe("byTime", () => {
  it("sorts by time, keeping the order of simultaneous markers", () => {
    const a = mk(5, "click", "a");
    const b = mk(1, "click", "b");
    const c = mk(5, "dead_click", "c");
    expect(byTime([a, b, c])).toEqual([b, a, c]);
  });
});
