// Shared set-up for the browser tests: the UI's Vite dev server (serving test.html, the UI over
// the in-memory TestBackend) and a headless Chromium driven by playwright-core. Both come from
// ui/node_modules, so `npm ci` in ui/ is the only install step.
import { createRequire } from "node:module";
import { after, before } from "node:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer as netServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const uiRoot = join(repoRoot, "ui");
export const artifacts = join(repoRoot, "target", "ui-artifacts");

const requireUi = createRequire(join(uiRoot, "package.json"));
const { chromium } = requireUi("playwright-core");

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = netServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the UI's dev server on a free port. */
export async function startUi() {
  const { createServer } = await import(pathToFileURL(requireUi.resolve("vite")).href);
  const port = await freePort();
  // A private dependency cache: test files may run in parallel, each with its own server.
  const cacheDir = mkdtempSync(join(tmpdir(), "tapedeck-vite-"));
  const server = await createServer({
    root: uiRoot,
    configFile: join(uiRoot, "vite.config.ts"),
    cacheDir,
    logLevel: "warn",
    clearScreen: false,
    server: { port, strictPort: true, host: "127.0.0.1", hmr: false },
  });
  await server.listen();
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    /** URL of the test page with the given TestBackend parameters. */
    url(params = {}) {
      const q = new URLSearchParams(params).toString();
      return `${base}/test.html${q ? `?${q}` : ""}`;
    },
    async close() {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium with a throwaway profile. */
export async function startBrowser() {
  const profile = mkdtempSync(join(tmpdir(), "tapedeck-ui-test-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the test page and waits until the app has rendered. Collects page errors and the
 * console's errors so a test can assert there were none.
 */
/**
 * Starts Vite and Chromium for the calling test file (closed when it ends) and returns
 * `open(params, size)` to load the app in a fresh page.
 */
export function useApp() {
  let ui;
  let browser;
  before(async () => {
    ui = await startUi();
    browser = await startBrowser();
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });
  return { open: (params, size) => openApp(browser, ui, params, size) };
}

export async function openApp(browser, ui, params, { width = 1280, height = 800 } = {}) {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.goto(ui.url(params));
  await page.waitForSelector(".app");
  await page.waitForFunction(() => window.__tapedeck !== undefined);
  return { page, errors };
}

/** Saves a screenshot as a test artifact (never compared: only for people to look at). */
export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

/** Text of the replayed page (inside rrweb's sandboxed iframe). */
export function replayText(page) {
  return page.evaluate(() => {
    const iframe = document.querySelector('[data-testid="replay"] iframe');
    return iframe?.contentDocument?.body?.innerText ?? "";
  });
}

export const probe = (page) =>
  page.evaluate(() => ({
    currentTime: window.__tapedeck.currentTime(),
    duration: window.__tapedeck.duration(),
    playing: window.__tapedeck.playing(),
    selectedId: window.__tapedeck.selectedId(),
  }));
