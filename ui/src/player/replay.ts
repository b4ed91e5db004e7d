// Drives the rrweb Replayer for one window of a session, over a bounded window of its events
// whatever the recording's length:
// - A *segment* is one Replayer built from a starting point (a chunk that opens with a full
//   snapshot, or the engine's keyframe before a chunk) and the chunks after it.
// - A seek loads the segment of the last starting point at or before its target and lets
//   rrweb fast-forward from there: at most one keyframe interval, never the whole recording.
//   A seek the current segment can serve (in its own interval, or forward within the playing
//   interval) stays in it.
// - Playing appends the next chunks ahead of the playhead and drops the events far behind it.
// - Seeks that arrive while one is loading are coalesced: the newest wins, and what was loaded
//   meanwhile is shown as an intermediate frame. Drags show at most one frame per animation
//   frame, so scrubbing never queues up work.
// It also owns the play/pause/seek rules the controls rely on (restart at the end, wait for
// data that has not arrived yet) and polls the current time once per frame.

import { Replayer, type eventWithTime } from "rrweb";
import type { Backend } from "../lib/backend/backend";
import type { ChunkInfo, WindowInfo } from "../lib/bindings";
import {
  markFirstFrame,
  markOpenStep,
  type PlayerProbe,
  type SegmentProbe,
} from "../lib/test-hooks";
import { decodeEvents } from "./decode";
import { PageJumper } from "./jump";
import { nextChunks, planPlayback, seekRange, type SeekRange } from "./plan";
import { RemoteAssetRewriter } from "./remote-assets";
import type { Size } from "./fit";

export type ReplayStatus = "loading" | "ready" | "error";

/** Where a segment load spent its time: fetch, JSON decode, `new Replayer`, and the seek in it. */
export interface LoadTiming {
  fetchMs: number;
  decodeMs: number;
  buildMs: number;
  showMs: number;
  events: number;
  /** The page on screen was kept and diffed into the new one (no new Replayer). */
  kept: boolean;
}

export interface ReplayState {
  status: ReplayStatus;
  /** The user wants it playing (it may still be waiting for data). */
  playing: boolean;
  /** Playing or seeking ran ahead of the data fetched so far. */
  buffering: boolean;
  ended: boolean;
  /** Milliseconds from the first playable event. */
  currentTime: number;
  duration: number;
  /** How far (ms) the fetched events reach. */
  loadedUntil: number;
  /** The recorded viewport, from the Replayer's resize events. */
  viewport: Size | null;
  error: string | null;
}

export interface ReplayOptions {
  backend: Backend;
  root: HTMLElement;
  sessionId: string;
  window: WindowInfo;
  /** Playback speed (1 is real time). */
  speed?: number;
  /** Draw a fading trail behind the recorded mouse. */
  mouseTrail?: boolean;
  onChange: (state: ReplayState) => void;
}

/** Before anything is fetched. */
export function initialReplayState(): ReplayState {
  return {
    status: "loading",
    playing: false,
    buffering: false,
    ended: false,
    currentTime: 0,
    duration: 0,
    loadedUntil: 0,
    viewport: null,
    error: null,
  };
}

/** The mouse trail: the app's accent colour, short enough not to hide the page. */
const TRAIL = {
  duration: 700,
  lineCap: "round" as const,
  lineWidth: 3,
  strokeStyle: "rgb(120 160 255 / 0.75)",
};

/** Closer than this to the end counts as "at the end": play then restarts. */
const END_SLACK_MS = 50;
/** Recorded time kept fetched ahead of the playhead while playing, at 1×… */
export const AHEAD_MS = 60_000;
/** …and at most this much JSON per fetch while streaming ahead… */
export const AHEAD_BYTES = 4 * 1024 * 1024;
/** …nor more than this much fetched ahead in all (fast playback of a dense recording). */
export const AHEAD_MAX_BYTES = 16 * 1024 * 1024;
/** Events further behind the playhead than this are let go (a seek back reloads them). */
export const BEHIND_MS = 30_000;
/** Bytes of recent seeks' fetches kept, so seeking back to a moment skips the fetch. */
export const SEEK_CACHE_BYTES = 32 * 1024 * 1024;
/** How often (wall ms) a playing segment lets go of what is behind. */
const TRIM_EVERY_MS = 1000;
/** Fetched-ahead recorded time kept while paused: enough to start playing smoothly. */
const PAUSED_AHEAD_MS = 15_000;
/**
 * A window whose events are at most this much JSON is fetched whole and kept: every seek is
 * then served at once, for a few MB of memory.
 */
export const HOLD_ALL_BYTES = 8 * 1024 * 1024;

/** One Replayer over chunks `fromSeq..=toSeq`, its events timed from `originTs`. */
interface Segment {
  replayer: Replayer;
  /** Moves the Replayer to another starting point, keeping its page (see jump.ts). */
  jumper: PageJumper;
  fromSeq: number;
  toSeq: number;
  keyframe: boolean;
  /** Epoch ms of its first event: the Replayer's time zero. */
  originTs: number;
  /** Epoch ms the fetched events reach. */
  loadedTs: number;
  /** Events behind the playhead were let go: it cannot seek back any more. */
  trimmed: boolean;
  /**
   * Epoch ms it starts at when it starts with the engine's keyframe at a seek's target rather
   * than at the starting point of `fromSeq`: it cannot show what lies before.
   */
  exactAt: number | null;
}

export class ReplayController implements PlayerProbe {
  private readonly opts: ReplayOptions;
  private readonly chunks: ChunkInfo[];
  private readonly bySeq: Map<number, ChunkInfo>;
  private readonly lastSeq: number;
  /** Small enough to fetch and keep whole (see HOLD_ALL_BYTES). */
  private readonly holdAll: boolean;
  private startTs = 0;
  private segment: Segment | null = null;
  private state: ReplayState = initialReplayState();
  /** Where to resume once enough data has arrived. */
  private waitingAt: number | null = null;
  /** The newest seek target no segment shows yet, and whether one is being loaded. */
  private pendingSeek: number | null = null;
  private loadingSegment = false;
  /** A drag's next frame, shown at the next animation frame (one frame per frame). */
  private frameTarget: number | null = null;
  private frameRaf = 0;
  private shownThisFrame = false;
  private pumping = false;
  private lastTrim = 0;
  private raf = 0;
  private destroyed = false;
  private speed: number;
  private segmentsBuilt = 0;
  /** Where the last segment load spent its time (for the benchmark). */
  private lastLoad: LoadTiming | null = null;
  private lastFetch = { bytesAt: 0 };
  private lastInstall = { buildMs: 0, showMs: 0, kept: false };
  /** Recent seeks' fetched bytes by range, oldest first. */
  private readonly seekCache = new Map<string, ArrayBuffer>();
  /** A hovered moment's range being fetched ahead of a click (see `prefetch`). */
  private prefetching: { key: string; bytes: Promise<ArrayBuffer | null> } | null = null;
  /** The moment hovered while another was being fetched: fetched next. */
  private nextPrefetch: number | null = null;
  /** Rewrites asset URLs to the proxy when the session loads remote assets; else null. */
  private rewriter: Promise<RemoteAssetRewriter | null> | null = null;

  constructor(opts: ReplayOptions) {
    this.opts = opts;
    this.speed = opts.speed ?? 1;
    this.chunks = [...opts.window.chunks].sort((a, b) => a.seq - b.seq);
    this.bySeq = new Map(this.chunks.map((c) => [c.seq, c]));
    this.lastSeq = this.chunks.length ? this.chunks[this.chunks.length - 1].seq : 0;
    this.holdAll = this.chunks.reduce((n, c) => n + c.rawBytes, 0) <= HOLD_ALL_BYTES;
  }

  get snapshot(): ReplayState {
    return { ...this.state };
  }

  currentTime(): number {
    // Between animation frames the state lags the player by up to a frame; read it live.
    if (this.state.playing && this.waitingAt === null && this.segment && !this.loadingSegment) {
      return this.readClock();
    }
    return this.state.currentTime;
  }

  duration(): number {
    return this.state.duration;
  }

  playing(): boolean {
    return this.state.playing;
  }

  loadedUntil(): number {
    return this.state.loadedUntil;
  }

  /** How many events the Replayer holds now (bounded, whatever the recording's length). */
  heldEvents(): number {
    return this.segment ? this.events(this.segment).length : 0;
  }

  /** Time (ms) of the oldest event held after the Replayer's first (its clock's zero). */
  heldFrom(): number | null {
    const events = this.segment ? this.events(this.segment) : [];
    return events.length > 1 ? events[1].timestamp - this.startTs : null;
  }

  /** The segment on screen, for tests and benchmarks. */
  segmentInfo(): SegmentProbe | null {
    const s = this.segment;
    if (!s) return null;
    return {
      fromSeq: s.fromSeq,
      toSeq: s.toSeq,
      keyframe: s.keyframe,
      exactAt: s.exactAt,
      trimmed: s.trimmed,
      built: this.segmentsBuilt,
      lastLoad: this.lastLoad,
    };
  }

  /** Fetches the first chunks and builds the player; the rest streams in while it plays. */
  async load(autoplay: boolean): Promise<void> {
    const plan = planPlayback(this.chunks);
    if (!plan) {
      this.fail("This recording has no full snapshot, so there is no page to rebuild.");
      return;
    }
    this.startTs = plan.startTs;
    this.update({ duration: plan.durationMs });
    const first = plan.batches[0];
    const range: SeekRange = { fromSeq: first.fromSeq, toSeq: first.toSeq, keyframe: false };
    let events: eventWithTime[];
    try {
      events = await this.fetch(range);
    } catch (e) {
      this.fail(`Could not load the recording: ${message(e)}`);
      return;
    }
    if (this.destroyed) return;
    if (events.length < 2) {
      this.fail("This recording has too few events to play.");
      return;
    }
    try {
      this.install(events, range, 0);
    } catch (e) {
      this.fail(`Could not start the player: ${message(e)}`);
      return;
    }
    markOpenStep(this.opts.sessionId, "built");
    this.update({ status: "ready" });
    if (autoplay) this.play();
    markFirstFrame(this.opts.sessionId);
    void this.pump();
  }

  play() {
    if (!this.segment || this.state.status !== "ready") return;
    const atEnd = this.state.ended || this.state.currentTime >= this.state.duration - END_SLACK_MS;
    const from = atEnd ? 0 : this.state.currentTime;
    this.update({ playing: true, ended: false, currentTime: from });
    if (this.loadingSegment) {
      // The segment on screen cannot show `from`; the one loading starts playing there.
      this.pendingSeek = from;
      return;
    }
    this.show(from);
    void this.pump();
  }

  pause() {
    if (!this.segment) return;
    const wasWaiting = this.waitingAt !== null || this.loadingSegment;
    this.waitingAt = null;
    this.stopClock();
    this.segment.replayer.pause();
    const currentTime = wasWaiting ? this.state.currentTime : this.readClock();
    this.update({ playing: false, buffering: this.loadingSegment, currentTime });
  }

  /**
   * Plays at `speed` times real time from now on. rrweb's timer integrates its speed frame by
   * frame, so setting it while playing changes the rate without rebuilding the page; while
   * paused it applies from the next play.
   */
  setSpeed(speed: number) {
    if (!(speed > 0) || speed === this.speed) return;
    this.speed = speed;
    this.segment?.replayer.setConfig({ speed });
    void this.pump();
  }

  setMouseTrail(on: boolean) {
    this.segment?.replayer.setConfig({ mouseTail: on ? TRAIL : false });
  }

  toggle() {
    if (this.state.playing) this.pause();
    else this.play();
  }

  seek(ms: number) {
    if (!this.segment || this.state.status !== "ready") return;
    const t = clamp(ms, 0, this.state.duration);
    this.update({ currentTime: t, ended: false });
    if (this.loadingSegment || !this.canServe(t)) {
      this.frameTarget = null;
      this.loadSegmentFor(t);
      return;
    }
    // One frame per animation frame: a drag's pointer moves between frames wait for the next.
    if (this.shownThisFrame) {
      this.frameTarget = t;
      this.frameRaf ||= requestAnimationFrame(() => {
        this.frameRaf = 0;
        const next = this.frameTarget;
        this.frameTarget = null;
        if (next !== null && !this.destroyed) this.seek(next);
      });
      return;
    }
    this.show(t);
    void this.pump();
  }

  /**
   * The pointer rests on moment `ms` of the timeline: fetch what a seek there loads, so that
   * a click seeks without waiting for it (the fetch is a cold seek's largest part after the
   * diff). Only the bytes are kept, in the seek cache; one fetch at a time, the latest
   * moment hovered next. Nothing when a seek there needs no fetch.
   */
  prefetch(ms: number) {
    if (!this.segment || this.destroyed || this.state.status !== "ready" || this.holdAll) return;
    const t = clamp(ms, 0, this.state.duration);
    if (this.prefetching) {
      this.nextPrefetch = t;
      return;
    }
    if (this.canServe(t)) return;
    const range = this.rangeFor(t);
    if (!range) return;
    // What a click here loads: the engine's keyframe at the moment where it makes one.
    const at = this.startTs + t;
    const key = range.keyframe ? exactKey(range, at) : rangeKey(range);
    if (this.seekCache.has(key)) return;
    const { backend, sessionId, window } = this.opts;
    const bytes = range.keyframe
      ? backend.seekEvents(sessionId, window.index, at)
      : this.chunkBytes(range);
    this.prefetching = { key, bytes };
    bytes
      .then(
        (b) => {
          if (!this.destroyed && b) this.remember(key, b);
        },
        // A seek there fetches again, and reports what goes wrong.
        () => {},
      )
      .finally(() => {
        this.prefetching = null;
        const next = this.nextPrefetch;
        this.nextPrefetch = null;
        if (next !== null) this.prefetch(next);
      });
  }

  destroy() {
    this.destroyed = true;
    this.stopClock();
    if (this.frameRaf) cancelAnimationFrame(this.frameRaf);
    this.dropSegment(this.segment);
    this.segment = null;
  }

  // ---- segments --------------------------------------------------------------------------

  /** Whether the segment on screen can show `t` without loading another. */
  private canServe(t: number): boolean {
    const s = this.segment;
    if (!s) return false;
    const at = this.startTs + t;
    const range = seekRange(this.chunks, at);
    if (!range) return false;
    // From its own starting point rrweb rebuilds and fast-forwards at most one interval (a
    // target past what is fetched waits for the chunks streaming in, which it needs anyway).
    if (range.fromSeq === s.fromSeq && !s.trimmed && at >= (s.exactAt ?? -Infinity)) return true;
    // Forward within the interval it is playing in: rrweb applies only what lies between.
    // (Its own clock: the state's time is already the target.)
    const now = s.originTs + s.replayer.getCurrentTime();
    const playingFrom = seekRange(this.chunks, now);
    return (
      at >= now &&
      playingFrom !== null &&
      playingFrom.fromSeq === range.fromSeq &&
      range.fromSeq >= s.fromSeq
    );
  }

  /** Loads the segment for `t`; seeks that arrive meanwhile replace the target. */
  private loadSegmentFor(t: number) {
    this.pendingSeek = t;
    this.waitingAt = null;
    this.stopClock();
    this.segment?.replayer.pause();
    if (this.loadingSegment) return;
    void this.loadSegments();
  }

  private async loadSegments() {
    this.loadingSegment = true;
    this.update({ buffering: true });
    try {
      while (this.pendingSeek !== null && !this.destroyed) {
        const t = this.pendingSeek;
        this.pendingSeek = null;
        if (this.canServe(t)) {
          this.show(t);
          continue;
        }
        const range = this.rangeFor(t);
        if (!range) return;
        const began = performance.now();
        let events: eventWithTime[];
        let exactAt: number | null = null;
        try {
          const exact = await this.fetchExact(range, this.startTs + t);
          if (exact) {
            events = exact;
            exactAt = this.startTs + t;
          } else {
            events = await this.fetch(range);
          }
        } catch (e) {
          if (this.destroyed) return;
          this.update({ error: `Could not load this part of the recording: ${message(e)}` });
          return;
        }
        if (this.destroyed) return;
        // A newer target this segment also reaches is shown at once; another one is loaded
        // next, and this frame stays up meanwhile.
        let at = t;
        const newer = this.pendingSeek;
        if (newer !== null) {
          const r = seekRange(this.chunks, this.startTs + newer);
          const reached = exactAt === null || this.startTs + newer >= exactAt;
          if (r && r.fromSeq === range.fromSeq && r.toSeq <= range.toSeq && reached) {
            at = newer;
            this.pendingSeek = null;
          }
        }
        const fetched = performance.now();
        try {
          this.enter(events, range, at, exactAt);
        } catch (e) {
          this.update({ error: `Could not show this part of the recording: ${message(e)}` });
          return;
        }
        this.lastLoad = {
          fetchMs: this.lastFetch.bytesAt - began,
          decodeMs: fetched - this.lastFetch.bytesAt,
          ...this.lastInstall,
          events: events.length,
        };
      }
    } finally {
      this.loadingSegment = false;
      if (!this.destroyed) {
        this.update({ buffering: this.waitingAt !== null });
        void this.pump();
      }
    }
  }

  /** The range a seek to `t` loads, with at least two events (rrweb needs two). */
  private rangeFor(t: number): SeekRange | null {
    const range = seekRange(this.chunks, this.startTs + t);
    if (!range) return null;
    let events = 0;
    for (let s = range.fromSeq; s <= range.toSeq; s++) events += this.bySeq.get(s)?.eventCount ?? 0;
    const kf = range.keyframe ? (this.bySeq.get(range.fromSeq)?.keyframe?.eventCount ?? 0) : 0;
    while (events + kf < 2 && range.toSeq < this.lastSeq) {
      range.toSeq++;
      events += this.bySeq.get(range.toSeq)?.eventCount ?? 0;
    }
    return range;
  }

  /**
   * Shows `t` from `events` (the range's starting point and what follows): in the Replayer on
   * screen when it can take them, diffing its page into the new one, else in a new Replayer.
   */
  private enter(events: eventWithTime[], range: SeekRange, t: number, exactAt: number | null) {
    const s = this.segment;
    if (!s || !s.jumper.load(events, this.startTs + t)) {
      this.install(events, range, t, exactAt);
      return;
    }
    const began = performance.now();
    const held = this.events(s);
    s.fromSeq = range.fromSeq;
    s.toSeq = range.toSeq;
    s.keyframe = range.keyframe;
    s.exactAt = exactAt;
    s.originTs = held[0].timestamp;
    s.loadedTs = this.bySeq.get(range.toSeq)?.endTs ?? held[held.length - 1].timestamp;
    s.trimmed = false;
    this.segmentsBuilt++;
    this.show(t);
    this.lastInstall = { buildMs: 0, showMs: performance.now() - began, kept: true };
    this.updateLoaded();
  }

  /** Builds a Replayer over `events` and shows `t` in it, in place of the one on screen. */
  private install(
    events: eventWithTime[],
    range: SeekRange,
    t: number,
    exactAt: number | null = null,
  ) {
    const began = performance.now();
    const replayer = new Replayer(events, {
      root: this.opts.root,
      // The cursor and click ripples are rrweb's own; the trail is the user's choice.
      mouseTail: this.opts.mouseTrail ? TRAIL : false,
      // Idle stretches are skipped by the player from the engine's segments, not by rrweb.
      skipInactive: false,
      speed: this.speed,
      triggerFocus: false,
      UNSAFE_replayCanvas: false,
      showWarning: false,
    });
    replayer.on("resize", (d) => {
      const { width, height } = d as Size;
      this.update({ viewport: { width, height } });
    });
    replayer.on("finish", () => {
      if (this.segment?.replayer === replayer) this.onFinish();
    });
    const sorted = replayer.service.state.context.events;
    const segment: Segment = {
      replayer,
      jumper: new PageJumper(replayer),
      fromSeq: range.fromSeq,
      toSeq: range.toSeq,
      keyframe: range.keyframe,
      originTs: sorted[0].timestamp,
      loadedTs: this.bySeq.get(range.toSeq)?.endTs ?? sorted[sorted.length - 1].timestamp,
      trimmed: false,
      exactAt,
    };
    // The new frame is built before the old one goes, in the same task: nothing blank shows.
    const old = this.segment;
    this.segment = segment;
    this.segmentsBuilt++;
    const built = performance.now();
    this.show(t);
    this.dropSegment(old);
    this.lastInstall = { buildMs: built - began, showMs: performance.now() - built, kept: false };
    this.updateLoaded();
  }

  private dropSegment(s: Segment | null) {
    try {
      s?.replayer.destroy();
    } catch {
      // The root may already be gone with its component; nothing is left to clean.
    }
  }

  /** The Replayer's events (rrweb keeps them sorted and appends in place). */
  private events(s: Segment): eventWithTime[] {
    return s.replayer.service.state.context.events;
  }

  /** Shows time `t`, playing or paused as the state says, or waits for its data. */
  private show(t: number) {
    const s = this.segment;
    if (!s) return;
    if (this.startTs + t > s.loadedTs && s.toSeq < this.lastSeq) {
      this.waitingAt = t;
      this.stopClock();
      s.replayer.pause();
      this.update({ buffering: true });
      void this.pump();
      return;
    }
    this.waitingAt = null;
    this.frameTarget = null;
    this.markShown();
    if (!this.loadingSegment) this.update({ buffering: false });
    const local = this.local(s, t);
    if (this.state.playing) {
      s.replayer.play(local);
      this.startClock();
    } else {
      this.stopClock();
      // rrweb applies events strictly before the offset; a paused frame at t should include
      // the events at t (a navigation at exactly t would otherwise leave the old page up).
      s.replayer.pause(local + 1);
    }
  }

  /** `t` on the segment's own clock, never before what a trimmed segment has applied. */
  private local(s: Segment, t: number): number {
    const local = Math.max(0, this.startTs + t - s.originTs);
    if (!s.trimmed) return local;
    // Its events before the playhead are gone: rrweb must not replay from its start.
    const last = s.replayer.service.state.context.lastPlayedEvent;
    return last ? Math.max(local, last.timestamp - s.originTs + 1) : local;
  }

  private markShown() {
    this.shownThisFrame = true;
    requestAnimationFrame(() => (this.shownThisFrame = false));
  }

  private onFinish() {
    // A paused seek to the end also "finishes"; only a running playback ends or stalls.
    const s = this.segment;
    if (!s || this.destroyed || !this.state.playing) return;
    if (s.toSeq < this.lastSeq) {
      // Played everything fetched so far; resume where we are once the next chunks land.
      this.stopClock();
      this.waitingAt = this.readClock();
      this.update({ buffering: true, currentTime: this.waitingAt });
      void this.pump();
      return;
    }
    this.stopClock();
    this.update({
      playing: false,
      buffering: false,
      ended: true,
      currentTime: this.state.duration,
    });
  }

  // ---- streaming ahead, letting go behind ------------------------------------------------

  /** Fetches chunks ahead of the playhead until enough are in, one fetch at a time. */
  private async pump() {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const s = this.segment;
        if (!s || this.destroyed || this.loadingSegment || s.toSeq >= this.lastSeq) return;
        const now = this.startTs + (this.waitingAt ?? this.currentTime());
        const ahead = this.holdAll
          ? Infinity
          : this.state.playing
            ? AHEAD_MS * Math.max(1, this.speed)
            : PAUSED_AHEAD_MS;
        if (this.waitingAt === null && s.loadedTs >= now + ahead) return;
        if (this.waitingAt === null && this.bytesAhead(s, now) >= AHEAD_MAX_BYTES) return;
        const next = nextChunks(this.chunks, s.toSeq, now + ahead, AHEAD_BYTES);
        if (!next) return;
        let events: eventWithTime[];
        try {
          events = await this.fetch(
            { fromSeq: next.fromSeq, toSeq: next.toSeq, keyframe: false },
            true,
          );
        } catch (e) {
          if (!this.destroyed) {
            this.update({ error: `Could not load the rest of the recording: ${message(e)}` });
          }
          return;
        }
        // A seek may have replaced the segment meanwhile: these belong to the old one.
        if (this.destroyed || this.segment !== s || s.toSeq !== next.fromSeq - 1) continue;
        for (const e of events) s.replayer.addEvent(e);
        // addEvent hands each event to the player in a microtask; let those run first.
        await Promise.resolve();
        if (this.segment !== s) continue;
        s.toSeq = next.toSeq;
        s.loadedTs = Math.max(s.loadedTs, next.endTs);
        this.trimBehind(s);
        this.updateLoaded();
        if (this.waitingAt !== null && this.startTs + this.waitingAt <= s.loadedTs) {
          this.show(this.waitingAt);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** JSON bytes of the segment's chunks that start after `now` (epoch ms). */
  private bytesAhead(s: Segment, now: number): number {
    let bytes = 0;
    for (const c of this.chunks) {
      if (c.seq > s.fromSeq && c.seq <= s.toSeq && c.startTs > now) bytes += c.rawBytes;
    }
    return bytes;
  }

  /**
   * Lets go of the events more than BEHIND_MS behind what the Replayer has applied, keeping
   * its first (its clock's zero). Applied events are not needed to play on; a seek back
   * loads a new segment.
   */
  private trimBehind(s: Segment) {
    if (this.holdAll) return;
    const events = this.events(s);
    const last = s.replayer.service.state.context.lastPlayedEvent;
    if (!last) return;
    const cut = Math.min(last.timestamp, this.startTs + this.currentTime()) - BEHIND_MS;
    let n = 1;
    while (n < events.length && events[n].timestamp < cut && events[n] !== last) n++;
    if (n <= 1) return;
    events.splice(1, n - 1);
    s.trimmed = true;
  }

  private updateLoaded() {
    const s = this.segment;
    if (!s) return;
    const loadedUntil =
      s.toSeq >= this.lastSeq ? this.state.duration : Math.max(0, s.loadedTs - this.startTs);
    this.update({ loadedUntil });
  }

  /**
   * A seek's events with nothing left to fast-forward: the engine's keyframe at `at` (epoch
   * ms) and the rest of its chunk. Rebuilding from it costs the same as from the stored
   * keyframe, and rrweb then applies none of the events in between (the larger part of a seek
   * after the diff), nor fetches or decodes them. Null where the engine cannot make it (no
   * stored keyframe before), or where `range` is fetched already: then `fetch(range)`.
   */
  private async fetchExact(range: SeekRange, at: number): Promise<eventWithTime[] | null> {
    if (!range.keyframe) return null;
    const key = exactKey(range, at);
    // A click takes what a hover there fetched, or is fetching.
    const hovered = this.prefetching?.key === key ? this.prefetching.bytes : undefined;
    let bytes = this.seekCache.get(key) ?? null;
    const stored = rangeKey(range);
    if (!bytes && !hovered && this.seekCache.has(stored)) return null;
    const { backend, sessionId, window } = this.opts;
    const rewriter = this.remoteAssets();
    try {
      bytes ??= await (hovered ?? backend.seekEvents(sessionId, window.index, at));
    } catch (e) {
      // A speed-up only: the stored range still shows the moment (or reports what is wrong).
      console.warn(`the engine's keyframe at ${at} failed, loading the stored one:`, e);
      return null;
    }
    if (!bytes) return null;
    return this.decode(bytes, key, false, await rewriter);
  }

  /** `background`: streamed in while playing (decoded off the main thread when big). */
  private async fetch(range: SeekRange, background = false): Promise<eventWithTime[]> {
    const key = rangeKey(range);
    // A seek also takes what a hover is fetching for the same range.
    const cached = background
      ? undefined
      : (this.seekCache.get(key) ??
        (this.prefetching?.key === key ? this.prefetching.bytes : undefined));
    const [bytes, rewriter] = await Promise.all([
      Promise.resolve(cached).then((b) => b ?? this.chunkBytes(range)),
      this.remoteAssets(),
    ]);
    return this.decode(bytes, key, background, rewriter);
  }

  /** Asked once per replay, beside the first fetch; fetches then go through it. */
  private remoteAssets(): Promise<RemoteAssetRewriter | null> {
    const { backend, sessionId } = this.opts;
    this.rewriter ??= backend.getRemoteAssets(sessionId).then(
      (a) => (a.proxy ? new RemoteAssetRewriter(a.proxy) : null),
      () => null,
    );
    return this.rewriter;
  }

  /** Fetched bytes as events (kept in the seek cache under `key` unless `background`). */
  private async decode(
    bytes: ArrayBuffer,
    key: string,
    background: boolean,
    rewriter: RemoteAssetRewriter | null,
  ): Promise<eventWithTime[]> {
    const { sessionId } = this.opts;
    this.lastFetch.bytesAt = performance.now();
    markOpenStep(sessionId, "bytes");
    // A seek's bytes are decoded in place (not transferred), so they can be kept.
    if (!background) this.remember(key, bytes);
    const events = await decodeEvents(bytes, background);
    markOpenStep(sessionId, "decoded");
    // With remote assets off, the events go to rrweb as recorded (the CSP blocks remote URLs).
    return rewriter ? rewriter.rewrite(events) : events;
  }

  /** The range's events from the backend, as JSON bytes. */
  private chunkBytes(range: SeekRange): Promise<ArrayBuffer> {
    const { backend, sessionId, window } = this.opts;
    return backend.chunkEvents(sessionId, window.index, range.fromSeq, range.toSeq, range.keyframe);
  }

  private remember(key: string, bytes: ArrayBuffer) {
    this.seekCache.delete(key);
    this.seekCache.set(key, bytes);
    let total = 0;
    for (const b of this.seekCache.values()) total += b.byteLength;
    for (const [k, b] of this.seekCache) {
      if (total <= SEEK_CACHE_BYTES || this.seekCache.size === 1) break;
      this.seekCache.delete(k);
      total -= b.byteLength;
    }
  }

  // ---- the clock -------------------------------------------------------------------------

  /** The playhead in epoch ms as the Replayer has it, or null without one. */
  private clockEpoch(): number | null {
    const s = this.segment;
    if (!s || this.loadingSegment) return null;
    return s.originTs + s.replayer.getCurrentTime();
  }

  private readClock(): number {
    const at = this.clockEpoch();
    if (at === null) return this.state.currentTime;
    return clamp(at - this.startTs, 0, this.state.duration);
  }

  private startClock() {
    if (this.raf) return;
    const tick = () => {
      this.raf = 0;
      if (this.destroyed || !this.state.playing || this.waitingAt !== null) return;
      const t = this.readClock();
      if (t !== this.state.currentTime) this.update({ currentTime: t });
      const s = this.segment;
      // Keep the data ahead topped up as the playhead moves, and let go behind it.
      if (s && s.toSeq < this.lastSeq && s.loadedTs - (this.startTs + t) < AHEAD_MS * this.speed) {
        void this.pump();
      }
      const wall = performance.now();
      if (s && wall - this.lastTrim > TRIM_EVERY_MS) {
        this.lastTrim = wall;
        this.trimBehind(s);
      }
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  private stopClock() {
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
  }

  private fail(error: string) {
    this.stopClock();
    this.update({ status: "error", playing: false, buffering: false, error });
  }

  private update(patch: Partial<ReplayState>) {
    if (this.destroyed) return;
    this.state = { ...this.state, ...patch };
    this.opts.onChange(this.snapshot);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The seek cache's key of a range. */
function rangeKey(range: SeekRange): string {
  return `${range.fromSeq}-${range.toSeq}-${range.keyframe}`;
}

/** The seek cache's key of the engine's keyframe at `at` (epoch ms) in a range. */
function exactKey(range: SeekRange, at: number): string {
  return `${rangeKey(range)}@${at}`;
}
