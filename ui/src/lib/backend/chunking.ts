// How the library cuts a window's events into chunks. This mirrors the engine
// (src-tauri/engine/src/library/chunk.rs) so TestBackend serves the same chunk layout the app
// sees: a new chunk at every page's Meta, at a full snapshot not right after its Meta, and whenever a
// chunk reaches MAX_CHUNK_BYTES of JSON or spans MAX_CHUNK_SPAN_MS.

import type { ChunkInfo } from "../bindings";

export const MAX_CHUNK_BYTES = 512 * 1024;
export const MAX_CHUNK_SPAN_MS = 30_000;

export const EventType = {
  DomContentLoaded: 0,
  Load: 1,
  FullSnapshot: 2,
  IncrementalSnapshot: 3,
  Meta: 4,
  Custom: 5,
  Plugin: 6,
} as const;

/** One event as stored: its type, time and exact JSON text. */
export interface StoredEvent {
  type: number;
  timestamp: number;
  json: string;
}

export interface StoredChunk {
  info: ChunkInfo;
  /** The chunk's events, comma-joined (no brackets), as the engine stores them. */
  json: string;
}

const utf8 = new TextEncoder();

export function splitIntoChunks(events: StoredEvent[]): StoredChunk[] {
  const chunks: StoredChunk[] = [];
  let parts: string[] = [];
  let bytes = 0;
  let startTs = 0;
  let endTs = 0;
  let leading: number | null = null;
  let lastType: number | null = null;

  const seal = () => {
    chunks.push({
      info: {
        seq: chunks.length,
        startTs,
        endTs,
        eventCount: parts.length,
        fullSnapshot: leading === EventType.FullSnapshot,
        rawBytes: bytes,
        // Keyframes come from the engine's DOM mirror; the test backend has none.
        keyframe: null,
      },
      json: parts.join(","),
    });
    parts = [];
    bytes = 0;
    leading = null;
    lastType = null;
  };

  for (const e of events) {
    if (parts.length > 0) {
      // A page starts at its Meta (or its snapshot when there is no Meta); the page-load
      // events before them, and a snapshot right after its Meta, belong with it.
      const restart =
        leading !== null &&
        (e.type === EventType.Meta ||
          (e.type === EventType.FullSnapshot && lastType !== EventType.Meta));
      if (restart || bytes >= MAX_CHUNK_BYTES || e.timestamp - startTs >= MAX_CHUNK_SPAN_MS) {
        seal();
      }
    }
    if (parts.length === 0) {
      startTs = e.timestamp;
      endTs = e.timestamp;
    } else {
      bytes += 1; // the joining comma
      startTs = Math.min(startTs, e.timestamp);
      endTs = Math.max(endTs, e.timestamp);
    }
    parts.push(e.json);
    bytes += utf8.encode(e.json).length;
    if (
      leading === null &&
      e.type !== EventType.Meta &&
      e.type !== EventType.DomContentLoaded &&
      e.type !== EventType.Load
    ) {
      leading = e.type;
    }
    lastType = e.type;
  }
  if (parts.length > 0) seal();
  return chunks;
}
