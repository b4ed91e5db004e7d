// A read-only window into the player for automated tests (the end-to-end tests of the real
// app drive it through WebDriver, the browser tests through Playwright). Reading it has no
// effect on the app. The exceptions, `seek`, `play`, `pause` and `setSpeed`, are for the
// player benchmark: it times a seek from the call, as it does for stock rrweb-player's `goto`.

/** The events the player's Replayer was built from: chunks `fromSeq..=toSeq`. */
export interface SegmentProbe {
  fromSeq: number;
  toSeq: number;
  /** It starts at the engine's keyframe before `fromSeq` (else at a full snapshot). */
  keyframe: boolean;
  /** Epoch ms it starts at when that keyframe is the engine's at the seek's target. */
  exactAt: number | null;
  /** Events far behind the playhead were let go. */
  trimmed: boolean;
  /** Starting points entered since the session opened (one per seek that needed a new start). */
  built: number;
  /** Where the last load of a segment spent its time (ms), and how many events it had. */
  lastLoad: {
    fetchMs: number;
    decodeMs: number;
    buildMs: number;
    showMs: number;
    events: number;
    /** The page on screen was kept and diffed into the new one (no new Replayer). */
    kept: boolean;
  } | null;
}

export interface PlayerProbe {
  currentTime(): number;
  duration(): number;
  playing(): boolean;
  /** How far (ms) the events fetched so far reach. */
  loadedUntil(): number;
  /** How many events the player's Replayer holds now. */
  heldEvents(): number;
  /** Time (ms) of the oldest event it holds after its first. */
  heldFrom(): number | null;
  segmentInfo(): SegmentProbe | null;
  seek(ms: number): void;
  play(): void;
  pause(): void;
  setSpeed(speed: number): void;
}

/** How long the last opened session took from selection to its first painted frame. */
export interface OpenTiming {
  id: string;
  selectToFirstFrameMs: number;
  /** When each step of the open ended, in ms from the selection ([`markOpenStep`]). */
  steps: Record<string, number>;
}

export interface TapedeckProbe extends PlayerProbe {
  selectedId(): string | null;
  lastOpen(): OpenTiming | null;
}

declare global {
  interface Window {
    __tapedeck?: TapedeckProbe;
  }
}

let player: PlayerProbe | null = null;
let selected: () => string | null = () => null;

let selectedAt: { id: string; at: number; steps: Record<string, number> } | null = null;
let lastOpen: OpenTiming | null = null;

/** The user picked a session: the clock for its first frame starts now. */
export function markSelected(id: string) {
  selectedAt = { id, at: performance.now(), steps: {} };
}

/** A step of opening session `id` is done (where an open's time goes, for the benchmarks). */
export function markOpenStep(id: string, step: string) {
  const started = selectedAt;
  if (!started || started.id !== id || step in started.steps) return;
  started.steps[step] = performance.now() - started.at;
}

/** The session's first frame is built; it is on screen at the next paint. */
export function markFirstFrame(id: string) {
  const started = selectedAt;
  if (!started || started.id !== id) return;
  requestAnimationFrame(() => {
    lastOpen = { id, selectToFirstFrameMs: performance.now() - started.at, steps: started.steps };
  });
}

export function setPlayerProbe(p: PlayerProbe | null) {
  player = p;
}

export function setSelectedProbe(get: () => string | null) {
  selected = get;
}

export function installProbe(target: Window = window) {
  const probe: TapedeckProbe = Object.freeze({
    currentTime: () => player?.currentTime() ?? 0,
    duration: () => player?.duration() ?? 0,
    playing: () => player?.playing() ?? false,
    loadedUntil: () => player?.loadedUntil() ?? 0,
    heldEvents: () => player?.heldEvents() ?? 0,
    heldFrom: () => player?.heldFrom() ?? null,
    segmentInfo: () => player?.segmentInfo() ?? null,
    seek: (ms: number) => player?.seek(ms),
    play: () => player?.play(),
    pause: () => player?.pause(),
    setSpeed: (speed: number) => player?.setSpeed(speed),
    selectedId: () => selected(),
    lastOpen: () => lastOpen,
  });
  Object.defineProperty(target, "__tapedeck", { value: probe, configurable: true });
}
