// Recording content is untrusted. A recording whose page carries inline scripts, event
// handler attributes, javascript: links and an srcdoc iframe must render without running any
// of it, and its strings must reach the app's own DOM only as text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { replayText, screenshot, useApp } from "./harness.mjs";
import { useAppCsp } from "./csp.mjs";

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

// Under the app's CSP: a page whose <base href>, relative URLs, refresh and links point at
// another site, and an srcdoc iframe with a script and an onerror handler.
test("a recording's <base>, refresh, links and srcdoc iframe run nothing and go nowhere", async () => {
  const { page } = await app.open({ library: "hostile-base.json" });
  await useAppCsp(page);
  const appUrl = page.url();
  const evil = (u) => u.startsWith("https://evil.example.test");
  const reached = [];
  const navigations = [];
  page.on("requestfinished", (r) => evil(r.url()) && reached.push(r.url()));
  page.on("framenavigated", (f) => navigations.push(f === page.mainFrame() ? "app" : f.url()));
  await page.getByTestId("session-row").click();
  await page.waitForFunction(() =>
    document
      .querySelector('[data-testid="replay"] iframe')
      ?.contentDocument?.body?.innerText.includes("Base fixture loaded"),
  );
  await page.waitForFunction(() => !window.__tapedeck.playing(), null, { timeout: 10_000 });
  // Links of the recorded page, followed the way a click would (the parent can reach them).
  await page.evaluate(() => {
    const doc = document.querySelector('[data-testid="replay"] iframe').contentDocument;
    doc.getElementById("top-link")?.click();
    doc.getElementById("form")?.requestSubmit?.();
    doc.getElementById("srcdoc")?.contentDocument?.getElementById("inner")?.click();
  });
  await page.waitForTimeout(800);

  const verdict = await page.evaluate(() => {
    const iframe = document.querySelector('[data-testid="replay"] iframe');
    const doc = iframe.contentDocument;
    const inner = doc.getElementById("srcdoc");
    return {
      pwned: window.__pwned ?? null,
      framePwned: iframe.contentWindow.__pwned ?? null,
      innerPwned: inner?.contentWindow?.__pwned ?? null,
      innerScripts: inner?.contentDocument?.querySelectorAll("script").length ?? 0,
      baseURI: doc.baseURI,
      frameUrl: iframe.contentWindow.location.href,
      stillThere: doc.body.innerText.includes("Base fixture loaded"),
    };
  });
  assert.equal(verdict.pwned, null);
  assert.equal(verdict.framePwned, null);
  assert.equal(verdict.innerPwned, null);
  // The app's CSP (base-uri 'self') refuses the recorded <base>.
  assert.ok(!verdict.baseURI.startsWith("https://evil.example.test"), verdict.baseURI);
  assert.ok(!verdict.frameUrl.startsWith("https://evil.example.test"), verdict.frameUrl);
  assert.equal(verdict.stillThere, true, "the replay's page was not navigated away");
  assert.equal(page.url(), appUrl, "the app did not navigate");
  assert.deepEqual(
    navigations.filter((n) => n === "app" || evil(n)),
    [],
    "no navigation of the app, none to the other site",
  );
  assert.deepEqual(reached, [], "nothing was loaded from the other site");
  await screenshot(page, "hostile-base");
  await page.close();
});
