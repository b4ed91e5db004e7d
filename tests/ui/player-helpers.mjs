// Steps the player tests share: a clean start, choosing a session, pausing once everything is
// loaded, and seeking by clicking the timeline's rail.
import { probe } from "./harness.mjs";

/** Opens the app with settings remembered by earlier tests (sort, speed, panels) cleared. */
export async function openClean(app, params, size) {
  const opened = await app.open(params, size);
  await opened.page.evaluate(() => localStorage.clear());
  await opened.page.reload();
  await opened.page.waitForFunction(() => window.__tapedeck !== undefined);
  return opened;
}

/** Selects the feed row showing `text` and waits for it to play. */
export async function selectSession(page, text) {
  await page.locator('[data-testid="session-row"]', { hasText: text }).click();
  await page.waitForFunction(() => window.__tapedeck.duration() > 0);
  await page.waitForFunction(() => window.__tapedeck.playing());
}

/** Pauses once the whole recording is loaded; keys then go to the player, not the feed. */
export async function pauseWhenLoaded(page) {
  await page.waitForFunction(() => window.__tapedeck.playing());
  await page.getByTestId("play-toggle").click();
  await page.waitForFunction(() => !window.__tapedeck.playing());
  await page.waitForFunction(() => document.querySelector(".loaded")?.style.width === "100%");
  await page.evaluate(() => document.activeElement?.blur());
}

/** Seeks by clicking the rail at `ms` (below the markers), then waits for the clock. */
export async function seekTo(page, ms) {
  const box = await page.getByTestId("timeline").boundingBox();
  const duration = (await probe(page)).duration;
  await page.mouse.click(box.x + (box.width * ms) / duration, box.y + box.height - 3);
  await page.mouse.move(0, 0);
  await page.waitForFunction((t) => Math.abs(window.__tapedeck.currentTime() - t) < 300, ms);
  await page.evaluate(() => document.activeElement?.blur());
}
