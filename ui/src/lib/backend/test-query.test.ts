import { describe, expect, test } from "vitest";
import type { SessionSummary } from "../bindings";
import { parseQuery, wordsOf, type SearchDoc } from "./test-query";
import { zeroInsights } from "./test-backend";

const NOON = Date.UTC(2026, 11, 1, 12); // Tuesday 2026-12-01 12:00 UTC

function doc(over: Partial<SessionSummary> = {}, urls: string[] = [], text = ""): SearchDoc {
  const summary = {
    id: "abc123",
    vendorId: null,
    startedAt: NOON - 3_600_000,
    durationMs: 120_000,
    user: { id: "u-1", name: "Ada Lovelace", email: "ada@example.com" },
    client: { browser: "Mobile Safari", os: "iOS", deviceType: "Mobile", country: "GB" },
    insights: zeroInsights(),
    tags: [],
    commentCount: 0,
    missing: false,
    sourceFolder: null,
    ...over,
  } as SessionSummary;
  return { summary, urls: urls.map((u) => u.toLowerCase()), words: wordsOf(text) };
}

const matches = (q: string, d: SearchDoc, offset = 0) => parseQuery(q, offset, NOON).match(d);

describe("parseQuery", () => {
  test("free words match ids, user fields and URLs as substrings, text by word prefix", () => {
    const d = doc({}, ["https://shop.example/cart?x=1"], "Payment failed: card declined");
    expect(matches("lovel", d)).toBe(true);
    expect(matches("ADA@EX", d)).toBe(true);
    expect(matches("c123", d)).toBe(true);
    expect(matches("shop.example/cart", d)).toBe(true);
    expect(matches("paym", d)).toBe(true);
    expect(matches('"card declined"', d)).toBe(true);
    expect(matches('"declined card"', d)).toBe(false);
    expect(matches("ayment", d)).toBe(false);
    expect(matches("paym nothing", d)).toBe(false);
  });

  test("keyed filters", () => {
    const d = doc({ tags: ["vip", "needs review"], sourceFolder: "/rec/shop" });
    expect(matches("user:love", d)).toBe(true);
    expect(matches("email:lovelace", d)).toBe(false);
    expect(matches("id:abc", d)).toBe(true);
    expect(matches("id:123", d)).toBe(false);
    expect(matches('browser:"mobile safari" os:IOS device:mobile country:gb', d)).toBe(true);
    expect(matches("browser:safari", d)).toBe(false);
    expect(matches("folder:/rec", d)).toBe(true);
    expect(matches("folder:/rec/", d)).toBe(true);
    expect(matches("folder:/re", d)).toBe(false);
    expect(matches('tag:vip tag:"needs review"', d)).toBe(true);
    expect(matches("tag:vip tag:other", d)).toBe(false);
  });

  test("has:, is: and durations (a bare length is a minimum)", () => {
    const d = doc({ insights: { ...zeroInsights(), errors: 2, rageClicks: 1 }, missing: true });
    expect(matches("has:errors has:rage is:missing", d)).toBe(true);
    expect(matches("has:dead", d)).toBe(false);
    expect(matches("has:comments", d)).toBe(false);
    expect(matches("duration:>1m duration:<3m", d)).toBe(true);
    expect(matches("duration:1m..2m", d)).toBe(true);
    expect(matches("duration:..1m", d)).toBe(false);
    expect(matches("duration:3m", d)).toBe(false);
    expect(matches("duration:90", d)).toBe(true);
  });

  test("dates are local days for the given UTC offset", () => {
    // 11:00 UTC on Dec 1.
    const d = doc();
    expect(matches("date:today", d)).toBe(true);
    expect(matches("date:yesterday", d)).toBe(false);
    expect(matches("date:2026-12-01", d)).toBe(true);
    expect(matches("date:2026-11-30..2026-12-01", d)).toBe(true);
    expect(matches("before:2026-11-30", d)).toBe(false);
    expect(matches("before:2026-12-01 after:2026-12-01", d)).toBe(true);
    expect(matches("date:7d", d)).toBe(true);
    // In UTC-12 it is still Nov 30 (23:00) when the session starts.
    expect(matches("date:2026-11-30", d, -12 * 60)).toBe(true);
    expect(matches("date:today", doc({ startedAt: NOON - 8 * 86_400_000 }))).toBe(false);
    expect(matches("date:7d", doc({ startedAt: NOON - 6 * 86_400_000 }))).toBe(true);
    expect(matches("date:7d", doc({ startedAt: NOON - 7 * 86_400_000 }))).toBe(false);
  });

  test("what cannot be read is noted and filters nothing; a value being typed says nothing", () => {
    const q = parseQuery("date:someday duration:soon has:joy is:odd browser: ada", 0, NOON);
    expect(q.notes).toHaveLength(4);
    expect(q.notes[0]).toContain("date:someday");
    expect(q.match(doc())).toBe(true);
    expect(parseQuery("browser:", 0, NOON).notes).toEqual([]);
  });
});
