import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { AnalysisProgressEvent, ImportProgressEvent, Insights } from "../bindings";
import {
  DEFAULT_ANALYSIS_SETTINGS,
  formatSessionLink,
  parseAnalysis,
  parseSessionLink,
  TestBackend,
  withAnalyses,
  zeroInsights,
  type Fixture,
  type FixtureAnalysis,
} from "./test-backend";

const enc = new TextEncoder();
const fixture = (name: string, value: unknown): Fixture => ({
  name,
  bytes: enc.encode(typeof value === "string" ? value : JSON.stringify(value)),
});

/** A recording of `seconds` seconds with one mutation per second and a click. */
function recording(start: number, seconds: number, href = "https://a.test/") {
  const events: unknown[] = [
    { type: 4, data: { href, width: 1024, height: 768 }, timestamp: start },
    { type: 2, data: { node: { type: 0, childNodes: [], id: 1 } }, timestamp: start + 1 },
  ];
  for (let s = 1; s <= seconds; s++) {
    events.push({ type: 3, data: { source: 0, texts: [] }, timestamp: start + s * 1000 });
  }
  events.push({ type: 3, data: { source: 2, type: 2, id: 1 }, timestamp: start + 500 });
  return events;
}

describe("TestBackend", () => {
  test("summarises library recordings like the engine", async () => {
    const b = new TestBackend({ library: [fixture("a.json", recording(1000, 70))] });
    const [s] = await b.listSessions();
    expect(s).toMatchObject({
      source: "a.json",
      format: "rrweb-array",
      startedAt: 1000,
      durationMs: 70_000,
      firstUrl: "https://a.test/",
      urlCount: 1,
      viewportWidth: 1024,
      viewportHeight: 768,
      clickCount: 1,
      windowCount: 1,
    });
    expect(s.eventCounts).toMatchObject({ total: 73, meta: 1, fullSnapshot: 1 });
  });

  test("serves chunks as the bytes of one JSON array, in stored order", async () => {
    const events = recording(0, 70);
    const b = new TestBackend({ library: [fixture("a.json", events)] });
    const [s] = await b.listSessions();
    const detail = await b.getSession(s.id);
    const chunks = detail.windows[0].chunks;
    expect(chunks.map((c) => c.fullSnapshot)).toEqual([true, false, false]);
    expect(chunks.reduce((n, c) => n + c.eventCount, 0)).toBe(events.length);

    const bytes = await b.chunkEvents(s.id, 0, 0, chunks.length - 1);
    expect(bytes).toBeInstanceOf(ArrayBuffer);
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(events);
    const second = JSON.parse(new TextDecoder().decode(await b.chunkEvents(s.id, 0, 1, 1)));
    expect(second).toHaveLength(chunks[1].eventCount);
    // No stored keyframes here to fold a seek's from: the player loads chunks instead.
    expect(await b.seekEvents(s.id, 0, chunks[2].startTs)).toBeNull();
  });

  test("unknown ids and windows fail with the engine's codes", async () => {
    const b = new TestBackend({ library: [fixture("a.json", recording(0, 2))] });
    await expect(b.getSession("nope")).rejects.toMatchObject({ code: "session_not_found" });
    const [s] = await b.listSessions();
    await expect(b.chunkEvents(s.id, 3, 0, 0)).rejects.toMatchObject({
      code: "window_not_found",
    });
    await expect(b.seekEvents(s.id, 3, 0)).rejects.toMatchObject({ code: "window_not_found" });
    await expect(b.seekEvents("nope", 0, 0)).rejects.toMatchObject({ code: "session_not_found" });
  });

  test("imports report progress, then the outcome, and announce library changes", async () => {
    const b = new TestBackend({
      files: [fixture("new.json", recording(5000, 3))],
      progressSteps: 4,
    });
    const progress: ImportProgressEvent[] = [];
    let changes = 0;
    await b.onImportProgress((e) => progress.push(e));
    await b.onLibraryChanged(() => changes++);

    const [report] = await b.importPaths(["new.json"]);
    expect(report.error).toBeNull();
    expect(report.outcome?.status).toBe("imported");
    expect(progress.map((p) => p.bytesRead)).toEqual(
      [1, 2, 3, 4].map((i) => Math.round((progress[0].bytesTotal * i) / 4)),
    );
    expect(progress.at(-1)!.bytesRead).toBe(progress.at(-1)!.bytesTotal);
    expect(changes).toBe(1);
    expect(await b.listSessions()).toHaveLength(1);

    const [again] = await b.importPaths(["new.json"]);
    expect(again.outcome?.status).toBe("alreadyImported");
    expect(again.outcome?.session.id).toBe(report.outcome?.session.id);
    expect(changes).toBe(1);
  });

  test("broken files fail one by one with readable messages", async () => {
    const b = new TestBackend({
      files: [
        fixture("ok.json", recording(0, 2)),
        fixture("cut.json", '[{"type":4,"data":{'),
        fixture("empty.json", ""),
        fixture("nosnap.json", [{ type: 4, data: {}, timestamp: 1 }]),
        fixture("notime.json", [{ type: 4, data: {} }]),
      ],
    });
    const reports = await b.importPaths([
      "ok.json",
      "cut.json",
      "empty.json",
      "nosnap.json",
      "notime.json",
      "missing.json",
    ]);
    expect(reports.map((r) => r.error?.code ?? r.outcome?.status)).toEqual([
      "imported",
      "not_json",
      "empty_file",
      "no_full_snapshot",
      "not_events",
      "io",
    ]);
    for (const r of reports.slice(1)) expect(r.error!.message.startsWith(`${r.path}: `)).toBe(true);
    expect(reports[1].error!.message).toMatch(/^cut.json: not JSON: /);
    expect(reports[4].error!.message).toMatch(/^notime.json: not a recording: /);
  });

  test("reads {events} objects and JSON lines", async () => {
    const events = recording(0, 2);
    const b = new TestBackend({
      library: [
        fixture("obj.json", { events, meta: { user: "ada" } }),
        fixture("lines.jsonl", events.map((e) => JSON.stringify(e)).join("\n")),
      ],
    });
    const formats = (await b.listSessions()).map((s) => s.format).sort();
    // Same events, different files: two sessions.
    expect(formats).toEqual(["rrweb-jsonl", "rrweb-object"]);
  });

  test("the launch request is handed out once", async () => {
    const b = new TestBackend({ launchPaths: ["a.json"] });
    expect(await b.takeLaunchRequest()).toEqual({ paths: ["a.json"], links: [] });
    expect(await b.takeLaunchRequest()).toEqual({ paths: [], links: [] });
  });

  test("forced failures stop progress halfway and report the given error", async () => {
    const b = new TestBackend({
      files: [fixture("a.json", recording(0, 2))],
      failures: { "a.json": { code: "truncated", message: "a.json: truncated" } },
      progressSteps: 4,
    });
    const seen: number[] = [];
    await b.onImportProgress((e) => seen.push(e.bytesRead));
    const [r] = await b.importPaths(["a.json"]);
    expect(r.error).toEqual({ code: "truncated", message: "a.json: truncated" });
    expect(seen).toHaveLength(2);
  });

  test("a recording without a sidecar has no markers and zero figures", async () => {
    const b = new TestBackend({ library: [fixture("a.json", recording(0, 5))] });
    const [s] = await b.listSessions();
    expect(s.insights).toEqual(zeroInsights());
    const d = await b.getSession(s.id);
    expect(d.markers).toEqual([]);
    expect(d.segments).toEqual([]);
    expect(d.windows[0].segments).toEqual([]);
  });
});

/** A copy of `insights` with some figures changed. */
const figures = (patch: Partial<Insights>): Insights => ({ ...zeroInsights(), ...patch });

function analysed(name: string, start: number, seconds: number, patch: Partial<Insights>) {
  const analysis: FixtureAnalysis = {
    insights: figures(patch),
    markers: [],
    segments: [],
    windows: [],
    console: [],
    network: [],
    requests: [],
  };
  return {
    ...fixture(`${name}.json`, recording(start, seconds, `https://${name}.test/`)),
    analysis,
  };
}

describe("TestBackend sorting", () => {
  // Not in any of the orders, so ties must be broken, not left in insertion order.
  const library = [
    analysed("old", 1_000, 90, { activeMs: 3_000, errors: 2, frustrationScore: 10 }),
    analysed("mid", 500_000, 10, { activeMs: 9_000, errors: 5, frustrationScore: 10 }),
    analysed("new", 900_000, 30, { activeMs: 9_000, errors: 2, frustrationScore: 0 }),
  ];
  const order = async (b: TestBackend, sort?: Parameters<TestBackend["listSessions"]>[0]) =>
    (await b.listSessions(sort)).map((s) => s.source);

  test("orders like the engine: descending by the figure, ties newest first", async () => {
    const b = new TestBackend({ library });
    expect(await order(b)).toEqual(["new", "mid", "old"].map((n) => `${n}.json`));
    expect(await order(b, null)).toEqual(await order(b));
    expect(await order(b, "recency")).toEqual(await order(b));
    expect(await order(b, "duration")).toEqual(["old", "new", "mid"].map((n) => `${n}.json`));
    // new and mid tie on active time: the newer one first.
    expect(await order(b, "activeTime")).toEqual(["new", "mid", "old"].map((n) => `${n}.json`));
    expect(await order(b, "errors")).toEqual(["mid", "new", "old"].map((n) => `${n}.json`));
    expect(await order(b, "frustration")).toEqual(["mid", "old", "new"].map((n) => `${n}.json`));
  });

  test("records the sort it was asked for", async () => {
    const b = new TestBackend({ library });
    await b.listSessions("errors");
    await b.listSessions();
    expect(b.calls.filter((c) => c.command === "listSessions").map((c) => c.args)).toEqual([
      ["errors"],
      [null],
    ]);
  });
});

describe("fixture analysis sidecars", () => {
  const dir = new URL("../../../../tests/ui/fixtures/", import.meta.url);
  const read = (name: string) => readFileSync(new URL(name, dir));

  test("a fixture's sidecar carries what the engine found, and is not a recording", async () => {
    const files = new Map<string, Uint8Array>([
      ["frustrated.json", read("frustrated.json")],
      ["frustrated.analysis.json", read("frustrated.analysis.json")],
      ["hostile.json", read("hostile.json")],
    ]);
    const fixtures = withAnalyses(files);
    expect(fixtures.map((f) => f.name).sort()).toEqual(["frustrated.json", "hostile.json"]);
    const sidecar = JSON.parse(read("frustrated.analysis.json").toString("utf8"));

    const b = new TestBackend({ library: fixtures });
    const sessions = await b.listSessions();
    const frustrated = sessions.find((s) => s.source === "frustrated.json")!;
    expect(frustrated.insights).toEqual(sidecar.insights);
    expect(frustrated.insights.frustrationScore).toBeGreaterThan(0);
    const d = await b.getSession(frustrated.id);
    expect(d.markers).toEqual(sidecar.markers);
    expect(d.markers.map((m) => m.kind)).toContain("rage_click");
    expect(d.segments).toEqual(sidecar.segments);
    expect(d.windows[0].segments).toEqual(sidecar.windows[0].segments);
    // Every marker and segment falls inside the recording the backend serves.
    const end = frustrated.startedAt + frustrated.durationMs;
    for (const m of d.markers) expect(m.at).toBeGreaterThanOrEqual(frustrated.startedAt);
    for (const m of d.markers) expect(m.at).toBeLessThanOrEqual(end);
    expect(d.segments[0].start).toBe(frustrated.startedAt);
    expect(d.segments.at(-1)!.end).toBe(end);

    const hostile = sessions.find((s) => s.source === "hostile.json")!;
    expect(hostile.insights).toEqual(zeroInsights());
    expect((await b.getSession(hostile.id)).markers).toEqual([]);
  });

  test("console entries and requests are the engine's, details by index", async () => {
    const files = new Map<string, Uint8Array>([
      ["frustrated.json", read("frustrated.json")],
      ["frustrated.analysis.json", read("frustrated.analysis.json")],
    ]);
    const sidecar = JSON.parse(read("frustrated.analysis.json").toString("utf8"));
    const b = new TestBackend({ library: withAnalyses(files) });
    const [s] = await b.listSessions();
    expect((await b.getConsole(s.id)).entries).toEqual(sidecar.console);
    const net = await b.getNetwork(s.id);
    expect(net.requests).toEqual(sidecar.network);
    const withDetail = net.requests.find((r) => r.hasDetail)!;
    const d = await b.getNetworkRequest(s.id, withDetail.index);
    expect(d.request).toEqual(withDetail);
    expect(d.payloads.responseBody?.text.length).toBeGreaterThan(0);
    await expect(b.getNetworkRequest(s.id, 999)).rejects.toMatchObject({
      code: "request_not_found",
    });
  });

  test("a malformed sidecar is refused, naming the file", () => {
    expect(() => parseAnalysis("x.analysis.json", "{")).toThrow(/^x\.analysis\.json: /);
    expect(() => parseAnalysis("x.analysis.json", '{"markers":[],"segments":[]}')).toThrow(
      /insights/,
    );
    const noFigure = JSON.stringify({
      insights: { ...zeroInsights(), errors: "2" },
      markers: [],
      segments: [],
    });
    expect(() => parseAnalysis("x.analysis.json", noFigure)).toThrow(/insights\.errors/);
  });
});

describe("TestBackend analysis settings", () => {
  test("saves valid settings, reports progress per session, then announces the change", async () => {
    const b = new TestBackend({
      library: [fixture("a.json", recording(0, 2)), fixture("b.json", recording(9_000, 2))],
    });
    expect(await b.getAnalysisSettings()).toEqual(DEFAULT_ANALYSIS_SETTINGS);
    const seen: string[] = [];
    await b.onAnalysisProgress((e: AnalysisProgressEvent) => seen.push(`${e.done}/${e.total}`));
    await b.onLibraryChanged(() => seen.push("changed"));
    const count = await b.setAnalysisSettings({
      ...DEFAULT_ANALYSIS_SETTINGS,
      inactivityThresholdMs: 8_000,
    });
    expect(count).toBe(2);
    expect(seen).toEqual(["1/2", "2/2", "changed"]);
    expect((await b.getAnalysisSettings()).inactivityThresholdMs).toBe(8_000);
  });

  test("refuses settings the engine would refuse, and keeps the old ones", async () => {
    const b = new TestBackend();
    for (const bad of [
      { inactivityThresholdMs: 0 },
      { rageClickMinClicks: 1 },
      { rageClickRadiusPx: -1 },
      { uTurnMs: 25 * 3_600_000 },
    ]) {
      await expect(
        b.setAnalysisSettings({ ...DEFAULT_ANALYSIS_SETTINGS, ...bad }),
      ).rejects.toMatchObject({ code: "invalid_settings" });
    }
    expect(await b.getAnalysisSettings()).toEqual(DEFAULT_ANALYSIS_SETTINGS);
  });
});

describe("TestBackend links", () => {
  // The engine's own examples (engine/src/link.rs tests): the stand-in must write the same.
  test("are written like the engine writes them", () => {
    expect(formatSessionLink({ sessionId: "abc", atMs: 5, window: 1 })).toBe(
      "tapedeck://session/abc?t=5&window=1",
    );
    expect(formatSessionLink({ sessionId: "abc", atMs: null, window: null })).toBe(
      "tapedeck://session/abc",
    );
    expect(formatSessionLink({ sessionId: "sess 1/é", atMs: 0, window: null })).toBe(
      "tapedeck://session/sess%201%2F%C3%A9?t=0",
    );
  });

  test("are read like the engine reads them", () => {
    for (const link of [
      { sessionId: "sess 1/é?&", atMs: 62_000, window: 3 },
      { sessionId: "a1", atMs: null, window: null },
    ]) {
      expect(parseSessionLink(formatSessionLink(link))).toEqual(link);
    }
    expect(parseSessionLink("  TAPEDECK://session/abc/?window=2&x=y&t=1500.7#f ")).toEqual({
      sessionId: "abc",
      atMs: 1500,
      window: 2,
    });
    expect(parseSessionLink("https://session/abc")).toMatch(/not a Tapedeck link/);
    expect(parseSessionLink("tapedeck://session/a?t=-4")).toMatch(/time is not a whole number/);
  });

  test("copying puts the link on the clipboard; launch links are parsed", async () => {
    const b = new TestBackend({ launchLinks: ["tapedeck://session/x?t=9", "nope://"] });
    expect(await b.copySessionLink({ sessionId: "x", atMs: 42, window: null })).toBe(
      "tapedeck://session/x?t=42",
    );
    expect(b.clipboard).toBe("tapedeck://session/x?t=42");
    const req = await b.takeLaunchRequest();
    expect(req.links[0]).toEqual({
      url: "tapedeck://session/x?t=9",
      link: { sessionId: "x", atMs: 9, window: null },
      error: null,
    });
    expect(req.links[1].link).toBeNull();
    expect(req.links[1].error).toMatch(/not a Tapedeck link/);
    expect((await b.takeLaunchRequest()).links).toEqual([]);
  });
});

describe("TestBackend library", () => {
  const lib = (n = 0) =>
    new TestBackend({
      library: [fixture("a.json", recording(1000, 70)), fixture("b.json", recording(5000, 10))],
      files: [fixture("c.json", recording(9000, 5))],
      generate: n,
      template: "a.json",
      folders: { "/rec": ["c.json", "nope.json"] },
    });

  test("searches page by page, with the total", async () => {
    const b = lib(250);
    const page = await b.searchSessions({
      query: "",
      sort: "recency",
      offset: 200,
      limit: 100,
      utcOffsetMinutes: 0,
    });
    expect(page.total).toBe(252);
    expect(page.offset).toBe(200);
    expect(page.sessions).toHaveLength(52);
    expect(page.sessions[0].id).toBe("gen-000200");
    const errors = await b.searchSessions({
      query: "has:errors duration:bogus",
      sort: "duration",
      offset: 0,
      limit: 10,
      utcOffsetMinutes: 0,
    });
    expect(errors.total).toBe(36);
    expect(errors.notes).toHaveLength(1);
    const d = errors.sessions.map((s) => s.durationMs);
    expect([...d].sort((x, y) => y - x)).toEqual(d);
  });

  test("tags and comments: stored, counted, searched, merged into the markers", async () => {
    const b = lib();
    const [s] = await b.listSessions();
    expect(await b.setTags(s.id, [" VIP ", "vip", "a  b", ""])).toEqual(["a  b", "VIP"]);
    await expect(b.setTags(s.id, ["x".repeat(65)])).rejects.toMatchObject({
      code: "invalid_input",
    });
    const c = await b.addComment(s.id, 1500, 0, "Button does nothing");
    const detail = await b.getSession(s.id);
    expect(detail.comments).toEqual([c]);
    expect(detail.summary.commentCount).toBe(1);
    expect(detail.markers.filter((m) => m.kind === "comment")).toEqual([
      { at: 1500, window: 0, kind: "comment", label: "Button does nothing", detail: {} },
    ]);
    const search = (query: string) =>
      b.searchSessions({ query, sort: "recency", offset: 0, limit: 10, utcOffsetMinutes: 0 });
    expect((await search("butt noth")).total).toBe(1);
    expect((await search("has:comments tag:vip")).total).toBe(1);
    expect((await b.getFacets()).tags).toEqual([
      { value: "a  b", count: 1 },
      { value: "VIP", count: 1 },
    ]);
    await b.deleteComment(c.id);
    expect((await search("has:comments")).total).toBe(0);
    await expect(b.deleteComment(c.id)).rejects.toMatchObject({ code: "comment_not_found" });
    await expect(b.addComment(s.id, 1, 0, "  ")).rejects.toMatchObject({ code: "invalid_input" });
  });

  test("saved searches count what they match; delete and erase say how many", async () => {
    const b = lib(30);
    const saved = await b.saveSearch("Errors", "has:errors", 0);
    expect(saved.count).toBe(5);
    expect(await b.deleteSessions(["gen-000000", "gen-000007", "missing"])).toBe(2);
    expect((await b.listSavedSearches(0))[0].count).toBe(3);
    expect(await b.countUserSessions("u-00001")).toBe(1);
    expect(await b.eraseUser("u-00001")).toEqual({ before: 1, after: 0 });
    const log = await b.getLibraryLog(10);
    expect(log.map((e) => e.kind)).toEqual(["erase", "delete"]);
  });

  test("a watched folder scans with progress; failures go to the log", async () => {
    const b = lib();
    const events: unknown[] = [];
    await b.onScanProgress((e) => events.push(e));
    let changed = 0;
    await b.onLibraryChanged(() => changed++);
    await b.addWatchedFolder("/rec");
    await expect(b.addWatchedFolder("/rec/")).rejects.toMatchObject({ code: "already_watched" });
    await new Promise((r) => setTimeout(r, 20));
    expect(events.at(-1)).toEqual({ folder: "/rec", done: 2, total: 2, imported: 1, failed: 1 });
    expect(changed).toBeGreaterThan(0);
    expect(await b.listWatchedFolders()).toMatchObject([{ path: "/rec", sessionCount: 1 }]);
    const log = await b.getLibraryLog(10);
    expect(log.find((e) => e.kind === "import_error")?.path).toBe("/rec/nope.json");
  });

  test("downloads: a fixture, a 404, a cancelled one", async () => {
    const b = lib();
    const ok = await b.fetchUrl("https://fixtures.test/c.json");
    expect(ok.outcome?.status).toBe("imported");
    expect(ok.outcome?.session.sourceUrl).toBe("https://fixtures.test/c.json");
    expect((await b.fetchUrl("https://fixtures.test/missing")).error?.code).toBe("http_status");
    expect((await b.fetchUrl("ftp://x")).error?.code).toBe("invalid_url");
    const slow = b.fetchUrl("https://fixtures.test/slow");
    await new Promise((r) => setTimeout(r, 10));
    expect(await b.cancelFetch("https://fixtures.test/slow")).toBe(true);
    expect((await slow).error?.code).toBe("cancelled");
    expect(await b.cancelFetch("https://fixtures.test/slow")).toBe(false);
    expect((await b.recentItems())[0].target).toBe("https://fixtures.test/slow");
  });

  test("retention is off by default and deletes what is older", async () => {
    const b = lib(3);
    expect(await b.getRetention()).toBeNull();
    expect(await b.setRetention(1)).toBe(2);
    expect((await b.libraryInfo()).sessionCount).toBe(3);
    await expect(b.setRetention(0)).rejects.toMatchObject({ code: "invalid_input" });
  });
});
