#!/usr/bin/env node
// Where a seek's time goes in the player's page-keeping jump (ui/src/player/jump.ts), in
// headless Chromium: one rrweb Replayer, moved through a chain of seeks on a recording the way
// the player does it, with each step's phases timed and a CPU profile of the whole chain.
//
//   cargo build -p tapedeck-cli
//   node tools/keyframes/seek-profile.mjs RECORDING [--seeks 12] [--exact]
//
// Each seek loads what the player loads (`tapedeck keyframe ID --at MS --stored`: the stored
// keyframe last before the moment and the chunks through it); with --exact, the keyframe the
// engine makes at the moment itself (`tapedeck keyframe ID --at MS`), which leaves rrweb
// nothing to fast-forward. Printed per seek and as medians: fetch (from the page's own
// loopback route, not the app's IPC), JSON parse, the synchronous seek (building the keyframe
// in rrweb's virtual DOM, fast-forwarding, and the flush that diffs it into the page), then
// the wait for the next animation frame; and the functions that took the most CPU time.
import { openComparer } from "../../tests/keyframes/dom-compare.mjs";
import { cliLibrary } from "../../tests/keyframes/common.mjs";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
if (!file) {
  console.error("usage: seek-profile.mjs RECORDING [--seeks N] [--exact]");
  process.exit(2);
}
const seeks = option("--seeks", 12);
const exact = flag("--exact");

const lib = cliLibrary();
const imported = lib.import(file);
if (!imported.session) throw new Error(`${file} was not imported: ${imported.error}`);
const s = imported.session;
// The player benchmark's points (10, 50, 90, 99 %), each time a little earlier, after a
// first step at 1 %.
const points = [0.1, 0.5, 0.9, 0.99];
const fractions = [0.01];
for (let i = 0; i < seeks; i++) fractions.push(points[i % 4] - 0.003 * Math.floor(i / 4));
const steps = fractions.map((f) => {
  const ms = Math.round(s.durationMs * f);
  const events = exact ? lib.keyframe(s.id, ms) : lib.seekEvents(s.id, ms).events;
  return { at: s.startedAt + ms, events };
});
console.log(
  `${file}: ${(s.durationMs / 60000).toFixed(1)} min; ${exact ? "keyframes at each moment" : "stored keyframes and their chunks"}; ` +
    `MB per seek: ${steps.map((x) => (x.events.length / 1e6).toFixed(1)).join(" ")}`,
);

const cmp = await openComparer();
const { page } = cmp;
const paths = steps.map((_, i) => `/profile/${i}`);
await page.route("**/profile/*", (route) => {
  const i = paths.indexOf(new URL(route.request().url()).pathname);
  return route.fulfill({ contentType: "application/json", body: steps[i].events });
});

// Runs in the page: the chain, timed.
async function chain([paths, ats]) {
  const root = document.createElement("div");
  root.className = "root";
  document.body.append(root);
  const config = { root, UNSAFE_replayCanvas: false, mouseTail: false, showWarning: false };
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const out = [];
  let replayer = null;
  let jumper = null;
  let flushBegan = 0;
  let flushMs = 0;
  for (let i = 0; i < paths.length; i++) {
    const t0 = performance.now();
    const text = await (await fetch(paths[i])).text();
    const t1 = performance.now();
    const events = JSON.parse(text);
    const t2 = performance.now();
    let kept = false;
    if (!replayer) {
      replayer = new window.rrweb.Replayer(events, config);
      jumper = new window.TapedeckJump.PageJumper(replayer);
      // Around every flush handler (the jumper's, rrweb's diff, the jumper's after it).
      const handlers = replayer.emitter.all.get("flush");
      handlers.unshift(() => (flushBegan = performance.now()));
      handlers.push(() => (flushMs += performance.now() - flushBegan));
    } else {
      kept = jumper.load(events, ats[i]);
    }
    flushMs = 0;
    const t3 = performance.now();
    replayer.pause(ats[i] + 1 - Math.min(...events.map((e) => e.timestamp)));
    const t4 = performance.now();
    await frame();
    const t5 = performance.now();
    out.push({
      kept,
      fetch: t1 - t0,
      parse: t2 - t1,
      seek: t4 - t3,
      flush: flushMs,
      frame: t5 - t4,
    });
    await new Promise((r) => setTimeout(r, 300));
  }
  replayer.destroy();
  root.remove();
  return out;
}

const cdp = await page.context().newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
await cdp.send("Profiler.start");
const rows = await page.evaluate(chain, [paths, steps.map((x) => x.at)]);
const { profile } = await cdp.send("Profiler.stop");
await cmp.close();
lib.close();

const round = (v) => Math.round(v);
console.log(
  "\nseek | page kept | fetch | parse | seek (sync) | of it the flush | to the next frame (ms)",
);
rows.forEach((r, i) =>
  console.log(
    `${i} (${Math.round(fractions[i] * 1000) / 10} %) | ${r.kept} | ${round(r.fetch)} | ${round(r.parse)} | ${round(r.seek)} | ${round(r.flush)} | ${round(r.frame)}`,
  ),
);
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : NaN;
};
const timed = rows.slice(1);
const m = (k) => round(median(timed.map((r) => r[k])));
console.log(
  `\nmedians of the ${timed.length} seeks after the first: fetch ${m("fetch")}, parse ${m("parse")}, ` +
    `seek ${m("seek")} (flush ${m("flush")}, the rest building and fast-forwarding), frame ${m("frame")} ms`,
);

// Self time per function over the whole chain.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
profile.samples.forEach((id, i) => {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const key = `${functionName || "(anonymous)"} ${url.split("/").pop()}:${lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
console.log("\nCPU self time over the chain (ms):");
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  if (k.startsWith("(idle)")) continue;
  console.log(`${round(v).toString().padStart(6)}  ${k}`);
}
