// Differential DOM comparison of two rrweb replays, in headless Chromium.
//
//   const cmp = await openComparer();
//   const result = await cmp.compare(eventsA, eventsB, at);   // { equal: true } or a diff
//   if (!result.equal) console.log(formatDiff(result));
//   await cmp.close();
//
// Each side is replayed in its own fresh rrweb 2.2.2 Replayer (the `rrweb` package in ui/) and
// seeked with `pause(offset)`, the way a player seeks, to the same moment `at` (epoch ms): every
// event with `timestamp <= at` is applied. Events may be given as an array or as the JSON text of
// one (the CLI's output, passed through unparsed). The replay iframe's document is then walked by
// a deterministic serialiser: tags, sorted attributes, text, comments, doctype, shadow roots,
// iframe documents, and the state that is not in the markup: form values (`value`, `checked`,
// `selected`), element and window scroll, media state, dialog modality, the CSSOM rules of every
// style sheet (rules inserted with `insertRule` are not in the text), adopted style sheets, and
// the selection.
//
// Left out on purpose:
// - canvas pixels: rrweb draws canvas mutations asynchronously (images decode), and with
//   `UNSAFE_replayCanvas: false` a replay does not promise them; the canvas element and its
//   attributes are compared.
// - focus (`document.activeElement`): a seek does not restore it (the Focus interactions
//   applied while seeking reach rrweb's virtual DOM, not the page's elements).
// - `<img>`/`<link>` load state: the page is offline (every request but its own is aborted), so
//   nothing loads on either side.
// Nothing else is ignored: what rrweb adds itself (the injected style element before `<head>`,
// `rrweb-paused` on `<html>`, the `:hover` class) is added the same way on both sides, so a
// difference there is a real difference in what the replay shows.

import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const requireUi = createRequire(join(repoRoot, "ui", "package.json"));
const { chromium } = requireUi("playwright-core");
const rrwebDist = dirname(requireUi.resolve("rrweb"));

/** The player's PageJumper (ui/src/player/jump.ts) bundled for the page, as `TapedeckJump`. */
async function jumperBundle() {
  const { rolldown } = await import(requireUi.resolve("rolldown"));
  const bundle = await rolldown({
    input: join(repoRoot, "ui/src/player/jump.ts"),
    external: ["rrweb"],
    logLevel: "warn",
  });
  const { output } = await bundle.generate({ format: "iife", name: "TapedeckJump" });
  await bundle.close();
  return output[0].code;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// A made-up origin, served by request interception: no server, and nothing leaves the machine.
const ORIGIN = "http://keyframes.tapedeck.test";

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="/rrweb.css">
<script src="/rrweb.js"></script>
<script src="/jump.js"></script>
<style>body { margin: 0 } .root { position: relative; width: 1280px; height: 800px; overflow: hidden }</style>
</head><body></body></html>`;

/**
 * Starts Chromium with one page that has rrweb loaded. `width`/`height` size the replay root
 * (the same for every replay); the iframe inside takes the recording's own size from its Meta.
 */
export async function openComparer({ width = 1280, height = 800 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "tapedeck-keyframes-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width, height },
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
  const page = context.pages()[0] ?? (await context.newPage());
  const warnings = [];
  page.on("pageerror", (e) => warnings.push(`pageerror: ${e.message}`));

  // Event sets handed to the page by URL: a large recording is fetched, not evaluated inline.
  const bodies = new Map();
  let nextBody = 0;
  const assets = {
    "/": { type: "text/html", body: PAGE },
    "/rrweb.js": { type: "text/javascript", body: readFileSync(join(rrwebDist, "rrweb.umd.cjs")) },
    "/rrweb.css": { type: "text/css", body: readFileSync(join(rrwebDist, "style.css")) },
    "/jump.js": { type: "text/javascript", body: await jumperBundle() },
  };
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) return route.abort();
    if (url.pathname.startsWith("/events/")) {
      const body = bodies.get(url.pathname);
      bodies.delete(url.pathname);
      return body === undefined
        ? route.fulfill({ status: 404 })
        : route.fulfill({ contentType: "application/json", body });
    }
    const asset = assets[url.pathname];
    return asset ? route.fulfill({ contentType: asset.type, body: asset.body }) : route.abort();
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => typeof window.rrweb?.Replayer === "function");
  await page.evaluate(installSerialiser);

  const handOver = (events) => {
    const path = `/events/${nextBody++}`;
    bodies.set(path, typeof events === "string" ? events : JSON.stringify(events));
    return path;
  };

  /** The serialised replay of `events` at `at` (epoch ms). */
  async function serialise(events, at) {
    return page.evaluate(
      ([path, at, width, height]) => window.__replayAndSerialise(path, at, width, height),
      [handOver(events), at, width, height],
    );
  }

  return {
    page,
    /**
     * Replays `steps[0].events` to `steps[0].at` in one Replayer, then moves it with the
     * player's PageJumper to each next step's events (a starting point and what follows) and
     * seeks there: `{ trees, rebuilt, attributeWrites }`, the serialised page after each
     * step, how many steps the jumper refused (a new Replayer then takes over, as in the
     * player), and per step the attribute writes the seek made to the page it kept, as
     * `{ changed, unchanged }` (a write of the value already there is `unchanged`).
     */
    async jumpChain(steps) {
      const paths = steps.map((s) => handOver(s.events));
      return page.evaluate(
        ([paths, ats, width, height]) => window.__jumpChain(paths, ats, width, height),
        [paths, steps.map((s) => s.at), width, height],
      );
    },
    /** Page errors seen so far (rrweb's own warnings go to the console and are not kept). */
    warnings,
    serialise,
    /** Replays both to `at` and compares: `{ equal: true }` or the first difference. */
    async compare(eventsA, eventsB, at) {
      const a = await serialise(eventsA, at);
      const b = await serialise(eventsB, at);
      return diffTrees(a, b);
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// Runs in the page: defines window.__replayAndSerialise.
function installSerialiser() {
  const sheetRules = (sheet) => {
    try {
      return sheet ? Array.from(sheet.cssRules, (r) => r.cssText) : null;
    } catch {
      return "(unreadable)";
    }
  };
  const adopted = (root) =>
    root.adoptedStyleSheets?.length ? root.adoptedStyleSheets.map(sheetRules) : undefined;

  function element(el) {
    const tag = el.localName;
    const out = { t: tag };
    const attrs = Array.from(el.attributes, (a) => [a.name, a.value]);
    attrs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    if (attrs.length) out.a = attrs;
    const p = {};
    if (tag === "input") {
      p.value = el.value;
      if (el.type === "checkbox" || el.type === "radio") p.checked = el.checked;
    } else if (tag === "textarea" || tag === "select") {
      p.value = el.value;
    } else if (tag === "option") {
      p.selected = el.selected;
    } else if (tag === "video" || tag === "audio") {
      p.paused = el.paused;
      p.currentTime = Math.round(el.currentTime * 1000) / 1000;
      p.muted = el.muted;
      p.volume = el.volume;
      p.playbackRate = el.playbackRate;
      p.loop = el.loop;
    } else if (tag === "dialog") {
      p.modal = el.matches(":modal");
    }
    if (el.scrollTop) p.scrollTop = el.scrollTop;
    if (el.scrollLeft) p.scrollLeft = el.scrollLeft;
    if (tag === "style" || (tag === "link" && el.sheet)) p.sheet = sheetRules(el.sheet);
    if (Object.keys(p).length) out.p = p;
    if (el.shadowRoot) {
      out.shadow = { t: "#shadow", c: children(el.shadowRoot) };
      const sheets = adopted(el.shadowRoot);
      if (sheets) out.shadow.p = { adopted: sheets };
    }
    if ((tag === "iframe" || tag === "frame") && el.contentDocument) {
      out.doc = documentNode(el.contentDocument);
    }
    const c = children(el);
    if (c.length) out.c = c;
    return out;
  }

  function node(n) {
    switch (n.nodeType) {
      case Node.ELEMENT_NODE:
        return element(n);
      case Node.TEXT_NODE:
        return { t: "#text", v: n.data };
      case Node.CDATA_SECTION_NODE:
        return { t: "#cdata", v: n.data };
      case Node.COMMENT_NODE:
        return { t: "#comment", v: n.data };
      case Node.DOCUMENT_TYPE_NODE:
        return { t: "#doctype", v: `${n.name}|${n.publicId}|${n.systemId}` };
      default:
        return { t: `#node${n.nodeType}` };
    }
  }

  const children = (parent) => Array.from(parent.childNodes, node);

  // Child-index path from the document to a node, for the selection.
  function pathOf(n, doc) {
    const steps = [];
    while (n && n !== doc) {
      const parent = n.parentNode ?? n.host;
      if (!parent) return null;
      steps.unshift(Array.prototype.indexOf.call(parent.childNodes, n));
      n = parent;
    }
    return steps.join("/");
  }

  function documentNode(doc) {
    const out = { t: "#document" };
    const p = {};
    const win = doc.defaultView;
    if (win && (win.scrollX || win.scrollY)) p.scroll = [win.scrollX, win.scrollY];
    const sheets = adopted(doc);
    if (sheets) p.adopted = sheets;
    const sel = doc.getSelection?.();
    if (sel && sel.rangeCount) {
      p.selection = [
        pathOf(sel.anchorNode, doc),
        sel.anchorOffset,
        pathOf(sel.focusNode, doc),
        sel.focusOffset,
      ].join(" ");
    }
    if (Object.keys(p).length) out.p = p;
    out.c = children(doc);
    return out;
  }

  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const REPLAYER_CONFIG = {
    UNSAFE_replayCanvas: false,
    mouseTail: false,
    showWarning: false,
    speed: 1,
  };
  const fetchEvents = async (path) => {
    const events = await (await fetch(path)).json();
    return Array.isArray(events) && events.length >= 2 ? events : null;
  };
  const newRoot = (width, height) => {
    const root = document.createElement("div");
    root.className = "root";
    root.style.width = `${width}px`;
    root.style.height = `${height}px`;
    document.body.append(root);
    return root;
  };
  // pause(offset) applies the events strictly before first + offset synchronously; + 1 takes
  // in those at `at` too.
  const seek = (replayer, events, at) =>
    replayer.pause(at + 1 - Math.min(...events.map((e) => e.timestamp)));
  // Settle: the constructor's deferred resize and first rebuild, iframe documents attached on
  // load, style sheets. Done when two serialisations a few frames apart agree.
  const settle = async (replayer) => {
    let last = "";
    let tree;
    for (let i = 0; i < 40; i++) {
      await frame();
      await sleep(i < 2 ? 20 : 50);
      const doc = replayer.iframe.contentDocument;
      tree = doc ? documentNode(doc) : { t: "#error", v: "no replay document" };
      const text = JSON.stringify(tree);
      if (text === last) break;
      last = text;
    }
    return tree;
  };
  const notReplayable = (n) => ({ t: "#error", v: `not a replayable event array (${n} events)` });

  window.__replayAndSerialise = async (path, at, width, height) => {
    const events = await fetchEvents(path);
    if (!events) return notReplayable(events?.length);
    const root = newRoot(width, height);
    const replayer = new window.rrweb.Replayer(events, { root, ...REPLAYER_CONFIG });
    seek(replayer, events, at);
    const tree = await settle(replayer);
    replayer.destroy();
    root.remove();
    return tree;
  };

  window.__jumpChain = async (paths, ats, width, height) => {
    const root = newRoot(width, height);
    const trees = [];
    const attributeWrites = [];
    let rebuilt = 0;
    let replayer = null;
    let jumper = null;
    for (let i = 0; i < paths.length; i++) {
      const events = await fetchEvents(paths[i]);
      if (!events) {
        trees.push(notReplayable(events?.length));
        continue;
      }
      if (!replayer) {
        replayer = new window.rrweb.Replayer(events, { root, ...REPLAYER_CONFIG });
        jumper = new window.TapedeckJump.PageJumper(replayer);
      } else if (!jumper.load(events, ats[i])) {
        // As the player does: a page the jumper cannot diff gets a new Replayer.
        replayer.destroy();
        replayer = new window.rrweb.Replayer(events, { root, ...REPLAYER_CONFIG });
        jumper = new window.TapedeckJump.PageJumper(replayer);
        rebuilt++;
      }
      // What the jump writes to the page's attributes: a write of the value already there
      // is a change the browser styles and lays out again for nothing.
      const doc = replayer.iframe.contentDocument;
      const observer = new MutationObserver(() => {});
      if (i > 0 && doc) {
        observer.observe(doc, { attributes: true, attributeOldValue: true, subtree: true });
      }
      seek(replayer, events, ats[i]);
      let changed = 0;
      let unchanged = 0;
      for (const m of observer.takeRecords()) {
        const value = m.target.getAttribute(m.attributeName);
        // rrweb's pointer: it takes its `:hover` class off the elements under it and puts it
        // back as the pointer settles, whatever the diff did.
        if (m.attributeName === "class" && `${m.oldValue} ${value}`.includes(":hover")) continue;
        if (value === m.oldValue) unchanged++;
        else changed++;
      }
      observer.disconnect();
      attributeWrites.push({ changed, unchanged });
      trees.push(await settle(replayer));
    }
    replayer?.destroy();
    root.remove();
    return { trees, rebuilt, attributeWrites };
  };
}

const label = (n, i) => {
  if (!n.t.startsWith("#")) {
    const id = n.a?.find(([k]) => k === "id")?.[1];
    return `${n.t}${id ? `#${id}` : ""}[${i}]`;
  }
  return `${n.t}[${i}]`;
};

const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);

/**
 * The first difference between two serialised trees (depth first, attributes and state before
 * children): `{ equal: false, path, what, a, b }`, or `{ equal: true }`.
 */
export function diffTrees(a, b, path = []) {
  const at = (what, x, y) => ({
    equal: false,
    path: path.join(" > ") || "(root)",
    what,
    a: x,
    b: y,
  });
  if (a.t !== b.t) return at("node", a.t, b.t);
  if (a.v !== b.v) return at(a.t === "#error" ? "error" : "text", a.v, b.v);
  const aa = Object.fromEntries(a.a ?? []);
  const ba = Object.fromEntries(b.a ?? []);
  for (const k of [...new Set([...Object.keys(aa), ...Object.keys(ba)])].sort()) {
    if (aa[k] !== ba[k]) return at(`attribute ${k}`, aa[k], ba[k]);
  }
  const ap = a.p ?? {};
  const bp = b.p ?? {};
  for (const k of [...new Set([...Object.keys(ap), ...Object.keys(bp)])].sort()) {
    if (!same(ap[k], bp[k])) return at(`state ${k}`, ap[k], bp[k]);
  }
  for (const key of ["shadow", "doc"]) {
    if (!a[key] !== !b[key])
      return at(key, a[key] ? "present" : "absent", b[key] ? "present" : "absent");
    if (a[key]) {
      const d = diffTrees(a[key], b[key], [...path, key === "shadow" ? "#shadow" : "#document"]);
      if (!d.equal) return d;
    }
  }
  const ac = a.c ?? [];
  const bc = b.c ?? [];
  for (let i = 0; i < Math.min(ac.length, bc.length); i++) {
    const d = diffTrees(ac[i], bc[i], [...path, label(ac[i], i)]);
    if (!d.equal) return d;
  }
  if (ac.length !== bc.length) {
    const extra = ac.length > bc.length ? ac[bc.length] : bc[ac.length];
    return {
      ...at("child count", ac.length, bc.length),
      extra: `${ac.length > bc.length ? "A" : "B"} has ${label(extra, Math.min(ac.length, bc.length))} ${summary(extra)}`,
    };
  }
  return { equal: true };
}

function summary(n) {
  const s = JSON.stringify(n);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/** A difference as a few readable lines. */
export function formatDiff(d) {
  if (d.equal) return "equal";
  const show = (v) => {
    const s = v === undefined ? "(absent)" : JSON.stringify(v);
    return s.length > 300 ? `${s.slice(0, 300)}…` : s;
  };
  return [
    `first difference at ${d.path}: ${d.what}`,
    `  A: ${show(d.a)}`,
    `  B: ${show(d.b)}`,
    ...(d.extra ? [`  ${d.extra}`] : []),
  ].join("\n");
}
