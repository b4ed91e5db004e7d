#!/usr/bin/env node
// Records the ground-truth recordings for the import-time analysis (tests/analysis/).
//
//   node tools/analysis-samples/record.mjs --sdk-dir <dir> [frustration] [posthog] [sentry]
//   ANALYSIS_SDK_DIR=<dir> node tools/analysis-samples/record.mjs [frustration] [posthog] [sentry]
//
// <dir> is a scratch npm prefix outside the repository (see README.md). `frustration` needs it
// for @rrweb/rrweb-plugin-console-record, `posthog` for posthog-js, `sentry` for
// @sentry/browser.
//
// Every interaction is scripted, so what the analysis must find is known from the script
// itself: each run writes <name>.truth.json from what the script did and the times it read
// from the page's clock, never from the recorded events. Playwright's clock API makes the long
// idle gaps cost no wall time (rrweb's timestamps come from the page's Date.now()).

import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHROMIUM, launchChromium, rrwebDist, sleep } from '../lib/browser.mjs';
import { bundle, cors, decodeRecording, json, parseEnvelope, posthogApi } from '../vendor-samples/capture.mjs';

const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const OUT = fileURLToPath(new URL('../../tests/analysis/', import.meta.url));
const HOST = 'shop.tapedeck.test';
const ORIGIN = `http://${HOST}`;
const VIEWPORT = { width: 1280, height: 800 };
// The fake clock starts here (2026-11-26 09:00:00 UTC) and then runs with the real clock.
const START = Date.UTC(2026, 10, 26, 9, 0, 0);
const TOLERANCE_MS = 300;
const THRESHOLD_MS = 5000;
const KINDS = [
  'click', 'rage_click', 'dead_click', 'error_click', 'exception', 'console_error', 'console_warning',
  'failed_request', 'navigation', 'u_turn', 'viewport_resize', 'custom_event', 'mouse_thrash', 'scroll_thrash',
];

const args = process.argv.slice(2);
let sdkDir = process.env.ANALYSIS_SDK_DIR;
const at = args.indexOf('--sdk-dir');
if (at >= 0) [, sdkDir] = args.splice(at, 2);
sdkDir = sdkDir ? resolve(sdkDir) : null;
const NM = sdkDir && join(sdkDir, 'node_modules');
const version = async (dir) => JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).version;
function needSdk(pkg) {
  if (!NM || !existsSync(join(NM, pkg))) {
    console.error(`${pkg} not found: set ANALYSIS_SDK_DIR (or --sdk-dir) to an npm prefix holding it; see README.md`);
    process.exit(2);
  }
  return join(NM, pkg);
}

// ---------------------------------------------------------------------------------------
// One loopback server: the pages, and whatever extra routes a run adds (SDK bundles, APIs).

const MIME = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript' };
const server = { head: '', api: null, port: 0 };

async function handle(req, res) {
  const url = new URL(req.url, ORIGIN);
  const chunks = [];
  for await (const c of req) chunks.push(c);
  cors(req, res);
  if (req.method === 'OPTIONS') return res.writeHead(204).end();
  const body = Buffer.concat(chunks);
  if (server.api?.(req, res, url, body)) return;
  // The page's own API: what the scripted fetches hit.
  if (url.pathname === '/api/stock') return json(res, { error: 'unknown sku' }, 404);
  if (url.pathname === '/api/price') return json(res, { error: 'pricing backend down' }, 500);
  if (url.pathname === '/api/cart') return json(res, { items: 2, total: 398 });
  const name = url.pathname.replace(/^\/+/, '') || 'catalogue.html';
  if (!/^[a-z-]+\.(html|css)$/.test(name)) return res.writeHead(404).end('not found');
  try {
    let body = await readFile(join(PAGES, name), 'utf8');
    if (name.endsWith('.html')) body = body.replace('<head>', `<head>\n${server.head}`);
    res.writeHead(200, { 'content-type': MIME[extname(name)] });
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
}

// ---------------------------------------------------------------------------------------
// A scripted person on one page, with a log of what was done and when (page clock, epoch ms).

function person(page) {
  let x = 200;
  let y = 120;
  let driftDir = 1;
  const times = [];
  const now = () => page.evaluate(() => Date.now());
  const p = {
    times,
    now,
    pos: () => ({ x, y }),
    // Runs `action` and returns the midpoint of the page clock before and after it.
    async timed(action) {
      const t0 = await now();
      await action();
      const t1 = await now();
      return Math.round((t0 + t1) / 2);
    },
    async mark(kind, action) {
      const t = await p.timed(action);
      times.push({ kind, at: t });
      return t;
    },
    // A straight, smooth move (one step every ~16 ms, so rrweb's 50 ms sampling sees it).
    async moveXY(tx, ty, ms = 300) {
      const n = Math.max(4, Math.round(ms / 16));
      const [sx, sy] = [x, y];
      for (let i = 1; i <= n; i++) {
        x = Math.round(sx + ((tx - sx) * i) / n);
        y = Math.round(sy + ((ty - sy) * i) / n);
        await page.mouse.move(x, y);
        await sleep(ms / n);
      }
    },
    async moveTo(selector, ms = 350) {
      const box = await page.locator(selector).first().boundingBox();
      await p.moveXY(Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2), ms);
      await sleep(150);
    },
    click: () => page.mouse.click(x, y),
    // "Reading": the pointer creeps 2 px every 250 ms, turning after 16 px (legs far below the
    // 50 px a thrash leg needs), so there is pointer activity at least every 250 ms.
    async drift(ms) {
      const n = Math.max(1, Math.round(ms / 250));
      for (let i = 0; i < n; i++) {
        if (i % 8 === 7) driftDir = -driftDir;
        x += 2 * driftDir;
        await page.mouse.move(x, y);
        await sleep(250);
      }
    },
    // An idle gap: no input at all for `ms` of page time, bracketed by two single-step pointer
    // moves. After ≥ 600 ms without moving, rrweb emits a lone mousemove at once (its 500 ms
    // batching throttle fires on the leading edge), so these two moves are the last activity
    // before and the first after the gap.
    async idle(ms, clock) {
      await sleep(700);
      const start = await p.timed(() => page.mouse.move(++x, y));
      await sleep(100);
      await clock.fastForward(ms);
      await sleep(100);
      const end = await p.timed(() => page.mouse.move(++x, y));
      return { start, end };
    },
  };
  return p;
}

// ---------------------------------------------------------------------------------------
// A. frustration.json: rrweb 2.2.2 + the console record plugin.

function recorderInit() {
  window.__events = [];
  window.__startedAt = Date.now(); // when this page's Meta and FullSnapshot are taken
  window.rrweb.record({
    emit(event) {
      window.__events.push(event);
      window.__tapedeckEmit(event);
    },
    sampling: { scroll: 100 },
    plugins: [window.rrwebPluginConsoleRecord.getRecordConsolePlugin()],
  });
}

async function frustration(browser) {
  const pluginDir = needSdk('@rrweb/rrweb-plugin-console-record');
  const rrwebVer = await version(join(rrwebDist, '..'));
  const pluginVer = await version(pluginDir);
  const recorder = `rrweb ${rrwebVer} + @rrweb/rrweb-plugin-console-record ${pluginVer}`;
  console.log(recorder);
  const rrweb = await readFile(join(rrwebDist, 'rrweb.umd.cjs'), 'utf8');
  const plugin = await readFile(join(pluginDir, 'dist/rrweb-plugin-console-record.umd.cjs'), 'utf8');

  server.head = '';
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  // The fake clock first: rrweb keeps a reference to Date.now when its bundle runs.
  await context.clock.install({ time: START });
  const events = [];
  await context.exposeFunction('__tapedeckEmit', (e) => events.push(e));
  // The recorder starts when the document becomes interactive, not in the init script itself:
  // Playwright's clock replays its log (install, each fastForward) in a new document at the
  // first Date.now() call, and rrweb's bundle calls Date.now() when it runs. An init script
  // added after install() runs before the fastForward entries are logged, so a call from it
  // would count the time since the last fastForward twice (pages loaded later would jump ahead).
  await context.addInitScript({
    content:
      `if (window === window.top && location.protocol === 'http:') document.addEventListener('readystatechange', ` +
      `function () {\n${rrweb}\n;${plugin}\n;(${recorderInit})();\n}.bind(window), { once: true });`,
  });
  const page = await context.newPage();
  const me = person(page);
  const count = Object.fromEntries(KINDS.map((k) => [k, 0]));
  const inactive = [];

  const settle = () => page.waitForFunction(() => window.__events?.some((e) => e.type === 2));
  const open = async (path) => {
    await page.goto(ORIGIN + path, { waitUntil: 'load' });
    await settle();
    count.navigation++;
  };
  // A click that must get a response (the page changes within 2 s).
  const click = async (selector, kind) => {
    await me.moveTo(selector);
    count.click++;
    if (kind) {
      count[kind]++;
      await me.mark(kind, me.click);
    } else await me.click();
  };
  const follow = async (selector) => {
    await me.moveTo(selector);
    count.click++;
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), me.click()]);
    await settle();
    count.navigation++;
    return page.evaluate(() => window.__startedAt);
  };
  const rage = async (selector) => {
    await me.moveTo(selector);
    count.rage_click++;
    count.click += 5;
    await me.mark('rage_click', me.click); // the episode's first click
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      await me.click();
    }
  };
  const log = async (kind, fn, arg) => {
    count[kind]++;
    await me.mark(kind, () => page.evaluate(fn, arg));
  };

  // --- A: catalogue -----------------------------------------------------------------------
  await open('/catalogue.html');
  await me.drift(1200);
  await click('#add-lamp');
  await me.drift(1500);
  await click('#add-chair');
  await me.drift(1500);
  await click('#sort');
  await me.drift(1500);
  await click('#compare', 'dead_click');
  await me.drift(2600);
  inactive.push(await me.idle(6 * 60_000, context.clock)); // 6 minutes away
  await me.drift(1000);
  await rage('#promo'); // a button with no handler: rage, not dead
  await me.drift(2600);
  await click('#wishlist', 'dead_click');
  await me.drift(2600);
  // Monotone reading scroll down the product list, then a pause, then the thrash.
  await me.moveXY(640, 520);
  for (let i = 0; i < 4; i++) {
    await page.mouse.wheel(0, 300);
    await me.drift(750);
  }
  await me.drift(2500);
  // Scroll thrash: down, up, down, up, down (400 px, 250 ms apart): 4 reversals in ~1 s.
  // `at` is the midpoint between the first step and the first reversal (see SOURCES.md).
  count.scroll_thrash++;
  const thrashAt = await me.timed(() => page.mouse.wheel(0, 400));
  me.times.push({ kind: 'scroll_thrash', at: thrashAt + 125 });
  for (const dy of [-400, 400, -400, 400]) {
    await sleep(250);
    await page.mouse.wheel(0, dy);
  }
  await me.drift(2500);
  await log('console_warning', () => console.warn('Recommendations are stale; showing cached list'));
  await me.drift(1500);
  for (let i = 0; i < 3; i++) {
    await page.mouse.wheel(0, 600);
    await me.drift(750);
  }
  await page.locator('#to-product').scrollIntoViewIfNeeded();
  await me.drift(1000);
  await follow('#to-product');

  // --- B: product -------------------------------------------------------------------------
  await me.drift(1000);
  await click('#next-photo');
  await me.drift(1500);
  count.viewport_resize++;
  await page.setViewportSize({ width: 1100, height: 760 });
  await me.drift(1500);
  await rage('#notify'); // responds every time, still a rage episode
  await me.drift(2000);
  await log('console_error', () => console.error('Stock service returned no data for SKU 103'));
  await me.drift(1500);
  // Mouse thrash: 7 legs of 400 px, 200 ms each, the first in the direction of the approach,
  // so 6 reversals in 1.4 s. `at` = first leg start + 100 ms (midway to the first reversal).
  await me.moveXY(160, 600, 500);
  await me.drift(1500);
  await me.moveXY(440, 420, 400); // the approach, rightwards; the first leg carries on
  count.mouse_thrash++;
  me.times.push({ kind: 'mouse_thrash', at: (await me.now()) + 100 });
  for (let leg = 0; leg < 7; leg++) await me.moveXY(leg % 2 === 0 ? 840 : 440, 420, 200);
  await me.drift(2500);
  await click('#share', 'dead_click');
  await me.drift(2600);
  await follow('#to-cart');

  // --- C: cart, D: help, back to C (U-turn) --------------------------------------------------
  await me.drift(1000);
  await click('#qty-plus');
  await me.drift(1500);
  // The handler changes the page and then throws: an error click and an uncaught exception.
  count.exception++;
  const errAt = await (async () => {
    await me.moveTo('#apply-coupon');
    count.click++;
    count.error_click++;
    return me.mark('error_click', me.click);
  })();
  me.times.push({ kind: 'exception', at: errAt });
  await me.drift(2000);
  count.custom_event++;
  await me.mark('custom_event', () =>
    page.evaluate(() => window.rrweb.record.addCustomEvent('checkout-started', { cart: 'TD-7', items: 2, total: 398 })),
  );
  await me.drift(1500);
  await follow('#to-help');
  await me.drift(600);
  const back = await follow('#back-to-cart');
  count.u_turn++;
  me.times.push({ kind: 'u_turn', at: back });
  await me.drift(2000);
  await log('console_error', () => console.error('Shipping estimate unavailable'));
  await me.drift(1500);
  await log('exception', () => console.error(new Error('Cart total mismatch: expected 398.00, got 388.00')));
  await me.drift(1500);
  inactive.push(await me.idle(90_000, context.clock)); // 90 seconds away
  await me.drift(1000);
  await click('#qty-plus');
  await me.drift(2500);
  await sleep(600); // let the last mousemove batch flush
  await context.close();

  const name = 'frustration.json';
  const body = JSON.stringify(events) + '\n';
  await mkdir(OUT, { recursive: true });
  await writeFile(join(OUT, name), body);
  const truth = {
    file: name,
    recorder,
    inactivity_threshold_ms: THRESHOLD_MS,
    markers: count,
    fetches: [], // no network recorder on these pages
    times: me.times.sort((a, b) => a.at - b.at),
    inactive,
    tolerance_ms: TOLERANCE_MS,
  };
  await writeFile(join(OUT, 'frustration.truth.json'), JSON.stringify(truth, null, 2) + '\n');
  const span = (events.at(-1).timestamp - events[0].timestamp) / 1000;
  console.log(`  ${name}: ${events.length} events, ${span.toFixed(1)} s, ${(body.length / 1024).toFixed(0)} KB`);
}


// ---------------------------------------------------------------------------------------
// B and C: the vendors' SDKs on product.html, one SPA session with network and console output.

const sendFile = async (res, file) => {
  res.writeHead(200, { 'content-type': 'text/javascript' });
  res.end(await readFile(file));
};

// A desktop Chrome user agent rather than "HeadlessChrome" (what the SDKs' bot checks see).
async function vendorPage(browser) {
  const probe = await browser.newPage();
  const userAgent = (await probe.evaluate(() => navigator.userAgent)).replace('HeadlessChrome', 'Chrome');
  await probe.close();
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, userAgent });
  if (process.env.DEBUG_PAGES) {
    context.on('console', (m) => console.error(`console.${m.type()}: ${m.text().slice(0, 300)}`));
    context.on('weberror', (e) => console.error(`pageerror: ${e.error().message}`));
  }
  return { context, page: await context.newPage() };
}

// The same script for both vendors: 3 responsive clicks, a warning, a 404, an OK fetch, a SPA
// navigation, a 500 and an error, each 1.5 s or more apart and none within 1 s after a click.
async function vendorSession(page, me) {
  const count = Object.fromEntries(KINDS.map((k) => [k, 0]));
  me.fetches = [];
  count.navigation = 1; // the page load
  const click = async (selector) => {
    await me.moveTo(selector);
    count.click++;
    await me.click();
  };
  const fetchStatus = (path) => page.evaluate((p) => fetch(p).then((r) => r.status), path);
  const request = async (path, status) => {
    let got;
    const t = await me.timed(async () => {
      got = await fetchStatus(path);
    });
    if (got !== status) throw new Error(`${path}: status ${got}, expected ${status}`);
    me.fetches.push({ url: path, status });
    if (status >= 400) {
      count.failed_request++;
      me.times.push({ kind: 'failed_request', at: t });
    }
  };
  const log = async (kind, fn) => {
    count[kind]++;
    await me.mark(kind, () => page.evaluate(fn));
  };
  await me.drift(1500);
  await click('#next-photo');
  await me.drift(1500);
  await log('console_warning', () => console.warn('Stock level for SKU 103 is cached'));
  await me.drift(1500);
  await request('/api/stock?sku=103', 404);
  await me.drift(1500);
  await click('#notify');
  await me.drift(1500);
  await request('/api/cart', 200);
  await me.drift(1500);
  count.navigation++;
  await page.evaluate(() => history.pushState({}, '', '/product/103/reviews'));
  await me.drift(1500);
  await request('/api/price?sku=103', 500);
  await me.drift(1500);
  await log('console_error', () => console.error('Price widget failed to render'));
  await me.drift(1500);
  await click('#next-photo');
  return count;
}

async function writeTruth(name, file, recorder, markers, times, fetches) {
  const truth = {
    file,
    recorder,
    inactivity_threshold_ms: THRESHOLD_MS,
    markers,
    fetches, // every fetch the script made, in order: its path and the status it got
    times: times.sort((a, b) => a.at - b.at),
    inactive: [],
    tolerance_ms: TOLERANCE_MS,
  };
  await writeFile(join(OUT, `${name}.truth.json`), JSON.stringify(truth, null, 2) + '\n');
}

const PH_TOKEN = 'phc_tapedeck_analysis';

async function posthog(browser) {
  const dir = needSdk('posthog-js');
  const recorder = `posthog-js ${await version(dir)}`;
  console.log(recorder);
  // The remote config turns on console logs and network capture (timing, headers, bodies):
  // posthog-js installs its rrweb/network@1 plugin when networkPayloadCapture or
  // capturePerformance.network_timing says so (lazy-loaded-session-recorder.js).
  const config = {
    token: PH_TOKEN,
    supportedCompression: ['gzip', 'gzip-js'],
    hasFeatureFlags: false,
    captureDeadClicks: false,
    capturePerformance: { network_timing: true, web_vitals: false },
    autocapture_opt_out: true,
    autocaptureExceptions: false,
    analytics: { endpoint: '/i/v0/e/' },
    sessionRecording: {
      endpoint: '/s/',
      consoleLogRecordingEnabled: true,
      recorderVersion: 'v2',
      networkPayloadCapture: { recordHeaders: true, recordBody: true },
    },
    heatmaps: false,
    surveys: false,
    siteApps: [],
  };
  const posts = [];
  server.api = (req, res, url, body) => {
    if (url.pathname === '/sdk/posthog.js') return sendFile(res, join(dir, 'dist/array.full.js')), true;
    if (url.pathname.startsWith('/static/'))
      return sendFile(res, join(dir, 'dist', url.pathname.slice(8).replace(/[^a-z0-9.-]/gi, ''))), true;
    return posthogApi(req, res, url, body, { token: PH_TOKEN, config, posts });
  };
  const init = {
    api_host: `http://127.0.0.1:${server.port}`,
    person_profiles: 'identified_only',
    autocapture: false,
    capture_pageview: 'history_change',
    capture_pageleave: false,
    disable_surveys: true,
    advanced_disable_feature_flags: true,
    opt_out_useragent_filter: true, // Playwright's Chromium reports navigator.webdriver
    session_recording: { maskAllInputs: false, compress_events: false },
  };
  server.head = `<script src="/sdk/posthog.js"></script>\n<script>posthog.init(${JSON.stringify(PH_TOKEN)}, ${JSON.stringify(init)});</script>`;
  const { context, page } = await vendorPage(browser);
  const me = person(page);
  await page.goto(ORIGIN + '/product.html', { waitUntil: 'load' });
  await page.waitForFunction(() => window.posthog?.sessionRecordingStarted?.());
  const markers = await vendorSession(page, me);
  await me.drift(3000); // the recorder flushes every 2 s
  await context.close(); // and the rest on unload
  await sleep(1500);
  server.api = null;

  const snapshots = posts.flatMap((p) => p.events.filter((e) => e.event === '$snapshot'));
  if (!snapshots.length) throw new Error('posthog: no $snapshot events captured');
  // PostHog's blob storage shape: one {"window_id", "data"} line per $snapshot event.
  const file = 'posthog-network.jsonl';
  const jsonl = snapshots.map((s) => JSON.stringify({ window_id: s.properties.$window_id, data: s.properties.$snapshot_data })).join('\n') + '\n';
  await writeFile(join(OUT, file), jsonl);
  await writeTruth('posthog-network', file, recorder, markers, me.times, me.fetches);
  console.log(`  ${file}: ${snapshots.length} lines, ${(jsonl.length / 1024).toFixed(0)} KB`);
}

async function sentry(browser) {
  needSdk('@sentry/browser');
  const recorder = `@sentry/browser ${await version(join(NM, '@sentry/browser'))} (replayIntegration)`;
  console.log(recorder);
  const iife = await bundle(sdkDir, 'sentry', 'Sentry', "export * from '@sentry/browser';\n");
  const envelopes = [];
  server.api = (req, res, url, body) => {
    if (url.pathname === '/sdk/sentry.js') return sendFile(res, iife), true;
    if (url.pathname !== '/api/1/envelope/') return false;
    envelopes.push(body);
    json(res, { id: 'ok' });
    return true;
  };
  const dsn = `http://public@127.0.0.1:${server.port}/1`;
  server.head =
    `<script src="/sdk/sentry.js"></script>\n<script>\n` +
    `Sentry.init({dsn: ${JSON.stringify(dsn)}, release: 'tapedeck-analysis@1.0.0', environment: 'analysis',\n` +
    `  integrations: [Sentry.replayIntegration({maskAllText: false, blockAllMedia: false})],\n` +
    `  replaysSessionSampleRate: 1.0, replaysOnErrorSampleRate: 1.0});\n</script>`;
  const { context, page } = await vendorPage(browser);
  const me = person(page);
  await page.goto(ORIGIN + '/product.html', { waitUntil: 'load' });
  await page.waitForFunction(() => window.Sentry?.getReplay?.()?.getReplayId?.());
  const markers = await vendorSession(page, me);
  // Sentry sends a segment at most 5.5 s after the first buffered event; keep the pointer busy
  // through two such flushes so everything scripted has been sent before the tab closes.
  await me.drift(12000);
  await context.close();
  await sleep(1000);
  server.api = null;

  const segments = [];
  let replayEvent;
  for (const env of envelopes) {
    for (const [ih, payload] of parseEnvelope(env)[1]) {
      if (ih.type === 'replay_recording') segments.push({ raw: Buffer.from(payload), ...decodeRecording(payload) });
      else if (ih.type === 'replay_event') {
        const ev = JSON.parse(payload.toString('utf8'));
        if (ev.segment_id === 0) replayEvent = ev;
      }
    }
  }
  if (!segments.length || !replayEvent) throw new Error('sentry: no replay captured');
  const folder = 'sentry-network';
  await rm(join(OUT, folder), { recursive: true, force: true });
  await mkdir(join(OUT, folder), { recursive: true });
  for (const s of segments) await writeFile(join(OUT, folder, `segment-${s.segment_id}.bin`), s.raw);
  await writeFile(join(OUT, folder, 'replay_event.json'), JSON.stringify(replayEvent, null, 2) + '\n');
  await writeTruth(folder, folder, recorder, markers, me.times, me.fetches);
  console.log(`  ${folder}/: ${segments.length} segments, ${segments.reduce((n, s) => n + s.events.length, 0)} events`);
}

// ---------------------------------------------------------------------------------------

const RUNS = { frustration, posthog, sentry };

async function main() {
  const wanted = args.filter((a) => !a.startsWith('--'));
  for (const w of wanted) if (!RUNS[w]) throw new Error(`unknown recording ${w}`);
  const names = wanted.length ? wanted : Object.keys(RUNS);
  const http = createServer((req, res) =>
    handle(req, res).catch((e) => {
      console.error(e);
      res.writeHead(500).end();
    }),
  );
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  server.port = http.address().port;
  console.log(`chromium ${CHROMIUM}`);
  const browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1:${server.port}`]);
  await mkdir(OUT, { recursive: true });
  try {
    for (const n of names) await RUNS[n](browser);
  } finally {
    await browser.close();
    http.close();
  }
}

await main();
