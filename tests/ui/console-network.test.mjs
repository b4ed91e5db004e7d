// The Console and Network panels beside the replay, on the engine's lists for a fixture:
// every entry, level and type filters with counts, search, the entry at the playhead, click
// (or Seek) to play the moment before it, request details with headers and bodies — and
// recorded markup shown as text, never run.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { probe, replayText, screenshot, useApp } from "./harness.mjs";
import { openClean, pauseWhenLoaded, seekTo, selectSession } from "./player-helpers.mjs";

const app = useApp();

const frustrated = JSON.parse(
  readFileSync(new URL("fixtures/frustrated.analysis.json", import.meta.url), "utf8"),
);
const START = frustrated.segments[0].start;
const CONSOLE = frustrated.console;
const NETWORK = frustrated.network;
const LEAD_IN = 1000;
const LIBRARY = "counter.json,frustrated.json";

async function openPanel(tab) {
  const { page, errors } = await openClean(app, { library: LIBRARY });
  await selectSession(page, "shop.example.test/cart");
  await pauseWhenLoaded(page);
  await page.getByTestId(`tab-${tab}`).click();
  await page.getByTestId(`${tab}-list`).waitFor();
  return { page, errors };
}

const consoleRows = (page) =>
  page.getByTestId("console-row").evaluateAll((els) =>
    els.map((e) => ({
      at: Number(e.dataset.at),
      level: e.dataset.level,
      message: e.querySelector(".message").textContent,
      current: e.getAttribute("aria-current") === "true",
    })),
  );
const networkRows = (page) =>
  page.getByTestId("network-row").evaluateAll((els) =>
    els.map((e) => ({
      index: Number(e.dataset.index),
      url: e.getAttribute("title"),
      failed: e.dataset.failed === "true",
      status: e.querySelector(".status").textContent,
      current: e.getAttribute("aria-current") === "true",
    })),
  );
const waitTime = (page, ms) =>
  page.waitForFunction((t) => Math.abs(window.__tapedeck.currentTime() - t) < 150, ms, {
    timeout: 3000,
  });

describe("console panel", () => {
  test("lists every entry with its level; filters by level with counts; searches", async () => {
    const { page, errors } = await openPanel("console");
    assert.ok(CONSOLE.length >= 5, "the fixture logs at several levels");
    const listed = await consoleRows(page);
    assert.deepEqual(
      listed.map(({ at, level, message }) => ({ at, level, message })),
      CONSOLE.map((e) => ({ at: e.at, level: e.level, message: e.message.split("\n")[0] })),
    );
    assert.equal(
      await page.getByTestId("tab-console").locator(".n").textContent(),
      String(CONSOLE.length),
    );
    // One chip per level, with its count.
    const chips = await page
      .getByTestId("console-level")
      .evaluateAll((els) =>
        els.map((e) => [e.dataset.level, Number(e.querySelector(".n").textContent)]),
      );
    const want = new Map();
    for (const e of CONSOLE) want.set(e.level, (want.get(e.level) ?? 0) + 1);
    assert.deepEqual(new Map(chips), want);
    assert.equal(chips[0][0], "error", "most severe first");

    await page.locator('[data-testid="console-level"][data-level="error"]').click();
    const errorsOnly = await consoleRows(page);
    assert.deepEqual(
      errorsOnly.map((r) => r.at),
      CONSOLE.filter((e) => e.level === "error").map((e) => e.at),
    );
    await page.locator('[data-testid="console-level"][data-level="warn"]').click();
    assert.equal((await consoleRows(page)).length, want.get("error") + want.get("warn"));
    await page.getByTestId("console-level-all").click();
    assert.equal((await consoleRows(page)).length, CONSOLE.length);

    await page.getByTestId("console-search").fill("CARD declined");
    assert.deepEqual(
      (await consoleRows(page)).map((r) => r.message),
      ["Payment failed: card declined"],
    );
    await page.getByTestId("console-search").fill("no such words");
    await page.getByTestId("console-empty").waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("clicking an entry seeks a moment before it; the entry at the playhead follows", async () => {
    const { page, errors } = await openPanel("console");
    const target = CONSOLE.find((e) => e.message.startsWith("Payment failed"));
    const want = target.at - START - LEAD_IN;
    const before = (await probe(page)).currentTime;
    assert.ok(Math.abs(before - want) > 2000, "the seek must move the clock");
    assert.ok(!(await replayText(page)).includes("Tick 12"));
    await page.getByTestId("console-row").filter({ hasText: "Payment failed" }).click();
    await waitTime(page, want);
    assert.equal((await probe(page)).playing, false);
    // The replay shows the page as it was then (the text set at 12 s).
    await page.waitForFunction(() =>
      document
        .querySelector('[data-testid="replay"] iframe')
        ?.contentDocument?.body?.innerText.includes("Tick 12"),
    );
    // The row current at that moment is the last entry before it.
    const now = (await probe(page)).currentTime + START;
    const expected = CONSOLE.filter((e) => e.at <= now).at(-1);
    const current = (await consoleRows(page)).filter((r) => r.current);
    assert.deepEqual(
      current.map((r) => r.at),
      [expected.at],
    );

    // Playback moves the highlight along.
    const warn = CONSOLE.find((e) => e.level === "warn");
    await seekTo(page, warn.at - START + 300);
    await page.waitForFunction(
      (at) =>
        [...document.querySelectorAll('[data-testid="console-row"][aria-current="true"]')].map(
          (e) => Number(e.dataset.at),
        )[0] === at,
      warn.at,
      { timeout: 3000 },
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("an entry's stack opens in place; recorded markup is text", async () => {
    const { page, errors } = await openPanel("console");
    const row = page.locator(".line", {
      has: page.getByTestId("console-row").filter({ hasText: "Payment failed" }),
    });
    await row.getByTestId("console-expand").click();
    const stack = CONSOLE.find((e) => e.message.startsWith("Payment failed")).stack;
    assert.ok(stack);
    assert.equal(await page.getByTestId("console-stack").textContent(), stack);
    assert.equal(await row.getByTestId("console-expand").getAttribute("aria-expanded"), "true");

    const hostile = CONSOLE.find((e) => e.message.includes("onerror"));
    const shown = page.getByTestId("console-row").filter({ hasText: "onerror" });
    assert.equal(await shown.locator(".message").textContent(), hostile.message);
    assert.equal(await page.getByTestId("console-panel").locator("img").count(), 0);
    await screenshot(page, "console-panel");
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("network panel", () => {
  test("lists every request, failed ones highlighted; filters and search", async () => {
    const { page, errors } = await openPanel("network");
    const listed = await networkRows(page);
    assert.deepEqual(
      listed.map(({ index, url, failed }) => ({ index, url, failed })),
      NETWORK.map(({ index, url, failed }) => ({ index, url, failed })),
    );
    // A path the recorder kept relative is absolute against the page.
    assert.ok(listed.some((r) => r.url === "https://shop.example.test/api/cart"));
    const failed = listed.filter((r) => r.failed);
    assert.equal(failed.length, NETWORK.filter((r) => r.failed).length);
    assert.ok(failed.length > 0 && failed.length < listed.length);
    const failedRow = page.locator('[data-testid="network-row"][data-failed="true"]').first();
    const okRow = page.locator('[data-testid="network-row"][data-failed="false"]').first();
    const bg = (l) => l.evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.notEqual(await bg(failedRow), await bg(okRow), "failed rows stand out");

    await page.getByTestId("network-failed").click();
    assert.deepEqual(
      (await networkRows(page)).map((r) => r.index),
      NETWORK.filter((r) => r.failed).map((r) => r.index),
    );
    await page.getByTestId("network-all").click();
    await page.locator('[data-testid="network-kind"][data-kind="img"]').click();
    assert.deepEqual(
      (await networkRows(page)).map((r) => r.url),
      NETWORK.filter((r) => r.kind === "img").map((r) => r.url),
    );
    await page.getByTestId("network-all").click();
    await page.getByTestId("network-search").fill("api PAY");
    assert.deepEqual(
      (await networkRows(page)).map((r) => r.url),
      ["https://shop.example.test/api/pay"],
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a selected request shows its headers and bodies as text; Seek plays its moment", async () => {
    const { page, errors } = await openPanel("network");
    const cart = NETWORK.find((r) => r.url.endsWith("/api/cart"));
    const detail = frustrated.requests.find((d) => d.request.index === cart.index);
    const before = (await probe(page)).currentTime;
    await page.locator(`[data-testid="network-row"][data-index="${cart.index}"]`).click();
    const body = page.getByTestId("network-response-body");
    await body.waitFor();
    // Selecting does not seek.
    assert.ok(Math.abs((await probe(page)).currentTime - before) < 50);
    assert.equal(await body.textContent(), detail.payloads.responseBody.text);
    assert.ok((await body.textContent()).includes("<img src=x onerror="));
    assert.equal(await page.getByTestId("network-detail").locator("img, b").count(), 0);
    const headers = await page
      .getByTestId("network-response-headers")
      .evaluate((dl) =>
        [...dl.querySelectorAll("dt")].map((dt) => [
          dt.textContent,
          dt.nextElementSibling.textContent,
        ]),
      );
    assert.deepEqual(headers, detail.payloads.responseHeaders);
    assert.equal(
      await page.getByTestId("network-detail-url").textContent(),
      "https://shop.example.test/api/cart",
    );
    await screenshot(page, "network-panel");

    await page.getByTestId("network-seek").click();
    await waitTime(page, cart.at - START - LEAD_IN);

    // The failed request: its request body, and a double click seeks too.
    const pay = NETWORK.find((r) => r.url.endsWith("/api/pay"));
    const row = page.locator(`[data-testid="network-row"][data-index="${pay.index}"]`);
    await row.dblclick();
    await waitTime(page, pay.at - START - LEAD_IN);
    assert.ok((await page.getByTestId("network-request-body").textContent()).includes("4242"));
    assert.equal(await page.getByTestId("network-detail-status").textContent(), String(pay.status));

    // A request with nothing recorded says so.
    const logo = NETWORK.find((r) => r.kind === "img");
    await page.locator(`[data-testid="network-row"][data-index="${logo.index}"]`).click();
    await page.getByTestId("network-no-detail").waitFor();
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
