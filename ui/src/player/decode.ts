// Chunk bytes -> events. Small payloads are parsed in place; big ones in a worker so a
// multi-megabyte JSON.parse never freezes the player's controls.

import type { eventWithTime } from "rrweb";

export const WORKER_THRESHOLD_BYTES = 1024 * 1024;

export function decodeEventsSync(bytes: ArrayBuffer): eventWithTime[] {
  const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (!Array.isArray(parsed)) throw new Error("chunk data is not a JSON array");
  return parsed as eventWithTime[];
}

export function decodeEvents(bytes: ArrayBuffer): Promise<eventWithTime[]> {
  if (bytes.byteLength < WORKER_THRESHOLD_BYTES || typeof Worker === "undefined") {
    return Promise.resolve().then(() => decodeEventsSync(bytes));
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./decode.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (e: MessageEvent<{ events?: eventWithTime[]; error?: string }>) => {
      worker.terminate();
      if (e.data.error !== undefined) reject(new Error(e.data.error));
      else resolve(e.data.events ?? []);
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || "event decoder failed"));
    };
    worker.postMessage(bytes, [bytes]);
  });
}
