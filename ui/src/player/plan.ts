// Which chunks to fetch, in what order. Replay can only begin at a chunk that starts with a
// full snapshot; the first batch is kept small (about FIRST_BATCH_MS of recording or
// FIRST_BATCH_BYTES of JSON) so the first frame shows quickly, and the rest follows in
// batches while the recording plays.

import type { ChunkInfo, PageVisit } from "../lib/bindings";

export const FIRST_BATCH_MS = 30_000;
export const FIRST_BATCH_BYTES = 2 * 1024 * 1024;
export const BATCH_BYTES = 2 * 1024 * 1024;

export interface Batch {
  fromSeq: number;
  toSeq: number;
  startTs: number;
  endTs: number;
  rawBytes: number;
  eventCount: number;
}

export interface PlaybackPlan {
  /** Epoch ms of the first playable event: the replay's time zero. */
  startTs: number;
  endTs: number;
  durationMs: number;
  /** `batches[0]` builds the player; the rest are appended in order. */
  batches: Batch[];
}

export interface PlanLimits {
  firstBatchMs: number;
  firstBatchBytes: number;
  batchBytes: number;
}

const DEFAULT_LIMITS: PlanLimits = {
  firstBatchMs: FIRST_BATCH_MS,
  firstBatchBytes: FIRST_BATCH_BYTES,
  batchBytes: BATCH_BYTES,
};

/** Null when no chunk starts with a full snapshot: there is no page to rebuild. */
export function planPlayback(
  chunks: readonly ChunkInfo[],
  limits: Partial<PlanLimits> = {},
): PlaybackPlan | null {
  const { firstBatchMs, firstBatchBytes, batchBytes } = { ...DEFAULT_LIMITS, ...limits };
  const ordered = [...chunks].sort((a, b) => a.seq - b.seq);
  const start = ordered.findIndex((c) => c.fullSnapshot);
  if (start < 0) return null;
  const playable = ordered.slice(start);
  const startTs = playable[0].startTs;
  const endTs = Math.max(...playable.map((c) => c.endTs));

  const batches: Batch[] = [];
  let i = 0;
  // First batch: always the snapshot chunk, then more while within the limits. rrweb's
  // Replayer refuses fewer than two events, so keep adding until there are two.
  const first = [playable[i++]];
  while (i < playable.length) {
    const next = playable[i];
    const bytes = sum(first, "rawBytes") + next.rawBytes;
    const events = sum(first, "eventCount");
    const withinLimits = next.startTs - startTs < firstBatchMs && bytes <= firstBatchBytes;
    if (!withinLimits && events >= 2) break;
    first.push(next);
    i++;
  }
  batches.push(toBatch(first));

  let current: ChunkInfo[] = [];
  for (; i < playable.length; i++) {
    const c = playable[i];
    if (current.length > 0 && sum(current, "rawBytes") + c.rawBytes > batchBytes) {
      batches.push(toBatch(current));
      current = [];
    }
    current.push(c);
  }
  if (current.length > 0) batches.push(toBatch(current));

  return { startTs, endTs, durationMs: Math.max(0, endTs - startTs), batches };
}

function sum(chunks: ChunkInfo[], key: "rawBytes" | "eventCount"): number {
  return chunks.reduce((n, c) => n + c[key], 0);
}

function toBatch(chunks: ChunkInfo[]): Batch {
  return {
    fromSeq: chunks[0].seq,
    toSeq: chunks[chunks.length - 1].seq,
    startTs: Math.min(...chunks.map((c) => c.startTs)),
    endTs: Math.max(...chunks.map((c) => c.endTs)),
    rawBytes: sum(chunks, "rawBytes"),
    eventCount: sum(chunks, "eventCount"),
  };
}

/** The page the user was on at epoch time `at`: the last visit at or before it. */
export function urlAt(urls: readonly PageVisit[], at: number): string | null {
  let found: string | null = urls[0]?.url ?? null;
  for (const v of urls) {
    if (v.at <= at) found = v.url;
    else break;
  }
  return found;
}

/** What a seek loads: chunks `fromSeq..=toSeq`, after the keyframe of `fromSeq` if `keyframe`. */
export interface SeekRange {
  fromSeq: number;
  toSeq: number;
  keyframe: boolean;
}

/** Replay can begin at a chunk that starts with a full snapshot or has a keyframe. */
export function isStart(c: ChunkInfo): boolean {
  return c.fullSnapshot || c.keyframe !== null;
}

/**
 * The chunks a seek to `at` (epoch ms) loads: from the last starting point at or before the
 * chunk holding `at`, through that chunk. Before the first full snapshot, that snapshot's
 * chunk (rrweb shows it at once). The engine plans the same way (`seek_range`).
 */
export function seekRange(chunks: readonly ChunkInfo[], at: number): SeekRange | null {
  const ordered = [...chunks].sort((a, b) => a.seq - b.seq);
  const first = ordered.findIndex((c) => c.fullSnapshot);
  if (first < 0) return null;
  const playable = ordered.slice(first);
  let holding = 0;
  for (let i = playable.length - 1; i >= 0; i--) {
    if (playable[i].startTs <= at) {
      holding = i;
      break;
    }
  }
  let from = holding;
  while (from > 0 && !isStart(playable[from])) from--;
  return {
    fromSeq: playable[from].seq,
    toSeq: playable[holding].seq,
    keyframe: !playable[from].fullSnapshot,
  };
}

/**
 * The chunks after `afterSeq` to fetch next while playing: at least one, then more while they
 * stay within `maxBytes` of JSON and start before `untilTs` (epoch ms).
 */
export function nextChunks(
  chunks: readonly ChunkInfo[],
  afterSeq: number,
  untilTs: number,
  maxBytes: number,
): { fromSeq: number; toSeq: number; endTs: number } | null {
  const ahead = [...chunks].sort((a, b) => a.seq - b.seq).filter((c) => c.seq > afterSeq);
  if (ahead.length === 0) return null;
  let i = 1;
  let bytes = ahead[0].rawBytes;
  while (i < ahead.length && ahead[i].startTs < untilTs && bytes + ahead[i].rawBytes <= maxBytes) {
    bytes += ahead[i].rawBytes;
    i++;
  }
  return {
    fromSeq: ahead[0].seq,
    toSeq: ahead[i - 1].seq,
    endTs: Math.max(...ahead.slice(0, i).map((c) => c.endTs)),
  };
}
