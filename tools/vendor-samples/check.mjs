#!/usr/bin/env node
// Checks tests/corpus/: every <name>.truth.json against its recording, decoded here on its own
// (no Tapedeck code), then replays each recording with rrweb's Replayer in Chromium and checks
// that the last page's text shows. Needs only ui/node_modules (no vendor SDK).
//
//   node tools/vendor-samples/check.mjs [--screenshots DIR]

import { mkdir, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';

import { launchChromium, rrwebAssets } from '../lib/browser.mjs';
import { decompressPosthogEvent } from './posthog.mjs';
const CORPUS = fileURLToPath(new URL('../../tests/corpus/', import.meta.url));

const args = process.argv.slice(2);
const shotsAt = args.indexOf('--screenshots');
const shotDir = shotsAt >= 0 ? args[shotsAt + 1] : null;
if (shotDir) await mkdir(shotDir, { recursive: true });

let failed = 0;
let passed = 0;
const check = (ok, msg) => {
  if (ok) passed++;
  else {
    failed++;
    console.error(`FAIL ${msg}`);
  }
};

const toMs = (t) => (typeof t === 'number' && t < 1e11 ? Math.round(t * 1000) : t);

// --- decoders: file -> [[windowId, events]] -------------------------------------------

function group(pairs) {
  const m = new Map();
  for (const [w, e] of pairs) {
    if (!m.has(w)) m.set(w, []);
    m.get(w).push(e);
  }
  return [...m.entries()];
}

// @rrweb/packer: a latin1 string of the zlib bytes of the event's JSON, with "v": "v1" added.
const unpack = (s) => {
  if (typeof s !== 'string') return s;
  const { v, ...e } = JSON.parse(inflateSync(Buffer.from(s, 'latin1')).toString('utf8'));
  if (v !== 'v1') throw new Error(`packer mark ${v}`);
  return e;
};

async function decode(dir, truth) {
  const read = (f) => readFile(join(CORPUS, dir, f));
  switch (truth.format) {
    case 'posthog-snapshot-events': {
      const evs = JSON.parse(await read(truth.file));
      return group(evs.flatMap((s) => s.properties.$snapshot_data.map((e) => [s.properties.$window_id, decompressPosthogEvent(e)])));
    }
    case 'posthog-blob-jsonl': {
      const lines = (await read(truth.file)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      return group(lines.flatMap((l) => l.data.map((e) => [l.window_id, decompressPosthogEvent(e)])));
    }
    case 'posthog-export': {
      const f = JSON.parse(await read(truth.file));
      check(f.version === '2023-04-28', `${truth.file}: version ${f.version}`);
      return group(f.data.snapshots.map(({ windowId, ...e }) => [windowId, e]));
    }
    case 'sentry-segments': {
      const events = [];
      for (const f of truth.files.filter((x) => x.endsWith('.bin'))) {
        const b = await read(f);
        const nl = b.indexOf(0x0a);
        const head = JSON.parse(b.subarray(0, nl).toString('utf8'));
        check(`segment-${head.segment_id}.bin` === f, `${f}: header segment_id ${head.segment_id}`);
        const rest = b.subarray(nl + 1);
        const text = rest[0] === 0x78 ? inflateSync(rest) : rest[0] === 0x1f ? gunzipSync(rest) : rest;
        events.push(...JSON.parse(text.toString('utf8')));
      }
      return [[truth.replay_id, events.map((e) => ({ ...e, timestamp: toMs(e.timestamp) }))]];
    }
    case 'rrweb-packed': {
      const evs = JSON.parse(await read(truth.file));
      check(evs.some((e) => typeof e === 'string'), `${truth.file}: no packed event`);
      return [[null, evs.map(unpack)]];
    }
    default:
      throw new Error(`unknown format ${truth.format}`);
  }
}

function urlsOf(events) {
  const out = [];
  for (const e of events) if (e.type === 4 && e.data?.href && out.at(-1) !== e.data.href) out.push(e.data.href);
  return out;
}

// --- replay -----------------------------------------------------------------------------

const browser = await launchChromium();
const { bundle, css } = await rrwebAssets();

// Text the final page of each site shows.
const PAGE_TEXT = {
  'checkout.html': 'is confirmed',
  'upgrade-guide.html': 'Upgrading to Tapedeck 1.4',
  'kanban.html': 'Ship the importer',
};

async function replay(label, events) {
  events = [...events].sort((a, b) => a.timestamp - b.timestamp);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.setContent('<!doctype html><html><body style="margin:0"><div id="root"></div></body></html>');
  await page.addStyleTag({ content: css });
  await page.addScriptTag({ content: bundle });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const text = await page.evaluate((evs) => {
    const r = new window.rrweb.Replayer(evs, { root: document.getElementById('root'), showWarning: false });
    window.replayer = r;
    r.pause(evs.at(-1).timestamp - evs[0].timestamp);
    return r.iframe.contentDocument?.body?.innerText ?? '';
  }, events);
  if (shotDir) await page.screenshot({ path: join(shotDir, `${label}.png`) });
  await page.close();
  const last = urlsOf(events).at(-1)?.split('/').at(-1);
  const want = PAGE_TEXT[last];
  check(!want || text.includes(want), `${label}: final frame lacks "${want}" (${text.slice(0, 80)})`);
  check(errors.length === 0, `${label}: page errors ${errors.join('; ')}`);
}

// --- main -------------------------------------------------------------------------------

for (const dir of (await readdir(CORPUS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  for (const tf of (await readdir(join(CORPUS, dir))).filter((f) => f.endsWith('.truth.json')).sort()) {
    const truth = JSON.parse(await readFile(join(CORPUS, dir, tf), 'utf8'));
    const label = `${dir}/${tf.replace('.truth.json', '')}`;
    const files = truth.files ?? [truth.file];
    for (const f of files) {
      const size = (await readFile(join(CORPUS, dir, f))).length;
      check(size <= 200 * 1024, `${dir}/${f}: ${(size / 1024).toFixed(0)} KB`);
    }
    const windows = (await decode(dir, truth)).sort((a, b) => Math.min(...a[1].map((e) => e.timestamp)) - Math.min(...b[1].map((e) => e.timestamp)));
    check(windows.length === truth.window_count, `${label}: ${windows.length} windows, truth ${truth.window_count}`);
    windows.forEach(([id, evs], i) => {
      const t = truth.windows[i] ?? {};
      const ts = evs.map((e) => toMs(e.timestamp));
      check(id === t.window_id, `${label}: window ${i} id ${id} vs ${t.window_id}`);
      check(evs.length === t.event_count, `${label}: window ${i} ${evs.length} events vs ${t.event_count}`);
      check(Math.min(...ts) === t.first_timestamp, `${label}: window ${i} first ${Math.min(...ts)} vs ${t.first_timestamp}`);
      check(Math.max(...ts) === t.last_timestamp, `${label}: window ${i} last ${Math.max(...ts)} vs ${t.last_timestamp}`);
      check(JSON.stringify(urlsOf(evs)) === JSON.stringify(t.urls), `${label}: window ${i} urls ${urlsOf(evs)}`);
      check(evs.some((e) => e.type === 2) && evs.some((e) => e.type === 4), `${label}: window ${i} lacks Meta/FullSnapshot`);
    });
    for (const [i, [, evs]] of windows.entries()) await replay(`${label.replace('/', '-')}-w${i}`, evs);
    console.log(`ok ${label}: ${truth.format}, ${windows.length} window(s), ${windows.map(([, e]) => e.length).join('+')} events`);
  }
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
