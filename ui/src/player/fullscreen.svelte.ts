// The player filling the screen: the window goes fullscreen (through the backend) and the
// player covers the app; its bars hide while the replay plays untouched and come back when the
// mouse moves. The window can also leave fullscreen on its own (the window manager's key), so
// the state is re-read whenever the window's size changes.
import type { Backend } from "../lib/backend/backend";

/** How long the bars stay up after the mouse last moved, while playing. */
export const HIDE_AFTER_MS = 2500;

export class Fullscreen {
  on = $state(false);
  /** The URL bar and the controls are shown. */
  barsShown = $state(true);
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly backend: Backend) {}

  async set(on: boolean) {
    if (on === this.on) return;
    await this.backend.setFullscreen(on);
    this.on = on;
    this.barsShown = true;
    clearTimeout(this.timer);
  }

  toggle(): Promise<void> {
    return this.set(!this.on);
  }

  /** The mouse moved, or playback changed: show the bars, and hide them later while playing. */
  activity(playing: boolean) {
    this.barsShown = true;
    clearTimeout(this.timer);
    if (this.on && playing) this.timer = setTimeout(() => (this.barsShown = false), HIDE_AFTER_MS);
  }

  /** Follows a change the window made itself. */
  async sync() {
    try {
      const on = await this.backend.isFullscreen();
      if (on !== this.on) {
        this.on = on;
        this.barsShown = true;
      }
    } catch {
      // The window is closing; nothing to follow.
    }
  }

  /** Leaves fullscreen when the player goes away (another session, the app closing). */
  dispose() {
    clearTimeout(this.timer);
    if (this.on) void this.backend.setFullscreen(false).catch(() => {});
  }
}
