#!/usr/bin/env node
// Checks the bundled samples: each is a JSON array of rrweb events with a Meta and a
// FullSnapshot per page, in time order, of a plausible length; then replays each with rrweb's
// own Replayer in Chromium and checks that the page's text shows up at the end.
//
//   node tools/samples/check.mjs [--screenshots DIR]
//
// With --screenshots, a PNG of each replay at 10%, 50% and the end is written to DIR.

import { mkdir, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchChromium, rrwebAssets } from '../lib/browser.mjs';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

// Text each sample's final frame must show.
const EXPECT = {
  'checkout.json': 'Order TD-1042 is confirmed',
  'kanban.json': 'Translate the onboarding tour',
  'release-notes.json': 'Upgrading to Tapedeck 1.4',
};

const args = process.argv.slice(2);
const shotsAt = args.indexOf('--screenshots');
const shotDir = shotsAt >= 0 ? args[shotsAt + 1] : null;
if (shotDir) await mkdir(shotDir, { recursive: true });

function fail(msg) {
  console.error(`FAIL ${msg}`);
  process.exitCode = 1;
}

const files = (await readdir(SAMPLES)).filter((f) => f.endsWith('.json')).sort();
if (files.length < 3) fail(`only ${files.length} samples`);

const browser = await launchChromium();
const { bundle, css } = await rrwebAssets();

for (const file of files) {
  const text = await readFile(join(SAMPLES, file), 'utf8');
  const kb = Buffer.byteLength(text) / 1024;
  let events;
  try {
    events = JSON.parse(text);
  } catch (e) {
    fail(`${file}: not JSON: ${e.message}`);
    continue;
  }
  if (!Array.isArray(events)) {
    fail(`${file}: not an array`);
    continue;
  }
  const metas = events.filter((e) => e.type === 4);
  const fulls = events.filter((e) => e.type === 2);
  const ordered = events.every((e, i) => i === 0 || e.timestamp >= events[i - 1].timestamp);
  const seconds = (events.at(-1).timestamp - events[0].timestamp) / 1000;
  if (!metas.length || metas.length !== fulls.length) fail(`${file}: ${metas.length} Meta, ${fulls.length} FullSnapshot`);
  if (!ordered) fail(`${file}: timestamps out of order`);
  if (seconds < 10 || seconds > 40) fail(`${file}: lasts ${seconds} s`);
  if (kb > 250) fail(`${file}: ${kb.toFixed(0)} KB`);

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.setContent('<!doctype html><html><body style="margin:0"><div id="root"></div></body></html>');
  await page.addStyleTag({ content: css });
  await page.addScriptTag({ content: bundle });
  await page.evaluate((evs) => {
    window.replayer = new window.rrweb.Replayer(evs, {
      root: document.getElementById('root'),
      skipInactive: false,
      showWarning: false,
    });
  }, events);
  const total = events.at(-1).timestamp - events[0].timestamp;
  let last = '';
  for (const frac of [0.1, 0.5, 1]) {
    last = await page.evaluate(async (ms) => {
      window.replayer.pause(ms);
      await new Promise((r) => setTimeout(r, 300));
      const doc = document.querySelector('#root iframe').contentDocument;
      return doc?.body?.innerText ?? '';
    }, Math.round(total * frac));
    if (shotDir) {
      const name = `${file.replace(/\.json$/, '')}-${Math.round(frac * 100)}.png`;
      await page.screenshot({ path: join(shotDir, name) });
    }
  }
  const want = EXPECT[file];
  if (want && !last.includes(want)) fail(`${file}: replay does not show "${want}"`);
  console.log(
    `${file}: ${events.length} events, ${seconds.toFixed(1)} s, ${kb.toFixed(0)} KB, ` +
      `pages ${metas.map((m) => m.data.href).join(' , ')}; replay ends on "${last.slice(0, 60).replace(/\s+/g, ' ')}…"`,
  );
  await page.close();
}
await browser.close();
