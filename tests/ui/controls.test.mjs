// The player's controls beyond play and seek: speed, skipping inactivity, keyboard shortcuts,
// marker navigation, the shortcut list, and a legible timeline (clusters, legend, hover).
// The frustrated fixture idles twice and has markers close together; the counter fixture's page
// shows "Tick N" at N seconds, so the replay can be checked against the clock.
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
const MARKERS = frustrated.markers.filter((m) => m.window === 0);
const offsetOf = (m) => m.at - START;
const ERROR_KINDS = new Set(["exception", "console_error", "error_click", "failed_request"]);
const seekOf = (m) => Math.max(0, offsetOf(m) - 1000);
/** Idle stretches of the window, in ms from its start. */
const IDLE = frustrated.windows[0].segments
  .filter((s) => !s.active)
  .map((s) => ({ from: s.start - START, to: s.end - START }));

const LIBRARY = "counter.json,frustrated.json";

const open = (params = { library: LIBRARY }) => openClean(app, params);
const select = selectSession;

const now = (page) => page.evaluate(() => window.__tapedeck.currentTime());

/** How fast the replay clock runs against wall time, over `ms` of wall time. */
async function clockRate(page, ms = 1500) {
  const a = await page.evaluate(() => [window.__tapedeck.currentTime(), performance.now()]);
  await page.waitForTimeout(ms);
  const b = await page.evaluate(() => [window.__tapedeck.currentTime(), performance.now()]);
  return (b[0] - a[0]) / (b[1] - a[1]);
}

const tickShown = async (page) => {
  const m = /Tick (\d+)/.exec(await replayText(page));
  return m ? Number(m[1]) : null;
};

describe("player controls", () => {
  test("speed changes how fast the replay runs, playing or paused, and is remembered", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/checkout");
    // Skipping off, so the counter's idle stretches do not jump the clock.
    await page.getByTestId("skip-inactivity").click();
    const speed = page.getByTestId("speed");
    assert.equal(await speed.inputValue(), "1");
    const normal = await clockRate(page, 1000);
    assert.ok(normal > 0.6 && normal < 1.6, `1× runs at ${normal.toFixed(2)}×`);

    await speed.selectOption("4");
    const fast = await clockRate(page);
    assert.ok(fast > 2.5 && fast < 6, `4× runs at ${fast.toFixed(2)}×`);
    // The page shows the moment the clock says.
    const t = await now(page);
    const tick = await tickShown(page);
    assert.ok(Math.abs(tick - t / 1000) <= 2.5, `tick ${tick} at ${t} ms`);

    // Changed while paused: it applies when play resumes.
    await pauseWhenLoaded(page);
    await seekTo(page, 5_000);
    await speed.selectOption("16");
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Space");
    await page.waitForFunction(() => window.__tapedeck.playing());
    const faster = await clockRate(page, 1000);
    assert.ok(faster > 9 && faster < 24, `16× runs at ${faster.toFixed(2)}×`);

    // Remembered across a restart.
    await page.reload();
    await page.waitForFunction(() => window.__tapedeck !== undefined);
    await select(page, "shop.example.test/checkout");
    assert.equal(await page.getByTestId("speed").inputValue(), "16");
    assert.equal(await page.getByTestId("skip-inactivity").getAttribute("aria-pressed"), "false");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("skipping inactivity jumps over idle stretches with a notice; off, it plays them", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    const skip = page.getByTestId("skip-inactivity");
    assert.equal(await skip.getAttribute("aria-pressed"), "true", "on by default");
    await pauseWhenLoaded(page);
    const [first, second] = IDLE;
    assert.ok(first && second && first.to - first.from >= 5_000);

    // Played into the first idle stretch: the clock jumps to its end, with a notice.
    await seekTo(page, first.from - 700);
    await page.keyboard.press("Space");
    const notice = page.getByTestId("skip-notice");
    await notice.waitFor({ timeout: 3_000 });
    assert.match(await notice.innerText(), /^Skipping \d+ s idle$/);
    await page.waitForFunction((to) => window.__tapedeck.currentTime() >= to, first.to, {
      timeout: 3_000,
    });
    assert.equal(
      await page.locator('[aria-live="polite"]:has([data-testid="skip-notice"])').count(),
      1,
    );
    await screenshot(page, "player-skip-notice");
    // It fades and goes.
    await notice.waitFor({ state: "detached", timeout: 3_000 });
    // And the next one (32 s) is skipped too, long before 32 s of wall time.
    await page.waitForFunction((to) => window.__tapedeck.currentTime() >= to, second.to, {
      timeout: 5_000,
    });

    // Off (S): the same stretch plays in real time.
    await pauseWhenLoaded(page);
    await page.keyboard.press("s");
    assert.equal(await skip.getAttribute("aria-pressed"), "false");
    await seekTo(page, first.from - 700);
    await page.keyboard.press("Space");
    await page.waitForTimeout(2_000);
    const t = await now(page);
    assert.ok(t > first.from && t < first.from + 3_000, `still in the idle stretch at ${t}`);
    assert.equal(await page.getByTestId("skip-notice").count(), 0);

    // A seek into an idle stretch shows that moment, even with skipping on.
    await pauseWhenLoaded(page);
    await page.keyboard.press("S");
    assert.equal(await skip.getAttribute("aria-pressed"), "true");
    await seekTo(page, second.from + 3_000);
    await page.keyboard.press("Space");
    await page.waitForTimeout(600);
    const inside = await now(page);
    assert.ok(inside < second.from + 5_000, `seeking inside stays there (${inside})`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("with skipping on, six idle minutes pass in a moment and show the page after them", async () => {
    const idle = JSON.parse(
      readFileSync(new URL("fixtures/long-idle.analysis.json", import.meta.url), "utf8"),
    );
    const origin = idle.segments[0].start;
    const gap = idle.windows[0].segments
      .filter((g) => !g.active)
      .map((g) => ({ from: g.start - origin, to: g.end - origin }))
      .find((g) => g.to - g.from >= 6 * 60_000);
    assert.ok(gap, "the fixture has a six-minute idle gap");
    const { page, errors } = await open({ library: "long-idle.json" });
    await select(page, "idle.example.test/report");
    await pauseWhenLoaded(page);
    await seekTo(page, gap.from - 1_000);
    const wall = await page.evaluate(async (to) => {
      const t0 = performance.now();
      document.querySelector('[data-testid="play-toggle"]').click();
      while (window.__tapedeck.currentTime() < to) {
        if (performance.now() - t0 > 10_000) return null;
        await new Promise(requestAnimationFrame);
      }
      return performance.now() - t0;
    }, gap.to);
    assert.ok(wall !== null, "playback got past the gap");
    // One second of playing up to the gap, then the jump: the six minutes themselves take
    // well under a second (the margin is for a busy machine).
    assert.ok(wall < 2_500, `six idle minutes took ${Math.round(wall)} ms of wall time`);
    assert.match(await page.getByTestId("skip-notice").innerText(), /^Skipping 6 min idle$/);
    await page.waitForFunction(() =>
      /Tick 38\d/.test(
        document.querySelector('[data-testid="replay"] iframe')?.contentDocument?.body?.innerText,
      ),
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("keyboard shortcuts seek, change speed and skipping, and go from marker to marker", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    await pauseWhenLoaded(page);
    await page.getByTestId("timeline").focus();
    await page.keyboard.press("Home");
    await page.evaluate(() => document.activeElement?.blur());
    await page.waitForFunction(() => window.__tapedeck.currentTime() === 0);

    const expectAt = (ms, what) =>
      page
        .waitForFunction((t) => Math.abs(window.__tapedeck.currentTime() - t) < 50, ms, {
          timeout: 3_000,
        })
        .catch(async () => assert.fail(`${what}: at ${await now(page)}, expected ${ms}`));

    // Arrows: ±5 s, with Shift ±1 s.
    await page.keyboard.press("ArrowRight");
    await expectAt(5_000, "→");
    await page.keyboard.press("Shift+ArrowRight");
    await expectAt(6_000, "Shift+→");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.keyboard.press("Shift+ArrowLeft");
    await expectAt(4_000, "Shift+← twice");
    await page.keyboard.press("ArrowLeft");
    await expectAt(0, "← clamps at the start");

    // N/P: 1 s before the next/previous marker, as clicking a marker does.
    const seeks = [...new Set(MARKERS.map(seekOf))].sort((a, b) => a - b).filter((t) => t > 0);
    assert.ok(seeks.length >= 5);
    for (const [i, t] of seeks.slice(0, 4).entries()) {
      await page.keyboard.press("n");
      await expectAt(t, `N #${i + 1}`);
    }
    await page.keyboard.press("p");
    await expectAt(seeks[2], "P");
    await page.keyboard.press("P");
    await expectAt(seeks[1], "P again");
    assert.equal((await probe(page)).playing, false, "marker keys keep it paused");

    // E: the next error-like marker each time.
    const errorSeeks = [
      ...new Set(MARKERS.filter((m) => ERROR_KINDS.has(m.kind)).map(seekOf)),
    ].sort((a, b) => a - b);
    assert.ok(errorSeeks.length >= 3);
    for (const [i, t] of errorSeeks.entries()) {
      await page.keyboard.press("e");
      await expectAt(t, `E #${i + 1}`);
    }
    // Past the last one, E stays put.
    await page.keyboard.press("e");
    await page.waitForTimeout(150);
    await expectAt(errorSeeks.at(-1), "E past the last error");

    // 1–6: the speeds.
    const speed = page.getByTestId("speed");
    for (const [key, value] of [
      ["3", "2"],
      ["6", "16"],
      ["1", "0.5"],
      ["4", "4"],
      ["5", "8"],
      ["2", "1"],
    ]) {
      await page.keyboard.press(key);
      assert.equal(await speed.inputValue(), value, `key ${key}`);
    }
    // S: skipping.
    const skip = page.getByTestId("skip-inactivity");
    await page.keyboard.press("s");
    assert.equal(await skip.getAttribute("aria-pressed"), "false");
    await page.keyboard.press("s");
    assert.equal(await skip.getAttribute("aria-pressed"), "true");

    // Not while typing in a field: the speed menu keeps its keys.
    await speed.focus();
    await page.keyboard.press("n");
    await page.keyboard.press("s");
    assert.equal(await skip.getAttribute("aria-pressed"), "true");
    await expectAt(errorSeeks.at(-1), "N in the speed menu");
    await page.evaluate(() => document.activeElement?.blur());

    // ?: the shortcut list; ? or Esc closes it.
    const help = page.getByTestId("shortcuts");
    await page.keyboard.press("?");
    await help.waitFor();
    const text = await help.innerText();
    for (const what of [
      "Play / pause",
      "Back / forward 5 s",
      "Back / forward 1 s",
      "Speed 0.5×, 1×, 2×, 4×, 8×, 16×",
      "Skip inactivity",
      "Next marker",
      "Previous marker",
      "Next error",
    ]) {
      assert.ok(text.includes(what), `the list has ${what}`);
    }
    await screenshot(page, "player-shortcuts");
    await page.keyboard.press("?");
    await help.waitFor({ state: "detached" });
    await page.keyboard.press("?");
    await help.waitFor();
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "detached" });
    await page.getByTestId("shortcuts-toggle").click();
    await help.waitFor();
    await page.getByTestId("shortcuts-close").click();
    await help.waitFor({ state: "detached" });

    // Space still plays and pauses.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Space");
    await page.waitForFunction(() => window.__tapedeck.playing());
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the marker buttons name their shortcut and seek like the keys", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    await pauseWhenLoaded(page);
    const prev = page.getByTestId("previous-marker");
    const next = page.getByTestId("next-marker");
    const error = page.getByTestId("next-error");
    assert.match(await prev.getAttribute("title"), /\(P\)$/);
    assert.match(await next.getAttribute("title"), /\(N\)$/);
    assert.match(await error.getAttribute("title"), /\(E\)$/);
    assert.match(await page.getByTestId("skip-inactivity").getAttribute("title"), /\(S\)$/);
    assert.match(await page.getByTestId("shortcuts-toggle").getAttribute("title"), /\(\?\)$/);

    await seekTo(page, 0);
    const seeks = [...new Set(MARKERS.map(seekOf))].sort((a, b) => a - b).filter((t) => t > 0);
    await next.click();
    await page.waitForFunction((t) => window.__tapedeck.currentTime() === t, seeks[0]);
    await next.click();
    await page.waitForFunction((t) => window.__tapedeck.currentTime() === t, seeks[1]);
    await prev.click();
    await page.waitForFunction((t) => window.__tapedeck.currentTime() === t, seeks[0]);
    const firstError = Math.min(...MARKERS.filter((m) => ERROR_KINDS.has(m.kind)).map(seekOf));
    await error.click();
    await page.waitForFunction((t) => window.__tapedeck.currentTime() === t, firstError);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("close markers cluster; the legend counts kinds; hovering names the nearest", async () => {
    const { page, errors } = await open();
    await select(page, "shop.example.test/cart");
    await pauseWhenLoaded(page);

    // Fewer marks drawn than markers, and the clusters account for all of them.
    const singles = page.locator('[data-testid="timeline-marker"]:visible');
    const clusters = page.getByTestId("timeline-cluster");
    const nSingles = await singles.count();
    const nClusters = await clusters.count();
    assert.ok(nClusters >= 1, "the rage clicks cluster");
    assert.ok(nSingles + nClusters < MARKERS.length, "fewer marks than markers");
    const counts = await clusters.evaluateAll((els) =>
      els.map((e) => ({
        count: Number(e.dataset.count),
        text: e.textContent.trim(),
        title: e.title,
        offset: Number(e.dataset.offset),
      })),
    );
    assert.equal(nSingles + counts.reduce((n, c) => n + c.count, 0), MARKERS.length);
    for (const c of counts) {
      assert.ok(c.count >= 2);
      assert.equal(c.text, String(c.count), "the cluster shows its count");
      assert.match(c.title, new RegExp(`· ${c.count} markers\\n`));
      assert.equal(c.title.split("\n").length, c.count + 1, "its title lists each marker");
    }
    // Marks drawn at least a badge (14 px) apart, so none covers another.
    const xs = await page
      .locator('[data-testid="timeline-marker"]:visible, [data-testid="timeline-cluster"]')
      .evaluateAll((els) =>
        els.map((e) => e.getBoundingClientRect()).map((r) => r.left + r.width / 2),
      );
    xs.sort((a, b) => a - b);
    for (let i = 1; i < xs.length; i++) assert.ok(xs[i] - xs[i - 1] >= 13.5, `gap at ${i}`);

    // The rage click's cluster: its title names it; a click seeks to its first marker.
    const rage = MARKERS.find((m) => m.kind === "rage_click");
    const cluster = page.locator('[data-testid="timeline-cluster"][data-kinds~="rage_click"]');
    assert.ok((await cluster.getAttribute("title")).includes(rage.label));
    const firstAt = Number(await cluster.getAttribute("data-offset"));
    assert.ok(firstAt <= offsetOf(rage));
    await cluster.click();
    await page.waitForFunction(
      (t) => Math.abs(window.__tapedeck.currentTime() - t) < 50,
      Math.max(0, firstAt - 1000),
    );
    assert.equal((await probe(page)).playing, false);

    // Legend: each kind present, with its count.
    const expected = {};
    for (const m of MARKERS) expected[m.kind] = (expected[m.kind] ?? 0) + 1;
    await page.getByTestId("marker-legend-toggle").click();
    const legend = page.getByTestId("marker-legend");
    await legend.waitFor();
    const items = await legend
      .getByTestId("legend-item")
      .evaluateAll((els) =>
        Object.fromEntries(els.map((e) => [e.dataset.kind, Number(e.dataset.count)])),
      );
    assert.deepEqual(items, expected);
    assert.match(await legend.locator('[data-kind="rage_click"]').innerText(), /Rage click\s+1/);
    await screenshot(page, "player-legend");
    await page.keyboard.press("Escape");
    await legend.waitFor({ state: "detached" });

    // Hover: the time, and the nearest marker's name.
    const failed = MARKERS.find((m) => m.kind === "failed_request");
    const box = await page.getByTestId("timeline").boundingBox();
    const duration = (await probe(page)).duration;
    await page.mouse.move(
      box.x + (box.width * offsetOf(failed)) / duration + 2,
      box.y + box.height - 3,
    );
    const hover = page.getByTestId("timeline-hover");
    await hover.waitFor();
    const said = await hover.innerText();
    assert.match(said, /^0:16/);
    assert.ok(said.includes(`Failed request: ${failed.label}`), said);
    await screenshot(page, "player-hover");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
