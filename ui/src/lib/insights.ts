// What the engine's analysis means on screen: severity of a frustration score, how each kind of
// timeline marker looks, where the inactive stretches of a timeline are. Pure functions.
import type { ActivitySegment, MarkerKind, SessionSort } from "./bindings";

export type Severity = "none" | "low" | "medium" | "high";

/** 0 none, below 30 low, below 60 medium, else high. */
export function severity(score: number): Severity {
  if (!(score > 0)) return "none";
  if (score < 30) return "low";
  if (score < 60) return "medium";
  return "high";
}

export const SEVERITY_WORDS: Record<Severity, string> = {
  none: "no signs of frustration",
  low: "low",
  medium: "medium",
  high: "high",
};

/** Shapes group kinds so a marker never depends on its colour alone. */
export type MarkerShape = "line" | "dot" | "diamond" | "triangle" | "pin";

export interface MarkerLook {
  /** Human name of the kind. */
  name: string;
  color: string;
  shape: MarkerShape;
}

export const MARKER_LOOKS: Record<MarkerKind, MarkerLook> = {
  click: { name: "Click", color: "#8f97a6", shape: "line" },
  rage_click: { name: "Rage click", color: "#ff5f56", shape: "triangle" },
  dead_click: { name: "Dead click", color: "#b48cff", shape: "triangle" },
  error_click: { name: "Error click", color: "#ff9f43", shape: "triangle" },
  mouse_thrash: { name: "Mouse thrashing", color: "#84cc16", shape: "triangle" },
  scroll_thrash: { name: "Scroll thrashing", color: "#14b8a6", shape: "triangle" },
  u_turn: { name: "U-turn", color: "#fde047", shape: "triangle" },
  navigation: { name: "Navigation", color: "#5aa9ff", shape: "dot" },
  custom_event: { name: "Custom event", color: "#f0abfc", shape: "dot" },
  console_error: { name: "Console error", color: "#ff6b9a", shape: "diamond" },
  exception: { name: "Exception", color: "#e11d48", shape: "diamond" },
  console_warning: { name: "Console warning", color: "#f59e0b", shape: "diamond" },
  failed_request: { name: "Failed request", color: "#22d3ee", shape: "diamond" },
  viewport_resize: { name: "Viewport resize", color: "#64748b", shape: "line" },
  full_snapshot: { name: "Full snapshot", color: "#475569", shape: "line" },
  comment: { name: "Comment", color: "#facc15", shape: "pin" },
};

export function markerLook(kind: MarkerKind): MarkerLook {
  return MARKER_LOOKS[kind] ?? { name: kind, color: "#8f97a6", shape: "line" };
}

/** A stretch of a timeline, in ms from its start. */
export interface Span {
  from: number;
  to: number;
}

/**
 * The inactive stretches of `segments` (epoch ms) on a timeline that starts at `startTs` and
 * lasts `duration` ms: clipped to it, neighbours merged, empty ones dropped.
 */
export function inactiveSpans(
  segments: ActivitySegment[],
  startTs: number,
  duration: number,
): Span[] {
  const spans: Span[] = [];
  const sorted = [...segments].filter((s) => !s.active).sort((a, b) => a.start - b.start);
  for (const s of sorted) {
    const from = Math.max(0, s.start - startTs);
    const to = Math.min(duration, s.end - startTs);
    if (to <= from) continue;
    const last = spans.at(-1);
    if (last && from <= last.to) last.to = Math.max(last.to, to);
    else spans.push({ from, to });
  }
  return spans;
}

export const SORTS: { value: SessionSort; label: string }[] = [
  { value: "recency", label: "Recency" },
  { value: "duration", label: "Duration" },
  { value: "activeTime", label: "Active time" },
  { value: "errors", label: "Errors" },
  { value: "frustration", label: "Frustration" },
];

export function isSort(v: unknown): v is SessionSort {
  return SORTS.some((s) => s.value === v);
}

/** "1 error", "3 errors". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
