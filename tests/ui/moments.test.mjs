// Getting to a moment and filling the screen: the feed's "first error" button, links to a moment
// (copied, and opened at launch or while running), fullscreen with bars that hide while
// playing, and the mouse trail. The counter fixture's page shows "Tick N" at N seconds, so the
// replay can be checked against the clock.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { probe, replayText, screenshot, useApp } from "./harness.mjs";
import { openClean, pauseWhenLoaded, seekTo, selectSession } from "./player-helpers.mjs";

const app = useApp();
const LIBRARY = "counter.json,frustrated.json";

const frustrated = JSON.parse(
  readFileSync(new URL("fixtures/frustrated.analysis.json", import.meta.url), "utf8"),
);
const ERROR_KINDS = new Set(["exception", "console_error", "error_click", "failed_request"]);
const FIRST_ERROR = frustrated.markers
  .filter((m) => ERROR_KINDS.has(m.kind))
  .sort((a, b) => a.at - b.at)[0];

const backendState = (page) =>
  page.evaluate(() => ({
    clipboard: window.__testBackend.clipboard,
    fullscreen: window.__testBackend.fullscreen,
  }));

const tickShown = async (page) => {
  const m = /Tick (\d+)/.exec(await replayText(page));
  return m ? Number(m[1]) : null;
};

/** Waits until the player shows a session and has built its page. */
async function playerReady(page) {
  await page.waitForFunction(() => window.__tapedeck.duration() > 0);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="play-toggle"]')?.disabled === false,
  );
}

describe("moments and fullscreen", () => {
  test("the feed opens a session at its first error", async () => {
    const { page, errors } = await openClean(app, { library: LIBRARY });
    const row = page.locator(".item", { hasText: "shop.example.test/cart" });
    // Only sessions with errors have the button.
    assert.equal(
      await page
        .locator(".item", { hasText: "shop.example.test/checkout" })
        .getByTestId("open-first-error")
        .count(),
      0,
    );
    await row.hover();
    await row.getByTestId("open-first-error").click();
    await playerReady(page);
    const start = frustrated.windows[0].segments[0].start;
    const expected = FIRST_ERROR.at - start - 1000;
    await page.waitForFunction(
      (t) => Math.abs(window.__tapedeck.currentTime() - t) < 600,
      expected,
      { timeout: 5_000 },
    );
    assert.equal(
      await row.locator('[data-testid="session-row"]').getAttribute("aria-selected"),
      "true",
    );
    await screenshot(page, "feed-first-error");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a copied link opens the same session at the same moment", async () => {
    const { page, errors } = await openClean(app, { library: LIBRARY });
    await selectSession(page, "shop.example.test/checkout");
    await page.getByTestId("skip-inactivity").click();
    await pauseWhenLoaded(page);
    await seekTo(page, 42_000);
    const id = (await probe(page)).selectedId;
    await page.getByTestId("copy-link").click();
    await page
      .getByTestId("skip-notice")
      .filter({ hasText: /Link to 0:4\d copied/ })
      .waitFor();
    const { clipboard } = await backendState(page);
    const m = /^tapedeck:\/\/session\/([^?]+)\?t=(\d+)$/.exec(clipboard);
    assert.ok(m, `clipboard holds a link: ${clipboard}`);
    assert.equal(decodeURIComponent(m[1]), id);
    const t = Number(m[2]);
    assert.ok(Math.abs(t - 42_000) < 400, `the link names 42 s: ${t}`);
    // L copies too.
    await page.evaluate(() => (window.__testBackend.clipboard = ""));
    await page.keyboard.press("l");
    await page.waitForFunction(() => window.__testBackend.clipboard.startsWith("tapedeck://"));
    await page.close();

    // Launched with the link: that session, at that moment, showing that moment's page.
    const reopened = await app.open({ library: LIBRARY, links: clipboard });
    await playerReady(reopened.page);
    assert.equal((await probe(reopened.page)).selectedId, id);
    await reopened.page.getByTestId("play-toggle").click();
    await reopened.page.waitForFunction(() => !window.__tapedeck.playing());
    const at = (await probe(reopened.page)).currentTime;
    assert.ok(at >= 41_500 && at < 45_000, `opened at ${at} ms`);
    const tick = await tickShown(reopened.page);
    assert.ok(tick !== null && Math.abs(tick - at / 1000) <= 1.5, `page shows tick ${tick}`);
    assert.deepEqual([...errors, ...reopened.errors], []);

    // A link handed over while running (another launch) opens its moment too.
    await reopened.page.evaluate(
      (link) => window.__testBackend.simulateLaunch([], [link]),
      `tapedeck://session/${encodeURIComponent(id)}?t=10000`,
    );
    await reopened.page.waitForFunction(
      () => Math.abs(window.__tapedeck.currentTime() - 10_000) < 1_500,
    );
    await reopened.page.close();
  });

  test("a broken link or one to a session not in the library says so", async () => {
    const { page } = await app.open({
      library: LIBRARY,
      links: "tapedeck://session/nothing-here?t=5",
    });
    const alert = page.locator(".library-error");
    await alert.waitFor();
    assert.match(
      await alert.innerText(),
      /tapedeck:\/\/session\/nothing-here\?t=5: this library has no session nothing-here/,
    );
    await page.evaluate(() =>
      window.__testBackend.simulateLaunch([], ["tapedeck://session/abc?t=soon"]),
    );
    await page.waitForFunction(() =>
      /time is not a whole number/.test(document.querySelector(".library-error")?.textContent),
    );
    assert.equal((await probe(page)).selectedId, null);
    await page.close();
  });

  test("fullscreen fills the window, hides the bars while playing, and Esc leaves", async () => {
    const { page, errors } = await openClean(app, { library: LIBRARY });
    await selectSession(page, "shop.example.test/checkout");
    const player = page.getByTestId("player");
    const frameBefore = await page.locator(".frame").boundingBox();

    await page.getByTestId("fullscreen").click();
    await page.waitForFunction(() => window.__testBackend.fullscreen === true);
    assert.equal(await player.getAttribute("data-fullscreen"), "true");
    const box = await player.boundingBox();
    assert.deepEqual(
      [box.x, box.y, box.width, box.height],
      [0, 0, 1280, 800],
      "the player covers the window",
    );
    // The feed is under it: the point where it was hits the player.
    const hit = await page.evaluate(
      () => document.elementFromPoint(100, 300)?.closest('[data-testid="player"]') !== null,
    );
    assert.ok(hit, "the feed is covered");
    const frameAfter = await page.locator(".frame").boundingBox();
    assert.ok(frameAfter.width > frameBefore.width * 1.2, "the replay is scaled up");

    // Playing and untouched: the bars go; moving the mouse brings them back.
    await page.mouse.move(640, 400);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="player"]').classList.contains("bars-hidden"),
      null,
      { timeout: 5_000 },
    );
    await page.waitForTimeout(400);
    const hidden = await page.locator(".controls").evaluate((el) => getComputedStyle(el).opacity);
    await screenshot(page, "player-fullscreen-bars-hidden");
    assert.equal(
      await page.locator(".controls").evaluate((el) => getComputedStyle(el).pointerEvents),
      "none",
    );
    assert.equal(Number(hidden), 0, "the controls have faded out");
    await page.mouse.move(600, 500);
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="player"]').classList.contains("bars-hidden"),
    );
    // Paused, they stay.
    await page.getByTestId("play-toggle").click();
    await page.waitForTimeout(3_000);
    assert.equal(await player.evaluate((el) => el.classList.contains("bars-hidden")), false);
    await screenshot(page, "player-fullscreen");

    await page.keyboard.press("Escape");
    await page.waitForFunction(() => window.__testBackend.fullscreen === false);
    assert.equal(await player.getAttribute("data-fullscreen"), "false");
    // F toggles it too.
    await page.keyboard.press("f");
    await page.waitForFunction(() => window.__testBackend.fullscreen === true);
    await page.keyboard.press("f");
    await page.waitForFunction(() => window.__testBackend.fullscreen === false);

    // Left by the window itself (the window manager's key): the player follows on resize.
    await page.keyboard.press("f");
    await page.waitForFunction(() => window.__testBackend.fullscreen === true);
    await page.evaluate(() => {
      window.__testBackend.fullscreen = false;
      window.dispatchEvent(new Event("resize"));
    });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="player"]').dataset.fullscreen === "false",
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the mouse trail can be turned on, and is remembered; the cursor is always drawn", async () => {
    const { page, errors } = await openClean(app, { library: LIBRARY });
    await selectSession(page, "shop.example.test/checkout");
    const trail = page.getByTestId("mouse-trail");
    assert.equal(await trail.getAttribute("aria-pressed"), "false");
    const tailShown = () =>
      page.evaluate(() => {
        const c = document.querySelector('[data-testid="replay"] .replayer-mouse-tail');
        return c !== null && getComputedStyle(c).display !== "none";
      });
    assert.equal(await tailShown(), false);
    assert.equal(await page.locator('[data-testid="replay"] .replayer-mouse').count(), 1);
    await trail.click();
    assert.equal(await trail.getAttribute("aria-pressed"), "true");
    assert.equal(await tailShown(), true);
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("t");
    assert.equal(await trail.getAttribute("aria-pressed"), "false");
    assert.equal(await tailShown(), false);
    await page.keyboard.press("t");

    await page.reload();
    await page.waitForFunction(() => window.__tapedeck !== undefined);
    await selectSession(page, "shop.example.test/checkout");
    assert.equal(await page.getByTestId("mouse-trail").getAttribute("aria-pressed"), "true");
    assert.equal(await tailShown(), true, "a new player starts with the trail");
    await page.getByTestId("shortcuts-toggle").click();
    const list = await page.getByTestId("shortcuts").innerText();
    for (const what of ["Fullscreen on / off", "Mouse trail on / off", "Copy a link"]) {
      assert.ok(list.includes(what), `the shortcut list has ${what}`);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
