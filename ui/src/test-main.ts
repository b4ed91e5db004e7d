// Development-only entry (test.html): the UI over TestBackend, fed with fixture recordings
// served by the Vite dev server. The browser tests drive it; it is also handy for working on
// the UI without building the app. Query parameters shape the backend:
//   library=a.json,b.json   sessions already in the library (default: every fixture that
//                           imports cleanly; empty for an empty library)
//   pick=a.json             what the Open… dialog returns
//   launch=a.json           files "given on the command line"
//   links=L1 L2             tapedeck:// links "given on the command line"
//   delay=ms, steps=n       import and analysis progress pacing;  chunkDelay=ms  slow fetches
//   assetProxy=origin       serves "remote assets" in place of the app's remote-asset scheme
//   generate=N              N more made-up sessions playing template=a.json (default counter.json)
//   folder=PATH:a.json+b.json   a folder the app can watch, holding those fixtures (repeatable)
//   pickFolder=PATH         what the folder dialog returns
// Downloads: https://fixtures.test/<fixture> serves a fixture, /missing answers 404, /slow
// trickles until cancelled.
// A fixture's `<name>.analysis.json`, when there is one, is the analysis the engine computed
// for it (tests/ui/fixtures/analyse.mjs writes them).
import { mount } from "svelte";
import "rrweb/dist/style.css";
import "./app.css";
import App from "./App.svelte";
import { BackendError } from "./lib/backend/backend";
import { ingest, TestBackend, withAnalyses, type Fixture } from "./lib/backend/test-backend";
import { installProbe } from "./lib/test-hooks";

// Later groups win on a name clash: the browser-test fixtures are the most specific.
const sources = import.meta.glob<string>(
  [
    "../../../shared/corpus/public/rrweb/*.json",
    "../../samples/*.{json,jsonl}",
    "../../tests/ui/fixtures/*.{json,jsonl}",
  ],
  { query: "?url", import: "default" },
);

declare global {
  interface Window {
    __testBackend?: TestBackend;
  }
}

const baseName = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const list = (v: string | null) => (v === null ? null : v.split(",").filter((s) => s !== ""));

async function loadFixtures(): Promise<Fixture[]> {
  const loaded = await Promise.all(
    Object.entries(sources).map(async ([path, url]) => {
      const res = await fetch(await url());
      if (!res.ok) throw new Error(`fixture ${path}: HTTP ${res.status}`);
      return [baseName(path), new Uint8Array(await res.arrayBuffer())] as const;
    }),
  );
  // Sidecars become part of their recording, not recordings of their own.
  return withAnalyses(new Map(loaded));
}

async function start() {
  const params = new URLSearchParams(location.search);
  const byName = new Map((await loadFixtures()).map((f) => [f.name, f]));
  const files = [...byName.values()];
  const wanted = list(params.get("library"));
  const library =
    wanted === null
      ? files.filter((f) => !(ingest(f, 0) instanceof BackendError))
      : wanted.map((name) => {
          const f = byName.get(name);
          if (!f) throw new Error(`unknown fixture ${name}`);
          return f;
        });
  const num = (key: string) => (params.has(key) ? Number(params.get(key)) : undefined);

  const backend = new TestBackend({
    library,
    files,
    pickResult: list(params.get("pick")) ?? [],
    launchPaths: list(params.get("launch")) ?? [],
    // Links are separated by spaces: a link may hold commas.
    launchLinks:
      params
        .get("links")
        ?.split(" ")
        .filter((s) => s !== "") ?? [],
    progressDelayMs: num("delay") ?? 120,
    progressSteps: num("steps") ?? 5,
    chunkDelayMs: num("chunkDelay") ?? 0,
    assetProxy: params.get("assetProxy") ?? undefined,
    generate: num("generate"),
    template: params.get("template") ?? undefined,
    folders: Object.fromEntries(
      params.getAll("folder").map((f) => {
        const at = f.lastIndexOf(":");
        return [
          f.slice(0, at),
          f
            .slice(at + 1)
            .split("+")
            .filter(Boolean),
        ];
      }),
    ),
    pickFolderResult: params.get("pickFolder"),
  });
  window.__testBackend = backend;
  installProbe();
  mount(App, { target: document.getElementById("app")!, props: { backend } });
}

start().catch((e) => {
  document.body.textContent = `Test page failed to start: ${e instanceof Error ? e.message : e}`;
});
