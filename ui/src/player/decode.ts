// Chunk bytes -> events. A seek decodes in place: the user waits for that frame, and parsing
// here is quicker than parsing in a worker and cloning the result back. Chunks streamed in
// while playing are decoded in one long-lived worker when big, so a multi-megabyte
// JSON.parse never stalls playback.

import type { eventWithTime } from "rrweb";

export const WORKER_THRESHOLD_BYTES = 1024 * 1024;

export function decodeEventsSync(bytes: ArrayBuffer): eventWithTime[] {
  const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (!Array.isArray(parsed)) throw new Error("chunk data is not a JSON array");
  return parsed as eventWithTime[];
}

interface Reply {
  id: number;
  events?: eventWithTime[];
  error?: string;
}

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<
  number,
  { resolve: (e: eventWithTime[]) => void; reject: (e: Error) => void }
>();

function decoder(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL("./decode.worker.ts", import.meta.url), { type: "module" });
  w.onmessage = (e: MessageEvent<Reply>) => {
    const job = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    if (e.data.error !== undefined) job?.reject(new Error(e.data.error));
    else job?.resolve(e.data.events ?? []);
  };
  w.onerror = (e) => {
    // A broken worker fails what it holds; the next decode starts a new one.
    for (const job of waiting.values()) job.reject(new Error(e.message || "event decoder failed"));
    waiting.clear();
    w.terminate();
    worker = null;
  };
  worker = w;
  return w;
}

/** Decodes in place, or in the worker when `background` and the bytes are many. */
export function decodeEvents(bytes: ArrayBuffer, background = true): Promise<eventWithTime[]> {
  if (!background || bytes.byteLength < WORKER_THRESHOLD_BYTES || typeof Worker === "undefined") {
    return Promise.resolve().then(() => decodeEventsSync(bytes));
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    decoder().postMessage({ id, bytes }, [bytes]);
  });
}
