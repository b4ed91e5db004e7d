// The side panels beside the replay: whether they are shown and how wide (remembered), which
// markers the Events list shows for a kind filter and a search, and which row is the current
// one. Pure functions.
import type { Marker, MarkerKind } from "../lib/bindings";

export const PANEL_OPEN_KEY = "tapedeck.panelOpen";
export const PANEL_WIDTH_KEY = "tapedeck.panelWidth";
export const PANEL_TAB_KEY = "tapedeck.panelTab";

export const PANEL_MIN = 260;
export const PANEL_MAX = 640;
export const PANEL_DEFAULT = 340;
/** The replay keeps at least this much of the player's width. */
export const STAGE_MIN = 320;

export const TABS = ["events", "console", "network", "session"] as const;
export type Tab = (typeof TABS)[number];

/** The panel is shown unless it was hidden. */
export function parsePanelOpen(saved: string | null): boolean {
  return saved !== "false";
}

export function parseTab(saved: string | null): Tab {
  return TABS.includes(saved as Tab) ? (saved as Tab) : "events";
}

/**
 * A panel width within bounds: at least `PANEL_MIN`, at most `PANEL_MAX` and, when the space
 * it shares with the replay is known (`room` px), no more than leaves the replay `STAGE_MIN`.
 */
export function clampPanelWidth(width: number, room?: number): number {
  const max = room && room > 0 ? Math.min(PANEL_MAX, room - STAGE_MIN) : PANEL_MAX;
  const w = Number.isFinite(width) ? width : PANEL_DEFAULT;
  return Math.round(Math.max(PANEL_MIN, Math.min(max, w)));
}

/** A remembered width, the default when nothing (valid) is stored. */
export function parsePanelWidth(saved: string | null): number {
  const n = saved === null || saved.trim() === "" ? NaN : Number(saved);
  return clampPanelWidth(Number.isFinite(n) ? n : PANEL_DEFAULT);
}

/** The text of a marker the search looks in: its label, message, URLs and target. */
export function searchText(m: Marker): string {
  const d = m.detail ?? {};
  return [m.label, d.message, d.url, d.fromUrl, d.target?.selector, d.target?.text, d.name, d.error]
    .filter((s): s is string => typeof s === "string" && s !== "")
    .join("\n")
    .toLowerCase();
}

/**
 * The markers of `kinds` (every kind when empty) whose text holds every word of `query`
 * (case-insensitive), in the order given.
 */
export function filterMarkers(
  markers: Marker[],
  kinds: ReadonlySet<MarkerKind>,
  query: string,
): Marker[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return markers.filter(
    (m) =>
      (kinds.size === 0 || kinds.has(m.kind)) &&
      (words.length === 0 || words.every((w) => searchText(m).includes(w))),
  );
}

/** Markers in time order (stable: markers at the same moment keep their order). */
export function byTime(markers: Marker[]): Marker[] {
  return markers
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.at - b.m.at || a.i - b.i)
    .map(({ m }) => m);
}

/**
 * Index of the last of `markers` (in time order) at or before `t` (epoch ms): the row of the
 * moment being played. -1 when playback is before them all.
 */
export function currentIndex(markers: Marker[], t: number): number {
  let lo = 0;
  let hi = markers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (markers[mid].at <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
