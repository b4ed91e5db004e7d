import { expect, test } from "vitest";
import { TestBackend } from "../lib/backend/test-backend";
import { Imports } from "./imports.svelte";

const enc = new TextEncoder();
const rec = enc.encode(
  JSON.stringify([
    { type: 4, data: { href: "https://a.test/", width: 10, height: 10 }, timestamp: 1 },
    { type: 2, data: { node: { type: 0, childNodes: [], id: 1 } }, timestamp: 2 },
  ]),
);

test("tracks progress while importing, then lists failures and notices", async () => {
  const backend = new TestBackend({
    library: [{ name: "old.json", bytes: rec }],
    files: [{ name: "bad.json", bytes: enc.encode("{nope") }],
    progressDelayMs: 1,
  });
  const imports = new Imports(backend);
  await backend.onImportProgress((e) => imports.onProgress(e));

  const running = imports.run(["old.json", "bad.json", "gone.json"]);
  expect(imports.busy).toBe(true);
  expect(imports.progress.map((p) => p.path)).toEqual(["old.json", "bad.json", "gone.json"]);
  const reports = await running;

  expect(imports.busy).toBe(false);
  expect(reports.map((r) => r.outcome?.status ?? r.error?.code)).toEqual([
    "alreadyImported",
    "not_json",
    "io",
  ]);
  expect(imports.failures.map((f) => f.path)).toEqual(["bad.json", "gone.json"]);
  expect(imports.failures[1].message).toContain("gone.json: cannot read the file");
  expect(imports.notices.map((n) => n.text)).toEqual(["old.json is already in the library."]);

  imports.dismissFailures();
  imports.dismissNotice(imports.notices[0].id);
  expect(imports.failures).toEqual([]);
  expect(imports.notices).toEqual([]);
});

test("a failing command marks every file as failed", async () => {
  const backend = new TestBackend();
  backend.importPaths = () => Promise.reject({ code: "library", message: "library error: locked" });
  const imports = new Imports(backend);
  expect(await imports.run(["a.json", "b.json"])).toEqual([]);
  expect(imports.failures.map((f) => [f.path, f.code])).toEqual([
    ["a.json", "library"],
    ["b.json", "library"],
  ]);
});
