import { decodeEventsSync } from "./decode";

self.onmessage = (e: MessageEvent<ArrayBuffer>) => {
  try {
    self.postMessage({ events: decodeEventsSync(e.data) });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
