// Playback: selecting plays, pause/play, seeking on the timeline, Space, the end, streaming.
// The counter fixture's page shows "Tick N" at N seconds, so the replayed DOM can be checked
// against the player's clock.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { probe, replayText, screenshot, useApp } from "./harness.mjs";
import { addClockRecording } from "./player-helpers.mjs";

const app = useApp();

const tickShown = async (page) => {
  const m = /Tick (\d+)/.exec(await replayText(page));
  return m ? Number(m[1]) : null;
};

async function selectCounter(page) {
  const row = page.locator('[data-testid="session-row"]', {
    hasText: "shop.example.test",
  });
  await row.click();
  const id = await row.getAttribute("data-session-id");
  await page.waitForFunction(
    (id) => window.__tapedeck.selectedId() === id && window.__tapedeck.duration() > 0,
    id,
  );
  return { row, id };
}

async function clickTimelineAt(page, fraction) {
  const box = await page.getByTestId("timeline").boundingBox();
  await page.mouse.click(box.x + box.width * fraction, box.y + box.height / 2);
}

async function pause(page) {
  const toggle = page.getByTestId("play-toggle");
  if ((await toggle.getAttribute("data-playing")) === "true") await toggle.click();
  await page.waitForFunction(() => !window.__tapedeck.playing());
}

describe("player", () => {
  test("selecting a session plays it in the replay iframe", async () => {
    const { page, errors } = await app.open({
      library: "counter.json,second.json",
    });
    const { row, id } = await selectCounter(page);
    assert.equal(await row.getAttribute("aria-selected"), "true");
    await page.waitForFunction(
      () => window.__tapedeck.playing() && window.__tapedeck.currentTime() > 1500,
    );
    const text = await replayText(page);
    assert.match(text, /Tapedeck fixture · Checkout/);
    assert.match(text, /A synthetic recording for the UI tests\./);
    // The page shows the moment the clock says.
    const p = await probe(page);
    const tick = await tickShown(page);
    assert.ok(Math.abs(tick - p.currentTime / 1000) <= 1.5, `tick ${tick} at ${p.currentTime} ms`);
    assert.equal(p.selectedId, id);
    // Two minutes from the Meta, plus the page-load events 10 ms before it (they share its
    // chunk, so replay starts with them).
    assert.equal(p.duration, 120_010);
    assert.equal(await page.getByTestId("duration").innerText(), "2:00");
    assert.equal(await page.getByTestId("play-toggle").getAttribute("aria-pressed"), "true");
    assert.equal(
      await page.getByTestId("page-url").innerText(),
      "https://shop.example.test/checkout?step=1",
    );
    assert.match(await page.locator(".viewport").innerText(), /1280 × 720/);

    // The recorded 1280×720 page is scaled down to fit, aspect ratio kept, inside the stage.
    const replayBox = await page.getByTestId("replay").boundingBox();
    const stageBox = await page.locator(".stage").boundingBox();
    assert.ok(replayBox.width <= stageBox.width + 1 && replayBox.height <= stageBox.height + 1);
    assert.ok(Math.abs(replayBox.width / replayBox.height - 1280 / 720) < 0.01);
    assert.ok(replayBox.width < 1280);
    await screenshot(page, "player-playing");

    // A smaller window: the page shrinks with it and stays centred.
    await page.setViewportSize({ width: 900, height: 560 });
    await page.waitForFunction(() => {
      const r = document.querySelector('[data-testid="replay"]').getBoundingClientRect();
      const s = document.querySelector(".stage").getBoundingClientRect();
      return r.width <= s.width + 1 && r.height <= s.height + 1 && r.width > s.width * 0.6;
    });
    const small = await page.getByTestId("replay").boundingBox();
    const smallStage = await page.locator(".stage").boundingBox();
    assert.ok(Math.abs(small.width / small.height - 1280 / 720) < 0.01);
    const gapLeft = small.x - smallStage.x;
    const gapRight = smallStage.x + smallStage.width - (small.x + small.width);
    assert.ok(Math.abs(gapLeft - gapRight) < 2, `centred: ${gapLeft} vs ${gapRight}`);
    await screenshot(page, "player-small-window");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("pause stops the clock and play resumes it", async () => {
    const { page } = await app.open({ library: "counter.json" });
    await selectCounter(page);
    await page.waitForFunction(() => window.__tapedeck.currentTime() > 500);
    const toggle = page.getByTestId("play-toggle");
    await toggle.click();
    assert.equal(await toggle.getAttribute("data-playing"), "false");
    assert.equal(await toggle.getAttribute("aria-pressed"), "false");
    const paused = (await probe(page)).currentTime;
    await page.waitForTimeout(600);
    assert.equal((await probe(page)).currentTime, paused);
    assert.equal(await probe(page).then((p) => p.playing), false);

    await toggle.click();
    assert.equal(await toggle.getAttribute("data-playing"), "true");
    await page.waitForFunction((t) => window.__tapedeck.currentTime() > t + 300, paused);
    await page.close();
  });

  test("clicking the timeline seeks, and the page shows that moment", async () => {
    const { page } = await app.open({ library: "counter.json" });
    await selectCounter(page);
    await page.waitForFunction(() => window.__tapedeck.currentTime() > 200);
    await pause(page);
    // Wait for the streamed remainder so seeks are immediate.
    await page.waitForFunction(() => document.querySelector(".loaded")?.style.width === "100%");

    await clickTimelineAt(page, 0.5);
    await page.waitForFunction(() => Math.abs(window.__tapedeck.currentTime() - 60_000) < 1500);
    let tick = await tickShown(page);
    assert.ok(tick >= 58 && tick <= 61, `at 50% the page shows Tick ${tick}`);
    assert.match(await page.getByTestId("current-time").innerText(), /^(0:59|1:00|1:01)$/);
    assert.match(await page.getByTestId("page-url").innerText(), /checkout/);
    assert.equal((await probe(page)).playing, false, "seeking while paused stays paused");
    await screenshot(page, "player-seek-50");

    // Past the navigation at 90 s: the second page and its URL.
    await clickTimelineAt(page, 0.95);
    await page.waitForFunction(() => Math.abs(window.__tapedeck.currentTime() - 114_000) < 1500);
    tick = await tickShown(page);
    assert.ok(tick >= 112 && tick <= 115, `at 95% the page shows Tick ${tick}`);
    assert.match(await replayText(page), /next page/);
    assert.equal(
      await page.getByTestId("page-url").innerText(),
      "https://shop.example.test/thanks",
    );

    // And back again: the earlier page is rebuilt.
    await clickTimelineAt(page, 0.25);
    await page.waitForFunction(() => Math.abs(window.__tapedeck.currentTime() - 30_000) < 1500);
    tick = await tickShown(page);
    assert.ok(tick >= 28 && tick <= 31, `at 25% the page shows Tick ${tick}`);
    assert.doesNotMatch(await replayText(page), /next page/);
    await page.close();
  });

  test("dragging on the timeline scrubs", async () => {
    const { page } = await app.open({ library: "counter.json" });
    await selectCounter(page);
    await pause(page);
    await page.waitForFunction(() => document.querySelector(".loaded")?.style.width === "100%");
    const box = await page.getByTestId("timeline").boundingBox();
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.1, y);
    await page.mouse.down();
    for (const f of [0.2, 0.4, 0.6, 0.75]) {
      await page.mouse.move(box.x + box.width * f, y, { steps: 3 });
    }
    await page.mouse.up();
    await page.waitForFunction(() => Math.abs(window.__tapedeck.currentTime() - 90_000) < 1500);
    const tick = await tickShown(page);
    assert.ok(tick >= 88 && tick <= 91, `after the drag the page shows Tick ${tick}`);
    await page.close();
  });

  test("Space toggles playback, also when the play button has focus", async () => {
    const { page } = await app.open({ library: "counter.json" });
    await selectCounter(page);
    await page.waitForFunction(() => window.__tapedeck.playing());
    // Focus elsewhere (the selected row): Space must still toggle, not re-click the row.
    await page.keyboard.press("Space");
    await page.waitForFunction(() => !window.__tapedeck.playing());
    await page.keyboard.press("Space");
    await page.waitForFunction(() => window.__tapedeck.playing());

    const toggle = page.getByTestId("play-toggle");
    await toggle.click(); // pauses, and focuses the button
    await page.waitForFunction(() => !window.__tapedeck.playing());
    await page.keyboard.press("Space");
    await page.waitForTimeout(200);
    assert.equal((await probe(page)).playing, true, "one Space press is one toggle");
    assert.equal(await toggle.getAttribute("data-playing"), "true");
    await page.close();
  });

  test("playback stops at the end; play then restarts from the beginning", async () => {
    const { page } = await app.open({ library: "second.json" });
    await page.getByTestId("session-row").click();
    await page.waitForFunction(() => window.__tapedeck.playing());
    await page.waitForFunction(() => document.querySelector(".loaded")?.style.width === "100%");
    await clickTimelineAt(page, 0.97);
    await page.waitForFunction(() => !window.__tapedeck.playing(), null, {
      timeout: 10_000,
    });
    const end = await probe(page);
    assert.equal(end.currentTime, end.duration);
    assert.equal(await page.getByTestId("current-time").innerText(), "0:20");
    assert.match(await replayText(page), /Tick 20/);

    await page.getByTestId("play-toggle").click();
    await page.waitForFunction(() => window.__tapedeck.playing());
    assert.ok((await probe(page)).currentTime < 2000);
    await page.waitForFunction(() =>
      /Tick [0-2]\b/.test(
        document.querySelector('[data-testid="replay"] iframe').contentDocument.body.innerText,
      ),
    );
    await page.close();
  });

  test("events stream in after the first batch; a seek ahead waits for its data", async () => {
    const { page } = await app.open({
      library: "counter.json",
      chunkDelay: "700",
    });
    await selectCounter(page);
    // The first batch is only the first chunk (page-load events, Meta, full snapshot).
    await page.waitForFunction(() => window.__tapedeck.playing());
    await clickTimelineAt(page, 0.9);
    // "Loading…" while the rest arrives; the clock shows the target meanwhile.
    const waiting = page.locator(".overlay.subtle");
    await waiting.waitFor();
    assert.ok(Math.abs((await probe(page)).currentTime - 108_000) < 1500);
    await waiting.waitFor({ state: "detached", timeout: 10_000 });
    await page.waitForFunction(
      () => window.__tapedeck.playing() && window.__tapedeck.currentTime() >= 108_000,
      null,
      { timeout: 10_000 },
    );
    const tick = await tickShown(page);
    assert.ok(tick >= 107 && tick <= 112, `after the wait the page shows Tick ${tick}`);
    const calls = await page.evaluate(() =>
      window.__testBackend.calls.filter((c) => c.command === "chunkEvents").map((c) => c.args),
    );
    // The first page's first chunk, then the rest streaming in from play; the target lies
    // past the navigation at 90 s, so the seek starts at that page's snapshot (chunk 3)
    // instead of waiting for the chunks before it, and streams on from there.
    assert.deepEqual(
      calls.map(([, w, from, to]) => [w, from, to]),
      [
        [0, 0, 0],
        [0, 1, 4],
        [0, 3, 3],
        [0, 4, 4],
      ],
    );
    await page.close();
  });

  test("a session that cannot be played says why", async () => {
    // Chunks exist but none starts with a full snapshot: the player must not hang.
    const { page } = await app.open({ library: "counter.json" });
    await page.evaluate(async () => {
      const b = window.__testBackend;
      const get = b.getSession.bind(b);
      b.getSession = async (id) => {
        const d = await get(id);
        for (const c of d.windows[0].chunks) c.fullSnapshot = false;
        return d;
      };
    });
    await page.getByTestId("session-row").click();
    const overlay = page.locator(".overlay.error");
    await overlay.waitFor();
    assert.match(await overlay.innerText(), /no full snapshot/);
    assert.equal(await page.getByTestId("play-toggle").isDisabled(), true);
    await page.close();
  });
});

test("a large recording streams in batches and is decoded off the main thread", async () => {
  const { page, errors } = await app.open({ library: "", delay: "0" });
  await page.evaluate(() => {
    // ~6 MB: each second adds a 20 KB paragraph, for four minutes.
    const start = Date.UTC(2024, 5, 1);
    let id = 10;
    const events = [
      {
        type: 4,
        data: { href: "https://big.example.test/", width: 1024, height: 768 },
        timestamp: start,
      },
      {
        type: 2,
        data: {
          node: {
            type: 0,
            id: 1,
            childNodes: [
              { type: 1, name: "html", publicId: "", systemId: "", id: 2 },
              {
                type: 2,
                tagName: "html",
                attributes: {},
                id: 3,
                childNodes: [
                  {
                    type: 2,
                    tagName: "head",
                    attributes: {},
                    childNodes: [],
                    id: 4,
                  },
                  {
                    type: 2,
                    tagName: "body",
                    attributes: {},
                    childNodes: [],
                    id: 5,
                  },
                ],
              },
            ],
          },
          initialOffset: { left: 0, top: 0 },
        },
        timestamp: start,
      },
    ];
    for (let s = 1; s <= 240; s++) {
      const p = ++id;
      const t = ++id;
      events.push({
        type: 3,
        data: {
          source: 0,
          texts: [],
          attributes: [],
          removes: [],
          adds: [
            {
              parentId: 5,
              nextId: null,
              node: {
                type: 2,
                tagName: "p",
                attributes: { id: `s${s}` },
                childNodes: [],
                id: p,
              },
            },
            {
              parentId: p,
              nextId: null,
              node: {
                type: 3,
                textContent: `Second ${s} ` + "x".repeat(20_000),
                id: t,
              },
            },
          ],
        },
        timestamp: start + s * 1000,
      });
    }
    const bytes = new TextEncoder().encode(JSON.stringify(events));
    window.__testBackend.addFiles([{ name: "big.json", bytes }]);
    // Count decoder workers.
    window.__workers = 0;
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        window.__workers++;
      }
    };
  });
  await page.evaluate(() =>
    window.__testBackend.simulateDrop({ type: "drop", paths: ["big.json"] }),
  );
  await page.waitForFunction(() => window.__tapedeck.playing(), null, {
    timeout: 15_000,
  });
  await page.waitForFunction(
    () => document.querySelector(".loaded")?.style.width === "100%",
    null,
    {
      timeout: 15_000,
    },
  );
  await pause(page);
  await page.getByTestId("timeline").focus();
  await page.keyboard.press("End");
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-testid="replay"] iframe')
        ?.contentDocument?.getElementById("s240") !== null,
    null,
    { timeout: 10_000 },
  );
  const calls = await page.evaluate(() =>
    window.__testBackend.calls.filter((c) => c.command === "chunkEvents").map((c) => c.args),
  );
  assert.ok(calls.length >= 2, `fetched in ${calls.length} requests`);
  // Batches are consecutive and cover every chunk once.
  for (let i = 1; i < calls.length; i++) assert.equal(calls[i][2], calls[i - 1][3] + 1);
  assert.ok((await page.evaluate(() => window.__workers)) >= 1, "decoded in a worker");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a real rrweb recording from samples/ plays to its last frame", async () => {
  const { page, errors } = await app.open({ library: "checkout.json" });
  await page.getByTestId("session-row").click();
  await page.waitForFunction(() => window.__tapedeck.currentTime() > 1000, null, {
    timeout: 10_000,
  });
  assert.match(await replayText(page), /Tapedeck Sample Store/);
  assert.doesNotMatch(await replayText(page), /Order TD-1042 is confirmed/);
  await screenshot(page, "sample-checkout-start");
  await page.getByTestId("timeline").focus();
  await page.keyboard.press("End");
  await page.waitForFunction(() => !window.__tapedeck.playing());
  await page.waitForFunction(() =>
    document
      .querySelector('[data-testid="replay"] iframe')
      ?.contentDocument?.body?.innerText.includes("Thank you, Ada! Order TD-1042 is confirmed."),
  );
  await screenshot(page, "sample-checkout-end");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a long recording plays in a bounded window: events far behind are let go, a seek back reloads", async () => {
  const { page, errors } = await app.open({ library: "", delay: "0" });
  // 12 minutes (~12 MB, more than the player keeps whole).
  const total = await addClockRecording(page, "clock.json", { minutes: 12 });
  await page.evaluate(() =>
    window.__testBackend.simulateDrop({ type: "drop", paths: ["clock.json"] }),
  );
  await page.waitForFunction(() => window.__tapedeck.playing(), null, { timeout: 20_000 });
  const clock = () =>
    page.evaluate(
      () =>
        document
          .querySelector('[data-testid="replay"] iframe')
          ?.contentDocument?.getElementById("clock")?.textContent,
    );
  const waitClock = (text) =>
    page.waitForFunction(
      (text) =>
        document
          .querySelector('[data-testid="replay"] iframe')
          ?.contentDocument?.getElementById("clock")?.textContent === text,
      text,
      { timeout: 20_000 },
    );
  await page.evaluate(() => {
    window.__tapedeck.pause();
    window.__tapedeck.seek(300_500);
  });
  await waitClock("T+300");
  // Play on at 16x: the chunks ahead stream in, the events behind are let go.
  await page.evaluate(() => {
    window.__tapedeck.setSpeed(16);
    window.__tapedeck.play();
  });
  await page.waitForFunction(() => window.__tapedeck.currentTime() > 420_000, null, {
    timeout: 30_000,
  });
  const held = await page.evaluate((total) => {
    const p = window.__tapedeck;
    return {
      now: p.currentTime(),
      from: p.heldFrom(),
      events: p.heldEvents(),
      segment: p.segmentInfo(),
      total,
    };
  }, total);
  assert.equal(held.segment.trimmed, true, JSON.stringify(held));
  // A trim runs every second of wall time: 16 s of recording at 16x, plus the 30 s kept.
  assert.ok(held.from >= held.now - 30_000 - 2 * 16_000, JSON.stringify(held));
  assert.ok(held.events < held.total / 2, JSON.stringify(held));
  // The page still follows the clock.
  await page.evaluate(() => window.__tapedeck.pause());
  const now = await page.evaluate(() => window.__tapedeck.currentTime());
  const shown = Number((await clock()).slice(2));
  assert.ok(Math.abs(shown - Math.floor(now / 1000)) <= 1, `T+${shown} at ${now} ms`);

  // Back before what it let go: a new Replayer from the snapshot, at the right moment.
  await page.evaluate(() => window.__tapedeck.seek(100_500));
  await waitClock("T+100");
  const after = await page.evaluate(() => window.__tapedeck.segmentInfo());
  assert.ok(after.built > held.segment.built, JSON.stringify(after));
  assert.equal(after.trimmed, false);
  assert.deepEqual(errors, []);
  await page.close();
});

test("resting the pointer on the timeline fetches that moment's data, and a click there seeks without fetching it again", async () => {
  const { page, errors } = await app.open({ library: "", delay: "0", chunkDelay: "300" });
  // 10 minutes (~10 MB), reloaded at 7:30: a seek past it loads from there.
  await addClockRecording(page, "hover.json", { minutes: 10, reloadAt: 450 });
  await page.evaluate(() =>
    window.__testBackend.simulateDrop({ type: "drop", paths: ["hover.json"] }),
  );
  await page.waitForFunction(() => window.__tapedeck.playing(), null, { timeout: 20_000 });
  await page.evaluate(() => window.__tapedeck.pause());
  const fetches = () =>
    page.evaluate(() =>
      window.__testBackend.calls
        .filter((c) => c.command === "chunkEvents")
        .map((c) => c.args.slice(1, 4)),
    );
  // Whatever streams in after the first frame has arrived.
  let before = await fetches();
  for (;;) {
    await page.waitForTimeout(700);
    const now = await fetches();
    if (now.length === before.length) break;
    before = now;
  }

  const box = await page.getByTestId("timeline").boundingBox();
  const x = box.x + box.width * 0.8;
  const y = box.y + box.height / 2;
  // A pass across the rail asks for nothing; resting on it does.
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.move(x, y);
  await page.waitForFunction(
    (n) => window.__testBackend.calls.filter((c) => c.command === "chunkEvents").length > n,
    before.length,
    { timeout: 5_000 },
  );
  const hovered = (await fetches()).slice(before.length);
  assert.equal(hovered.length, 1, `fetched on hover: ${JSON.stringify(hovered)}`);
  const [, from, to] = hovered[0];
  assert.ok(from > 0, `from the reload at 7:30, not the start: ${JSON.stringify(hovered[0])}`);
  // The click comes before the (slow) fetch is in: the seek takes the one under way.
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForFunction(
    () =>
      /^T\+(47[0-9]|48[0-9])$/.test(
        document
          .querySelector('[data-testid="replay"] iframe')
          ?.contentDocument?.getElementById("clock")?.textContent ?? "",
      ),
    null,
    { timeout: 10_000 },
  );
  const after = (await fetches()).slice(before.length);
  assert.equal(
    after.filter(([, f, t]) => f === from && t === to).length,
    1,
    `the hovered range is fetched once: ${JSON.stringify(after)}`,
  );
  assert.deepEqual(errors, []);
  await page.close();
});
