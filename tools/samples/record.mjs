#!/usr/bin/env node
// Records the bundled sample library (samples/*.json) with the real rrweb recorder.
//
//   node tools/samples/record.mjs [name ...]      (default: every sample)
//
// Serves tools/samples/pages/ on 127.0.0.1 (random port), drives Debian's Chromium through
// playwright-core, injects rrweb's recorder before any page script runs, scripts the
// interactions and writes each recording as a plain rrweb event array.
//
// Chromium maps the host name `samples.tapedeck.test` to the local server, so the recorded
// URLs do not depend on the port and stay stable between regenerations.

import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CHROMIUM, launchChromium, pageActor, rrwebDist, sleep } from '../lib/browser.mjs';

// rrweb's package "exports" hide its UMD bundle and package.json; find them beside the entry.
const rrwebUmd = join(rrwebDist, 'rrweb.umd.cjs');
const rrwebVersion = JSON.parse(await readFile(join(rrwebDist, '..', 'package.json'), 'utf8')).version;

const PAGES = fileURLToPath(new URL('./pages/', import.meta.url));
const OUT = fileURLToPath(new URL('../../samples/', import.meta.url));
const HOST = 'samples.tapedeck.test';
const ORIGIN = `http://${HOST}`;
const VIEWPORT = { width: 1280, height: 800 };


// ---------------------------------------------------------------------------------------
// The scripted sessions. Each gets a fresh page; `ctx` offers small human-like actions.

const SESSIONS = {
  async checkout(page, ctx) {
    await ctx.open('/checkout.html');
    await ctx.pause(1500);
    await ctx.moveTo('#name');
    await page.click('#name');
    await ctx.type('Ada Lovelace');
    await ctx.moveTo('#email');
    await page.click('#email');
    await ctx.type('ada@');
    await ctx.moveTo('#street');
    await page.click('#street');
    await ctx.type('12 Analytical Row');
    await page.click('#city');
    await ctx.type('London');
    await ctx.pause(600);
    await ctx.moveTo('#place-order');
    await ctx.pause(400);
    await page.click('#place-order');
    await page.waitForSelector('#form-error:not([hidden])');
    await ctx.pause(2500); // reading the validation message
    await ctx.moveTo('#email');
    await page.click('#email', { clickCount: 3 });
    await ctx.type('ada@example.org');
    await ctx.moveTo('#country');
    await page.selectOption('#country', 'uk');
    await ctx.pause(700);
    await ctx.moveTo('#gift');
    await page.check('#gift');
    await ctx.pause(900);
    await ctx.moveTo('#terms');
    await page.check('#terms');
    await ctx.pause(800);
    await ctx.moveTo('#place-order');
    await page.click('#place-order');
    await page.waitForSelector('#confirmation:not([hidden])');
    await page.evaluate(() =>
      window.rrweb.record.addCustomEvent('order-placed', { order: 'TD-1042', total: 163.9 }),
    );
    await ctx.wander(3000);
  },

  async 'release-notes'(page, ctx) {
    await ctx.open('/release-notes.html');
    await ctx.pause(2000);
    await ctx.moveTo('h1');
    for (let i = 0; i < 9; i++) {
      await page.mouse.wheel(0, 280);
      await ctx.pause(900);
    }
    await ctx.moveTo('#changelog summary');
    await ctx.pause(500);
    await page.click('#changelog summary');
    await ctx.pause(2500);
    await page.mouse.wheel(0, 400);
    await ctx.pause(1200);
    await page.click('#changelog summary'); // fold it again
    await ctx.pause(1000);
    await page.locator('#upgrade-link').scrollIntoViewIfNeeded();
    await ctx.pause(800);
    await ctx.moveTo('#upgrade-link');
    await ctx.pause(500);
    await ctx.navigate(() => page.click('#upgrade-link'));
    await ctx.pause(1800);
    await ctx.moveTo('h1');
    for (let i = 0; i < 4; i++) {
      await page.mouse.wheel(0, 200);
      await ctx.pause(1000);
    }
    await ctx.wander(2500);
  },

  async kanban(page, ctx) {
    await ctx.open('/kanban.html');
    await ctx.pause(1500);
    await ctx.wander(1500);
    await ctx.moveTo('#new-card');
    await page.click('#new-card');
    await ctx.type('Record the demo video');
    await ctx.moveTo('#add-card');
    await page.click('#add-card');
    await ctx.pause(1200);
    await page.click('#new-card');
    await ctx.type('Translate the onboarding tour');
    await page.keyboard.press('Enter');
    await ctx.pause(1200);
    const move = async (text) => {
      const card = page.locator('.card', { hasText: text });
      await ctx.moveTo(card);
      await ctx.pause(400);
      await card.click();
      await ctx.pause(1300);
    };
    await move('Write release notes for 1.4'); // Doing -> Done
    await move('Design the waveform scrubber'); // To do -> Doing
    await move('Record the demo video'); // To do -> Doing
    await move('Design the waveform scrubber'); // Doing -> Done
    await ctx.wander(2500);
  },
};

// ---------------------------------------------------------------------------------------

const MIME = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript' };

function serve() {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, ORIGIN).pathname.replace(/^\/+/, '') || 'index.html';
    if (path.includes('..') || path.includes('/')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(PAGES, path));
      res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Runs inside every page before its own scripts, right after the rrweb UMD bundle, in the
// top frame only: rrweb creates a hidden iframe of its own, and recording that one would
// recurse without end. Each event is kept in window.__events and handed to the node side at
// once, so nothing is lost when the page navigates away.
function recorderInit() {
  window.__events = [];
  window.rrweb.record({
    emit(event) {
      window.__events.push(event);
      window.__tapedeckEmit(event);
    },
    sampling: { scroll: 100 },
  });
}

async function recordOne(browser, port, name, script) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const events = [];
  await page.exposeFunction('__tapedeckEmit', (event) => {
    events.push(event);
  });
  const bundle = await readFile(rrwebUmd, 'utf8');
  await page.addInitScript({
    content: `if (window === window.top) {\n${bundle}\n;(${recorderInit})();\n}`,
  });

  const ctx = {
    ...pageActor(page),
    async open(path) {
      await page.goto(ORIGIN + path, { waitUntil: 'load' });
      await ctx.settle();
    },
    // Waits until the recorder has produced the page's FullSnapshot (type 2).
    async settle() {
      await page.waitForFunction(() => window.__events?.some((e) => e.type === 2));
    },
    async navigate(action) {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
      await ctx.settle();
    },
  };

  await script(page, ctx);
  await sleep(300); // let the last mutation/mouse batches flush
  await context.close();

  // Kept in the order rrweb emitted them, as a real recorder's backend would store them.
  const metas = events.filter((e) => e.type === 4).map((e) => e.data.href);
  const fulls = events.filter((e) => e.type === 2).length;
  if (metas.length === 0 || fulls === 0) throw new Error(`${name}: no Meta/FullSnapshot recorded`);
  const seconds = (events.at(-1).timestamp - events[0].timestamp) / 1000;
  const json = JSON.stringify(events);
  await writeFile(join(OUT, `${name}.json`), json + '\n');
  console.log(
    `${name}.json: ${events.length} events, ${seconds.toFixed(1)} s, ` +
      `${(json.length / 1024).toFixed(0)} KB, pages ${metas.join(' , ')} (port ${port})`,
  );
}

async function main() {
  const wanted = process.argv.slice(2);
  for (const w of wanted) if (!SESSIONS[w]) throw new Error(`unknown sample ${w}`);
  const names = wanted.length ? wanted : Object.keys(SESSIONS);

  const server = await serve();
  const { port } = server.address();
  console.log(`rrweb ${rrwebVersion}, chromium ${CHROMIUM}`);
  const browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1:${port}`]);
  try {
    for (const name of names) await recordOne(browser, port, name, SESSIONS[name]);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
