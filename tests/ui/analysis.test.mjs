// What the engine's analysis adds to the UI, in Chromium against the test backend: figures on
// the feed rows, sorting by them, markers and idle stretches on the timeline, and the analysis
// settings. The figures come from the fixtures' `*.analysis.json`, which the real engine wrote.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { probe, screenshot, useApp } from "./harness.mjs";
import { openClean, pauseWhenLoaded } from "./player-helpers.mjs";

const app = useApp();

const analysis = (name) =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}.analysis.json`, import.meta.url), "utf8"));
const frustrated = analysis("frustrated");
const counter = analysis("counter");

const LIBRARY = "counter.json,second.json,frustrated.json";
const row = (page, text) => page.locator('[data-testid="session-row"]', { hasText: text });
const rowUrls = (page) => page.locator('[data-testid="session-row"] .url').allInnerTexts();

const open = (params, size) => openClean(app, params, size);

async function selectFrustrated(page) {
  await row(page, "shop.example.test/cart").click();
  await page.waitForFunction(() => window.__tapedeck.duration() > 0);
}

/** Inactive segments merged with their neighbours, as the timeline draws them. */
function mergedInactive(segments) {
  const out = [];
  for (const s of segments.filter((s) => !s.active)) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

describe("analysis", () => {
  test("rows show the figures the engine found", async () => {
    const { page, errors } = await open({ library: LIBRARY });
    const bad = row(page, "shop.example.test/cart");
    await bad.waitFor();
    const i = frustrated.insights;
    assert.ok(i.errors > 0 && i.rageClicks > 0 && i.deadClicks > 0 && i.failedRequests > 0);
    assert.equal(await bad.getByTestId("session-errors").innerText(), `${i.errors} errors`);
    assert.equal(await bad.getByTestId("session-warnings").innerText(), `${i.warnings} warning`);
    assert.equal(
      await bad.getByTestId("session-failed").innerText(),
      `${i.failedRequests} failed request`,
    );
    assert.equal(await bad.getByTestId("session-rage").innerText(), `${i.rageClicks} rage click`);
    assert.equal(await bad.getByTestId("session-dead").innerText(), `${i.deadClicks} dead click`);
    assert.equal(await bad.getByTestId("session-pages").innerText(), "1 page");
    assert.equal(await bad.getByTestId("session-active").innerText(), "(0:19 active)");
    assert.equal(await bad.getByTestId("session-duration").innerText(), "1:00");
    const score = bad.getByTestId("session-score");
    assert.equal(await score.innerText(), String(i.frustrationScore));
    assert.equal(await score.getAttribute("data-severity"), "medium");
    assert.match(
      await score.getAttribute("title"),
      new RegExp(`^Frustration score ${i.frustrationScore} of 100: medium$`),
    );

    // A calm session: a zero score, no issue chips, its own active time and page count.
    const calm = row(page, "shop.example.test/checkout");
    assert.equal(counter.insights.frustrationScore, 0);
    assert.equal(await calm.getByTestId("session-score").innerText(), "0");
    assert.equal(await calm.getByTestId("session-score").getAttribute("data-severity"), "none");
    assert.equal(await calm.getByTestId("session-errors").count(), 0);
    assert.equal(await calm.getByTestId("session-rage").count(), 0);
    assert.equal(await calm.getByTestId("session-active").innerText(), "(0:22 active)");
    assert.equal(await calm.getByTestId("session-pages").innerText(), "2 pages");
    await screenshot(page, "feed-insights");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the sort control reorders the rows, keeps the selection and is remembered", async () => {
    const { page, errors } = await open({ library: LIBRARY });
    await page.getByTestId("session-row").first().waitFor();
    const sort = page.getByTestId("feed-sort");
    assert.equal(await sort.inputValue(), "recency");
    const docs = "docs.example.test/getting-started";
    const checkout = "shop.example.test/checkout";
    const cart = "shop.example.test/cart";
    assert.deepEqual(await rowUrls(page), [docs, checkout, cart]);

    await row(page, checkout).click();
    const selected = await row(page, checkout).getAttribute("data-session-id");

    const orders = {
      duration: [checkout, cart, docs],
      activeTime: [checkout, cart, docs],
      // The calm sessions tie at zero: newest first.
      errors: [cart, docs, checkout],
      frustration: [cart, docs, checkout],
      recency: [docs, checkout, cart],
    };
    for (const [value, expected] of Object.entries(orders)) {
      await sort.selectOption(value);
      await page.waitForFunction(
        (first) =>
          document.querySelector('[data-testid="session-row"] .url')?.textContent === first,
        expected[0],
      );
      assert.deepEqual(await rowUrls(page), expected, `sorted by ${value}`);
      assert.equal(await page.evaluate(() => window.__tapedeck.selectedId()), selected);
      assert.equal(await row(page, checkout).getAttribute("aria-selected"), "true");
    }
    const asked = await page.evaluate(() =>
      window.__testBackend.calls
        .filter((c) => c.command === "searchSessions")
        .map((c) => c.args[0].sort),
    );
    for (const value of Object.keys(orders)) assert.ok(asked.includes(value), `asked ${value}`);

    // Remembered across a restart.
    await sort.selectOption("errors");
    await page.waitForFunction(
      (first) => document.querySelector('[data-testid="session-row"] .url')?.textContent === first,
      cart,
    );
    await page.reload();
    await page.getByTestId("session-row").first().waitFor();
    assert.equal(await page.getByTestId("feed-sort").inputValue(), "errors");
    assert.deepEqual(await rowUrls(page), orders.errors);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the timeline shows the session's markers and its idle stretches", async () => {
    const { page, errors } = await open({ library: LIBRARY });
    await selectFrustrated(page);
    await pauseWhenLoaded(page);
    const markers = page.getByTestId("timeline-marker");
    const expected = frustrated.markers.filter((m) => m.window === 0);
    assert.ok(expected.length > 5);
    assert.equal(await markers.count(), expected.length);
    const shown = await markers.evaluateAll((els) =>
      els.map((e) => ({
        kind: e.dataset.kind,
        offset: Number(e.dataset.offset),
        title: e.title,
        label: e.getAttribute("aria-label"),
      })),
    );
    const start = frustrated.segments[0].start;
    shown.forEach((m, i) => {
      assert.equal(m.kind, expected[i].kind);
      assert.equal(m.offset, expected[i].at - start);
      assert.ok(m.title.endsWith(expected[i].label), `${m.title} names ${expected[i].label}`);
      assert.equal(m.label, m.title, "the kind is in the accessible name too");
    });
    const rage = shown.find((m) => m.kind === "rage_click");
    assert.match(rage.title, /^0:03 · Rage click: Rage click ×4 on button/);

    // Markers sit on the timeline's scale (the failed request stands alone; the dead click
    // shares its moment with a click, so they are drawn as one cluster there).
    const box = await page.getByTestId("timeline").boundingBox();
    const duration = (await probe(page)).duration;
    const placedAt = async (el) => {
      const b = await el.boundingBox();
      const at = Number(await el.getAttribute("data-offset"));
      return { x: b.x + b.width / 2, expected: box.x + (box.width * at) / duration };
    };
    const failed = await placedAt(
      page.locator('[data-testid="timeline-marker"][data-kind="failed_request"]'),
    );
    assert.ok(Math.abs(failed.x - failed.expected) < 2, "failed request placed");
    const dead = await placedAt(
      page.locator('[data-testid="timeline-cluster"][data-kinds~="dead_click"]'),
    );
    assert.ok(Math.abs(dead.x - dead.expected) < 2, "dead click's cluster placed");

    // The idle stretches, merged, on the same scale.
    const idle = mergedInactive(frustrated.windows[0].segments);
    const spans = page.getByTestId("inactive-segment");
    assert.equal(await spans.count(), idle.length);
    assert.ok(idle.length >= 2);
    for (const [n, s] of idle.entries()) {
      const b = await spans.nth(n).boundingBox();
      const left = box.x + (box.width * (s.start - start)) / duration;
      const right = box.x + (box.width * (s.end - start)) / duration;
      assert.ok(Math.abs(b.x - left) < 2, `idle ${n} starts at ${left}, not ${b.x}`);
      assert.ok(Math.abs(b.x + b.width - right) < 2, `idle ${n} ends at ${right}`);
    }
    await screenshot(page, "player-markers");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("clicking a marker seeks to just before it; the rail still scrubs", async () => {
    const { page, errors } = await open({ library: LIBRARY });
    await selectFrustrated(page);
    await pauseWhenLoaded(page);
    for (const kind of ["console_error", "failed_request", "console_warning"]) {
      const marker = page.locator(`[data-testid="timeline-marker"][data-kind="${kind}"]`);
      const at = Number(await marker.getAttribute("data-offset"));
      await marker.click();
      await page.waitForFunction(
        (to) => Math.abs(window.__tapedeck.currentTime() - to) < 50,
        at - 1000,
      );
      assert.equal((await probe(page)).playing, false, "seeking to a marker stays paused");
    }
    // The first marker is at the very start: it seeks to 0, not before it.
    await page.getByTestId("timeline-marker").first().click();
    await page.waitForFunction(() => window.__tapedeck.currentTime() === 0);

    // A click on the rail itself still seeks to that point.
    const box = await page.getByTestId("timeline").boundingBox();
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height / 2);
    const half = (await probe(page)).duration / 2;
    await page.waitForFunction((t) => Math.abs(window.__tapedeck.currentTime() - t) < 1000, half);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("sessions without an analysis have no markers", async () => {
    const { page, errors } = await open({ library: "with-user.json" });
    await page.getByTestId("session-row").click();
    await page.waitForFunction(() => window.__tapedeck.duration() > 0);
    assert.equal(await page.getByTestId("timeline-marker").count(), 0);
    assert.equal(await page.getByTestId("inactive-segment").count(), 0);
    assert.equal(await page.getByTestId("session-score").innerText(), "0");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the analysis settings round-trip through the backend", async () => {
    const { page, errors } = await open({ library: LIBRARY, delay: "150" });
    await page.getByTestId("open-analysis-settings").click();
    const dialog = page.getByTestId("analysis-settings");
    await dialog.waitFor();
    const field = (id) => dialog.getByTestId(id);
    const values = async () => ({
      inactivity: await field("setting-inactivity").inputValue(),
      dead: await field("setting-dead-click").inputValue(),
      rageClicks: await field("setting-rage-clicks").inputValue(),
      rageInterval: await field("setting-rage-interval").inputValue(),
      rageRadius: await field("setting-rage-radius").inputValue(),
      uTurn: await field("setting-u-turn").inputValue(),
    });
    // The engine's defaults, in the fields' units.
    assert.deepEqual(await values(), {
      inactivity: "5",
      dead: "2000",
      rageClicks: "3",
      rageInterval: "1000",
      rageRadius: "30",
      uTurn: "5",
    });
    await screenshot(page, "analysis-settings");

    await field("setting-inactivity").fill("8");
    await field("setting-dead-click").fill("3000");
    await field("setting-rage-clicks").fill("4");
    await field("setting-u-turn").fill("2.5");
    await dialog.getByTestId("analysis-settings-save").click();
    await dialog.getByTestId("analysis-progress").waitFor();
    assert.match(await dialog.getByTestId("analysis-progress").innerText(), /Re-analysing/);
    await dialog.getByTestId("analysis-done").waitFor();
    assert.match(
      await dialog.getByTestId("analysis-done").innerText(),
      /Saved\. Re-analysed 3 sessions\./,
    );
    const saved = await page.evaluate(() =>
      window.__testBackend.calls.filter((c) => c.command === "setAnalysisSettings"),
    );
    assert.equal(saved.length, 1);
    assert.deepEqual(saved[0].args[0], {
      inactivityThresholdMs: 8000,
      rageClickMinClicks: 4,
      rageClickIntervalMs: 1000,
      rageClickRadiusPx: 30,
      deadClickTimeoutMs: 3000,
      errorClickWindowMs: 1000,
      thrashWindowMs: 1000,
      thrashMinLegPx: 100,
      mouseThrashReversals: 4,
      scrollThrashReversals: 3,
      uTurnMs: 2500,
      resizeMergeMs: 500,
    });
    // The library changed: the feed asked again.
    await page.waitForFunction(
      () => window.__testBackend.calls.filter((c) => c.command === "searchSessions").length >= 2,
    );

    // Settings the engine refuses: its code and message, and nothing saved.
    await field("setting-inactivity").fill("0");
    await dialog.getByTestId("analysis-settings-save").click();
    const error = dialog.getByTestId("analysis-settings-error");
    await error.waitFor();
    assert.match(await error.innerText(), /invalid_settings/);
    assert.match(await error.innerText(), /inactivity threshold must be between 1 ms and 24 h/);

    // Closed and opened again: what the backend holds.
    await dialog.getByTestId("analysis-settings-close").click();
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("open-analysis-settings").click();
    await dialog.waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="setting-inactivity"]')?.value === "8",
    );
    assert.deepEqual(await values(), {
      inactivity: "8",
      dead: "3000",
      rageClicks: "4",
      rageInterval: "1000",
      rageRadius: "30",
      uTurn: "2.5",
    });
    // Escape closes it.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
