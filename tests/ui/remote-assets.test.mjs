// "Load remote assets", under the app's own CSP. The fixture's page references a stylesheet
// and images on http://assets.tapedeck.test, which the browser reaches on a loopback server
// this test starts. Off (the default), that server gets no request while the session plays;
// on, the stylesheet applies and the images load, through a second loopback server standing
// in for the app's `remote-asset` scheme (the only place the CSP lets assets come from). The
// choice is the session's own. The browser knows both servers by made-up host names that the
// test routes to them (Chromium would not let the replay's frame reach a loopback port).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { openApp, screenshot, startBrowser, startUi } from "./harness.mjs";
import { useAppCsp } from "./csp.mjs";

const ASSET_HOST = "http://assets.tapedeck.test";
const PROXY_HOST = "http://remote-asset.tapedeck.test";
// A 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==",
  "base64",
);
const CSS = "#title { color: rgb(10, 120, 30); }";

function listen(handler) {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      resolve({ server, origin: `http://127.0.0.1:${port}`, close: () => server.close() });
    }),
  );
}

let ui;
let browser;
/** The recorded page's server, and every path it was asked for. */
let assets;
const assetRequests = [];
/** The stand-in for the app's proxy: `/<session>/<encoded original URL>`. */
let proxy;
const proxied = [];

before(async () => {
  assets = await listen((req, res) => {
    assetRequests.push(req.url);
    if (req.url.endsWith(".css")) {
      res.writeHead(200, { "content-type": "text/css" }).end(CSS);
    } else if (req.url.endsWith(".png")) {
      res.writeHead(200, { "content-type": "image/png" }).end(PNG);
    } else {
      res.writeHead(404).end();
    }
  });
  proxy = await listen(async (req, res) => {
    const [, session, encoded] = req.url.split("/");
    const original = decodeURIComponent(encoded ?? "");
    proxied.push({ session, original });
    if (!original.startsWith(`${ASSET_HOST}/`)) {
      res.writeHead(403).end();
      return;
    }
    // What DNS would do for the recorded host.
    const upstream = await fetch(assets.origin + original.slice(ASSET_HOST.length));
    res
      .writeHead(upstream.status, {
        "content-type": upstream.headers.get("content-type") ?? "application/octet-stream",
        "access-control-allow-origin": "*",
      })
      .end(Buffer.from(await upstream.arrayBuffer()));
  });
  ui = await startUi();
  browser = await startBrowser();
  // What the page asks of either host goes to its loopback server (which counts it).
  for (const [host, server] of [
    [ASSET_HOST, assets],
    [PROXY_HOST, proxy],
  ]) {
    await browser.context.route(`${host}/**`, async (route) => {
      const url = route.request().url();
      const response = await route.fetch({ url: server.origin + url.slice(host.length) });
      await route.fulfill({ response });
    });
  }
});

after(async () => {
  await browser?.close();
  await ui?.close();
  assets?.close();
  proxy?.close();
});

const row = (page, text) => page.locator('[data-testid="session-row"]', { hasText: text });

/** The replay's page: the logo's size, the heading's colour, what the images point at. */
const replayed = (page) =>
  page.evaluate(() => {
    const doc = document.querySelector('[data-testid="replay"] iframe')?.contentDocument;
    const img = (id) => doc?.getElementById(id);
    const title = doc?.getElementById("title");
    return {
      loaded: !!title,
      logoWidth: img("logo")?.naturalWidth ?? null,
      relativeWidth: img("relative")?.naturalWidth ?? null,
      addedWidth: img("added")?.naturalWidth ?? null,
      logoSrc: img("logo")?.getAttribute("src") ?? null,
      titleColor: title ? getComputedStyle(title).color : null,
    };
  });

async function openSession(page, text) {
  await row(page, text).click();
  await page.waitForFunction(() => window.__tapedeck.duration() > 0);
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="replay"] iframe')?.contentDocument?.body?.innerText
        .length > 0,
  );
}

test("remote assets: off by default, nothing requested; on, they load; per session", async () => {
  const { page, errors } = await openApp(browser, ui, {
    library: "remote-assets.json,counter.json",
    assetProxy: PROXY_HOST,
  });
  await useAppCsp(page, PROXY_HOST);
  // What the page asked for and got an answer to (a request the CSP refuses is reported as
  // one that failed, and never reaches a server).
  const watched = (u) => u.startsWith(ASSET_HOST) || u.startsWith(PROXY_HOST);
  const sent = [];
  const refused = [];
  page.on("requestfinished", (r) => watched(r.url()) && sent.push(r.url()));
  page.on("requestfailed", (r) => watched(r.url()) && refused.push(r.failure()?.errorText));

  // Off: the whole session plays and nothing is fetched.
  await openSession(page, "assets.tapedeck.test");
  const toggle = page.getByTestId("remote-assets");
  assert.equal(await toggle.getAttribute("aria-pressed"), "false");
  assert.match(await toggle.getAttribute("title"), /can tell that the recording was viewed/);
  await page.waitForFunction(() => !window.__tapedeck.playing(), null, { timeout: 15_000 });
  await page.waitForTimeout(300);
  const off = await replayed(page);
  assert.equal(off.loaded, true);
  assert.equal(off.logoWidth, 0, "the logo did not load");
  assert.equal(off.logoSrc, `${ASSET_HOST}/shop/logo.png`, "the recorded URL, unchanged");
  assert.notEqual(off.titleColor, "rgb(10, 120, 30)", "the stylesheet did not apply");
  assert.deepEqual(assetRequests, [], "the recorded page's server got no request");
  assert.deepEqual(proxied, []);
  assert.deepEqual(sent, []);
  assert.ok(refused.length >= 4, `the CSP refused them: ${refused}`);
  assert.ok(
    refused.every((why) => /CSP/i.test(why)),
    `${refused}`,
  );
  await screenshot(page, "remote-assets-off");

  // On: the page is rebuilt with its stylesheet and images, through the proxy only.
  await toggle.click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="remote-assets"]').ariaPressed === "true",
  );
  await page.waitForFunction(
    () => {
      const doc = document.querySelector('[data-testid="replay"] iframe')?.contentDocument;
      const title = doc?.getElementById("title");
      return (
        doc?.getElementById("logo")?.naturalWidth > 0 &&
        doc?.getElementById("added")?.naturalWidth > 0 &&
        title &&
        getComputedStyle(title).color === "rgb(10, 120, 30)"
      );
    },
    null,
    { timeout: 15_000 },
  );
  const on = await replayed(page);
  assert.equal(on.logoWidth, 1);
  assert.equal(on.relativeWidth, 1, "a relative URL resolves against the recorded page");
  assert.ok(on.logoSrc.startsWith(`${PROXY_HOST}/`), on.logoSrc);
  const id = await page.evaluate(() => window.__tapedeck.selectedId());
  for (const path of ["site.css", "logo.png", "img/relative.png", "tile.png", "added.png"]) {
    assert.ok(assetRequests.includes(`/shop/${path}`), `${path} was fetched: ${assetRequests}`);
    assert.ok(
      proxied.some((p) => p.session === id && p.original === `${ASSET_HOST}/shop/${path}`),
      `${path} went through the proxy for this session`,
    );
  }
  assert.ok(
    sent.every((u) => u.startsWith(PROXY_HOST)),
    `the page itself asked only the proxy: ${sent}`,
  );
  await screenshot(page, "remote-assets-on");

  // Another session: off, and playing it asks nothing of anyone.
  const before = { assets: assetRequests.length, proxied: proxied.length };
  await openSession(page, "shop.example.test/checkout");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="remote-assets"]')?.disabled === false,
  );
  assert.equal(await page.getByTestId("remote-assets").getAttribute("aria-pressed"), "false");

  // Back: still on, and loading without being asked again.
  assetRequests.length = 0;
  await openSession(page, "assets.tapedeck.test");
  await page.waitForFunction(
    () => document.querySelector('[data-testid="remote-assets"]')?.ariaPressed === "true",
  );
  await page.waitForFunction(
    () =>
      document
        .querySelector('[data-testid="replay"] iframe')
        ?.contentDocument?.getElementById("logo")?.naturalWidth > 0,
    null,
    { timeout: 15_000 },
  );
  assert.ok(proxied.length > before.proxied);

  // Off again: rebuilt from the recorded URLs, which the CSP blocks.
  assetRequests.length = 0;
  const proxiedBefore = proxied.length;
  await page.getByTestId("remote-assets").click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="remote-assets"]').ariaPressed === "false",
  );
  await page.waitForFunction(() => window.__tapedeck.duration() > 0);
  await page.waitForTimeout(1500);
  const offAgain = await replayed(page);
  assert.equal(offAgain.logoSrc, `${ASSET_HOST}/shop/logo.png`);
  assert.equal(offAgain.logoWidth, 0);
  assert.deepEqual(assetRequests, []);
  assert.equal(proxied.length, proxiedBefore);

  // The CSP's refusals (and the dev server's missing live-reload socket) are the only errors.
  assert.deepEqual(
    errors.filter(
      (e) => !/Content Security Policy|Failed to load resource|WebSocket|\[vite\]/.test(e),
    ),
    [],
  );
  await page.close();
});
