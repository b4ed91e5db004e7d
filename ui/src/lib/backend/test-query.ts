// The test backend's reading of the search language (the engine's is authoritative): the box
// text becomes a predicate over sessions, plus notes about what could not be read. Tokens are
// split as the UI splits them (feed/query.ts).

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
    const bad = (why: string) => notes.push(`${t.key}:${t.value} — ${why}`);
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
        tests.push((d) => d.summary.id.toLowerCase().startsWith(v));
        break;
      case "url":
        tests.push((d) => d.urls.some((u) => u.includes(v)));
        break;
      case "text": {
        const phrase = wordsOf(v);
        if (phrase !== "") tests.push((d) => d.words.includes(phrase));
        break;
      }
      case "date": {
        const today = todayStart(now, utcOffsetMinutes);
        const presets: Record<string, [number, number]> = {
          today: [today, Infinity],
          yesterday: [today - DAY_MS, today],
          "7d": [today - 6 * DAY_MS, Infinity],
          "30d": [today - 29 * DAY_MS, Infinity],
        };
        if (presets[v]) {
          dateRange(...presets[v]);
          break;
        }
        const [a, b] = v.split("..");
        const start = dayStart(a, utcOffsetMinutes);
        const end = b === undefined ? start : dayStart(b, utcOffsetMinutes);
        if (start === null || end === null) {
          bad("use today, yesterday, 7d, 30d, YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD");
        } else dateRange(start, end + DAY_MS);
        break;
      }
      case "after":
      case "before": {
        const day = dayStart(v, utcOffsetMinutes);
        if (day === null) bad("expected a day, YYYY-MM-DD");
        else if (t.key === "after") dateRange(day, Infinity);
        else dateRange(-Infinity, day + DAY_MS);
        break;
      }
      case "has": {
        const pred: Record<string, (d: SearchDoc) => boolean> = {
          errors: (d) => d.summary.insights.errors > 0,
          rage: (d) => d.summary.insights.rageClicks > 0,
          dead: (d) => d.summary.insights.deadClicks > 0,
          comments: (d) => d.summary.commentCount > 0,
        };
        if (pred[v]) tests.push(pred[v]);
        else bad("use has:errors, has:rage, has:dead or has:comments");
        break;
      }
      case "is":
        if (v === "missing") tests.push((d) => d.summary.missing);
        else bad("use is:missing");
        break;
      case "duration": {
        const range = /^(.*)\.\.(.*)$/.exec(v);
        let lo: number | null = null;
        let hi: number | null = null;
        let ok = true;
        if (range) {
          lo = range[1] ? parseDuration(range[1]) : null;
          hi = range[2] ? parseDuration(range[2]) : null;
          ok = (range[1] === "" || lo !== null) && (range[2] === "" || hi !== null);
        } else if (/^[<>]/.test(v)) {
          const n = parseDuration(v.replace(/^[<>]=?/, ""));
          ok = n !== null;
          if (v.startsWith(">")) lo = n;
          else hi = n;
        } else ok = false;
        if (!ok) bad("use duration:>5m, duration:<30s or duration:1m..10m (ms, s, m, h)");
        else {
          const min = lo ?? -Infinity;
          const max = hi ?? Infinity;
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
