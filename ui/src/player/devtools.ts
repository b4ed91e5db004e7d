// The Console and Network panels' logic: which entries a level filter and a search keep, the
// counts the filter chips show, the entry at the playhead, and how rows are laid out when one
// console entry is expanded. Pure functions.
import type { ConsoleEntry, NetworkRequest } from "../lib/bindings";

/** Console levels from the most to the least severe; others follow, alphabetically. */
export const LEVEL_ORDER = ["error", "assert", "warn", "info", "log", "debug", "trace"];

/** How a level looks: errors, warnings, info, debug-like, or plain output. */
export type LevelTone = "error" | "warn" | "info" | "debug" | "log";

export function levelTone(level: string): LevelTone {
  if (level === "error" || level === "assert") return "error";
  if (level === "warn") return "warn";
  if (level === "info") return "info";
  if (level === "debug" || level === "trace") return "debug";
  return "log";
}

function rank(order: readonly string[], v: string): number {
  const i = order.indexOf(v);
  return i < 0 ? order.length : i;
}

/** `[level, count]` for every level present, most severe first. */
export function levelCounts(entries: readonly ConsoleEntry[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(e.level, (counts.get(e.level) ?? 0) + 1);
  return [...counts].sort(
    (a, b) => rank(LEVEL_ORDER, a[0]) - rank(LEVEL_ORDER, b[0]) || a[0].localeCompare(b[0]),
  );
}

function words(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

/**
 * The entries of `levels` (every level when empty) whose message or stack holds every word
 * of `query` (case-insensitive), in the order given.
 */
export function filterConsole(
  entries: readonly ConsoleEntry[],
  levels: ReadonlySet<string>,
  query: string,
): ConsoleEntry[] {
  const w = words(query);
  return entries.filter((e) => {
    if (levels.size > 0 && !levels.has(e.level)) return false;
    if (w.length === 0) return true;
    const text = `${e.message}\n${e.stack ?? ""}`.toLowerCase();
    return w.every((x) => text.includes(x));
  });
}

/** The first line of a message, for its row. */
export function firstLine(message: string): string {
  const i = message.indexOf("\n");
  return i < 0 ? message : message.slice(0, i);
}

/** An entry has more to show than its row: more lines, or a stack. */
export function expandable(e: ConsoleEntry): boolean {
  return e.message.includes("\n") || !!e.stack;
}

/** "All", or only failed requests. */
export type RequestFilter = "all" | "failed";

/** `[kind, count]` of the request types present, busiest first (unknown as "other"). */
export function requestKindCounts(requests: readonly NetworkRequest[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const k = r.kind ?? "other";
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/**
 * The requests that pass the filter (failed only, of `kinds` when some are chosen) and whose
 * method, URL, status or type holds every word of `query`, in the order given.
 */
export function filterRequests(
  requests: readonly NetworkRequest[],
  filter: RequestFilter,
  kinds: ReadonlySet<string>,
  query: string,
): NetworkRequest[] {
  const w = words(query);
  return requests.filter((r) => {
    if (filter === "failed" && !r.failed) return false;
    if (kinds.size > 0 && !kinds.has(r.kind ?? "other")) return false;
    if (w.length === 0) return true;
    const text = [r.method ?? "", r.url, r.status ?? "", r.kind ?? ""].join(" ").toLowerCase();
    return w.every((x) => text.includes(x));
  });
}

/** Index of the last item (in time order) at or before `t`; -1 when `t` is before them all. */
export function indexAt(items: readonly { at: number }[], t: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].at <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The status column: the code, "failed" for 0, "—" when not recorded. */
export function statusText(r: NetworkRequest): string {
  if (r.status === null || r.status === undefined) return "—";
  return r.status === 0 ? "failed" : String(r.status);
}

/** 999 B, 1.2 kB, 3.4 MB. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  if (n < 1000) return `${Math.round(n)} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/** 35 ms, 1.25 s. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** What a request row shows of its URL: the path and query, with the host on its own. */
export function splitUrl(url: string): { host: string; path: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!m) return { host: "", path: url };
  return { host: m[1], path: m[2] || "/" };
}

/**
 * Row layout of a list of `ROW`-px rows where row `open` (or none, -1) is `extra` px taller:
 * where row `i` starts.
 */
export function rowTop(i: number, row: number, open: number, extra: number): number {
  return i * row + (open >= 0 && i > open ? extra : 0);
}

/**
 * The rows to draw, `[from, to)`, when `height` px are shown from `scrollTop`, with row `open`
 * `extra` px taller and `overscan` rows more on each side.
 */
export function rowsInView(
  count: number,
  row: number,
  open: number,
  extra: number,
  scrollTop: number,
  height: number,
  overscan = 8,
): [number, number] {
  if (count <= 0 || row <= 0) return [0, 0];
  const at = (y: number) => {
    const y0 = Math.max(0, y);
    if (open < 0 || y0 < (open + 1) * row) return Math.floor(y0 / row);
    return Math.max(open, Math.floor((y0 - extra) / row));
  };
  const first = at(scrollTop);
  const last = at(scrollTop + Math.max(0, height));
  return [Math.max(0, first - overscan), Math.min(count, last + 1 + overscan)];
}
