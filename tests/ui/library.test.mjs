// The library in the feed, in Chromium against the test backend: search (one box, tokens the
// filter controls edit), saved searches in the sidebar, deleting with a confirmation, erasing a
// user with counts before and after, tags, and retention. Most tests use a small generated
// library (tests in src/lib/backend/test-generate.ts): session `i` is `gen-00000i`, newest
// first; its browser cycles Chrome, Firefox, Safari, Edge, Mobile Safari; it has errors when
// `i % 7 == 0`; its duration is 20 s + 7.919 s × i; user `u-0000i` (none when `i % 9 == 0`).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, useApp } from "./harness.mjs";

const app = useApp();

/** A clean start (no remembered sort or sidebar) on `n` generated sessions. */
async function openGenerated(n, extra = {}, size) {
  const opened = await app.open({ library: "", generate: String(n), delay: "20", ...extra }, size);
  await opened.page.evaluate(() => {
    localStorage.clear();
    localStorage.setItem("tapedeck.navOpen", "true");
  });
  await opened.page.reload();
  await opened.page.waitForFunction(() => window.__tapedeck !== undefined);
  await opened.page.getByTestId("session-row").first().waitFor();
  return opened;
}

/** Shows the library sidebar (hidden by default in a narrow window). */
async function openNav(page) {
  if ((await page.getByTestId("library-nav").count()) === 0) {
    await page.getByTestId("nav-toggle").click();
  }
  await page.getByTestId("library-nav").waitFor();
}

const count = (page) => page.getByTestId("feed-count").innerText();

/** Types into the search box and waits for the count to read `expected`. */
async function search(page, text, expected) {
  await page.getByTestId("search-input").fill(text);
  // The rows answer this query (not the one before), and there are that many.
  await page.waitForFunction(
    ([q, want]) => {
      const el = document.querySelector('[data-testid="feed-count"]');
      return el?.getAttribute("data-query") === q && el.textContent?.trim() === want;
    },
    [text, expected],
    { timeout: 5_000 },
  );
}

async function waitCount(page, expected) {
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid="feed-count"]')?.textContent?.trim() === want,
    expected,
    { timeout: 5_000 },
  );
}

const rowIds = (page) =>
  page.getByTestId("session-row").evaluateAll((els) => els.map((e) => e.dataset.sessionId).sort());

describe("search and filters", () => {
  test("one box matches user id, name, email, session id and URL as you type", async () => {
    const { page, errors } = await openGenerated(60);
    assert.equal(await count(page), "60");

    await search(page, "u-00042", "1 of 60");
    assert.deepEqual(await rowIds(page), ["gen-000042"]);
    // Email, by substring; the name, by prefix of a word.
    await search(page, "grace.1@", "1 of 60");
    assert.deepEqual(await rowIds(page), ["gen-000001"]);
    await search(page, 'user:"Grace 17"', "1 of 60");
    assert.deepEqual(await rowIds(page), ["gen-000017"]);
    // A session id's prefix, with and without the key.
    await search(page, "gen-00005", "10 of 60");
    await search(page, "id:gen-00005", "10 of 60");
    await search(page, "id:00005", "0 of 60");
    assert.equal(await page.getByTestId("no-matches").count(), 1);
    // Any page URL.
    await search(page, "/pricing", "10 of 60");
    await search(page, "url:/pricing browser:firefox", "2 of 60");
    assert.deepEqual(await rowIds(page), ["gen-000001", "gen-000031"]);
    // Every word must match.
    await search(page, "/pricing u-00007", "1 of 60");
    await search(page, 'browser:"Mobile Safari"', "12 of 60");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("filter controls write tokens into the box; chips remove them", async () => {
    const { page, errors } = await openGenerated(60);
    await page.getByTestId("filter-button").click();
    const panel = page.getByTestId("filter-panel");
    await panel.waitFor();
    const box = page.getByTestId("search-input");

    await panel.getByTestId("filter-has-errors").check();
    assert.equal(await box.inputValue(), "has:errors");
    await waitCount(page, "9 of 60");

    // The selects offer the library's own values, with counts.
    const browsers = await panel.getByTestId("filter-browser").locator("option").allInnerTexts();
    assert.deepEqual(browsers, [
      "Any",
      "Chrome (12)",
      "Edge (12)",
      "Firefox (12)",
      "Mobile Safari (12)",
      "Safari (12)",
    ]);
    await panel.getByTestId("filter-browser").selectOption("Mobile Safari");
    assert.equal(await box.inputValue(), 'has:errors browser:"Mobile Safari"');
    await waitCount(page, "2 of 60");

    await panel.getByTestId("duration-min").fill("5m");
    await panel.getByTestId("duration-min").press("Enter");
    assert.equal(await box.inputValue(), 'has:errors browser:"Mobile Safari" duration:>5m');
    await waitCount(page, "1 of 60");
    assert.deepEqual(await rowIds(page), ["gen-000049"]);
    await screenshot(page, "library-filters");

    // A typed edit shows in the controls.
    await box.fill("duration:1m..2m has:rage");
    await waitCount(page, "1 of 60");
    assert.equal(await panel.getByTestId("duration-min").inputValue(), "1m");
    assert.equal(await panel.getByTestId("duration-max").inputValue(), "2m");
    assert.equal(await panel.getByTestId("filter-has-rage").isChecked(), true);
    assert.equal(await panel.getByTestId("filter-has-errors").isChecked(), false);

    // Date presets and the calendar range.
    await panel.locator('[data-testid="date-preset"][data-value="7d"]').click();
    assert.equal(await box.inputValue(), "duration:1m..2m has:rage date:7d");
    await panel.getByTestId("date-from").fill("2024-05-01");
    assert.equal(await box.inputValue(), "duration:1m..2m has:rage after:2024-05-01");
    await panel.getByTestId("date-to").fill("2024-05-03");
    assert.equal(await box.inputValue(), "duration:1m..2m has:rage date:2024-05-01..2024-05-03");
    await waitCount(page, "0 of 60");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });

    // Chips: one per token, × removes it.
    const chips = page.getByTestId("filter-chip");
    const chipTexts = (await chips.allInnerTexts()).map((t) => t.replace(/\s*×$/, ""));
    assert.deepEqual(chipTexts, ["Duration: 1m..2m", "Has: rage", "Date: 2024-05-01..2024-05-03"]);
    await chips.nth(2).getByRole("button").click();
    assert.equal(await box.inputValue(), "duration:1m..2m has:rage");
    await waitCount(page, "1 of 60");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("what the query cannot say is noted under the box; unknown keys are text", async () => {
    const { page, errors } = await openGenerated(20);
    await search(page, "duration:soon", "20 of 20");
    const notes = page.getByTestId("search-notes");
    await notes.waitFor();
    assert.match(await notes.innerText(), /duration:soon/);
    await search(page, "https://shop.example.test/pricing", "4 of 20");
    assert.equal(await page.getByTestId("search-notes").count(), 0);
    await search(page, "date:someday has:errors", "3 of 20");
    assert.match(await notes.innerText(), /date:someday/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("dates are local days; full text matches page titles by word prefix", async () => {
    const { page, errors } = await app.open({ library: "counter.json,second.json,with-user.json" });
    await page.getByTestId("session-row").first().waitFor();
    // The recordings' local days (counter, second, with-user), as the test page sees them.
    const days = await page.evaluate(() =>
      [1714644000000, 1714728600000, 1714550400000].map((t) => {
        const d = new Date(t);
        const p = (n) => String(n).padStart(2, "0");
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
      }),
    );
    const sameDay = days.filter((d) => d === days[0]).length;
    await search(page, `date:${days[0]}`, `${sameDay} of 3`);
    assert.ok(
      (await page.getByTestId("session-row").allInnerTexts()).some((t) => /checkout/.test(t)),
    );
    // A range, and after/before (before is inclusive).
    const sorted = [...days].sort();
    await search(page, `date:${sorted[0]}..${sorted[2]}`, "3 of 3");
    await search(page, `before:${sorted[0]}`, `${days.filter((d) => d === sorted[0]).length} of 3`);
    await search(page, `after:${sorted[2]}`, `${days.filter((d) => d === sorted[2]).length} of 3`);
    // "Checkout" is the title of counter.json's pages.
    await search(page, "text:checko", "1 of 3");
    assert.match(
      await page.getByTestId("session-row").innerText(),
      /shop\.example\.test\/checkout/,
    );
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("/ and Ctrl+F focus the search; arrows go on to the list; Enter opens", async () => {
    const { page, errors } = await openGenerated(20);
    const box = page.getByTestId("search-input");
    await page.keyboard.press("/");
    assert.equal(await box.evaluate((e) => e === document.activeElement), true);
    await page.keyboard.type("has:errors");
    await waitCount(page, "3 of 20");
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction(() => window.__tapedeck.selectedId() === "gen-000000");
    await page.keyboard.press("ArrowDown");
    await page.waitForFunction(() => window.__tapedeck.selectedId() === "gen-000007");
    await page.keyboard.press("End");
    await page.waitForFunction(() => window.__tapedeck.selectedId() === "gen-000014");
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Control+f");
    assert.equal(await box.evaluate((e) => e === document.activeElement), true);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("saved searches", () => {
  test("save the box's query; the sidebar lists it with its count, live", async () => {
    const { page, errors } = await openGenerated(60);
    await search(page, "has:errors", "9 of 60");
    await page.getByTestId("save-search").click();
    const dialog = page.getByTestId("save-search-dialog");
    await dialog.waitFor();
    await dialog.getByTestId("save-search-name").fill("Errors");
    await dialog.getByTestId("save-search-confirm").click();
    await dialog.waitFor({ state: "detached" });
    const saved = page.getByTestId("saved-search");
    await saved.waitFor();
    assert.match(await saved.innerText(), /Errors/);
    assert.equal(await saved.getByTestId("saved-search-count").innerText(), "9");

    // All sessions, then back to the saved search.
    await page.getByTestId("nav-all").click();
    await waitCount(page, "60");
    assert.equal(await page.getByTestId("search-input").inputValue(), "");
    await saved.click();
    await waitCount(page, "9 of 60");
    assert.equal(await page.getByTestId("search-input").inputValue(), "has:errors");
    assert.equal(await saved.getAttribute("aria-current"), "page");
    await screenshot(page, "library-saved-search");

    // Deleting a session it matches: the count follows.
    await page.getByTestId("session-row").first().click();
    await page.keyboard.press("Delete");
    await page.getByTestId("confirm-delete").click();
    await waitCount(page, "8 of 59");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="saved-search-count"]')?.textContent === "8",
    );

    await saved.hover();
    await page.getByTestId("delete-saved-search").click();
    await saved.waitFor({ state: "detached" });
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("managing sessions", () => {
  test("delete asks first; several rows with Ctrl and Shift", async () => {
    const { page, errors } = await openGenerated(30);
    const rows = page.getByTestId("session-row");
    await rows.nth(1).click();
    await page.waitForFunction(() => window.__tapedeck.selectedId() === "gen-000001");
    await page.keyboard.press("Delete");
    const dialog = page.getByTestId("delete-dialog");
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Delete this session\?/);
    await dialog.getByTestId("cancel-delete").click();
    await dialog.waitFor({ state: "detached" });
    assert.equal(await count(page), "30");

    // Ctrl+click adds one, Shift+click a range from there.
    await rows.nth(3).click({ modifiers: ["Control"] });
    await rows.nth(5).click({ modifiers: ["Shift"] });
    const bar = page.getByTestId("selection-bar");
    await bar.waitFor();
    assert.match(await bar.innerText(), /3 selected/);
    await bar.getByTestId("selection-delete").click();
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Delete 3 sessions\?/);
    await screenshot(page, "library-delete-confirm");
    await dialog.getByTestId("confirm-delete").click();
    await waitCount(page, "27");
    const ids = await rowIds(page);
    for (const gone of ["gen-000003", "gen-000004", "gen-000005"]) {
      assert.ok(!ids.includes(gone), `${gone} is deleted`);
    }
    assert.ok(ids.includes("gen-000001"));
    assert.match(await page.getByTestId("notice").innerText(), /Deleted 3 sessions/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("erase a user: the count before, then after", async () => {
    // With 2 000 sessions, user u-00003 was recorded in sessions 3, 1000 and 1997.
    const { page, errors } = await openGenerated(2000);
    await search(page, "user:u-00003", "3 of 2,000");
    const row = page.getByTestId("session-row").first();
    await row.click({ button: "right" });
    const menu = page.getByTestId("row-menu");
    await menu.waitFor();
    await menu.getByTestId("menu-erase").click();
    const dialog = page.getByTestId("erase-dialog");
    await dialog.waitFor();
    assert.equal(await dialog.getByTestId("erase-user-input").inputValue(), "u-00003");
    await page.waitForFunction(() =>
      /3 sessions will be deleted/.test(
        document.querySelector('[data-testid="erase-count"]')?.textContent ?? "",
      ),
    );
    // The count follows what is typed (exact id or email).
    await dialog.getByTestId("erase-user-input").fill("u-0000");
    await page.waitForFunction(() =>
      /No sessions/.test(document.querySelector('[data-testid="erase-count"]')?.textContent ?? ""),
    );
    assert.equal(await dialog.getByTestId("confirm-erase").isDisabled(), true);
    await dialog.getByTestId("erase-user-input").fill("margaret.3@example.com");
    await page.waitForFunction(() =>
      /3 sessions will be deleted/.test(
        document.querySelector('[data-testid="erase-count"]')?.textContent ?? "",
      ),
    );
    await screenshot(page, "library-erase-user");
    await dialog.getByTestId("confirm-erase").click();
    await page.waitForFunction(() =>
      /Erased 3 sessions; 0 sessions of this user left/.test(
        document.querySelector('[data-testid="erase-count"]')?.textContent ?? "",
      ),
    );
    await dialog.getByTestId("erase-done").click();
    await waitCount(page, "0 of 1,997");
    const log = await page.evaluate(() => window.__testBackend.library.getLog(5));
    assert.equal(log[0].kind, "erase");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("tags: set from the row menu, shown on the row, searchable and a filter", async () => {
    const { page, errors } = await openGenerated(20);
    const row = page.locator('[data-testid="session-row"][data-session-id="gen-000002"]');
    await row.click({ button: "right" });
    await page.getByTestId("menu-tags").click();
    const dialog = page.getByTestId("tags-dialog");
    await dialog.waitFor();
    await dialog.getByTestId("tags-input").fill(" VIP, needs review ,vip");
    await dialog.getByTestId("tags-save").click();
    await dialog.waitFor({ state: "detached" });
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-session-id="gen-000002"] [data-testid="session-tag"]')
          .length === 2,
    );
    assert.deepEqual(await row.getByTestId("session-tag").allInnerTexts(), ["needs review", "VIP"]);

    await search(page, "tag:vip", "1 of 20");
    await search(page, 'tag:"needs review" tag:vip', "1 of 20");
    await search(page, "tag:vip tag:other", "0 of 20");
    // A tag is also free text, by word prefix.
    await search(page, "need", "1 of 20");
    await page.getByTestId("search-input").fill("");
    await waitCount(page, "20");
    await page.getByTestId("filter-button").click();
    const tags = await page.getByTestId("filter-tag").locator("option").allInnerTexts();
    assert.ok(tags.includes("VIP (1)") && tags.includes("sampled (1)"), tags.join(", "));
    await page.getByTestId("filter-tag").selectOption("VIP");
    assert.equal(await page.getByTestId("search-input").inputValue(), "tag:VIP");
    await waitCount(page, "1 of 20");
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("retention deletes sessions older than N days (off by default)", async () => {
    const { page, errors } = await app.open({
      library: "counter.json,second.json",
      generate: "10",
      delay: "10",
    });
    await page.getByTestId("session-row").first().waitFor();
    await openNav(page);
    await page.getByTestId("open-library-settings").click();
    const dialog = page.getByTestId("library-settings");
    await dialog.waitFor();
    assert.equal(await dialog.getByTestId("retention-enabled").isChecked(), false);
    assert.equal(await dialog.getByTestId("retention-days").isDisabled(), true);
    await dialog.getByTestId("retention-enabled").check();
    await dialog.getByTestId("retention-days").fill("30");
    await dialog.getByTestId("retention-save").click();
    // The recordings from 2024 go; the generated ones are from the last hours.
    await page.waitForFunction(() =>
      /Deleted 2 sessions/.test(
        document.querySelector('[data-testid="retention-result"]')?.textContent ?? "",
      ),
    );
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await waitCount(page, "10");
    assert.equal(await page.evaluate(() => window.__testBackend.library.getRetention()), 30);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("layout", () => {
  test("the sidebar, the feed and the player fit at 1280 × 800 and narrower", async () => {
    const { page, errors } = await openGenerated(40);
    await search(page, "has:errors", "6 of 40");
    await page.getByTestId("session-row").nth(1).click();
    await page.waitForFunction(() => window.__tapedeck.duration() > 0);
    const fits = () =>
      page.evaluate(() => ({
        overflow: document.documentElement.scrollWidth > window.innerWidth,
        feed: document.querySelector('[data-testid="feed-list"]').clientWidth,
        stage: document.querySelector(".stage")?.clientWidth ?? 0,
      }));
    await screenshot(page, "layout-1280");
    let f = await fits();
    assert.equal(f.overflow, false);
    assert.ok(f.feed >= 260 && f.stage >= 300, JSON.stringify(f));

    await page.setViewportSize({ width: 1024, height: 700 });
    await screenshot(page, "layout-1024-sidebar");
    f = await fits();
    assert.equal(f.overflow, false);
    assert.ok(f.feed >= 260, JSON.stringify(f));

    await page.getByTestId("nav-toggle").click();
    await page.getByTestId("library-nav").waitFor({ state: "detached" });
    await page.setViewportSize({ width: 900, height: 640 });
    await screenshot(page, "layout-900");
    f = await fits();
    assert.equal(f.overflow, false);
    assert.ok(f.feed >= 260 && f.stage >= 200, JSON.stringify(f));
    // The choice is remembered.
    await page.reload();
    await page.getByTestId("session-row").first().waitFor();
    assert.equal(await page.getByTestId("library-nav").count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
