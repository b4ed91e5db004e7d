// A read-only window into the player for automated tests (the end-to-end tests of the real
// app drive it through WebDriver, the browser tests through Playwright). Reading it has no
// effect on the app.

export interface PlayerProbe {
  currentTime(): number;
  duration(): number;
  playing(): boolean;
}

export interface TapedeckProbe extends PlayerProbe {
  selectedId(): string | null;
}

declare global {
  interface Window {
    __tapedeck?: TapedeckProbe;
  }
}

let player: PlayerProbe | null = null;
let selected: () => string | null = () => null;

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
    selectedId: () => selected(),
  });
  Object.defineProperty(target, "__tapedeck", { value: probe, configurable: true });
}
