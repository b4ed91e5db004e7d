import { decodeEventsSync } from "./decode";

self.onmessage = (e: MessageEvent<{ id: number; bytes: ArrayBuffer }>) => {
  const { id, bytes } = e.data;
  try {
    self.postMessage({ id, events: decodeEventsSync(bytes) });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
