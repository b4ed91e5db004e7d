// Drives one rrweb Replayer for one window of a session: fetch the first batch, build the
// player, then stream the remaining chunks in with `addEvent` while it plays. Also owns the
// play/pause/seek rules the controls rely on (restart at the end, wait for data that has not
// arrived yet) and polls the current time once per frame.

import { Replayer, type eventWithTime } from "rrweb";
import type { Backend } from "../lib/backend/backend";
import type { WindowInfo } from "../lib/bindings";
import { markFirstFrame, type PlayerProbe } from "../lib/test-hooks";
import { decodeEvents } from "./decode";
import { planPlayback, type Batch, type PlaybackPlan } from "./plan";
import { RemoteAssetRewriter } from "./remote-assets";
import type { Size } from "./fit";

export type ReplayStatus = "loading" | "ready" | "error";

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

export class ReplayController implements PlayerProbe {
  private readonly opts: ReplayOptions;
  private replayer: Replayer | null = null;
  private state: ReplayState = initialReplayState();
  private allLoaded = false;
  /** Where to resume once enough data has arrived. */
  private waitingAt: number | null = null;
  private raf = 0;
  private destroyed = false;
  private speed: number;
  /** Rewrites asset URLs to the proxy when the session loads remote assets; else null. */
  private rewriter: Promise<RemoteAssetRewriter | null> | null = null;

  constructor(opts: ReplayOptions) {
    this.opts = opts;
    this.speed = opts.speed ?? 1;
  }

  get snapshot(): ReplayState {
    return { ...this.state };
  }

  currentTime(): number {
    // Between animation frames the state lags the player by up to a frame; read it live.
    if (this.state.playing && this.waitingAt === null && this.replayer) return this.readClock();
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

  /** Fetches the first batch and builds the player; the rest streams in afterwards. */
  async load(autoplay: boolean): Promise<void> {
    const plan = planPlayback(this.opts.window.chunks);
    if (!plan) {
      this.fail("This recording has no full snapshot, so there is no page to rebuild.");
      return;
    }
    this.update({ duration: plan.durationMs });
    let events: eventWithTime[];
    try {
      events = await this.fetch(plan.batches[0]);
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
      this.replayer = new Replayer(events, {
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
    } catch (e) {
      this.fail(`Could not start the player: ${message(e)}`);
      return;
    }
    this.replayer.on("resize", (d) => {
      const { width, height } = d as Size;
      this.update({ viewport: { width, height } });
    });
    this.replayer.on("finish", () => this.onFinish());
    this.allLoaded = plan.batches.length === 1;
    this.update({
      status: "ready",
      loadedUntil: this.allLoaded ? plan.durationMs : plan.batches[0].endTs - plan.startTs,
    });
    if (autoplay) this.play();
    else this.replayer.pause(0);
    markFirstFrame(this.opts.sessionId);
    void this.streamRest(plan);
  }

  play() {
    if (!this.replayer || this.state.status !== "ready") return;
    const atEnd = this.state.ended || this.state.currentTime >= this.state.duration - END_SLACK_MS;
    const from = atEnd ? 0 : this.state.currentTime;
    this.update({ playing: true, ended: false, currentTime: from });
    this.goTo(from);
  }

  pause() {
    if (!this.replayer) return;
    const wasWaiting = this.waitingAt !== null;
    this.waitingAt = null;
    this.stopClock();
    this.replayer.pause();
    const currentTime = wasWaiting ? this.state.currentTime : this.readClock();
    this.update({ playing: false, buffering: false, currentTime });
  }

  /**
   * Plays at `speed` times real time from now on. rrweb's timer integrates its speed frame by
   * frame, so setting it while playing changes the rate without rebuilding the page; while
   * paused it applies from the next play.
   */
  setSpeed(speed: number) {
    if (!(speed > 0) || speed === this.speed) return;
    this.speed = speed;
    this.replayer?.setConfig({ speed });
  }

  setMouseTrail(on: boolean) {
    this.replayer?.setConfig({ mouseTail: on ? TRAIL : false });
  }

  toggle() {
    if (this.state.playing) this.pause();
    else this.play();
  }

  seek(ms: number) {
    if (!this.replayer || this.state.status !== "ready") return;
    const t = clamp(ms, 0, this.state.duration);
    this.update({ currentTime: t, ended: false });
    this.goTo(t);
  }

  destroy() {
    this.destroyed = true;
    this.stopClock();
    try {
      this.replayer?.destroy();
    } catch {
      // The root may already be gone with its component; nothing is left to clean.
    }
    this.replayer = null;
  }

  /** Shows time `t`, playing or paused as the state says, or waits for its data. */
  private goTo(t: number) {
    const replayer = this.replayer;
    if (!replayer) return;
    if (!this.allLoaded && t > this.state.loadedUntil) {
      this.waitingAt = t;
      this.stopClock();
      replayer.pause();
      this.update({ buffering: true });
      return;
    }
    this.waitingAt = null;
    this.update({ buffering: false });
    if (this.state.playing) {
      replayer.play(t);
      this.startClock();
    } else {
      this.stopClock();
      // rrweb applies events strictly before the offset; a paused frame at t should include
      // the events at t (a navigation at exactly t would otherwise leave the old page up).
      replayer.pause(t + 1);
    }
  }

  private onFinish() {
    // A paused seek to the end also "finishes"; only a running playback ends or stalls.
    if (!this.replayer || this.destroyed || !this.state.playing) return;
    if (!this.allLoaded) {
      // Played everything fetched so far; resume where we are once the next batch lands.
      this.stopClock();
      this.waitingAt = this.readClock();
      this.update({ buffering: true, currentTime: this.waitingAt });
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

  private async streamRest(plan: PlaybackPlan) {
    for (const batch of plan.batches.slice(1)) {
      let events: eventWithTime[];
      try {
        events = await this.fetch(batch);
      } catch (e) {
        if (this.destroyed) return;
        this.update({ error: `Could not load the rest of the recording: ${message(e)}` });
        return;
      }
      if (this.destroyed || !this.replayer) return;
      for (const e of events) this.replayer.addEvent(e);
      // addEvent hands each event to the player in a microtask; let those run first.
      await Promise.resolve();
      const last = batch === plan.batches[plan.batches.length - 1];
      this.allLoaded = last;
      this.update({ loadedUntil: last ? plan.durationMs : batch.endTs - plan.startTs });
      if (this.waitingAt !== null && (last || this.waitingAt <= this.state.loadedUntil)) {
        this.goTo(this.waitingAt);
      }
    }
  }

  private async fetch(batch: Batch): Promise<eventWithTime[]> {
    const { backend, sessionId, window } = this.opts;
    // Asked once per replay, beside the first batch; batches then go through it in order.
    this.rewriter ??= backend.getRemoteAssets(sessionId).then(
      (a) => (a.proxy ? new RemoteAssetRewriter(a.proxy) : null),
      () => null,
    );
    const [bytes, rewriter] = await Promise.all([
      backend.chunkEvents(sessionId, window.index, batch.fromSeq, batch.toSeq),
      this.rewriter,
    ]);
    const events = await decodeEvents(bytes);
    // With remote assets off, the events go to rrweb as recorded (the CSP blocks remote URLs).
    return rewriter ? rewriter.rewrite(events) : events;
  }

  private readClock(): number {
    if (!this.replayer) return this.state.currentTime;
    return clamp(this.replayer.getCurrentTime(), 0, this.state.duration);
  }

  private startClock() {
    if (this.raf) return;
    const tick = () => {
      this.raf = 0;
      if (this.destroyed || !this.state.playing || this.waitingAt !== null) return;
      const t = this.readClock();
      if (t !== this.state.currentTime) this.update({ currentTime: t });
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
