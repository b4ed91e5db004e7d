import { describe, expect, test } from "vitest";
import type { ImportProgressEvent } from "../bindings";
import { TestBackend, type Fixture } from "./test-backend";

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
  });

  test("unknown ids and windows fail with the engine's codes", async () => {
    const b = new TestBackend({ library: [fixture("a.json", recording(0, 2))] });
    await expect(b.getSession("nope")).rejects.toMatchObject({ code: "session_not_found" });
    const [s] = await b.listSessions();
    await expect(b.chunkEvents(s.id, 3, 0, 0)).rejects.toMatchObject({
      code: "window_not_found",
    });
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
    expect(await b.takeLaunchRequest()).toEqual({ paths: ["a.json"] });
    expect(await b.takeLaunchRequest()).toEqual({ paths: [] });
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
});
