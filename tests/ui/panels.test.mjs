// The side panels beside the replay: the Events list (every marker, the one being played
// highlighted, click to seek, filter by kind, search), the Session panel (user, client,
// figures, pages), and the panel area itself (hidden or shown, resized, both remembered).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { probe, useApp } from "./harness.mjs";
import { openClean, pauseWhenLoaded, seekTo, selectSession } from "./player-helpers.mjs";

const app = useApp();

const fixture = (name) =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8"));
const frustrated = fixture("frustrated.analysis.json");
const counter = fixture("counter.analysis.json");
const START = frustrated.segments[0].start;
/** The fixture's markers in time order (simultaneous ones as the engine listed them). */
const MARKERS = frustrated.markers
  .map((m, i) => ({ m, i }))
  .sort((a, b) => a.m.at - b.m.at || a.i - b.i)
  .map(({ m }) => m);
const offsetOf = (m) => m.at - START;

const LIBRARY = "counter.json,frustrated.json,second.json,with-user.json";

const open = (params = { library: LIBRARY }) => openClean(app, params);
const select = selectSession;

const rows = (page) => page.getByTestId("event-row");
const rowData = (page) =>
  rows(page).evaluateAll((els) =>
    els.map((e) => ({
      at: Number(e.dataset.at),
      kind: e.dataset.kind,
      label: e.querySelector(".label").textContent,
      current: e.getAttribute("aria-current") === "true",
    })),
  );
const currentRow = async (page) => (await rowData(page)).filter((r) => r.current);

describe("events panel", () => {
  test("lists every marker in time order with its time, kind and label", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    await pauseWhenLoaded(page);
    assert.equal(await page.getByTestId("tab-events").getAttribute("aria-selected"), "true");
    const listed = await rowData(page);
    assert.deepEqual(
      listed.map(({ at, kind, label }) => ({ at, kind, label })),
      MARKERS.map(({ at, kind, label }) => ({ at, kind, label })),
    );
    // m:ss from the start; the kind named for screen readers.
    const first = rows(page).filter({ hasText: "Payment failed" });
    assert.equal(await first.locator(".at").textContent(), "0:14");
    assert.equal(await first.locator('[role="img"]').getAttribute("aria-label"), "Console error");
    // One window: no window column.
    assert.equal(await page.locator(".events .win").count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the row of the moment played is highlighted and follows playback", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    await pauseWhenLoaded(page);
    const expectAt = async (ms) => {
      await seekTo(page, ms);
      const t = (await probe(page)).currentTime + START;
      const want = MARKERS.filter((m) => m.at <= t).at(-1);
      await page.waitForFunction(
        (at) => {
          const cur = [...document.querySelectorAll('[data-testid="event-row"]')].filter(
            (e) => e.getAttribute("aria-current") === "true",
          );
          return cur.length === 1 && Number(cur[0].dataset.at) === at;
        },
        want.at,
        { timeout: 3000 },
      );
      return (await currentRow(page))[0];
    };
    assert.equal((await expectAt(15_500)).kind, "console_warning");
    assert.equal((await expectAt(9_000)).kind, "dead_click");
    // Simultaneous markers: the later row.
    assert.equal((await expectAt(3_100)).kind, "rage_click");
    assert.equal((await expectAt(17_000)).kind, "failed_request");

    // Playing on moves the highlight.
    await seekTo(page, 13_600);
    assert.equal((await currentRow(page))[0].kind, "dead_click");
    await page.keyboard.press("Space");
    await page.waitForFunction(() => window.__tapedeck.playing());
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="event-row"][aria-current="true"]')?.dataset.kind ===
        "console_error",
      null,
      { timeout: 5000 },
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("clicking a row seeks to a second before its marker", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    await pauseWhenLoaded(page);
    const target = MARKERS.find((m) => m.kind === "failed_request");
    const before = (await probe(page)).currentTime;
    await rows(page).filter({ hasText: target.label }).click();
    const want = offsetOf(target) - 1000;
    assert.ok(Math.abs(before - want) > 2000, "the seek must move the clock");
    await page.waitForFunction((t) => Math.abs(window.__tapedeck.currentTime() - t) < 150, want, {
      timeout: 3000,
    });
    // Still paused: a seek does not start playback.
    assert.equal((await probe(page)).playing, false);

    const early = MARKERS.find((m) => m.kind === "navigation");
    await rows(page).filter({ hasText: early.label }).click();
    await page.waitForFunction(() => window.__tapedeck.currentTime() < 150, null, {
      timeout: 3000,
    });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("filtering by kind and searching narrow the list", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    await pauseWhenLoaded(page);
    const kinds = async () => (await rowData(page)).map((r) => r.kind);
    const chip = (kind) => page.locator(`[data-testid="events-kind"][data-kind="${kind}"]`);

    // Counts on the chips.
    const clicks = MARKERS.filter((m) => m.kind === "click").length;
    assert.match(await chip("click").textContent(), new RegExp(`Click\\s*${clicks}`));
    assert.match(
      await page.getByTestId("events-kind-all").textContent(),
      new RegExp(`${MARKERS.length}`),
    );

    await chip("dead_click").click();
    assert.deepEqual(await kinds(), ["dead_click"]);
    await chip("console_error").click();
    assert.deepEqual(await kinds(), ["dead_click", "console_error"]);
    await chip("dead_click").click();
    assert.deepEqual(await kinds(), ["console_error"]);
    await page.getByTestId("events-kind-all").click();
    assert.equal(await rows(page).count(), MARKERS.length);

    // Search: the detail's message (not in the label) and URL count.
    const search = page.getByTestId("events-search");
    await search.fill("card declined");
    assert.deepEqual(await kinds(), ["console_error"]);
    await search.fill("API/PAY");
    assert.deepEqual(await kinds(), ["failed_request"]);
    await search.fill("buy now");
    const buy = MARKERS.filter((m) => /buy now/i.test(m.label)).map((m) => m.kind);
    assert.deepEqual(await kinds(), buy);
    // Search and kind together.
    await chip("rage_click").click();
    assert.deepEqual(await kinds(), ["rage_click"]);
    await search.fill("no such thing");
    assert.equal(await rows(page).count(), 0);
    assert.equal(await page.getByTestId("events-empty").textContent(), "Nothing matches");
    await search.fill("");
    await page.getByTestId("events-kind-all").click();
    assert.equal(await rows(page).count(), MARKERS.length);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("typing in the search does not trigger the player's shortcuts", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    await pauseWhenLoaded(page);
    const speed = await page.getByTestId("speed").inputValue();
    const before = (await probe(page)).currentTime;
    const search = page.getByTestId("events-search");
    await search.click();
    // Space, digits and letters that are shortcuts elsewhere.
    await page.keyboard.type("buy now 4 s n e p");
    await page.keyboard.press("ArrowLeft");
    await page.waitForTimeout(300);
    assert.equal(await search.inputValue(), "buy now 4 s n e p");
    const p = await probe(page);
    assert.equal(p.playing, false, "space typed in the search must not play");
    assert.ok(Math.abs(p.currentTime - before) < 50, `no seek: ${before} → ${p.currentTime}`);
    assert.equal(await page.getByTestId("speed").inputValue(), speed);
    assert.equal(await page.getByTestId("skip-inactivity").getAttribute("aria-pressed"), "true");
    // Out of the box, space plays again.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Space");
    await page.waitForFunction(() => window.__tapedeck.playing());
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a session without markers says so", async () => {
    const { page, errors } = await open();
    await select(page, "app.example.test/account");
    await page.getByTestId("events-empty").waitFor();
    assert.equal(await page.getByTestId("events-empty").textContent(), "No markers");
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("session panel", () => {
  test("shows the user, the client and the analysis figures", async () => {
    const { page, errors } = await open();
    await select(page, "app.example.test/account");
    await page.getByTestId("tab-session").click();
    const field = (name) =>
      page.locator(`[data-testid="session-panel"] dd[data-field="${name}"]`).textContent();
    assert.equal(await field("Name"), "Ada Lovelace");
    assert.equal(await field("Email"), "ada@example.com");
    assert.equal(await field("ID"), "user-42");
    assert.equal(await field("Source"), "with-user.json");
    // Nothing known about the client: said so, not left blank.
    assert.equal(await field("Browser"), "Unknown");

    await select(page, "shop.example.test/cart");
    // The tab stays chosen from one session to the next.
    await page.getByTestId("session-panel").waitFor();
    assert.equal(await field("Source"), "frustrated.json");
    assert.equal(await field("Name"), "Unknown");
    const figure = (name) =>
      page.locator(`[data-testid="session-figures"] [data-figure="${name}"] dd`).textContent();
    const f = frustrated.insights;
    assert.equal(await figure("Errors"), String(f.errors));
    assert.equal(await figure("Warnings"), String(f.warnings));
    assert.equal(await figure("Failed requests"), String(f.failedRequests));
    assert.equal(await figure("Rage clicks"), String(f.rageClicks));
    assert.equal(await figure("Dead clicks"), String(f.deadClicks));
    assert.equal(await figure("Error clicks"), String(f.errorClicks));
    assert.equal(await figure("U-turns"), String(f.uTurns));
    assert.match(
      await page.getByTestId("session-frustration").textContent(),
      new RegExp(`\\b${f.frustrationScore}\\b`),
    );
    assert.equal(await field("Active time"), "0:19");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("lists the pages visited; clicking one seeks there", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/checkout");
    await pauseWhenLoaded(page);
    await page.getByTestId("tab-session").click();
    const pages = page.getByTestId("session-page");
    const navs = counter.markers.filter((m) => m.kind === "navigation");
    assert.equal(await pages.count(), navs.length);
    const last = pages.nth(navs.length - 1);
    assert.match(await last.textContent(), /thanks/);
    await last.click();
    const want = navs.at(-1).at - counter.segments[0].start;
    await page.waitForFunction((t) => Math.abs(window.__tapedeck.currentTime() - t) < 150, want, {
      timeout: 3000,
    });
    // One window, shown.
    assert.equal(await page.getByTestId("session-window").count(), 0);
    assert.match(await page.getByTestId("session-windows").textContent(), /Window 1/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("panel area", () => {
  test("hiding the panel gives the replay the room and is remembered", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    const toggle = page.getByTestId("panel-toggle");
    assert.equal(await toggle.getAttribute("aria-pressed"), "true");
    await page.getByTestId("side-panel").waitFor();
    const frameWidth = () =>
      page.locator(".stage").evaluate((e) => e.getBoundingClientRect().width);
    const withPanel = await frameWidth();
    await toggle.click();
    assert.equal(await page.getByTestId("side-panel").count(), 0);
    assert.equal(await toggle.getAttribute("aria-pressed"), "false");
    const without = await frameWidth();
    assert.ok(without > withPanel + 200, `stage ${withPanel} → ${without}`);

    await page.reload();
    await page.waitForFunction(() => window.__tapedeck !== undefined);
    await select(page, "shop.example.test/cart");
    assert.equal(await page.getByTestId("panel-toggle").getAttribute("aria-pressed"), "false");
    assert.equal(await page.getByTestId("side-panel").count(), 0);
    await page.getByTestId("panel-toggle").click();
    await page.getByTestId("side-panel").waitFor();
    await page.reload();
    await page.waitForFunction(() => window.__tapedeck !== undefined);
    await select(page, "shop.example.test/cart");
    await page.getByTestId("side-panel").waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("dragging the panel's edge resizes it, within bounds, and is remembered", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    const panel = page.getByTestId("side-panel");
    await panel.waitFor();
    const width = async () => (await panel.boundingBox()).width;
    const start = await width();
    const replayWidth = () =>
      page.locator(".frame").evaluate((e) => e.getBoundingClientRect().width);
    const replayBefore = await replayWidth();

    const drag = async (dx) => {
      const h = await page.getByTestId("panel-resize").boundingBox();
      const x = h.x + h.width / 2;
      const y = h.y + h.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + dx / 2, y, { steps: 4 });
      await page.mouse.move(x + dx, y, { steps: 4 });
      await page.mouse.up();
    };
    await drag(-120);
    const wider = await width();
    assert.ok(Math.abs(wider - (start + 120)) <= 2, `${start} → ${wider}`);
    // The replay fits the room left.
    await page.waitForFunction(
      (w) => document.querySelector(".frame").getBoundingClientRect().width < w - 50,
      replayBefore,
    );

    // Bounded: not narrower than the minimum however far it is dragged.
    await drag(2000);
    const narrowest = await width();
    assert.ok(narrowest >= 250 && narrowest < start, `min ${narrowest}`);
    await drag(-2000);
    const widest = await width();
    assert.ok(widest <= 660 && widest > wider, `max ${widest}`);
    await drag(200);
    const chosen = await width();

    await page.reload();
    await page.waitForFunction(() => window.__tapedeck !== undefined);
    await select(page, "shop.example.test/cart");
    await page.getByTestId("side-panel").waitFor();
    assert.ok(Math.abs((await width()) - chosen) <= 1, `remembered ${chosen}`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
