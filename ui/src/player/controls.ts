// The player's control logic that needs no DOM: playback speeds and what is remembered of them,
// where "skip inactivity" jumps to, which marker "next"/"previous"/"next error" go to, and which
// markers are drawn as one cluster on a timeline of a given width. Pure functions.
import type { MarkerKind } from "../lib/bindings";
import type { Span } from "../lib/insights";

export const SPEEDS = [0.5, 1, 2, 4, 8, 16] as const;
export type Speed = (typeof SPEEDS)[number];

export const SPEED_KEY = "tapedeck.playbackSpeed";
export const SKIP_KEY = "tapedeck.skipInactivity";
export const TRAIL_KEY = "tapedeck.mouseTrail";

export function isSpeed(v: unknown): v is Speed {
  return SPEEDS.includes(v as Speed);
}

/** "0.5×", "16×". */
export function speedLabel(s: number): string {
  return `${s}×`;
}

/** A remembered speed, 1× when nothing (valid) is stored. */
export function parseSpeed(saved: string | null): Speed {
  const n = saved === null ? NaN : Number(saved);
  return isSpeed(n) ? n : 1;
}

/** Skipping inactivity is on unless it was turned off. */
export function parseSkip(saved: string | null): boolean {
  return saved !== "false";
}

/** The mouse trail is off unless it was turned on. */
export function parseTrail(saved: string | null): boolean {
  return saved === "true";
}

/** Reads a remembered value; storage may be unavailable. */
export function recall(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function remember(key: string, value: string) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage may be unavailable; the choice then lasts until the window closes.
  }
}

/** Shorter idle stretches than this left are played, not skipped. */
export const MIN_SKIP_MS = 250;

/**
 * The idle span (ms on the timeline, sorted) that playback just entered, moving from `prev` to
 * `t`, when enough of it is left to be worth skipping: play then jumps to its end. A playhead
 * put inside a span by a seek (`prev` already in it) stays: the user asked for that moment.
 * `null` otherwise.
 */
export function skipTarget(spans: Span[], prev: number, t: number): Span | null {
  for (const s of spans) {
    if (s.from > t) break;
    if (prev < s.from && t < s.to && s.to - t >= MIN_SKIP_MS) return s;
  }
  return null;
}

/** "45 s", "6 min", "1 h 5 min": how long a skipped stretch was, roughly. */
export function idleWords(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest > 0 ? `${h} h ${rest} min` : `${h} h`;
}

/** How far before a marker seeking to it lands, so the moment leading up to it shows. */
export const LEAD_IN_MS = 1000;

/** Where seeking to a marker at `offset` (ms on the timeline) lands. */
export function markerSeekTime(offset: number): number {
  return Math.max(0, offset - LEAD_IN_MS);
}

/** Kinds that "next error" stops at. */
export const ERROR_KINDS: ReadonlySet<MarkerKind> = new Set<MarkerKind>([
  "exception",
  "console_error",
  "error_click",
  "failed_request",
]);

/**
 * The seek time of the first marker (by `offsets`, ms on the timeline) whose seek time lies
 * after `t`; `null` when none does.
 */
export function nextMarkerTime(offsets: number[], t: number): number | null {
  let best: number | null = null;
  for (const o of offsets) {
    const at = markerSeekTime(o);
    if (at > t + 1 && (best === null || at < best)) best = at;
  }
  return best;
}

/**
 * The seek time of the last marker whose seek time lies more than `grace` ms before `t` (while
 * playing, a little grace lets a second press go further back instead of to the same marker
 * again); `null` when none does.
 */
export function previousMarkerTime(offsets: number[], t: number, grace = 1): number | null {
  let best: number | null = null;
  for (const o of offsets) {
    const at = markerSeekTime(o);
    if (at < t - grace && (best === null || at > best)) best = at;
  }
  return best;
}

/**
 * Markers drawn closer than this (px) become one cluster: a cluster's count badge is 14 px
 * wide, so two marks nearer than that would overlap and one could not be clicked.
 */
export const CLUSTER_PX = 14;

export interface Cluster<T> {
  /** Offset (ms) of its first item, where it is drawn and where clicking it goes. */
  offset: number;
  items: T[];
}

/**
 * Groups items placed at `offset` ms on a timeline `duration` ms long drawn `width` px wide:
 * each cluster takes every following item closer than `gap` px to its first one, so clusters
 * are drawn at least `gap` px apart. Items come out in time order.
 */
export function clusterByOffset<T extends { offset: number }>(
  items: T[],
  duration: number,
  width: number,
  gap = CLUSTER_PX,
): Cluster<T>[] {
  const sorted = [...items].sort((a, b) => a.offset - b.offset);
  if (!(duration > 0) || !(width > 0)) return sorted.map((i) => ({ offset: i.offset, items: [i] }));
  const px = (ms: number) => (ms / duration) * width;
  const out: Cluster<T>[] = [];
  for (const item of sorted) {
    const last = out.at(-1);
    if (last && px(item.offset) - px(last.offset) < gap) last.items.push(item);
    else out.push({ offset: item.offset, items: [item] });
  }
  return out;
}

/** The item nearest to `t` within `within` ms, if any. */
export function nearest<T extends { offset: number }>(
  items: T[],
  t: number,
  within: number,
): T | null {
  let best: T | null = null;
  for (const i of items) {
    const d = Math.abs(i.offset - t);
    if (d <= within && (best === null || d < Math.abs(best.offset - t))) best = i;
  }
  return best;
}

/** Each kind present, with how many there are, in the order of `order` (then first seen). */
export function kindCounts(kinds: MarkerKind[], order: MarkerKind[]): [MarkerKind, number][] {
  const counts = new Map<MarkerKind, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  const rank = (k: MarkerKind) => {
    const i = order.indexOf(k);
    return i === -1 ? order.length : i;
  };
  return [...counts.entries()].sort((a, b) => rank(a[0]) - rank(b[0]));
}
