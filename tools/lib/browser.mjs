// What the recording and checking scripts share: playwright-core and rrweb from ui/node_modules,
// Debian's Chromium started the way this project's browser tests start it, and a "person" that
// moves the pointer and types like one (smooth, deterministic), so replays look real.

import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const uiRequire = createRequire(new URL('../../ui/package.json', import.meta.url));
export const { chromium } = uiRequire('playwright-core');
export const rrwebDist = dirname(uiRequire.resolve('rrweb'));
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** rrweb's browser bundle and its replay stylesheet. */
export async function rrwebAssets() {
  return {
    bundle: await readFile(join(rrwebDist, 'rrweb.umd.cjs'), 'utf8'),
    css: await readFile(join(rrwebDist, 'style.css'), 'utf8'),
  };
}

/** Headless Chromium; playwright-core adds --headless and a fresh --user-data-dir itself. */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/**
 * Pointer and keyboard helpers for one page. `typeDelay` is ms per key, `settleMs` the pause
 * after a pointer move.
 */
export function pageActor(page, { typeDelay = 110, settleMs = 150 } = {}) {
  let x = 640;
  let y = 400;
  return {
    pause: (ms) => sleep(ms),
    async type(text) {
      await page.keyboard.type(text, { delay: typeDelay });
    },
    async moveTo(target) {
      const locator = typeof target === 'string' ? page.locator(target).first() : target;
      const box = await locator.boundingBox();
      const tx = Math.round(box.x + Math.min(box.width / 2, 60));
      const ty = Math.round(box.y + box.height / 2);
      const steps = Math.max(8, Math.round(Math.hypot(tx - x, ty - y) / 25));
      await page.mouse.move(tx, ty, { steps });
      x = tx;
      y = ty;
      await sleep(settleMs);
    },
    // A slow, deterministic wiggle of the pointer (a figure-of-eight around the centre).
    async wander(ms) {
      const n = Math.round(ms / 100);
      for (let i = 0; i < n; i++) {
        const t = (i / n) * Math.PI * 2;
        x = Math.round(640 + 260 * Math.sin(t));
        y = Math.round(420 + 140 * Math.sin(2 * t));
        await page.mouse.move(x, y);
        await sleep(100);
      }
    },
  };
}
