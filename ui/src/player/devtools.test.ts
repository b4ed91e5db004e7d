import { describe, expect, test } from "vitest";
import type { ConsoleEntry, NetworkRequest } from "../lib/bindings";
import {
  expandable,
  filterConsole,
  filterRequests,
  firstLine,
  formatBytes,
  indexAt,
  levelCounts,
  levelTone,
  requestKindCounts,
  rowTop,
  rowsInView,
  splitUrl,
  statusText,
} from "./devtools";

const entry = (at: number, level: string, message: string, stack?: string): ConsoleEntry => ({
  at,
  window: 0,
  level,
  message,
  stack: stack ?? null,
  exception: false,
});

const request = (
  index: number,
  at: number,
  url: string,
  status: number | null,
  kind: string | null,
  failed = false,
): NetworkRequest => ({
  index,
  at,
  window: 0,
  method: "GET",
  url,
  status,
  durationMs: 10,
  size: null,
  kind,
  failed,
  hasDetail: false,
});

const LOG = [
  entry(100, "log", "booting"),
  entry(200, "debug", "state dump"),
  entry(300, "warn", "slow response"),
  entry(400, "error", "Payment failed", "pay (cart.js:1:2)"),
  entry(400, "error", "Second error\nwith more lines"),
  entry(500, "table", "rows"),
  entry(600, "info", "ready"),
];

describe("console", () => {
  test("levels are counted, most severe first, unknown ones last", () => {
    expect(levelCounts(LOG)).toEqual([
      ["error", 2],
      ["warn", 1],
      ["info", 1],
      ["log", 1],
      ["debug", 1],
      ["table", 1],
    ]);
    expect(levelCounts([])).toEqual([]);
  });

  test("a level filter keeps those levels; none keeps all", () => {
    expect(filterConsole(LOG, new Set(), "")).toEqual(LOG);
    expect(filterConsole(LOG, new Set(["error", "warn"]), "").map((e) => e.at)).toEqual([
      300, 400, 400,
    ]);
    expect(filterConsole(LOG, new Set(["assert"]), "")).toEqual([]);
  });

  test("search looks in the message and the stack, every word, any case", () => {
    expect(filterConsole(LOG, new Set(), "PAYMENT").map((e) => e.message)).toEqual([
      "Payment failed",
    ]);
    expect(filterConsole(LOG, new Set(), "cart.js").length).toBe(1);
    expect(filterConsole(LOG, new Set(), "second lines").length).toBe(1);
    expect(filterConsole(LOG, new Set(), "second nothing").length).toBe(0);
    expect(filterConsole(LOG, new Set(["warn"]), "payment")).toEqual([]);
  });

  test("tones group the levels", () => {
    expect(
      ["error", "assert", "warn", "info", "debug", "trace", "log", "dir"].map(levelTone),
    ).toEqual(["error", "error", "warn", "info", "debug", "debug", "log", "log"]);
  });

  test("rows show the first line; more lines or a stack can be expanded", () => {
    expect(firstLine("a\nb")).toBe("a");
    expect(expandable(LOG[0])).toBe(false);
    expect(expandable(LOG[3])).toBe(true);
    expect(expandable(LOG[4])).toBe(true);
  });
});

describe("the entry at the playhead", () => {
  test("is the last at or before the time", () => {
    expect(indexAt(LOG, 50)).toBe(-1);
    expect(indexAt(LOG, 100)).toBe(0);
    expect(indexAt(LOG, 399)).toBe(2);
    expect(indexAt(LOG, 400)).toBe(4);
    expect(indexAt(LOG, 10_000)).toBe(LOG.length - 1);
    expect(indexAt([], 5)).toBe(-1);
  });
});

describe("network", () => {
  const NET = [
    request(0, 10, "https://a.test/", 200, "navigation"),
    request(1, 20, "https://a.test/app.js", 200, "script"),
    request(2, 30, "https://a.test/api/pay", 500, "fetch", true),
    request(3, 40, "https://a.test/api/cart", 0, "xhr", true),
    request(4, 50, "https://cdn.test/logo.png", 200, "img"),
    request(5, 60, "https://a.test/api/stock", 200, "fetch"),
    request(6, 70, "https://a.test/?q", null, null),
  ];

  test("failed only, by type, and searched", () => {
    expect(filterRequests(NET, "all", new Set(), "")).toEqual(NET);
    expect(filterRequests(NET, "failed", new Set(), "").map((r) => r.index)).toEqual([2, 3]);
    expect(filterRequests(NET, "all", new Set(["fetch"]), "").map((r) => r.index)).toEqual([2, 5]);
    expect(filterRequests(NET, "failed", new Set(["fetch"]), "").map((r) => r.index)).toEqual([2]);
    expect(filterRequests(NET, "all", new Set(["other"]), "").map((r) => r.index)).toEqual([6]);
    expect(filterRequests(NET, "all", new Set(), "API 500").map((r) => r.index)).toEqual([2]);
    expect(filterRequests(NET, "all", new Set(), "cdn.test").map((r) => r.index)).toEqual([4]);
  });

  test("types are counted, busiest first", () => {
    expect(requestKindCounts(NET)).toEqual([
      ["fetch", 2],
      ["img", 1],
      ["navigation", 1],
      ["other", 1],
      ["script", 1],
      ["xhr", 1],
    ]);
  });

  test("status, sizes and URLs read well", () => {
    expect(NET.map(statusText)).toEqual(["200", "200", "500", "failed", "200", "200", "—"]);
    expect([null, 999, 1234, 2_500_000].map(formatBytes)).toEqual([
      "—",
      "999 B",
      "1.2 kB",
      "2.5 MB",
    ]);
    expect(splitUrl("https://a.test/api?x=1")).toEqual({ host: "a.test", path: "/api?x=1" });
    expect(splitUrl("https://a.test")).toEqual({ host: "a.test", path: "/" });
    expect(splitUrl("data:x")).toEqual({ host: "", path: "data:x" });
  });
});

describe("rows with one expanded", () => {
  test("rows after the open one move down by its extra height", () => {
    expect(rowTop(3, 30, -1, 100)).toBe(90);
    expect(rowTop(2, 30, 2, 100)).toBe(60);
    expect(rowTop(3, 30, 2, 100)).toBe(190);
  });

  test("the rows in view account for the open one", () => {
    expect(rowsInView(0, 30, -1, 0, 0, 300)).toEqual([0, 0]);
    expect(rowsInView(1000, 30, -1, 0, 0, 300, 0)).toEqual([0, 11]);
    // Row 5 (150–380 px) is 200 px taller: 300–450 px shows rows 5 (open) to 8.
    expect(rowsInView(1000, 30, 5, 200, 300, 150, 0)).toEqual([5, 9]);
    // Far below it, everything is shifted by the extra height.
    expect(rowsInView(1000, 30, 5, 200, 3200, 60, 0)).toEqual([100, 103]);
    expect(rowsInView(10, 30, -1, 0, 0, 10_000)).toEqual([0, 10]);
  });
});
