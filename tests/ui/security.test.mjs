// Recording content is untrusted. A recording whose page carries inline scripts, event
// handler attributes, javascript: links and an srcdoc iframe must render without running any
// of it, and its strings must reach the app's own DOM only as text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { replayText, screenshot, useApp } from "./harness.mjs";

const app = useApp();

const HOSTILE_HREF = 'https://evil.example.test/"><img src=x onerror="window.__pwned=1">';

test("no script from a recording runs, in the replay or in the app", async () => {
  const { page } = await app.open({ library: "hostile.json" });
  const titleBefore = await page.title();
  await page.getByTestId("session-row").click();
  // The page was rebuilt, including the node a later mutation adds.
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-testid="replay"] iframe')
        ?.contentDocument?.body?.innerText.includes("Mutation added"),
    null,
    { timeout: 10_000 },
  );
  assert.match(await replayText(page), /Hostile fixture loaded/);
  await page.waitForTimeout(500); // give any handler (onerror, onload) time to fire

  const verdict = await page.evaluate(() => {
    const iframe = document.querySelector('[data-testid="replay"] iframe');
    const doc = iframe.contentDocument;
    return {
      pwned: window.__pwned ?? null,
      framePwned: iframe.contentWindow.__pwned ?? null,
      title: document.title,
      frameTitle: doc.title,
      sandbox: iframe.getAttribute("sandbox"),
      liveScripts: doc.querySelectorAll("script").length,
      appImages: document.querySelectorAll("img").length,
    };
  });
  assert.equal(verdict.pwned, null);
  assert.equal(verdict.framePwned, null);
  assert.equal(verdict.title, titleBefore);
  assert.notEqual(verdict.frameTitle, "pwned");
  // Sandboxed without allow-scripts: nothing in there can run.
  assert.equal(verdict.sandbox, "allow-same-origin");
  assert.equal(verdict.liveScripts, 0);
  // The hostile URL shows as text in the feed and above the replay, never as markup.
  assert.equal(verdict.appImages, 0);
  assert.equal(await page.getByTestId("page-url").innerText(), HOSTILE_HREF);
  assert.equal(await page.getByTestId("page-url").getAttribute("title"), HOSTILE_HREF);
  await screenshot(page, "hostile");
  await page.close();
});
