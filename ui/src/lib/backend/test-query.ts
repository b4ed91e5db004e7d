// The test backend's reading of the search language, after the engine's
// (engine/src/library/query.rs, which is authoritative): the box text becomes a predicate over
// sessions, plus notes about what could not be read. Tokens are split as the UI splits them
// (feed/query.ts). A filter with no value yet (`browser:` being typed) does nothing.

import type { SessionSummary } from "../bindings";
import { parseDuration, tokenize } from "../../feed/query";

/** What a session offers to search. */
export interface SearchDoc {
  summary: SessionSummary;
  /** Every page URL, lower-case. */
  urls: string[];
  /**
   * The full-text fields (console messages, custom event names, page titles, tags, comments)
   * as lower-case words, each preceded by one space: a word prefix is `" " + prefix`.
   */
  words: string;
}

export interface ParsedQuery {
  match: (doc: SearchDoc) => boolean;
  notes: string[];
}

const DAY_MS = 86_400_000;

/** Lower-case words of `text`, each after one space (see `SearchDoc.words`). */
export function wordsOf(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.length ? ` ${words.join(" ")}` : "";
}

/** Local midnight (as epoch ms) of a `YYYY-MM-DD` day, for a UTC offset in minutes. */
function dayStart(day: string, offsetMin: number): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const utc = Date.UTC(y, mo - 1, d);
  const back = new Date(utc);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return utc - offsetMin * 60_000;
}

function todayStart(now: number, offsetMin: number): number {
  const local = now + offsetMin * 60_000;
  return local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - offsetMin * 60_000;
}

/** `today`, `yesterday` or `YYYY-MM-DD` → that local day as [start, end). */
function readDay(v: string, now: number, offsetMin: number): [number, number] | null {
  const today = todayStart(now, offsetMin);
  const start = v === "today" ? today : v === "yesterday" ? today - DAY_MS : dayStart(v, offsetMin);
  return start === null ? null : [start, start + DAY_MS];
}

/** A day, a span of days, or the last N days (today and the N-1 before) → [start, end). */
function readDateRange(v: string, now: number, offsetMin: number): [number, number] | null {
  const [a, b] = v.split("..");
  if (b !== undefined) {
    const from = readDay(a, now, offsetMin);
    const to = readDay(b, now, offsetMin);
    return from && to && from[0] < to[1] ? [from[0], to[1]] : null;
  }
  const n = /^(\d+)d$/.exec(v);
  if (n) {
    const days = Number(n[1]);
    if (days < 1 || days > 36_500) return null;
    const today = todayStart(now, offsetMin);
    return [today - (days - 1) * DAY_MS, today + DAY_MS];
  }
  return readDay(v, now, offsetMin);
}

/** `>5m`, `<30s`, `>=1h`, `1m..10m`, `..10m`, `5m..`, `90` (a minimum) → [min, max] in ms. */
function readDurationRange(v: string): [number | null, number | null] | null {
  const range = /^(.*?)\.\.(.*)$/.exec(v);
  if (range) {
    const lo = range[1] ? parseDuration(range[1]) : null;
    const hi = range[2] ? parseDuration(range[2]) : null;
    if ((range[1] && lo === null) || (range[2] && hi === null)) return null;
    return lo === null && hi === null ? null : [lo, hi];
  }
  const more = /^>=?(.*)$/.exec(v);
  if (more) {
    const n = parseDuration(more[1]);
    return n === null ? null : [n, null];
  }
  const less = /^<=?(.*)$/.exec(v);
  if (less) {
    const n = parseDuration(less[1]);
    return n === null ? null : [null, n];
  }
  const n = parseDuration(v);
  return n === null ? null : [n, null];
}

export function parseQuery(text: string, utcOffsetMinutes: number, now = Date.now()): ParsedQuery {
  const notes: string[] = [];
  const tests: ((d: SearchDoc) => boolean)[] = [];
  let from = -Infinity;
  let to = Infinity;
  const dateRange = (a: number, b: number) => {
    from = Math.max(from, a);
    to = Math.min(to, b);
  };
  const lower = (s: string | null) => (s ?? "").toLowerCase();

  for (const t of tokenize(text)) {
    const v = t.value.toLowerCase();
    if (t.key === null) {
      if (v.trim() === "") continue;
      const phrase = wordsOf(v);
      tests.push(
        (d) =>
          d.summary.id.toLowerCase().includes(v) ||
          lower(d.summary.user.id).includes(v) ||
          lower(d.summary.user.name).includes(v) ||
          lower(d.summary.user.email).includes(v) ||
          d.urls.some((u) => u.includes(v)) ||
          (phrase !== "" && d.words.includes(phrase)),
      );
      continue;
    }
    if (t.value.trim() === "") continue;
    const bad = (why: string) => notes.push(`${t.key}:${t.value}: ${why}`);
    switch (t.key) {
      case "user":
        tests.push(
          (d) =>
            lower(d.summary.user.id).includes(v) ||
            lower(d.summary.user.name).includes(v) ||
            lower(d.summary.user.email).includes(v),
        );
        break;
      case "email":
        tests.push((d) => lower(d.summary.user.email).includes(v));
        break;
      case "id":
        tests.push(
          (d) =>
            d.summary.id.toLowerCase().startsWith(v) || lower(d.summary.vendorId).startsWith(v),
        );
        break;
      case "url":
        tests.push((d) => d.urls.some((u) => u.includes(v)));
        break;
      case "text": {
        // Every word, by prefix, anywhere in the full text.
        const words = wordsOf(v).split(" ").filter(Boolean);
        tests.push((d) => words.every((w) => d.words.includes(` ${w}`)));
        break;
      }
      case "date": {
        const range = readDateRange(v, now, utcOffsetMinutes);
        if (range) dateRange(...range);
        else bad("not a date like today, 7d, 30d or 2026-11-05..2026-11-30");
        break;
      }
      case "after":
      case "from":
      case "since":
      case "before":
      case "until":
      case "to": {
        const day = readDay(v, now, utcOffsetMinutes);
        if (day === null) bad("not a day like today, yesterday or 2026-11-05");
        else if (t.key === "after" || t.key === "from" || t.key === "since") {
          dateRange(day[0], Infinity);
        } else dateRange(-Infinity, day[1]);
        break;
      }
      case "has": {
        const pred: Record<string, (d: SearchDoc) => boolean> = {
          errors: (d) => d.summary.insights.errors > 0,
          rage: (d) => d.summary.insights.rageClicks > 0,
          dead: (d) => d.summary.insights.deadClicks > 0,
          comments: (d) => d.summary.commentCount > 0,
        };
        const alias: Record<string, string> = {
          error: "errors",
          "rage-clicks": "rage",
          rage_clicks: "rage",
          "dead-clicks": "dead",
          dead_clicks: "dead",
          comment: "comments",
        };
        const f = pred[alias[v] ?? v];
        if (f) tests.push(f);
        else bad("has: takes errors, rage, dead or comments");
        break;
      }
      case "is":
        if (v === "missing") tests.push((d) => d.summary.missing);
        else bad("is: takes missing");
        break;
      case "duration": {
        const range = readDurationRange(v);
        if (!range) bad("not a duration like >5m, <30s or 1m..10m");
        else {
          const min = range[0] ?? -Infinity;
          const max = range[1] ?? Infinity;
          tests.push((d) => d.summary.durationMs >= min && d.summary.durationMs <= max);
        }
        break;
      }
      case "browser":
        tests.push((d) => lower(d.summary.client.browser) === v);
        break;
      case "os":
        tests.push((d) => lower(d.summary.client.os) === v);
        break;
      case "device":
        tests.push((d) => lower(d.summary.client.deviceType) === v);
        break;
      case "country":
        tests.push((d) => lower(d.summary.client.country) === v);
        break;
      case "folder": {
        const dir = t.value.replace(/[\\/]+$/, "");
        tests.push((d) => {
          const f = d.summary.sourceFolder;
          return f !== null && (f === dir || f.startsWith(`${dir}/`) || f.startsWith(`${dir}\\`));
        });
        break;
      }
      case "tag":
        tests.push((d) => d.summary.tags.some((x) => x.toLowerCase() === v));
        break;
    }
  }
  if (from > -Infinity || to < Infinity) {
    tests.push((d) => d.summary.startedAt >= from && d.summary.startedAt < to);
  }
  return { match: (d) => tests.every((f) => f(d)), notes };
}
