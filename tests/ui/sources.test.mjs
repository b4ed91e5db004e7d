// Where recordings come from, beyond Open…: File › Open URL (progress, cancel, errors), watched
// folders (add and remove, the first scan's progress, files appearing later), recent items, and
// the import log. In Chromium against the test backend, whose downloads are served from
// https://fixtures.test/<fixture> (`/missing` answers 404, `/slow` trickles until cancelled).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { screenshot, useApp } from "./harness.mjs";

const app = useApp();

async function openNav(page) {
  if ((await page.getByTestId("library-nav").count()) === 0) {
    await page.getByTestId("nav-toggle").click();
  }
  await page.getByTestId("library-nav").waitFor();
}

describe("open URL", () => {
  test("downloads with progress, then imports, selects and plays the session", async () => {
    const { page, errors } = await app.open({ library: "counter.json", delay: "250" });
    await page.getByTestId("session-row").first().waitFor();
    await page.getByTestId("open-url").click();
    const dialog = page.getByTestId("open-url-dialog");
    await dialog.waitFor();
    assert.equal(await dialog.getByTestId("open-url-submit").isDisabled(), true);
    await dialog.getByTestId("open-url-input").fill("https://fixtures.test/import-me.json");
    await dialog.getByTestId("open-url-submit").click();
    const progress = dialog.getByTestId("open-url-progress");
    await progress.waitFor();
    await page.waitForFunction(
      () =>
        Number(
          document
            .querySelector('[data-testid="open-url-progress"] [role="progressbar"]')
            ?.getAttribute("aria-valuenow"),
        ) > 0,
    );
    assert.match(await progress.innerText(), /Downloading…[\s\S]*%/);
    await screenshot(page, "open-url-progress");
    await dialog.waitFor({ state: "detached" });
    const row = page.locator('[data-testid="session-row"][aria-selected="true"]');
    await row.waitFor();
    assert.match(await row.innerText(), /import\.example\.test/);
    // The row says where it came from.
    assert.match(
      await row.getByTestId("session-source").getAttribute("title"),
      /^URL: https:\/\/fixtures\.test\/import-me\.json$/,
    );
    await page.waitForFunction(() => window.__tapedeck.currentTime() > 300);
    assert.equal(await page.getByTestId("session-row").count(), 2);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a failed download says why; a slow one can be cancelled", async () => {
    const { page, errors } = await app.open({ library: "counter.json", delay: "20" });
    await page.getByTestId("session-row").first().waitFor();
    await page.getByTestId("open-url").click();
    const dialog = page.getByTestId("open-url-dialog");
    const input = dialog.getByTestId("open-url-input");
    await input.fill("https://fixtures.test/missing");
    await input.press("Enter");
    const error = dialog.getByTestId("open-url-error");
    await error.waitFor();
    assert.match(await error.innerText(), /http_status/);
    assert.match(await error.innerText(), /404 Not Found/);

    await input.fill("https://nowhere.example/rec.json");
    await dialog.getByTestId("open-url-submit").click();
    await page.waitForFunction(() =>
      /cannot connect/.test(
        document.querySelector('[data-testid="open-url-error"]')?.textContent ?? "",
      ),
    );

    await input.fill("https://fixtures.test/slow");
    await dialog.getByTestId("open-url-submit").click();
    await dialog.getByTestId("open-url-progress").waitFor();
    assert.equal(await dialog.getByTestId("open-url-error").count(), 0);
    // Esc does not close it while the download runs: Cancel stops it.
    await page.keyboard.press("Escape");
    assert.equal(await dialog.isVisible(), true);
    await dialog.getByTestId("open-url-cancel").click();
    await page.waitForFunction(() =>
      /cancelled/.test(document.querySelector('[data-testid="open-url-error"]')?.textContent ?? ""),
    );
    assert.equal(await dialog.getByTestId("open-url-progress").count(), 0);
    await screenshot(page, "open-url-cancelled");
    await dialog.getByTestId("open-url-close").click();
    await dialog.waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("session-row").count(), 1);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the File menu's Open URL and recent items", async () => {
    const { page, errors } = await app.open({ library: "counter.json", delay: "20" });
    await page.getByTestId("session-row").first().waitFor();
    await page.evaluate(() => window.__testBackend.simulateMenu("open-url"));
    await page.getByTestId("open-url-dialog").waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("open-url-dialog").waitFor({ state: "detached" });

    // A recent URL opens straight into its download.
    await page.evaluate(() =>
      window.__testBackend.simulateMenu("open-recent", "https://fixtures.test/second.json"),
    );
    await page.locator('[data-testid="session-row"]', { hasText: "docs.example.test" }).waitFor();
    // A recent file imports.
    await page.evaluate(() => window.__testBackend.simulateMenu("open-recent", "with-user.json"));
    await page.locator('[data-testid="session-row"]', { hasText: "ada@example.com" }).waitFor();
    const recent = await page.evaluate(() => window.__testBackend.recentItems());
    assert.deepEqual(
      recent.map((r) => r.target),
      ["with-user.json", "https://fixtures.test/second.json"],
    );
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("watched folders", () => {
  const FOLDER = "/home/me/recordings";
  const params = [
    ["library", "counter.json"],
    ["folder", `${FOLDER}:import-me.json+truncated.json+second.json`],
    ["pickFolder", FOLDER],
    ["delay", "350"],
  ];

  test("add a folder: the first scan shows progress, files appearing later import", async () => {
    const { page, errors } = await app.open(params);
    await page.getByTestId("session-row").first().waitFor();
    await openNav(page);
    await page.getByTestId("add-folder").click();
    const folder = page.getByTestId("watched-folder");
    await folder.waitFor();
    assert.equal(await folder.getAttribute("data-path"), FOLDER);
    const scan = folder.getByTestId("folder-scan");
    await scan.waitFor();
    await page.waitForFunction(() =>
      /Scanning [12] of 3/.test(
        document.querySelector('[data-testid="folder-scan"]')?.textContent ?? "",
      ),
    );
    await screenshot(page, "watched-folder-scan");
    await scan.waitFor({ state: "detached", timeout: 5_000 });
    // Two of the three import; the truncated one is in the log.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="session-row"]').length === 3,
    );
    assert.match(await folder.innerText(), /recordings\s*2/);
    const fromFolder = page.locator('[data-testid="session-row"]', {
      hasText: "import.example.test",
    });
    assert.equal(
      await fromFolder.getByTestId("session-source").getAttribute("title"),
      `Folder: ${FOLDER}/import-me.json`,
    );

    // The folder filters the feed.
    await folder.locator(".item").click();
    assert.equal(await page.getByTestId("search-input").inputValue(), `folder:${FOLDER}`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="feed-count"]')?.textContent?.trim() === "2 of 3",
    );

    // A file appears in the folder while the app runs.
    await page.evaluate(
      (f) => window.__testBackend.simulateFolderChange(f, ["with-user.json"]),
      FOLDER,
    );
    await page.waitForFunction(
      () => document.querySelector('[data-testid="feed-count"]')?.textContent?.trim() === "3 of 4",
    );
    // And one goes away: its session is marked missing.
    await page.evaluate(
      (f) => window.__testBackend.simulateFolderChange(f, [], ["with-user.json"]),
      FOLDER,
    );
    const missing = page.locator('[data-testid="session-row"]', { hasText: "ada@example.com" });
    await missing.getByTestId("session-missing").waitFor();
    await page.getByTestId("search-input").fill("is:missing");
    await page.waitForFunction(
      () => document.querySelector('[data-testid="feed-count"]')?.textContent?.trim() === "1 of 4",
    );

    // Stop watching: the folder goes, its sessions stay.
    await folder.hover();
    await folder.getByTestId("remove-folder").click();
    await folder.waitFor({ state: "detached" });
    assert.equal(await page.evaluate(() => window.__testBackend.library.listFolders().length), 0);
    assert.match(await page.locator(".statusbar").innerText(), /4 sessions/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the File menu's watch folder; a cancelled folder dialog does nothing", async () => {
    const { page, errors } = await app.open([...params.filter(([k]) => k !== "pickFolder")]);
    await page.getByTestId("session-row").first().waitFor();
    await openNav(page);
    await page.evaluate(() => window.__testBackend.simulateMenu("watch-folder"));
    await page.waitForFunction(() =>
      window.__testBackend.calls.some((c) => c.command === "pickFolder"),
    );
    assert.equal(await page.getByTestId("watched-folder").count(), 0);
    assert.equal(await page.getByTestId("error-banner").count(), 0);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe("import log", () => {
  test("lists per-file errors and other library events; errors only; clear", async () => {
    const { page, errors } = await app.open({
      library: "counter.json,second.json",
      pick: "truncated.json,no-snapshot.json,import-me.json",
      delay: "10",
    });
    await page.getByTestId("session-row").first().waitFor();
    await page.getByTestId("open-file").click();
    await page.getByTestId("error-banner").waitFor();
    // A deletion is logged too.
    await page.evaluate(async () => {
      const [s] = await window.__testBackend.listSessions();
      await window.__testBackend.deleteSessions([s.id]);
    });
    await page.evaluate(() => window.__testBackend.simulateMenu("import-log"));
    const log = page.getByTestId("import-log");
    await log.waitFor();
    const entries = log.getByTestId("log-entry");
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="log-entry"]').length === 3,
    );
    // Newest first.
    assert.deepEqual(await entries.evaluateAll((els) => els.map((e) => e.dataset.kind)), [
      "delete",
      "import_error",
      "import_error",
    ]);
    const texts = await entries.allInnerTexts();
    assert.match(texts[1], /no-snapshot\.json[\s\S]*no_full_snapshot/);
    assert.match(texts[2], /truncated\.json[\s\S]*not_json|truncated\.json[\s\S]*truncated/);
    await screenshot(page, "import-log");
    await log.getByTestId("log-errors-only").click();
    assert.equal(await entries.count(), 2);
    await log.getByTestId("log-clear").click();
    await log.getByTestId("log-empty").waitFor();
    await log.getByTestId("log-close").click();
    await log.waitFor({ state: "detached" });

    // From the sidebar too.
    await openNav(page);
    await page.getByTestId("open-import-log").click();
    await log.waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });
});
