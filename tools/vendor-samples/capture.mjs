// What the vendor recording scripts (tools/vendor-samples, tools/analysis-samples) share: the
// capture server's CORS and JSON answers, PostHog and Sentry request decoding, and bundling an
// SDK's ES module build for the browser.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';

import { uiRequire } from '../lib/browser.mjs';

export function cors(req, res) {
  res.setHeader('access-control-allow-origin', req.headers.origin ?? '*');
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
  res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '*');
}

export function json(res, obj, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(obj));
}

// Decodes a PostHog request body the way PostHog's capture endpoint does.
export function decodePosthog(url, body) {
  const compression = url.searchParams.get('compression');
  let text;
  if (compression === 'gzip-js' || compression === 'gzip' || (body[0] === 0x1f && body[1] === 0x8b)) {
    text = gunzipSync(body).toString('utf8');
  } else if (compression === 'base64') {
    const form = new URLSearchParams(body.toString('utf8'));
    text = Buffer.from(form.get('data'), 'base64').toString('utf8');
  } else {
    text = body.toString('utf8');
    if (text.startsWith('data=')) text = Buffer.from(new URLSearchParams(text).get('data'), 'base64').toString('utf8');
  }
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : parsed.batch ?? [parsed];
}

// PostHog's API as posthog-js calls it: the remote config (GET /array/<token>/config[.js]),
// /flags/, and the capture endpoints, whose decoded bodies are pushed to `posts`. Returns
// whether it answered the request.
export function posthogApi(req, res, url, body, { token, config, posts }) {
  const path = url.pathname;
  if (path === `/array/${token}/config.js`) {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(
      `(function(){window._POSTHOG_REMOTE_CONFIG=window._POSTHOG_REMOTE_CONFIG||{};` +
        `window._POSTHOG_REMOTE_CONFIG[${JSON.stringify(token)}]={config:${JSON.stringify(config)},siteApps:[]}})();`,
    );
  } else if (path === `/array/${token}/config`) json(res, config);
  else if (path === '/flags/' || path === '/decide/') {
    json(res, {
      flags: {},
      featureFlags: {},
      featureFlagPayloads: {},
      errorsWhileComputingFlags: false,
      requestId: '00000000-0000-4000-8000-000000000000',
      ...config,
    });
  } else if (['/e/', '/i/v0/e/', '/s/', '/batch/', '/capture/', '/engage/'].includes(path)) {
    try {
      posts.push({ path, query: url.search, headers: req.headers, raw: body, events: decodePosthog(url, body) });
    } catch (e) {
      console.error(`could not decode ${req.method} ${req.url}: ${e.message}`);
    }
    json(res, { status: 1 });
  } else return false;
  return true;
}

// Some SDKs ship no browser bundle on npm (or one that still calls require()): bundle the
// package's ES module build into an IIFE with rolldown (from ui/), into <sdkDir>/.bundle/.
export async function bundle(sdkDir, name, globalName, source) {
  const dir = join(sdkDir, '.bundle');
  await mkdir(dir, { recursive: true });
  const entry = join(dir, `${name}-entry.mjs`);
  await writeFile(entry, source);
  const { build } = await import(pathToFileURL(uiRequire.resolve('rolldown')).href);
  const file = join(dir, `${name}.iife.js`);
  await build({
    input: entry,
    cwd: sdkDir,
    logLevel: 'silent',
    platform: 'browser',
    output: { format: 'iife', name: globalName, file },
  });
  return file;
}

// Splits a Sentry envelope into [header, [[itemHeader, payloadBytes], ...]].
export function parseEnvelope(buf) {
  let pos = 0;
  const line = () => {
    let end = buf.indexOf(0x0a, pos);
    if (end < 0) end = buf.length;
    const s = buf.subarray(pos, end);
    pos = end + 1;
    return s;
  };
  const header = JSON.parse(line().toString('utf8'));
  const items = [];
  while (pos < buf.length) {
    const h = line();
    if (!h.length) continue;
    const ih = JSON.parse(h.toString('utf8'));
    let payload;
    if (typeof ih.length === 'number') {
      payload = buf.subarray(pos, pos + ih.length);
      pos += ih.length;
      if (buf[pos] === 0x0a) pos++;
    } else payload = line();
    items.push([ih, payload]);
  }
  return [header, items];
}

// Decodes a replay_recording item body: `{"segment_id":N}\n` + JSON or zlib/gzip bytes.
export function decodeRecording(body) {
  const nl = body.indexOf(0x0a);
  const head = JSON.parse(body.subarray(0, nl).toString('utf8'));
  const rest = body.subarray(nl + 1);
  let encoding = 'json';
  let text;
  if (rest[0] === 0x78) {
    encoding = 'zlib';
    text = inflateSync(rest).toString('utf8');
  } else if (rest[0] === 0x1f && rest[1] === 0x8b) {
    encoding = 'gzip';
    text = gunzipSync(rest).toString('utf8');
  } else text = rest.toString('utf8');
  return { segment_id: head.segment_id, encoding, events: JSON.parse(text) };
}
