// Sessions with several windows (tabs): which one to show first, and how to name them.
import type { WindowInfo } from "../lib/bindings";

/** Epoch ms where replay of a window can begin: its first chunk with a full snapshot. */
export function playableStart(w: WindowInfo | null | undefined): number {
  return w?.chunks.find((c) => c.fullSnapshot)?.startTs ?? w?.startedAt ?? 0;
}

/**
 * The window to open first: the one with the most recorded events, where the user did the
 * most (ties go to the earlier window). Windows that cannot be replayed come last.
 */
export function defaultWindow(windows: WindowInfo[]): number {
  let best = 0;
  const playable = (w: WindowInfo) => w.chunks.some((c) => c.fullSnapshot);
  windows.forEach((w, i) => {
    const b = windows[best];
    if (playable(w) !== playable(b)) {
      if (playable(w)) best = i;
    } else if (w.eventCount > b.eventCount) {
      best = i;
    }
  });
  return best;
}

export function windowLabel(w: WindowInfo, i: number): string {
  return `Window ${i + 1} · ${w.eventCount} events`;
}

/**
 * The window the user was in at `t` (epoch ms): the one whose most recent interaction began
 * last, among windows that can be replayed at `t`. `null` before anyone interacted.
 */
export function activeWindowAt(windows: WindowInfo[], t: number): number | null {
  let best: number | null = null;
  let bestStart = -Infinity;
  windows.forEach((w, i) => {
    if (playableStart(w) > t || !w.chunks.some((c) => c.fullSnapshot)) return;
    let latest = -Infinity;
    for (const [start] of w.interactionSpans) {
      if (start <= t && start > latest) latest = start;
    }
    if (latest > bestStart) {
      best = i;
      bestStart = latest;
    }
  });
  return best;
}

/**
 * When the window being shown ends at `t` (epoch ms), the window the user went on in: the
 * replayable one that still has events after `t`, preferring the one active at `t`.
 */
export function continuationAfter(
  windows: WindowInfo[],
  current: number,
  t: number,
): number | null {
  const going = windows
    .map((w, i) => ({ w, i }))
    .filter(({ w, i }) => i !== current && w.endedAt > t && w.chunks.some((c) => c.fullSnapshot));
  if (going.length === 0) return null;
  const active = activeWindowAt(
    going.map(({ w }) => w),
    t,
  );
  return active !== null ? going[active].i : going[0].i;
}
