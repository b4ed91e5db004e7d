// The session feed and the empty library, in Chromium against the test backend.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, useApp } from "./harness.mjs";

const app = useApp();

describe("session feed", () => {
  test("shows who was recorded, when the recording says", async () => {
    const { page, errors } = await app.open({ library: "with-user.json,second.json" });
    const rows = page.getByTestId("session-row");
    await rows.first().waitFor();
    const users = page.getByTestId("session-user");
    // Only the recording that names its user gets the line.
    assert.equal(await users.count(), 1);
    assert.equal(await users.innerText(), "ada@example.com");
    assert.match(await users.getAttribute("title"), /Ada Lovelace · ada@example\.com · id user-42/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("lists the library newest first, nothing selected yet", async () => {
    // Deliberately not in date order: the backend sorts, newest first by default.
    const { page, errors } = await app.open({
      library: "hostile.json,counter.json,second.json",
    });
    const rows = page.getByTestId("session-row");
    await rows.first().waitFor();
    const texts = await rows.allInnerTexts();
    assert.equal(texts.length, 3);
    assert.match(texts[0], /docs\.example\.test\/getting-started/);
    assert.match(texts[1], /shop\.example\.test\/checkout/);
    assert.match(texts[2], /evil\.example\.test/);
    // Duration and counts are on the row; the full URL is in the tooltip.
    assert.match(texts[1], /2:00/);
    assert.match(texts[1], /145 events/);
    assert.match(texts[1], /3 clicks/);
    assert.equal(
      await rows.nth(1).locator(".url").getAttribute("title"),
      "https://shop.example.test/checkout?step=1",
    );
    const ids = await rows.evaluateAll((els) => els.map((e) => e.dataset.sessionId));
    assert.equal(new Set(ids).size, 3);
    for (const sel of await rows.evaluateAll((els) => els.map((e) => e.ariaSelected))) {
      assert.equal(sel, "false");
    }
    assert.equal(await page.evaluate(() => window.__tapedeck.selectedId()), null);
    assert.equal(await page.getByTestId("empty-library").count(), 0);
    assert.match(await page.locator(".statusbar").innerText(), /3 sessions/);
    await screenshot(page, "feed");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("arrow keys move the selection", async () => {
    const { page } = await app.open({ library: "counter.json,second.json" });
    const rows = page.getByTestId("session-row");
    await rows.first().click();
    await page.keyboard.press("ArrowDown");
    const second = await rows.nth(1).getAttribute("data-session-id");
    await page.waitForFunction((id) => window.__tapedeck.selectedId() === id, second);
    assert.equal(await rows.nth(1).getAttribute("aria-selected"), "true");
    assert.equal(await rows.nth(0).getAttribute("aria-selected"), "false");
    await page.close();
  });

  test("an empty library explains how to add recordings", async () => {
    const { page, errors } = await app.open({ library: "" });
    const empty = page.getByTestId("empty-library");
    await empty.waitFor();
    const text = await empty.innerText();
    assert.match(text, /Open/);
    assert.match(text, /[Dd]rag and drop/);
    assert.match(text, /tapedeck path\/to\/recording\.json/);
    assert.equal(await page.getByTestId("session-row").count(), 0);
    assert.equal(await page.getByTestId("player").count(), 0);
    assert.match(await page.locator(".statusbar").innerText(), /0 sessions/);
    await screenshot(page, "empty-library");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
