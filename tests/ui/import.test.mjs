// Getting recordings in: the Open… button, Ctrl+O, the native menu, drag and drop, files given
// on the command line; progress while importing; notices and errors afterwards.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { replayText, screenshot, useApp } from "./harness.mjs";

const app = useApp();

/** Waits until `name`'s session is selected and playing; returns its row. */
async function expectSelectedAndPlaying(page, host) {
  const row = page.locator('[data-testid="session-row"][aria-selected="true"]');
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(host.replace(/\./g, "\\.")));
  const id = await row.getAttribute("data-session-id");
  await page.waitForFunction(
    (id) => window.__tapedeck.selectedId() === id && window.__tapedeck.currentTime() > 300,
    id,
    { timeout: 10_000 },
  );
  assert.match(await replayText(page), /Tick \d+/);
  return row;
}

describe("importing", () => {
  test("Open… shows progress per file, then selects and plays the new session", async () => {
    const { page, errors } = await app.open({
      library: "counter.json",
      pick: "import-me.json",
      delay: "250",
      steps: "6",
    });
    await page.getByTestId("session-row").first().waitFor();
    await page.getByTestId("open-file").click();

    const progress = page.getByTestId("import-progress");
    await progress.waitFor();
    assert.match(await progress.innerText(), /import-me\.json/);
    const bar = progress.getByRole("progressbar");
    await page.waitForFunction(
      () => Number(document.querySelector('[role="progressbar"]')?.ariaValueNow) > 0,
    );
    const pct = Number(await bar.getAttribute("aria-valuenow"));
    assert.ok(pct > 0 && pct <= 100, `progress ${pct}%`);
    await screenshot(page, "import-progress");

    await progress.waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("session-row").count(), 2);
    await expectSelectedAndPlaying(page, "import.example.test");
    assert.equal(await page.getByTestId("error-banner").count(), 0);
    assert.match(await page.locator(".statusbar").innerText(), /2 sessions/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a file already in the library is a notice, and gets selected", async () => {
    const { page } = await app.open({
      library: "second.json,counter.json",
      pick: "counter.json",
      delay: "10",
    });
    await page.getByTestId("session-row").first().waitFor();
    await page.getByTestId("open-file").click();
    const notice = page.getByTestId("notice");
    await notice.waitFor();
    assert.match(await notice.innerText(), /counter\.json is already in the library/);
    assert.equal(await page.getByTestId("session-row").count(), 2);
    await expectSelectedAndPlaying(page, "shop.example.test");
    await screenshot(page, "import-already");
    await notice.getByRole("button", { name: "Dismiss" }).click();
    await notice.waitFor({ state: "detached" });
    await page.close();
  });

  test("failed files are listed in a dismissible banner that names each file", async () => {
    const { page } = await app.open({
      library: "counter.json",
      pick: "truncated.json,import-me.json,no-snapshot.json,missing.json",
      delay: "10",
    });
    await page.getByTestId("session-row").first().waitFor();
    await page.getByTestId("open-file").click();
    const banner = page.getByTestId("error-banner");
    await banner.waitFor();
    const text = await banner.innerText();
    assert.match(text, /Could not import 3 files/);
    assert.match(text, /truncated\.json: not JSON/);
    assert.match(text, /no-snapshot\.json: cannot be played: the recording has no full snapshot/);
    assert.match(text, /missing\.json: cannot read the file/);
    assert.doesNotMatch(text, /import-me\.json/);
    // The good file in the same batch still made it in, and is the one selected.
    await expectSelectedAndPlaying(page, "import.example.test");
    await screenshot(page, "import-errors");

    await banner.getByRole("button", { name: "Dismiss" }).click();
    await banner.waitFor({ state: "detached" });
    await page.close();
  });

  test("a single failure names the file in the title", async () => {
    const { page } = await app.open({ library: "", pick: "truncated.json" });
    await page.getByTestId("empty-library").waitFor();
    // The empty state's own button opens the dialog too.
    await page
      .getByTestId("empty-library")
      .getByRole("button", { name: "Open recordings…" })
      .click();
    const banner = page.getByTestId("error-banner");
    await banner.waitFor();
    assert.match(await banner.innerText(), /Could not import truncated\.json/);
    await page.getByTestId("empty-library").waitFor();
    await page.close();
  });

  test("a failing file dialog is reported, not swallowed", async () => {
    const { page } = await app.open({ library: "counter.json" });
    await page.getByTestId("session-row").first().waitFor();
    await page.evaluate(() => {
      window.__testBackend.pickFiles = () =>
        Promise.reject({ code: "dialog", message: "no portal available" });
    });
    await page.getByTestId("open-file").click();
    const banner = page.getByTestId("error-banner");
    await banner.waitFor();
    const text = await banner.innerText();
    assert.match(text, /Could not open recordings/);
    assert.match(text, /The file dialog failed: no portal available/);
    await page.close();
  });

  test("Ctrl+O and the native File › Open… menu both open the dialog", async () => {
    const { page } = await app.open({
      library: "counter.json",
      pick: "import-me.json",
      delay: "10",
    });
    await page.getByTestId("session-row").first().waitFor();
    await page.keyboard.press("Control+o");
    await expectSelectedAndPlaying(page, "import.example.test");
    let picks = await page.evaluate(
      () => window.__testBackend.calls.filter((c) => c.command === "pickFiles").length,
    );
    assert.equal(picks, 1);

    await page.evaluate(() => window.__testBackend.simulateMenu("open"));
    await page.getByTestId("notice").waitFor(); // same file again: already imported
    picks = await page.evaluate(
      () => window.__testBackend.calls.filter((c) => c.command === "pickFiles").length,
    );
    assert.equal(picks, 2);
    await page.close();
  });

  test("dropping files shows a drop target, then imports them", async () => {
    const { page } = await app.open({ library: "counter.json", delay: "40" });
    await page.getByTestId("session-row").first().waitFor();
    await page.evaluate(() =>
      window.__testBackend.simulateDrop({
        type: "enter",
        paths: ["import-me.json", "x.json"],
      }),
    );
    const overlay = page.getByTestId("drop-overlay");
    await overlay.waitFor();
    assert.match(await overlay.innerText(), /Drop 2 files to import/);
    await screenshot(page, "drop-overlay");
    await page.evaluate(() => window.__testBackend.simulateDrop({ type: "leave" }));
    await overlay.waitFor({ state: "detached" });

    await page.evaluate(() =>
      window.__testBackend.simulateDrop({
        type: "drop",
        paths: ["import-me.json"],
      }),
    );
    await page.getByTestId("import-progress").waitFor();
    await expectSelectedAndPlaying(page, "import.example.test");
    assert.equal(await overlay.count(), 0);
    await page.close();
  });

  test("files named on the command line are imported and played at start", async () => {
    const { page } = await app.open({
      library: "counter.json",
      launch: "import-me.json",
      delay: "10",
    });
    await expectSelectedAndPlaying(page, "import.example.test");
    const launches = await page.evaluate(
      () => window.__testBackend.calls.filter((c) => c.command === "takeLaunchRequest").length,
    );
    assert.equal(launches, 1);
    await page.close();
  });
});
