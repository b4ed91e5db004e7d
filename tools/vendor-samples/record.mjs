#!/usr/bin/env node
// Records real vendor-format session recordings for tests/corpus/ with the vendors' own SDKs.
//
//   VENDOR_SDK_DIR=<dir> node tools/vendor-samples/record.mjs [posthog] [sentry] [rrweb-packed]
//   node tools/vendor-samples/record.mjs --sdk-dir <dir> ...          (same thing)
//
// <dir> is a scratch npm prefix outside the repository that holds the SDKs (see README.md):
//   npm install --prefix <dir> posthog-js @sentry/browser @rrweb/packer@2.1.6
//
// One HTTP server on 127.0.0.1 (random port) plays three roles: it serves the pages of
// tools/samples/pages/ (with the vendor's snippet added to <head>), it serves the SDK bundles,
// and it is the vendor's ingestion API (PostHog's /flags, remote config, /e/ and /s/;
// Sentry's /api/1/envelope/). Chromium maps `shop.tapedeck.test` to that server, so recorded
// page URLs do not depend on the port. The SDK's API host is http://127.0.0.1:PORT.
//
// Everything the SDKs send is decoded here (gzip-js, base64, Sentry envelopes) and written to
// tests/corpus/<vendor>/, together with a <name>.truth.json per recording computed from the
// captured events themselves.

import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, pageActor, rrwebDist, sleep } from '../lib/browser.mjs';
import { bundle, cors, decodeRecording, json, parseEnvelope, posthogApi } from './capture.mjs';
import { decompressPosthogEvent } from './posthog.mjs';

const args = process.argv.slice(2);
let sdkDir = process.env.VENDOR_SDK_DIR;
const at = args.indexOf('--sdk-dir');
if (at >= 0) {
  sdkDir = args[at + 1];
  args.splice(at, 2);
}
if (!sdkDir || !existsSync(join(sdkDir, 'node_modules'))) {
  console.error('Set VENDOR_SDK_DIR (or --sdk-dir) to an npm prefix holding the SDKs; see README.md');
  process.exit(2);
}
sdkDir = resolve(sdkDir);
const NM = join(sdkDir, 'node_modules');
const version = async (pkg) => JSON.parse(await readFile(join(NM, pkg, 'package.json'), 'utf8')).version;

const PAGES = fileURLToPath(new URL('../samples/pages/', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../tests/corpus/', import.meta.url));
const HOST = 'shop.tapedeck.test';
const ORIGIN = `http://${HOST}`;
const VIEWPORT = { width: 1280, height: 800 };
const PH_TOKEN = 'phc_tapedeck_corpus';

const log = (...a) => console.log(...a);

// ---------------------------------------------------------------------------------------
// Server state: what to inject into pages, and what has been captured so far.

const state = { head: '', posts: [], envelopes: [] };
let PORT = 0;

const MIME = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript' };

// PostHog's remote config (GET /array/<token>/config[.js]), as the SDK reads it in
// remote-config.js and extensions/replay/session-recording.js (onRemoteConfig).
const PH_REMOTE_CONFIG = {
  token: PH_TOKEN,
  supportedCompression: ['gzip', 'gzip-js'],
  hasFeatureFlags: false,
  captureDeadClicks: false,
  capturePerformance: false,
  autocapture_opt_out: true,
  autocaptureExceptions: false,
  analytics: { endpoint: '/i/v0/e/' },
  elementsChainAsString: true,
  sessionRecording: {
    endpoint: '/s/',
    consoleLogRecordingEnabled: true,
    recorderVersion: 'v2',
    sampleRate: null,
    minimumDurationMilliseconds: null,
    linkedFlag: null,
    networkPayloadCapture: null,
    urlTriggers: [],
    urlBlocklist: [],
    eventTriggers: [],
    scriptConfig: null,
  },
  heatmaps: false,
  surveys: false,
  siteApps: [],
};

async function handle(req, res) {
  const url = new URL(req.url, `http://127.0.0.1:${PORT}`);
  const path = url.pathname;
  if (process.env.DEBUG_REQUESTS) console.error(`${req.method} ${req.url}`);
  cors(req, res);
  if (req.method === 'OPTIONS') return res.writeHead(204).end();
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);

  // --- SDK bundles -------------------------------------------------------------------
  if (path === '/sdk/posthog.js') return sendFile(res, join(NM, 'posthog-js/dist/array.full.js'));
  if (path.startsWith('/static/')) {
    const name = path.slice('/static/'.length).replace(/[^a-z0-9.-]/gi, '');
    return sendFile(res, join(NM, 'posthog-js/dist', name));
  }
  if (path === '/sdk/sentry.js') return sendFile(res, join(sdkDir, '.bundle/sentry.iife.js'));

  // --- PostHog API ---------------------------------------------------------------------
  if (posthogApi(req, res, url, body, { token: PH_TOKEN, config: PH_REMOTE_CONFIG, posts: state.posts })) return;

  // --- Sentry API ----------------------------------------------------------------------
  if (path === '/api/1/envelope/') {
    state.envelopes.push({ query: url.search, raw: body });
    return json(res, { id: 'ok' });
  }
  if (path === '/api/orders') return json(res, { error: 'payment service unavailable' }, 500);

  // --- pages ---------------------------------------------------------------------------
  const name = path.replace(/^\/+/, '') || 'index.html';
  if (!/^[a-z0-9-]+\.html$/.test(name)) return res.writeHead(404).end('not found');
  try {
    const html = (await readFile(join(PAGES, name), 'utf8')).replace('<head>', `<head>\n${state.head}`);
    res.writeHead(200, { 'content-type': MIME['.html'] });
    res.end(html);
  } catch {
    res.writeHead(404).end('not found');
  }
}

async function sendFile(res, file) {
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'text/javascript' });
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
}

// ---------------------------------------------------------------------------------------
// Page helpers: tools/lib/browser.mjs (pageActor), a little quicker here.
const helpers = (page) => pageActor(page, { typeDelay: 100, settleMs: 120 });

async function checkoutFlow(page, ctx) {
  await ctx.moveTo('#name');
  await page.click('#name');
  await ctx.type('Ada Lovelace');
  await ctx.moveTo('#email');
  await page.click('#email');
  await ctx.type('ada@example.com');
  await ctx.moveTo('#street');
  await page.click('#street');
  await ctx.type('12 Analytical Row');
  await page.click('#city');
  await ctx.type('London');
  await ctx.moveTo('#country');
  await page.selectOption('#country', 'uk');
  await ctx.moveTo('#terms');
  await page.check('#terms');
  await ctx.pause(500);
  await ctx.moveTo('#place-order');
  await page.click('#place-order');
  await page.waitForSelector('#confirmation:not([hidden])');
  await ctx.wander(1500);
}

async function releaseNotesFlow(page, ctx, beforeLink = 0) {
  await ctx.moveTo('h1');
  for (let i = 0; i < 5; i++) {
    await page.mouse.wheel(0, 300);
    await ctx.pause(500);
  }
  await page.locator('#upgrade-link').scrollIntoViewIfNeeded();
  await ctx.moveTo('#upgrade-link');
  await ctx.pause(beforeLink);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#upgrade-link')]);
  await ctx.pause(1500);
  await ctx.moveTo('h1');
  await page.mouse.wheel(0, 200);
  await ctx.wander(1500);
}

let USER_AGENT;
async function launch() {
  const browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1:${PORT}`]);
  // A desktop Chrome user agent rather than "HeadlessChrome" (what the vendors' UA parsing sees).
  const probe = await browser.newPage();
  USER_AGENT = (await probe.evaluate(() => navigator.userAgent)).replace('HeadlessChrome', 'Chrome');
  await probe.close();
  return browser;
}

// ---------------------------------------------------------------------------------------
// Shared truth helpers.

const toMs = (t) => (typeof t === 'number' && t < 1e11 ? Math.round(t * 1000) : t);

function urlsOf(events) {
  const out = [];
  for (const e of events) if (e.type === 4 && e.data?.href && out.at(-1) !== e.data.href) out.push(e.data.href);
  return out;
}

function windowTruth(id, events) {
  const ts = events.map((e) => toMs(e.timestamp));
  return {
    window_id: id,
    event_count: events.length,
    first_timestamp: Math.min(...ts),
    last_timestamp: Math.max(...ts),
    urls: urlsOf(events),
    full_snapshots: events.filter((e) => e.type === 2).length,
    metas: events.filter((e) => e.type === 4).length,
  };
}

async function out(dir, name, data) {
  await mkdir(join(CORPUS, dir), { recursive: true });
  const file = join(CORPUS, dir, name);
  await writeFile(file, data);
  log(`  ${dir}/${name}: ${(Buffer.byteLength(data) / 1024).toFixed(1)} KB`);
}
const pretty = (o) => JSON.stringify(o, null, 2) + '\n';

// ---------------------------------------------------------------------------------------
// PostHog

const PH_USER = { distinct_id: 'user-42', email: 'ada@example.com', name: 'Ada Lovelace' };

function posthogHead(compressEvents) {
  const cfg = {
    api_host: `http://127.0.0.1:${PORT}`,
    person_profiles: 'identified_only',
    autocapture: false,
    capture_pageview: true,
    disable_surveys: true,
    advanced_disable_feature_flags: true,
    // Playwright's Chromium reports navigator.webdriver; posthog-js would drop all events as a
    // bot's. The SDK names this option for end-to-end tests.
    opt_out_useragent_filter: true,
    session_recording: { maskAllInputs: false, compress_events: compressEvents },
  };
  return (
    `<script src="/sdk/posthog.js"></script>\n<script>\n` +
    `posthog.init(${JSON.stringify(PH_TOKEN)}, ${JSON.stringify(cfg)});\n` +
    `posthog.identify(${JSON.stringify(PH_USER.distinct_id)}, ${JSON.stringify({ email: PH_USER.email, name: PH_USER.name })});\n` +
    `</script>`
  );
}


async function recordPosthog(browser, compressEvents) {
  state.posts = [];
  state.head = posthogHead(compressEvents);
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, userAgent: USER_AGENT });
  // Tab 1: the checkout.
  if (process.env.DEBUG_PAGES) {
    context.on('console', (m) => console.error(`console.${m.type()}: ${m.text().slice(0, 300)}`));
    context.on('weberror', (e) => console.error(`pageerror: ${e.error().message}`));
    context.on('requestfailed', (r) => console.error(`requestfailed: ${r.url()} ${r.failure()?.errorText}`));
  }
  const tab1 = await context.newPage();
  const c1 = helpers(tab1);
  await tab1.goto(ORIGIN + '/checkout.html', { waitUntil: 'load' });
  await tab1.waitForFunction(() => window.posthog?.sessionRecordingStarted?.());
  await c1.pause(1500);
  await checkoutFlow(tab1, c1);
  // Tab 2, same browser context: same PostHog session, a second window id.
  const tab2 = await context.newPage();
  const c2 = helpers(tab2);
  await tab2.goto(ORIGIN + '/release-notes.html', { waitUntil: 'load' });
  await tab2.waitForFunction(() => window.posthog?.sessionRecordingStarted?.());
  await c2.pause(1200);
  await releaseNotesFlow(tab2, c2);
  // Back to tab 1 for a last bit of activity.
  await tab1.bringToFront();
  await c1.wander(1200);
  await sleep(3000); // the recorder flushes its buffer every couple of seconds
  await context.close(); // unload flushes the last batches (sendBeacon)
  await sleep(1500);

  const snapshots = state.posts.flatMap((p) => p.events.filter((e) => e.event === '$snapshot'));
  const analytics = state.posts.flatMap((p) => p.events.filter((e) => e.event !== '$snapshot'));
  return { snapshots, analytics, posts: state.posts };
}

function posthogWindows(snapshots) {
  const windows = new Map();
  for (const s of snapshots) {
    const w = s.properties.$window_id;
    if (!windows.has(w)) windows.set(w, []);
    windows.get(w).push(...s.properties.$snapshot_data);
  }
  // ordered by first event
  return [...windows.entries()].sort((a, b) => a[1][0].timestamp - b[1][0].timestamp);
}

function posthogTruth(format, file, snapshots, analytics, extra = {}) {
  const windows = posthogWindows(snapshots);
  const sessions = [...new Set(snapshots.map((s) => s.properties.$session_id))];
  const ids = [...new Set(snapshots.map((s) => s.properties.distinct_id))];
  const identify = analytics.find((e) => e.event === '$identify');
  return {
    format,
    file,
    session_id: sessions.length === 1 ? sessions[0] : sessions,
    window_count: windows.length,
    event_count: windows.reduce((n, [, evs]) => n + evs.length, 0),
    windows: windows.map(([id, evs]) => windowTruth(id, evs)),
    user: {
      distinct_id: PH_USER.distinct_id,
      email: PH_USER.email,
      name: PH_USER.name,
      anonymous_distinct_id: identify?.properties?.$anon_distinct_id ?? null,
      distinct_ids_on_snapshot_events: ids,
    },
    ...extra,
  };
}

async function posthog(browser) {
  const ver = await version('posthog-js');
  log(`posthog-js ${ver}`);

  // Run 1: compress_events off, so $snapshot_data holds plain rrweb events.
  const plain = await recordPosthog(browser, false);
  const { snapshots, analytics } = plain;
  if (!snapshots.length) throw new Error('posthog: no $snapshot events captured');
  const windows = posthogWindows(snapshots);
  log(`  run 1: ${plain.posts.length} posts, ${snapshots.length} $snapshot events, ${windows.length} windows`);
  const sdk = { sdk: 'posthog-js', sdk_version: ver };

  await out('posthog', 'snapshot-events.json', JSON.stringify(snapshots) + '\n');
  // The same run's analytics events ($pageview, $identify with $set email/name, ...): the
  // $snapshot events carry only distinct_id.
  await out('posthog', 'analytics-events.json', JSON.stringify(analytics) + '\n');
  await out('posthog', 'snapshot-events.truth.json', pretty(posthogTruth('posthog-snapshot-events', 'snapshot-events.json', snapshots, analytics, sdk)));

  // Conversion 1: PostHog's blob storage shape, one JSON line per window batch.
  const jsonl = snapshots.map((s) => JSON.stringify({ window_id: s.properties.$window_id, data: s.properties.$snapshot_data })).join('\n') + '\n';
  await out('posthog', 'session.blob.jsonl', jsonl);
  await out('posthog', 'session.blob.truth.json', pretty(posthogTruth('posthog-blob-jsonl', 'session.blob.jsonl', snapshots, analytics, sdk)));

  // Conversion 2: the "Export recording" file of PostHog's frontend (version 2023-04-28).
  const sessionId = snapshots[0].properties.$session_id;
  const identify = analytics.find((e) => e.event === '$identify');
  const exp = {
    version: '2023-04-28',
    data: {
      id: sessionId,
      person: {
        distinct_ids: [PH_USER.distinct_id, identify?.properties?.$anon_distinct_id].filter(Boolean),
        properties: { email: PH_USER.email, name: PH_USER.name },
        is_identified: true,
      },
      snapshots: windows
        .flatMap(([w, evs]) => evs.map((e) => ({ windowId: w, ...e })))
        .sort((a, b) => a.timestamp - b.timestamp),
    },
  };
  await out('posthog', 'session.export.json', JSON.stringify(exp) + '\n');
  await out('posthog', 'session.export.truth.json', pretty(posthogTruth('posthog-export', 'session.export.json', snapshots, analytics, sdk)));

  // Run 2: the SDK's default compressed events (cv "2024-10"), kept verbatim.
  const comp = await recordPosthog(browser, true);
  if (!comp.snapshots.some((s) => s.properties.$snapshot_data.some((e) => e.cv === '2024-10'))) {
    throw new Error('posthog: run 2 has no cv 2024-10 events');
  }
  log(`  run 2: ${comp.posts.length} posts, ${comp.snapshots.length} $snapshot events`);
  await out('posthog', 'snapshot-events-compressed.json', JSON.stringify(comp.snapshots) + '\n');
  const t2 = posthogTruth('posthog-snapshot-events', 'snapshot-events-compressed.json', comp.snapshots, comp.analytics, {
    ...sdk,
    compressed_event_format: '2024-10',
  });
  await out('posthog', 'snapshot-events-compressed.truth.json', pretty(t2));
  // One /s/ request body exactly as it came over the wire (gzip), with its query string.
  const firstS = comp.posts.find((p) => p.path === '/s/' && p.raw[0] === 0x1f);
  if (firstS) {
    await out('posthog', 'snapshot-post.gzip-js.bin', firstS.raw);
    const h = firstS.headers;
    log(`  snapshot-post.gzip-js.bin: POST /s/${firstS.query} content-type ${h['content-type']} content-encoding ${h['content-encoding'] ?? '-'}`);
  }
  // For the replay check: decompressed run-2 events must equal a playable session.
  return { plainWindows: windows, compWindows: posthogWindows(comp.snapshots).map(([w, evs]) => [w, evs.map(decompressPosthogEvent)]) };
}

// ---------------------------------------------------------------------------------------
// Sentry

const SENTRY_USER = { id: 'user-7', email: 'grace@example.com', username: 'grace' };

function sentryHead() {
  const dsn = `http://public@127.0.0.1:${PORT}/1`;
  return (
    `<script src="/sdk/sentry.js"></script>\n<script>\n` +
    `Sentry.init({dsn: ${JSON.stringify(dsn)}, release: 'tapedeck-corpus@1.0.0', environment: 'corpus',\n` +
    `  integrations: [Sentry.replayIntegration({maskAllText: false, blockAllMedia: false})],\n` +
    `  replaysSessionSampleRate: 1.0, replaysOnErrorSampleRate: 1.0});\n` +
    `Sentry.setUser(${JSON.stringify(SENTRY_USER)});\n` +
    `</script>`
  );
}

async function sentry(browser) {
  const ver = await version('@sentry/browser');
  log(`@sentry/browser ${ver}`);
  await bundle(sdkDir, 'sentry', 'Sentry', "export * from '@sentry/browser';\n");
  state.envelopes = [];
  state.head = sentryHead();
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, userAgent: USER_AGENT });
  if (process.env.DEBUG_PAGES) {
    context.on('console', (m) => console.error(`console.${m.type()}: ${m.text().slice(0, 300)}`));
    context.on('weberror', (e) => console.error(`pageerror: ${e.error().message}`));
  }
  const page = await context.newPage();
  const ctx = helpers(page);
  await page.goto(ORIGIN + '/checkout.html', { waitUntil: 'load' });
  await page.waitForFunction(() => window.Sentry?.getReplay?.()?.getReplayId?.());
  await ctx.pause(1200);
  await checkoutFlow(page, ctx);
  // A console error, a failing fetch and an uncaught exception, as a user would trigger them.
  await page.evaluate(() => console.error('Payment widget failed to load', { code: 'PW-17' }));
  await ctx.pause(400);
  await page.evaluate(() => fetch('/api/orders', { method: 'POST', body: '{"order":"TD-1042"}' }).catch(() => {}));
  await ctx.pause(600);
  await page.evaluate(() => setTimeout(() => { throw new Error('Order confirmation render failed'); }, 0));
  // Sentry adds an error's id to the replay_event of the next segment it sends; make sure one
  // is sent from this page (some activity, then past the ~5 s flush delay).
  await ctx.pause(1500);
  await ctx.wander(1500);
  await ctx.pause(6500);
  // A full navigation to another page in the same tab (the replay continues).
  await page.goto(ORIGIN + '/release-notes.html', { waitUntil: 'load' });
  await ctx.pause(1200);
  // Sentry sends a segment about 5 s after activity; what is still buffered when the tab
  // navigates away is lost, so stay long enough on this page for it to be sent.
  await releaseNotesFlow(page, ctx, 6000);
  await ctx.pause(6500); // final flush
  await context.close();
  await sleep(1000);

  const recordings = [];
  const replayEvents = [];
  const errorIds = [];
  for (const env of state.envelopes) {
    const [, items] = parseEnvelope(env.raw);
    for (const [ih, payload] of items) {
      if (ih.type === 'replay_recording') recordings.push(Buffer.from(payload));
      else if (ih.type === 'replay_event') replayEvents.push(JSON.parse(payload.toString('utf8')));
      else if (ih.type === 'event') errorIds.push(JSON.parse(payload.toString('utf8')).event_id);
    }
  }
  if (!recordings.length) throw new Error('sentry: no replay_recording captured');
  await mkdir(join(CORPUS, 'sentry'), { recursive: true });
  for (const f of await readdir(join(CORPUS, 'sentry'))) if (/^segment-\d+\.bin$/.test(f)) await rm(join(CORPUS, 'sentry', f));
  const segments = recordings.map((r) => ({ raw: r, ...decodeRecording(r) })).sort((a, b) => a.segment_id - b.segment_id);
  log(`  ${state.envelopes.length} envelopes, ${segments.length} segments (${segments.map((s) => s.encoding).join(',')}), ${errorIds.length} error events`);
  for (const s of segments) await out('sentry', `segment-${s.segment_id}.bin`, s.raw);
  const first = replayEvents.find((e) => e.segment_id === 0) ?? replayEvents[0];
  await out('sentry', 'replay_event.json', pretty(first));

  const all = segments.flatMap((s) => s.events);
  const w = windowTruth(first.replay_id, all);
  const truth = {
    format: 'sentry-segments',
    files: [...segments.map((s) => `segment-${s.segment_id}.bin`), 'replay_event.json'],
    sdk: '@sentry/browser',
    sdk_version: ver,
    replay_id: first.replay_id,
    window_count: 1,
    event_count: all.length,
    timestamps_note: 'epoch ms; Sentry custom events carrying seconds were multiplied by 1000',
    windows: [w],
    segments: segments.map((s) => ({
      segment_id: s.segment_id,
      encoding: s.encoding,
      event_count: s.events.length,
      first_timestamp: Math.min(...s.events.map((e) => toMs(e.timestamp))),
      last_timestamp: Math.max(...s.events.map((e) => toMs(e.timestamp))),
    })),
    user: SENTRY_USER,
    replay_event: {
      replay_type: first.replay_type,
      replay_start_timestamp: first.replay_start_timestamp,
      urls_in_all_replay_events: replayEvents.sort((a, b) => a.segment_id - b.segment_id).flatMap((e) => e.urls ?? []),
      error_ids_in_all_replay_events: replayEvents.flatMap((e) => e.error_ids ?? []),
    },
    error_event_ids_sent: errorIds,
    custom_event_tags: [...new Set(all.filter((e) => e.type === 5).map((e) => e.data?.tag))],
    breadcrumb_categories: [...new Set(all.filter((e) => e.type === 5 && e.data?.tag === 'breadcrumb').map((e) => e.data.payload?.category))],
  };
  await out('sentry', 'replay.truth.json', pretty(truth));
  return all.map((e) => ({ ...e, timestamp: toMs(e.timestamp) }));
}

// ---------------------------------------------------------------------------------------
// rrweb with @rrweb/packer

async function rrwebPacked(browser) {
  const ver = await version('@rrweb/packer');
  const rrwebVer = JSON.parse(await readFile(join(rrwebDist, '..', 'package.json'), 'utf8')).version;
  log(`rrweb ${rrwebVer}, @rrweb/packer ${ver}`);
  const packerUmd = await readFile(await bundle(sdkDir, 'packer', 'rrwebPacker', "export { pack } from '@rrweb/packer';\n"), 'utf8');
  const rrwebUmd = await readFile(join(rrwebDist, 'rrweb.umd.cjs'), 'utf8');
  state.head = '';
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, userAgent: USER_AGENT });
  const page = await context.newPage();
  const events = [];
  await page.exposeFunction('__tapedeckEmit', (e) => events.push(e));
  await page.addInitScript({
    content:
      `if (window === window.top) {\n${rrwebUmd}\n;${packerUmd}\n;` +
      `window.__events = [];\nrrweb.record({ packFn: rrwebPacker.pack, sampling: { scroll: 100 },\n` +
      `  emit(e) { window.__events.push(e); window.__tapedeckEmit(e); } });\n}`,
  });
  const ctx = helpers(page);
  await page.goto(ORIGIN + '/kanban.html', { waitUntil: 'load' });
  await page.waitForFunction(() => window.__events?.length >= 2);
  await ctx.pause(1000);
  await ctx.moveTo('#new-card');
  await page.click('#new-card');
  await ctx.type('Ship the importer');
  await page.keyboard.press('Enter');
  await ctx.pause(800);
  for (const text of ['Write release notes for 1.4', 'Ship the importer']) {
    const card = page.locator('.card', { hasText: text });
    await ctx.moveTo(card);
    await card.click();
    await ctx.pause(900);
  }
  await ctx.wander(2000);
  await sleep(300);
  await context.close();

  if (!events.every((e) => typeof e === 'string')) throw new Error('rrweb-packed: not all events are strings');
  const packer = createRequire(join(NM, '@rrweb/packer/package.json'))('@rrweb/packer');
  const plain = events.map((s) => packer.unpack(s));
  const truth = (file, extra) => ({
    format: 'rrweb-packed',
    file,
    sdk: 'rrweb + @rrweb/packer',
    sdk_version: `rrweb ${rrwebVer}, @rrweb/packer ${ver}`,
    window_count: 1,
    event_count: plain.length,
    windows: [windowTruth(null, plain)],
    user: null,
    ...extra,
  });
  await out('rrweb', 'packed.json', JSON.stringify(events) + '\n');
  await out('rrweb', 'packed.truth.json', pretty(truth('packed.json', { packed_events: events.length, plain_events: 0 })));
  // Mixed: every odd-indexed event unpacked back to a plain rrweb event (without the packer's
  // "v" marker), as a store that switched packing on or off mid-stream would hold them.
  const mixed = events.map((s, i) => {
    if (i % 2 === 0) return s;
    const { v, ...e } = plain[i];
    return e;
  });
  await out('rrweb', 'packed-mixed.json', JSON.stringify(mixed) + '\n');
  await out(
    'rrweb',
    'packed-mixed.truth.json',
    pretty(truth('packed-mixed.json', { packed_events: mixed.filter((e) => typeof e === 'string').length, plain_events: mixed.filter((e) => typeof e !== 'string').length })),
  );
  return plain;
}

// ---------------------------------------------------------------------------------------

const RUNS = { posthog, sentry, 'rrweb-packed': rrwebPacked };

async function main() {
  const wanted = args.filter((a) => !a.startsWith('--'));
  for (const w of wanted) if (!RUNS[w]) throw new Error(`unknown recording ${w}`);
  const names = wanted.length ? wanted : Object.keys(RUNS);
  const server = createServer((req, res) =>
    handle(req, res).catch((e) => {
      console.error(e);
      res.writeHead(500).end();
    }),
  );
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  PORT = server.address().port;
  const browser = await launch();
  try {
    for (const n of names) await RUNS[n](browser);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
