#!/usr/bin/env node
// Records a long, mutation-heavy session with the real rrweb recorder, for the player
// benchmark (`make bench-player`).
//
//   node tools/long-recording/record.mjs [--profile heavy|huge] [--minutes 65] [--heavy N]
//                                        [--out FILE] [--force]
//
// Default output: target/bench/long-recording.json (a plain rrweb event array) and, beside it,
// long-recording.meta.json (the page clock's zero, counts, and a key of this script, its page
// and the options: an existing recording with the same key is kept, so the benchmark only
// records once). The events are written to the file as they come, never held all at once.
//
// `--heavy N` scales the page's mutation volume (N > 1: wider log lines with N tags, a trace
// waterfall of 5 N rows rebuilt every second, 4 N heatmap cells changing every 200 ms); the
// event count stays about the same, the bytes grow. The profiles the player benchmark uses:
//   --profile heavy   65 min, --heavy 3   → target/bench/long-recording-heavy.json (~130 MB)
//   --profile huge    65 min, --heavy 16  → target/bench/long-recording-huge.json  (~550 MB)
// (a profile's options can be overridden by the flags after it).
//
// The page (pages/ops.html) mutates its DOM all the time: a request log line every 250 ms (the
// log keeps 150), a stats table every 500 ms, a progress bar every 200 ms and a clock text on
// every second. The scripted person moves the pointer all the time, types shift notes, scrolls
// the log and the page, and toggles a checkbox now and then. rrweb 2.2.2 (the `rrweb` package
// in ui/) records it in Debian's Chromium with its defaults: one Meta and one FullSnapshot at
// the start and no checkouts, the hard case for seeking.
//
// Playwright's clock API fakes the page's clock (Date, timers, requestAnimationFrame): the
// clock is paused and advanced 200 ms at a time with `runFor`, so an hour of recorded time
// takes a few minutes. The content is seeded and every action happens at a fixed page time,
// so each run records the same session.

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { mkdir, open, readFile, rename, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { launchChromium, rrwebDist } from "../lib/browser.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = resolve(HERE, "../..");
const HOST = "ops.tapedeck.test";
const VIEWPORT = { width: 1280, height: 800 };
// The page clock starts here: 2026-01-12 09:00:00 UTC.
const START = Date.UTC(2026, 0, 12, 9, 0, 0);
const STEP_MS = 200;

const PROFILES = {
  default: { minutes: 65, heavy: 1, out: "target/bench/long-recording.json" },
  heavy: { minutes: 65, heavy: 3, out: "target/bench/long-recording-heavy.json" },
  huge: { minutes: 65, heavy: 16, out: "target/bench/long-recording-huge.json" },
};

function options() {
  const args = process.argv.slice(2);
  const value = (flag, fallback) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const name = value("--profile", "default");
  const profile = PROFILES[name];
  if (!profile) throw new Error(`unknown --profile ${name} (${Object.keys(PROFILES).join(", ")})`);
  const heavy = Number(value("--heavy", String(profile.heavy)));
  if (!Number.isInteger(heavy) || heavy < 1) throw new Error("--heavy N: a whole number ≥ 1");
  return {
    minutes: Number(value("--minutes", String(profile.minutes))),
    heavy,
    out: resolve(value("--out", join(ROOT, profile.out))),
    force: args.includes("--force"),
  };
}

function serve(page) {
  const server = createServer((req, res) => {
    if (new URL(req.url, `http://${HOST}`).pathname !== "/ops.html") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

function recorderInit() {
  window.__events = [];
  window.rrweb.record({
    emit(event) {
      window.__events.push(event);
    },
    sampling: { scroll: 100 },
  });
}

const NOTES = [
  "checked the gateway dashboards, latency is back to normal",
  "payments retries are expected during the provider maintenance window",
  "search p99 spikes again, opened a ticket with the index team",
  "cache hit rate dropped after the deploy, watching it",
  "mailer queue drained, nothing to do",
  "handing over to the evening shift at six",
];

async function main() {
  const opts = options();
  const metaPath = opts.out.replace(/\.json$/, "") + ".meta.json";
  const page = await readFile(join(HERE, "pages/ops.html"), "utf8");
  const bundle = await readFile(join(rrwebDist, "rrweb.umd.cjs"), "utf8");
  const rrwebVersion = JSON.parse(
    await readFile(join(rrwebDist, "..", "package.json"), "utf8"),
  ).version;
  const key = createHash("sha256")
    .update(await readFile(fileURLToPath(import.meta.url)))
    .update(page)
    .update(`${rrwebVersion} ${opts.minutes}${opts.heavy > 1 ? ` heavy ${opts.heavy}` : ""}`)
    .digest("hex")
    .slice(0, 16);
  if (!opts.force && existsSync(opts.out) && existsSync(metaPath)) {
    const meta = JSON.parse(await readFile(metaPath, "utf8"));
    if (meta.key === key) {
      console.log(
        `${opts.out}: up to date (${meta.events} events, ${(meta.bytes / 1e6).toFixed(1)} MB)`,
      );
      return;
    }
  }

  const server = await serve(page);
  const { port } = server.address();
  const browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1:${port}`]);
  await mkdir(dirname(opts.out), { recursive: true });
  const tmp = `${opts.out}.partial`;
  const file = await open(tmp, "w");
  let count = 0;
  let bytes = 0;
  let first = null;
  let last = null;
  const write = async (events) => {
    if (events.length === 0) return;
    let text = "";
    for (const e of events) {
      text += (count++ === 0 ? "[" : ",\n") + JSON.stringify(e);
      first ??= e.timestamp;
      last = e.timestamp;
    }
    bytes += Buffer.byteLength(text);
    await file.write(text);
  };

  const wall = Date.now();
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    // The fake clock first: rrweb keeps a reference to Date.now when its bundle runs.
    await context.clock.install({ time: START });
    await context.addInitScript({
      content: `if (window === window.top) {\n${bundle}\n;(${recorderInit})();\n}`,
    });
    const tab = await context.newPage();
    const heavy = opts.heavy > 1 ? `&heavy=${opts.heavy}` : "";
    await tab.goto(`http://${HOST}/ops.html?t0=${START}${heavy}`, { waitUntil: "load" });
    await tab.waitForFunction(() => window.__events?.some((e) => e.type === 2));
    // From here on the page clock only moves when we move it.
    await tab.clock.pauseAt(START + 2000);
    await tab.focus("#note");

    const steps = Math.round((opts.minutes * 60_000) / STEP_MS);
    let noteIndex = 0;
    let typed = 0;
    let feedDown = false;
    for (let i = 0; i < steps; i++) {
      const s = i * STEP_MS;
      // The pointer drifts on a slow Lissajous path over the page.
      const x = Math.round(640 + 520 * Math.sin(s / 7_000));
      const y = Math.round(420 + 300 * Math.sin(s / 4_300));
      if (s % 15_000 === 0) {
        // Scroll the request log (pointer over it), down for a while, then back up.
        await tab.mouse.move(420, 330);
        if (s % 120_000 === 0) feedDown = !feedDown;
        await tab.mouse.wheel(0, feedDown ? 240 : -240);
      } else if (s % 30_000 === 7_600) {
        // Scroll the page itself (pointer over the header): down, and back up 30 s later.
        await tab.mouse.move(900, 40);
        await tab.mouse.wheel(0, Math.floor(s / 30_000) % 2 === 0 ? 300 : -300);
      } else if (s % 300_000 === 150_200) {
        await tab.click("#compact");
        await tab.focus("#note");
      } else if (s % 400 === 0) {
        await tab.mouse.move(x, y);
      } else {
        // A key every 400 ms (between pointer moves: each input waits for a frame); a note
        // is posted with Enter when it is complete.
        const text = NOTES[noteIndex % NOTES.length];
        if (typed < text.length) {
          await tab.keyboard.type(text[typed++]);
        } else {
          await tab.keyboard.press("Enter");
          noteIndex++;
          typed = 0;
        }
      }
      await tab.clock.runFor(STEP_MS);
      if (i % 100 === 99) {
        await write(await tab.evaluate(() => window.__events.splice(0)));
        if (i % 3000 === 2999) {
          const min = (s + STEP_MS) / 60_000;
          const secs = (Date.now() - wall) / 1000;
          console.log(
            `  ${min.toFixed(0)} of ${opts.minutes} min recorded, ${count} events, ${(bytes / 1e6).toFixed(1)} MB, ${secs.toFixed(0)} s`,
          );
        }
      }
    }
    await tab.clock.runFor(1000);
    await write(await tab.evaluate(() => window.__events.splice(0)));
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
  await file.write("]\n");
  await file.close();
  await rename(tmp, opts.out);

  const meta = {
    key,
    recorder: `rrweb ${rrwebVersion}`,
    page: "tools/long-recording/pages/ops.html",
    heavy: opts.heavy,
    minutes: opts.minutes,
    // Page time zero: #clock in the page shows whole seconds since this epoch ms.
    t0: START,
    firstTimestamp: first,
    lastTimestamp: last,
    durationMs: last - first,
    events: count,
    bytes,
  };
  await writeFile(metaPath, JSON.stringify(meta, null, 2) + "\n");
  console.log(
    `${opts.out}: ${count} events, ${((last - first) / 60_000).toFixed(1)} min recorded, ` +
      `${(bytes / 1e6).toFixed(1)} MB, in ${((Date.now() - wall) / 1000).toFixed(0)} s`,
  );
}

await main();
