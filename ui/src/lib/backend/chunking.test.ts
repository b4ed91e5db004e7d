import { describe, expect, test } from "vitest";
import { EventType, MAX_CHUNK_BYTES, splitIntoChunks, type StoredEvent } from "./chunking";

const ev = (type: number, timestamp: number, pad = 0): StoredEvent => ({
  type,
  timestamp,
  json: JSON.stringify({ type, data: { pad: "x".repeat(pad) }, timestamp }),
});

const { DomContentLoaded, Load, FullSnapshot, IncrementalSnapshot: Inc, Meta } = EventType;

describe("splitIntoChunks (mirrors the engine)", () => {
  test("a page's Meta opens a chunk, with its load events before and its snapshot after", () => {
    const chunks = splitIntoChunks([
      ev(DomContentLoaded, 0),
      ev(Load, 1),
      ev(Meta, 2),
      ev(FullSnapshot, 3),
      ev(Inc, 4),
      ev(Meta, 10),
      ev(FullSnapshot, 11),
    ]);
    expect(chunks.map((c) => [c.info.seq, c.info.eventCount, c.info.fullSnapshot])).toEqual([
      [0, 5, true],
      [1, 2, true],
    ]);
    expect(chunks[0].info).toMatchObject({ startTs: 0, endTs: 4 });
  });

  test("load events between a Meta and its snapshot keep them in one chunk", () => {
    const chunks = splitIntoChunks([ev(Meta, 0), ev(DomContentLoaded, 1), ev(FullSnapshot, 2)]);
    expect(chunks.map((c) => [c.info.eventCount, c.info.fullSnapshot])).toEqual([[3, true]]);
  });

  test("a full snapshot without a Meta starts a new chunk", () => {
    const chunks = splitIntoChunks([
      ev(Meta, 0),
      ev(FullSnapshot, 1),
      ev(Inc, 2),
      ev(FullSnapshot, 3),
    ]);
    expect(chunks.map((c) => [c.info.eventCount, c.info.fullSnapshot])).toEqual([
      [3, true],
      [1, true],
    ]);
  });

  test("a chunk spans less than 30 s", () => {
    const events = [ev(Meta, 0), ev(FullSnapshot, 0)];
    for (let t = 1000; t <= 65_000; t += 1000) events.push(ev(Inc, t));
    const chunks = splitIntoChunks(events);
    expect(chunks.map((c) => [c.info.startTs, c.info.endTs])).toEqual([
      [0, 29_000],
      [30_000, 59_000],
      [60_000, 65_000],
    ]);
    expect(chunks.slice(1).every((c) => !c.info.fullSnapshot)).toBe(true);
  });

  test("a chunk is cut once it reaches the byte limit", () => {
    const big = 200 * 1024;
    const events = [ev(Meta, 0), ev(FullSnapshot, 1, big)];
    for (let i = 0; i < 4; i++) events.push(ev(Inc, 2 + i, big));
    const chunks = splitIntoChunks(events);
    expect(chunks.length).toBe(2);
    expect(chunks[0].info.rawBytes).toBeGreaterThanOrEqual(MAX_CHUNK_BYTES);
    expect(chunks[0].info.eventCount).toBe(4);
  });

  test("rawBytes counts the comma-joined UTF-8 JSON", () => {
    const events = [ev(Meta, 0), ev(FullSnapshot, 1)];
    events[1].json = JSON.stringify({ type: 2, data: { text: "héllo ✓" }, timestamp: 1 });
    const [c] = splitIntoChunks(events);
    expect(c.json).toBe(`${events[0].json},${events[1].json}`);
    expect(c.info.rawBytes).toBe(new TextEncoder().encode(c.json).length);
  });
});
