#!/usr/bin/env node
// Checks the raw facts behind each tests/analysis/*.truth.json, straight from the recording and
// without Tapedeck code: click count, page visits, idle gaps, console and network entries,
// custom events. It does not run the analysis; it confirms that the recording contains what
// the recording script says it did.
//
//   node tools/analysis-samples/check.mjs

import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';

const DIR = fileURLToPath(new URL('../../tests/analysis/', import.meta.url));
const KINDS = [
  'click', 'rage_click', 'dead_click', 'error_click', 'exception', 'console_error', 'console_warning',
  'failed_request', 'navigation', 'u_turn', 'viewport_resize', 'custom_event', 'mouse_thrash', 'scroll_thrash',
];
const ACTIVE_SOURCES = new Set([1, 2, 3, 4, 5, 6, 7, 12]);
const ms = (t) => (t < 1e11 ? Math.round(t * 1000) : t); // Sentry's seconds
let failures = 0;
const check = (ok, what) => {
  if (!ok) failures++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

// --- reading each format into one time-ordered list of rrweb events ----------------------------

const maybeGunzip = (buf) => (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf);

async function load(path) {
  if ((await stat(path)).isDirectory()) {
    // Sentry: segment-N.bin = `{"segment_id":N}\n` + zlib/gzip/plain JSON array.
    const files = (await readdir(path)).filter((f) => /^segment-\d+\.bin$/.test(f));
    const events = [];
    for (const f of files) {
      const buf = await readFile(join(path, f));
      const rest = buf.subarray(buf.indexOf(0x0a) + 1);
      const text = rest[0] === 0x78 ? inflateSync(rest) : maybeGunzip(rest);
      events.push(...JSON.parse(text.toString('utf8')));
    }
    return events.map((e) => ({ ...e, timestamp: ms(e.timestamp) })).sort((a, b) => a.timestamp - b.timestamp);
  }
  const text = maybeGunzip(await readFile(path)).toString('utf8');
  if (path.endsWith('.jsonl')) {
    // PostHog blob storage: one {"window_id", "data": [events]} per line.
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    return lines.flatMap((l) => l.data).sort((a, b) => a.timestamp - b.timestamp);
  }
  return JSON.parse(text);
}

// --- the raw facts ------------------------------------------------------------------------------

const isClick = (e) => e.type === 3 && e.data.source === 2 && e.data.type === 2;
const isActivity = (e) => e.type === 2 || e.type === 4 || (e.type === 3 && ACTIVE_SOURCES.has(e.data.source));
const plugin = (e, name) => e.type === 6 && e.data?.plugin === name;
const tag = (e) => (e.type === 5 ? e.data?.tag : undefined);

function pageVisits(events) {
  // Meta hrefs, plus the SPA changes the vendors record.
  const visits = [];
  for (const e of events) {
    let href;
    if (e.type === 4) href = e.data.href;
    else if (tag(e) === '$pageview' || tag(e) === '$url_changed') href = e.data.payload?.href;
    else if (tag(e) === 'performanceSpan' && /^navigation\./.test(e.data.payload?.op)) href = e.data.payload.description;
    else if (tag(e) === 'breadcrumb' && e.data.payload?.category === 'navigation') href = e.data.payload.data?.to;
    if (!href) continue;
    href = new URL(href, visits.at(-1)?.href).href; // Sentry's breadcrumb has paths
    if (visits.at(-1)?.href !== href) visits.push({ href, at: e.timestamp });
  }
  return visits;
}

function gaps(events, threshold) {
  const t = events.filter(isActivity).map((e) => e.timestamp);
  const out = [];
  for (let i = 1; i < t.length; i++) if (t[i] - t[i - 1] > threshold) out.push({ start: t[i - 1], end: t[i] });
  return out;
}

function consoleEntries(events) {
  const out = [];
  for (const e of events) {
    if (plugin(e, 'rrweb/console@1')) out.push({ level: e.data.payload.level, first: e.data.payload.payload?.[0] ?? '', at: e.timestamp });
    if (tag(e) === 'breadcrumb' && e.data.payload?.category === 'console')
      out.push({ level: e.data.payload.level, first: e.data.payload.message ?? '', at: e.timestamp });
  }
  return out;
}

function networkEntries(events) {
  const out = [];
  for (const e of events) {
    if (plugin(e, 'rrweb/network@1'))
      for (const r of e.data.payload.requests ?? [])
        out.push({ url: r.name, status: r.responseStatus ?? r.status, initiator: r.initiatorType, at: e.timestamp });
    if (tag(e) === 'performanceSpan' && /^resource\.(fetch|xhr)$/.test(e.data.payload?.op))
      out.push({ url: e.data.payload.description, status: e.data.payload.data?.statusCode, initiator: e.data.payload.op, at: e.timestamp });
  }
  return out;
}

// --- per truth file -----------------------------------------------------------------------------

async function checkOne(truthName) {
  const truth = JSON.parse(await readFile(join(DIR, truthName), 'utf8'));
  const path = join(DIR, truth.file);
  const events = await load(path);
  const { markers, tolerance_ms: tol } = truth;
  console.log(`${truth.file} (${truth.recorder}): ${events.length} events`);
  check(
    JSON.stringify(Object.keys(truth)) === JSON.stringify(['file', 'recorder', 'inactivity_threshold_ms', 'markers', 'fetches', 'times', 'inactive', 'tolerance_ms']),
    'truth keys',
  );
  check(KINDS.every((k) => Number.isInteger(markers[k])) && Object.keys(markers).length === KINDS.length, 'every marker kind listed');
  const files = (await stat(path)).isDirectory() ? (await readdir(path)).map((f) => join(path, f)) : [path];
  let size = 0;
  for (const f of files) size += (await stat(f)).size;
  check(size < 1024 * 1024, `size ${(size / 1024).toFixed(0)} KB < 1 MB`);
  check(events.every((e, i) => i === 0 || e.timestamp >= events[i - 1].timestamp), 'events in time order');

  const clicks = events.filter(isClick);
  check(clicks.length === markers.click, `MouseInteraction Click events: ${clicks.length} (truth ${markers.click})`);

  const visits = pageVisits(events);
  check(visits.length === markers.navigation, `page visits: ${visits.length} (truth ${markers.navigation}): ${visits.map((v) => new URL(v.href, 'http://x').pathname).join(' → ')}`);
  for (const u of truth.times.filter((t) => t.kind === 'u_turn')) {
    const v = visits.findIndex((x) => Math.abs(x.at - u.at) <= tol);
    const ok = v >= 2 && visits[v].href === visits[v - 2].href && visits[v].at - visits[v - 1].at <= 5000;
    check(ok, `u_turn at ${u.at}: return to ${v >= 0 ? visits[v].href : '?'} after ${v >= 1 ? visits[v].at - visits[v - 1].at : '?'} ms`);
  }

  const found = gaps(events, truth.inactivity_threshold_ms);
  check(found.length === truth.inactive.length, `activity gaps > ${truth.inactivity_threshold_ms} ms: ${found.length} (truth ${truth.inactive.length})`);
  for (const g of truth.inactive) {
    const m = found.find((f) => Math.abs(f.start - g.start) <= tol && Math.abs(f.end - g.end) <= tol);
    check(!!m, `gap ${g.start}..${g.end} (${((g.end - g.start) / 1000).toFixed(1)} s)` + (m ? `: recorded ${m.start}..${m.end}` : ''));
  }
  const first = events.find(isActivity);
  const last = events.findLast(isActivity);
  check(first.timestamp - events[0].timestamp <= truth.inactivity_threshold_ms && events.at(-1).timestamp - last.timestamp <= truth.inactivity_threshold_ms, 'no idle start/end of window');

  const logs = consoleEntries(events);
  const byLevel = (l) => logs.filter((x) => x.level === l);
  const levels = [...new Set(logs.map((x) => x.level))];
  console.log(`    console entries: ${logs.map((x) => `${x.level} ${x.first.slice(0, 60).replace(/\n/g, '⏎')}`).join(' | ')}`);
  const expectErrors = markers.console_error + truth.times.filter((t) => t.kind === 'exception' && logs.some((x) => x.level === 'error' && Math.abs(x.at - t.at) <= tol)).length;
  check(byLevel('error').length === expectErrors, `error-level console entries: ${byLevel('error').length} (console_error ${markers.console_error} + exceptions logged at error level)`);
  check(byLevel('warn').length + byLevel('warning').length === markers.console_warning, `warn-level console entries: ${byLevel('warn').length + byLevel('warning').length} (truth ${markers.console_warning}); levels seen: ${levels.join(', ')}`);
  for (const t of truth.times.filter((x) => ['console_error', 'console_warning', 'exception'].includes(x.kind))) {
    const hit = logs.find((x) => Math.abs(x.at - t.at) <= tol) || events.find((e) => tag(e) === '$exception' && Math.abs(e.timestamp - t.at) <= tol);
    check(!!hit, `${t.kind} at ${t.at}: ${hit ? `${hit.level ?? '$exception'} "${(hit.first ?? '').slice(0, 50)}"` : 'nothing recorded'}`);
  }

  const net = networkEntries(events);
  if (net.length || markers.failed_request) {
    console.log(`    network entries: ${net.map((n) => `${n.initiator} ${n.status} ${new URL(n.url, 'http://x').pathname}`).join(' | ')}`);
    const failed = net.filter((n) => n.status >= 400 || (n.status === 0 && /fetch|xhr/.test(n.initiator)));
    const distinct = new Set(failed.map((n) => `${n.url} ${n.status}`));
    check(distinct.size === markers.failed_request, `failed requests (distinct url+status): ${distinct.size} (truth ${markers.failed_request}), entries ${failed.length}`);
    const fetches = net.filter((n) => /fetch|xhr/.test(n.initiator));
    const same = fetches.length === truth.fetches.length && truth.fetches.every((f, i) => fetches[i].url.endsWith(f.url) && fetches[i].status === f.status);
    check(same, `fetches: ${fetches.map((n) => `${n.status} ${n.url}`).join(' | ')} (truth ${truth.fetches.map((f) => `${f.status} ${f.url}`).join(' | ')})`);
    for (const t of truth.times.filter((x) => x.kind === 'failed_request')) {
      const hit = failed.find((n) => Math.abs(n.at - t.at) <= tol);
      check(!!hit, `failed_request at ${t.at}: ${hit ? `${hit.status} ${hit.url} recorded at ${hit.at}` : 'nothing recorded'}`);
    }
  }

  const custom = events.filter((e) => e.type === 5 && !/^\$/.test(tag(e)) && !['sessionIdle', 'sessionNoLongerIdle', 'breadcrumb', 'performanceSpan', 'options'].includes(tag(e)));
  check(custom.length === markers.custom_event, `custom events: ${custom.map((e) => e.data.tag).join(', ') || 'none'} (truth ${markers.custom_event})`);
  const resizes = events.filter((e) => e.type === 3 && e.data.source === 4);
  check(resizes.length >= markers.viewport_resize && (markers.viewport_resize > 0) === (resizes.length > 0), `ViewportResize events: ${resizes.length} (truth markers ${markers.viewport_resize})`);
  for (const t of truth.times.filter((x) => x.kind === 'dead_click' || x.kind === 'error_click' || x.kind === 'rage_click')) {
    const c = clicks.find((e) => Math.abs(e.timestamp - t.at) <= tol);
    check(!!c, `${t.kind} at ${t.at}: a click at ${c?.timestamp}`);
  }
}

const truths = (await readdir(DIR)).filter((f) => f.endsWith('.truth.json')).sort();
for (const t of truths) await checkOne(t);
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
