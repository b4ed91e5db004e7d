// Where a session opens, and the link to the moment on screen. A link's `t` is milliseconds from
// the session's start (`summary.startedAt`), as the CLI's `--from` counts, so it names the same
// moment whichever window is on screen. Pure functions.
import type { Marker, SessionDetail, SessionLink } from "../lib/bindings";
import { ERROR_KINDS, markerSeekTime } from "./controls";
import { activeWindowAt, defaultWindow, playableStart } from "./windows";

/** Where to open a session: a moment (epoch ms, in a given window or wherever the user was), or its first error. */
export type StartAt = { at: number; window: number | null } | "first-error";

/** A window to open (its position in `detail.windows`) and the moment to show, null for its start. */
export interface Opening {
  windowIndex: number;
  at: number | null;
}

/** The session's earliest error marker, in time order. */
export function firstError(markers: Marker[]): Marker | null {
  let first: Marker | null = null;
  for (const m of markers) {
    if (ERROR_KINDS.has(m.kind) && (first === null || m.at < first.at)) first = m;
  }
  return first;
}

/** What opening `detail` at `start` shows; the session's default when `start` names nothing in it. */
export function resolveOpening(detail: SessionDetail, start: StartAt | null): Opening {
  const windows = detail.windows;
  const fallback = { windowIndex: defaultWindow(windows), at: null };
  if (start === null) return fallback;
  if (start === "first-error") {
    const m = firstError(detail.markers);
    const i = m ? windows.findIndex((w) => w.index === m.window) : -1;
    if (!m || i < 0) return fallback;
    // A moment before it, like clicking its timeline marker.
    const origin = playableStart(windows[i]);
    return { windowIndex: i, at: origin + markerSeekTime(m.at - origin) };
  }
  const named = start.window === null ? -1 : windows.findIndex((w) => w.index === start.window);
  const i = named >= 0 ? named : (activeWindowAt(windows, start.at) ?? defaultWindow(windows));
  return { windowIndex: i, at: start.at };
}

/** The moment a link names, as a `StartAt`. */
export function startFromLink(detail: SessionDetail, link: SessionLink): StartAt | null {
  if (link.atMs === null && link.window === null) return null;
  return { at: detail.summary.startedAt + (link.atMs ?? 0), window: link.window };
}

/**
 * The link to moment `ts` (epoch ms) of `detail`. `pinnedWindow` is the window's index when the
 * user picked it by hand, so the link opens that tab rather than wherever the user was.
 */
export function linkAt(
  detail: SessionDetail,
  ts: number,
  pinnedWindow: number | null,
): SessionLink {
  return {
    sessionId: detail.summary.id,
    atMs: Math.max(0, Math.round(ts - detail.summary.startedAt)),
    window: pinnedWindow,
  };
}
