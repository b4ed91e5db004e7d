// The app's Content-Security-Policy (tauri.conf.json) on the test page, so a browser test sees
// what the app's webview allows and blocks. Two substitutions make it fit a plain browser:
// the app's `remote-asset` scheme becomes the origin that stands in for it (or nothing), and
// connect-src also allows the dev server ('self'), which the test page fetches fixtures from
// where the app uses IPC.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./harness.mjs";

const REMOTE_ASSET_SOURCES = "remote-asset: http://remote-asset.localhost";

export function appCsp(assetOrigin = null) {
  const conf = JSON.parse(readFileSync(join(repoRoot, "tauri.conf.json"), "utf8"));
  const csp = conf.app.security.csp;
  if (!csp.includes(REMOTE_ASSET_SOURCES)) {
    throw new Error(`tauri.conf.json's CSP no longer names "${REMOTE_ASSET_SOURCES}"`);
  }
  return csp
    .replaceAll(` ${REMOTE_ASSET_SOURCES}`, assetOrigin ? ` ${assetOrigin}` : "")
    .replace("connect-src ", "connect-src 'self' ");
}

/** Serves the test page with the app's CSP from now on, and reloads it. */
export async function useAppCsp(page, assetOrigin = null) {
  const csp = appCsp(assetOrigin);
  await page.route(/\/test\.html(\?|$)/, async (route) => {
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: { ...response.headers(), "content-security-policy": csp },
    });
  });
  await page.reload();
  await page.waitForSelector(".app");
  await page.waitForFunction(() => window.__tapedeck !== undefined);
  return csp;
}
