// Steps the player tests share: a clean start, choosing a session, pausing once everything is
// loaded, and seeking by clicking the timeline's rail.
import { probe } from "./harness.mjs";

/** Opens the app with settings remembered by earlier tests (sort, speed, panels) cleared. */
export async function openClean(app, params, size) {
  const opened = await app.open(params, size);
  await opened.page.evaluate(() => localStorage.clear());
  await opened.page.reload();
  await opened.page.waitForFunction(() => window.__tapedeck !== undefined);
  return opened;
}

/** Selects the feed row showing `text` and waits for it to play. */
export async function selectSession(page, text) {
  await page.locator('[data-testid="session-row"]', { hasText: text }).click();
  await page.waitForFunction(() => window.__tapedeck.duration() > 0);
  await page.waitForFunction(() => window.__tapedeck.playing());
}

/** Pauses once the whole recording is loaded; keys then go to the player, not the feed. */
export async function pauseWhenLoaded(page) {
  await page.waitForFunction(() => window.__tapedeck.playing());
  await page.getByTestId("play-toggle").click();
  await page.waitForFunction(() => !window.__tapedeck.playing());
  await page.waitForFunction(() => document.querySelector(".loaded")?.style.width === "100%");
  await page.evaluate(() => document.activeElement?.blur());
}

/** Seeks by clicking the rail at `ms` (below the markers), then waits for the clock. */
export async function seekTo(page, ms) {
  const box = await page.getByTestId("timeline").boundingBox();
  const duration = (await probe(page)).duration;
  await page.mouse.click(box.x + (box.width * ms) / duration, box.y + box.height - 3);
  await page.mouse.move(0, 0);
  await page.waitForFunction((t) => Math.abs(window.__tapedeck.currentTime() - t) < 300, ms);
  await page.evaluate(() => document.activeElement?.blur());
}

/**
 * Adds to the test backend, as file `name`, a recording of `minutes` of a 4 KB log line every
 * 250 ms (the oldest past 100 removed) and `#clock` showing the whole seconds (`T+N`): ~1 MB a
 * minute, so a few minutes are more than the player keeps whole. With `reloadAt` (whole
 * seconds) the page reloads then (a Meta and a full snapshot): a starting point of its own.
 * Returns the number of events.
 */
export async function addClockRecording(page, name, { minutes, reloadAt = null }) {
  const start = Date.UTC(2024, 5, 1);
  const el = (id, tagName, attributes, childNodes = []) => ({
    type: 2,
    tagName,
    attributes,
    childNodes,
    id,
  });
  const text = (id, textContent) => ({ type: 3, textContent, id });
  const load = (timestamp, clock) => [
    {
      type: 4,
      data: { href: "https://clock.example.test/", width: 1000, height: 700 },
      timestamp,
    },
    {
      type: 2,
      data: {
        node: {
          type: 0,
          id: 1,
          childNodes: [
            { type: 1, name: "html", publicId: "", systemId: "", id: 2 },
            el(3, "html", {}, [
              el(9, "head", {}),
              el(4, "body", {}, [
                el(5, "div", { id: "clock" }, [text(6, clock)]),
                el(8, "div", { id: "log" }),
              ]),
            ]),
          ],
        },
        initialOffset: { left: 0, top: 0 },
      },
      timestamp,
    },
  ];
  const events = load(start, "T+0");
  const filler = "x".repeat(4000);
  let lines = [];
  let id = 100;
  for (let step = 1; step <= minutes * 60 * 4; step++) {
    if (reloadAt !== null && step === reloadAt * 4) {
      events.push(...load(start + step * 250 - 1, `T+${reloadAt - 1}`));
      lines = [];
    }
    const p = id++;
    const t = id++;
    lines.push(p);
    const removes = lines.length > 100 ? [{ parentId: 8, id: lines.shift() }] : [];
    const texts = step % 4 === 0 ? [{ id: 6, value: `T+${step / 4}` }] : [];
    events.push({
      type: 3,
      data: {
        source: 0,
        texts,
        attributes: [],
        removes,
        adds: [
          { parentId: 8, nextId: null, node: el(p, "p", {}) },
          { parentId: p, nextId: null, node: text(t, `line ${step} ${filler}`) },
        ],
      },
      timestamp: start + step * 250,
    });
  }
  await page.evaluate(
    ({ name, json }) =>
      window.__testBackend.addFiles([{ name, bytes: new TextEncoder().encode(json) }]),
    { name, json: JSON.stringify(events) },
  );
  return events.length;
}
