// Comments at a moment and tags, from the player: a comment added at the playhead is a marker
// on the timeline, listed (and deletable) in the Session panel, and found by search; tags are
// edited from the Session panel. In Chromium against the test backend.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, useApp } from "./harness.mjs";
import { openClean, pauseWhenLoaded, seekTo, selectSession } from "./player-helpers.mjs";

const app = useApp();
const LIBRARY = "counter.json,second.json";

describe("comments and tags", () => {
  test("a comment at the playhead is on the timeline, in the Session panel and in search", async () => {
    const { page, errors } = await openClean(app, { library: LIBRARY });
    await selectSession(page, "shop.example.test/checkout");
    await pauseWhenLoaded(page);
    await seekTo(page, 30_000);

    await page.getByTestId("add-comment").click();
    const composer = page.getByTestId("comment-composer");
    await composer.waitFor();
    assert.match(await composer.innerText(), /Comment at 0:30/);
    // Typing does not trigger the player's shortcuts (space, f, n...).
    await composer.getByTestId("comment-input").fill("Buy button ignores the first click");
    await composer.getByTestId("comment-input").press("f");
    assert.equal(await page.getByTestId("player").getAttribute("data-fullscreen"), "false");
    await composer.getByTestId("comment-input").press("Backspace");
    await screenshot(page, "comment-composer");
    await composer.getByTestId("comment-input").press("Enter");
    await composer.waitFor({ state: "detached" });

    const marker = page.locator('[data-testid="timeline-marker"][data-kind="comment"]');
    await marker.waitFor({ state: "attached" });
    const offset = Number(await marker.getAttribute("data-offset"));
    assert.ok(Math.abs(offset - 30_000) < 400, `comment at ${offset} ms`);
    assert.match(await marker.getAttribute("title"), /Comment: Buy button ignores the first click/);

    // In the Session panel, with its time; a click seeks a moment before it.
    await page.getByTestId("tab-session").click();
    const item = page.getByTestId("comment-item");
    await item.waitFor();
    assert.match(await item.innerText(), /0:30[\s\S]*Buy button ignores the first click/);
    await seekTo(page, 5_000);
    await item.locator("button").first().click();
    await page.waitForFunction(
      () => Math.abs(window.__tapedeck.currentTime() - 29_000) < 600,
      null,
      { timeout: 5_000 },
    );
    await screenshot(page, "comment-on-timeline");

    // The feed row counts it, and search finds it by word prefix and by has:comments.
    const row = page.locator('[data-testid="session-row"]', { hasText: "checkout" });
    await row.getByTestId("session-comments").waitFor();
    assert.equal(await row.getByTestId("session-comments").innerText(), "1 comment");
    for (const q of ["ignor firs", "has:comments", 'text:"first click"']) {
      await page.getByTestId("search-input").fill(q);
      await page.waitForFunction((q) => {
        const el = document.querySelector('[data-testid="feed-count"]');
        return el?.getAttribute("data-query") === q && el.textContent?.trim() === "1 of 2";
      }, q);
    }
    await page.getByTestId("search-input").fill("");

    // Deleting it takes it off the timeline and out of search.
    await page.getByTestId("comment-delete").click();
    await item.waitFor({ state: "detached" });
    assert.equal(await marker.count(), 0);
    await page.getByTestId("search-input").fill("has:comments");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="feed-count"]')?.textContent?.trim() === "0 of 2",
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("C comments at the playhead; the text is shown as text", async () => {
    const { page, errors } = await openClean(app, { library: LIBRARY });
    await selectSession(page, "shop.example.test/checkout");
    await pauseWhenLoaded(page);
    await page.keyboard.press("c");
    const input = page.getByTestId("comment-input");
    await input.waitFor();
    await input.fill('<img src=x onerror="window.__pwned=1"> <b>bold</b>');
    await page.getByTestId("comment-save").click();
    await page.getByTestId("tab-session").click();
    const item = page.getByTestId("comment-item");
    await item.waitFor();
    assert.match(await item.innerText(), /<img src=x onerror="window.__pwned=1"> <b>bold<\/b>/);
    assert.equal(await item.locator("img, b").count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    // Esc closes the box without saving.
    await page.keyboard.press("c");
    await input.waitFor();
    await input.fill("never saved");
    await input.press("Escape");
    await page.getByTestId("comment-composer").waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("comment-item").count(), 1);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("tags from the Session panel", async () => {
    const { page, errors } = await openClean(app, { library: LIBRARY });
    await selectSession(page, "docs.example.test");
    await page.getByTestId("tab-session").click();
    await page.getByTestId("edit-tags").click();
    const dialog = page.getByTestId("tags-dialog");
    await dialog.waitFor();
    await dialog.getByTestId("tags-input").fill("onboarding, Docs");
    await dialog.getByTestId("tags-save").click();
    await dialog.waitFor({ state: "detached" });
    const row = page.locator('[data-testid="session-row"]', { hasText: "docs.example.test" });
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="session-tag"]').length === 2,
    );
    assert.deepEqual(await row.getByTestId("session-tag").allInnerTexts(), ["Docs", "onboarding"]);
    await screenshot(page, "tags-on-row");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
