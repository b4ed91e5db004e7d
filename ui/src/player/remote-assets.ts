// "Load remote assets": with the flag on for a session, the URLs of the recorded page's
// stylesheets, images, fonts and media are rewritten, in the events handed to rrweb, to the
// app's proxied form (the app's CSP allows that and no remote origin; the proxy fetches the
// original). With it off, the events go to rrweb unchanged and the CSP blocks every remote URL
// in them. Only those URLs change: scripts, links, iframes, text and every other field are
// left exactly as recorded, and so are `data:`, `blob:`, `javascript:` and fragment URLs.
//
// What is rewritten: element attributes `src` (img, source, video, audio, track, input),
// `srcset`, `poster`, `background`, `href` of `<link rel=stylesheet|icon|preload>` and of SVG
// `<image>`/`<use>`, `style` and `_cssText` (url(...) and @import), the CSS text of `<style>`
// elements, in full snapshots, mutation adds, attribute and text changes; the rules of
// StyleSheetRule, AdoptedStyleSheet and StyleDeclaration events; and Font sources.

import type { eventWithTime } from "rrweb";

/** The URL the replay should load an absolute http(s) URL from. */
export type ProxyUrl = (absoluteUrl: string) => string;

// rrweb's enums (EventType, IncrementalSource, NodeType), by value.
const META = 4;
const FULL_SNAPSHOT = 2;
const INCREMENTAL = 3;
const MUTATION = 0;
const STYLE_SHEET_RULE = 8;
const FONT = 10;
const STYLE_DECLARATION = 13;
const ADOPTED_STYLE_SHEET = 15;
const ELEMENT = 2;
const TEXT = 3;

const SRC_TAGS = new Set(["img", "source", "video", "audio", "track", "input"]);
const SRCSET_TAGS = new Set(["img", "source"]);
const BACKGROUND_TAGS = new Set(["body", "table", "td", "th"]);
const SVG_HREF_TAGS = new Set(["image", "use", "feimage"]);
const PRELOAD_AS = new Set(["style", "image", "font", "audio", "video", "track"]);

/**
 * `url` resolved against `base`, in proxied form, when it is http(s); otherwise unchanged
 * (data:, blob:, javascript:, a fragment, or relative with no page to resolve it against).
 */
export function rewriteUrl(url: string, base: string | null, proxy: ProxyUrl): string {
  const trimmed = url.trim();
  if (trimmed === "" || trimmed.startsWith("#")) return url;
  let parsed: URL;
  try {
    parsed = base === null ? new URL(trimmed) : new URL(trimmed, base);
  } catch {
    return url;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return url;
  return proxy(parsed.href);
}

const CSS_URL = /(url\(\s*)(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))(\s*\))/gi;
const CSS_IMPORT = /(@import\s+)(["'])([^"']*)\2/gi;

/** CSS with the URLs of its url(...) and @import "..." rewritten; nothing else changes. */
export function rewriteCss(css: string, base: string | null, proxy: ProxyUrl): string {
  if (!/url\(|@import/i.test(css)) return css;
  /** The URL in `quote`s (a bare one gets double quotes), or null to keep the original. */
  const one = (raw: string, quote: string): string | null => {
    // An escaped character would need CSS unescaping first; leave such a URL as it is.
    if (raw.includes("\\")) return null;
    const next = rewriteUrl(raw, base, proxy);
    if (next === raw) return null;
    const q = quote === "" ? '"' : quote;
    return `${q}${next}${q}`;
  };
  return css
    .replace(
      CSS_URL,
      (whole, open: string, dq?: string, sq?: string, bare?: string, close?: string) => {
        const quote = dq !== undefined ? '"' : sq !== undefined ? "'" : "";
        const next = one(dq ?? sq ?? bare ?? "", quote);
        return next === null ? whole : `${open}${next}${close ?? ")"}`;
      },
    )
    .replace(CSS_IMPORT, (whole, open: string, quote: string, raw: string) => {
      const next = one(raw, quote);
      return next === null ? whole : `${open}${next}`;
    });
}

/** A `srcset` with each candidate's URL rewritten and its descriptors kept. */
export function rewriteSrcset(srcset: string, base: string | null, proxy: ProxyUrl): string {
  let out = "";
  let i = 0;
  const n = srcset.length;
  const space = (c: string) => /\s/.test(c);
  while (i < n) {
    let j = i;
    while (j < n && (space(srcset[j]) || srcset[j] === ",")) j++;
    out += srcset.slice(i, j);
    i = j;
    if (i >= n) break;
    while (j < n && !space(srcset[j])) j++;
    let url = srcset.slice(i, j);
    // A URL that ends in commas is a candidate without descriptors.
    let commas = "";
    while (url.endsWith(",")) {
      commas += ",";
      url = url.slice(0, -1);
    }
    out += rewriteUrl(url, base, proxy) + commas;
    i = j;
    if (commas !== "") continue;
    let depth = 0;
    while (j < n && !(srcset[j] === "," && depth <= 0)) {
      if (srcset[j] === "(") depth++;
      else if (srcset[j] === ")") depth--;
      j++;
    }
    out += srcset.slice(i, j);
    i = j;
  }
  return out;
}

type Attributes = Record<string, unknown>;

interface SerializedNode {
  type: number;
  id?: number;
  tagName?: string;
  attributes?: Attributes;
  childNodes?: SerializedNode[];
  textContent?: string;
  isStyle?: boolean;
}

/** What attribute changes need to know about an element seen earlier. */
interface Known {
  tag: string;
  rel?: string;
  as?: string;
}

/**
 * Rewrites the events of one replay (one window), batch after batch, in place. It keeps what
 * later events need: the page's address (from Meta events) and which nodes are `<style>`
 * elements, their text and `<link>`s.
 */
export class RemoteAssetRewriter {
  private readonly proxy: ProxyUrl;
  private base: string | null = null;
  private elements = new Map<number, Known>();
  private styleTexts = new Set<number>();

  constructor(proxy: ProxyUrl) {
    this.proxy = proxy;
  }

  /** The same array, its events rewritten in place. */
  rewrite(events: eventWithTime[]): eventWithTime[] {
    for (const e of events) this.event(e as unknown as { type: number; data: unknown });
    return events;
  }

  private event(e: { type: number; data: unknown }) {
    const data = e.data as Record<string, unknown> | null;
    if (typeof data !== "object" || data === null) return;
    if (e.type === META) {
      if (typeof data.href === "string") this.base = data.href;
    } else if (e.type === FULL_SNAPSHOT) {
      this.elements.clear();
      this.styleTexts.clear();
      this.node(data.node as SerializedNode, null);
    } else if (e.type === INCREMENTAL) {
      this.incremental(data);
    }
  }

  private incremental(d: Record<string, unknown>) {
    const css = (v: unknown) => (typeof v === "string" ? this.css(v) : v);
    switch (d.source) {
      case MUTATION: {
        for (const add of list<{ parentId?: number; node?: SerializedNode }>(d.adds)) {
          const parent = typeof add.parentId === "number" ? this.elements.get(add.parentId) : null;
          this.node(add.node, parent?.tag ?? null);
        }
        for (const t of list<{ id?: number; value?: unknown }>(d.texts)) {
          if (typeof t.id === "number" && this.styleTexts.has(t.id)) t.value = css(t.value);
        }
        for (const a of list<{ id?: number; attributes?: Attributes }>(d.attributes)) {
          if (typeof a.id !== "number" || typeof a.attributes !== "object" || !a.attributes) {
            continue;
          }
          const known = this.elements.get(a.id);
          if (!known) continue;
          if (typeof a.attributes.rel === "string") known.rel = a.attributes.rel;
          if (typeof a.attributes.as === "string") known.as = a.attributes.as;
          this.attributes(known, a.attributes, true);
        }
        break;
      }
      case STYLE_SHEET_RULE: {
        for (const add of list<{ rule?: unknown }>(d.adds)) add.rule = css(add.rule);
        if ("replace" in d) d.replace = css(d.replace);
        if ("replaceSync" in d) d.replaceSync = css(d.replaceSync);
        break;
      }
      case ADOPTED_STYLE_SHEET: {
        for (const sheet of list<{ rules?: unknown }>(d.styles)) {
          for (const r of list<{ rule?: unknown }>(sheet.rules)) r.rule = css(r.rule);
        }
        break;
      }
      case STYLE_DECLARATION: {
        const set = d.set as { value?: unknown } | undefined;
        if (set && typeof set === "object") set.value = css(set.value);
        break;
      }
      case FONT: {
        // A buffer is the font's bytes; otherwise the source is CSS `url(...)` text.
        if (d.buffer !== true) d.fontSource = css(d.fontSource);
        break;
      }
    }
  }

  private node(n: SerializedNode | undefined, parentTag: string | null) {
    if (!n || typeof n !== "object") return;
    if (n.type === ELEMENT && typeof n.tagName === "string") {
      const tag = n.tagName.toLowerCase();
      const attrs = typeof n.attributes === "object" && n.attributes ? n.attributes : null;
      const known: Known = { tag };
      if (attrs && typeof attrs.rel === "string") known.rel = attrs.rel;
      if (attrs && typeof attrs.as === "string") known.as = attrs.as;
      if (typeof n.id === "number") this.elements.set(n.id, known);
      if (attrs) this.attributes(known, attrs, false);
      for (const child of n.childNodes ?? []) this.node(child, tag);
      return;
    }
    if (n.type === TEXT && (n.isStyle === true || parentTag === "style")) {
      if (typeof n.id === "number") this.styleTexts.add(n.id);
      if (typeof n.textContent === "string") n.textContent = this.css(n.textContent);
      return;
    }
    for (const child of n.childNodes ?? []) this.node(child, null);
  }

  /** `mutation`: an attribute change, where `style` may be an object of properties. */
  private attributes(el: Known, attrs: Attributes, mutation: boolean) {
    const url = (v: unknown) => (typeof v === "string" ? this.url(v) : v);
    for (const name of Object.keys(attrs)) {
      const v = attrs[name];
      if (v === null || v === undefined) continue;
      switch (name) {
        case "src":
          if (SRC_TAGS.has(el.tag)) attrs[name] = url(v);
          break;
        case "srcset":
          if (SRCSET_TAGS.has(el.tag) && typeof v === "string") {
            attrs[name] = rewriteSrcset(v, this.base, this.proxy);
          }
          break;
        case "poster":
          if (el.tag === "video") attrs[name] = url(v);
          break;
        case "background":
          if (BACKGROUND_TAGS.has(el.tag)) attrs[name] = url(v);
          break;
        case "href":
        case "xlink:href":
          if (
            (el.tag === "link" && name === "href" && linkLoads(el)) ||
            SVG_HREF_TAGS.has(el.tag)
          ) {
            attrs[name] = url(v);
          }
          break;
        case "_cssText":
          if (typeof v === "string") attrs[name] = this.css(v);
          break;
        case "style":
          if (typeof v === "string") attrs[name] = this.css(v);
          else if (mutation && typeof v === "object") this.styleObject(v as Attributes);
          break;
      }
    }
  }

  /** rrweb's style diff: property → value, [value, priority], or false (removed). */
  private styleObject(style: Attributes) {
    for (const prop of Object.keys(style)) {
      const v = style[prop];
      if (typeof v === "string") style[prop] = this.css(v);
      else if (Array.isArray(v) && typeof v[0] === "string") v[0] = this.css(v[0]);
    }
  }

  private url(v: string): string {
    return rewriteUrl(v, this.base, this.proxy);
  }

  private css(v: string): string {
    return rewriteCss(v, this.base, this.proxy);
  }
}

/** A `<link>` whose href the page loads as a stylesheet, an icon or a preloaded asset. */
function linkLoads(el: Known): boolean {
  const rel = (el.rel ?? "").toLowerCase().split(/\s+/);
  if (rel.includes("stylesheet") || rel.includes("icon") || rel.includes("apple-touch-icon")) {
    return true;
  }
  return rel.includes("preload") && PRELOAD_AS.has((el.as ?? "").toLowerCase());
}

function list<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v.filter((x) => typeof x === "object" && x !== null) as T[]) : [];
}
