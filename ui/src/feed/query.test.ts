import { describe, expect, test } from "vitest";
import {
  addToken,
  filterTokens,
  parseDuration,
  quoteValue,
  readDate,
  readDurationBounds,
  removeAt,
  removeToken,
  setToken,
  toggleToken,
  tokenize,
  tokenValue,
  tokenValues,
  writeDate,
  writeDurationBounds,
} from "./query";

describe("tokenize", () => {
  test("free words, phrases and key:value tokens", () => {
    const t = tokenize('checkout  "payment failed" browser:Chrome tag:vip');
    expect(t.map((x) => [x.key, x.value, x.quoted])).toEqual([
      [null, "checkout", false],
      [null, "payment failed", true],
      ["browser", "Chrome", false],
      ["tag", "vip", false],
    ]);
    expect(t[1].raw).toBe('"payment failed"');
    expect(t[2].start).toBe(27);
  });

  test("quoted values keep their spaces; keys are case-insensitive", () => {
    const [t] = tokenize('Browser:"Mobile Safari"');
    expect(t).toMatchObject({ key: "browser", value: "Mobile Safari", quoted: true });
  });

  test("unknown keys and URLs are plain text", () => {
    const t = tokenize("https://shop.example/cart foo:bar");
    expect(t.map((x) => x.key)).toEqual([null, null]);
    expect(t[0].value).toBe("https://shop.example/cart");
  });

  test("an unclosed quote runs to the end", () => {
    const t = tokenize('user:"Ada Love');
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ key: "user", value: "Ada Love" });
  });

  test("empty and blank text", () => {
    expect(tokenize("")).toEqual([]);
    expect(tokenize("   ")).toEqual([]);
  });
});

describe("editing tokens", () => {
  test("setToken replaces in place, appends, or removes", () => {
    expect(setToken("a browser:Chrome b", "browser", "Firefox")).toBe("a browser:Firefox b");
    expect(setToken("checkout", "os", "Mac OS")).toBe('checkout os:"Mac OS"');
    expect(setToken("", "device", "Mobile")).toBe("device:Mobile");
    expect(setToken("a browser:Chrome b", "browser", null)).toBe("a b");
    expect(setToken("os:a x os:b y", "os", "c")).toBe("os:c x y");
  });

  test("repeatable keys add and remove one value", () => {
    let q = addToken("x", "tag", "vip");
    q = addToken(q, "tag", "beta tester");
    q = addToken(q, "tag", "VIP");
    expect(q).toBe('x tag:vip tag:"beta tester"');
    expect(tokenValues(q, "tag")).toEqual(["vip", "beta tester"]);
    expect(removeToken(q, "tag", "beta tester")).toBe("x tag:vip");
    expect(removeToken(q, "tag")).toBe("x");
    expect(toggleToken("has:errors", "has", "rage", true)).toBe("has:errors has:rage");
    expect(toggleToken("has:errors has:rage", "has", "errors", false)).toBe("has:rage");
  });

  test("chips: the filter tokens, each removable by position", () => {
    const q = "foo has:errors bar tag:x";
    const chips = filterTokens(q);
    expect(chips.map((c) => c.raw)).toEqual(["has:errors", "tag:x"]);
    expect(removeAt(q, chips[0])).toBe("foo bar tag:x");
  });

  test("quoteValue", () => {
    expect(quoteValue("Chrome")).toBe("Chrome");
    expect(quoteValue("Mobile Safari")).toBe('"Mobile Safari"');
    expect(quoteValue('say "hi"')).toBe('"say hi"');
    expect(quoteValue("")).toBe('""');
  });
});

describe("dates", () => {
  test("presets, single days and ranges", () => {
    expect(readDate("date:7d")).toEqual({ preset: "7d", from: null, to: null });
    expect(readDate("date:2024-03-01")).toEqual({
      preset: null,
      from: "2024-03-01",
      to: "2024-03-01",
    });
    expect(readDate("date:2024-03-01..2024-03-09")).toMatchObject({
      from: "2024-03-01",
      to: "2024-03-09",
    });
    expect(readDate("after:2024-03-01")).toEqual({ preset: null, from: "2024-03-01", to: null });
    expect(readDate("nothing")).toEqual({ preset: null, from: null, to: null });
  });

  test("writeDate uses one form and drops the others", () => {
    expect(writeDate("x after:2024-01-01", { preset: "today", from: null, to: null })).toBe(
      "x date:today",
    );
    expect(writeDate("date:7d", { preset: null, from: "2024-01-01", to: "2024-01-31" })).toBe(
      "date:2024-01-01..2024-01-31",
    );
    expect(writeDate("date:7d y", { preset: null, from: "2024-01-01", to: null })).toBe(
      "y after:2024-01-01",
    );
    expect(writeDate("date:7d", { preset: null, from: null, to: null })).toBe("");
  });
});

describe("durations", () => {
  test("parseDuration reads units; a bare number is seconds", () => {
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("90")).toBe(90_000);
    expect(parseDuration("2min")).toBe(120_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("soon")).toBeNull();
    expect(parseDuration("5 m")).toBeNull();
    expect(parseDuration("")).toBeNull();
  });

  test("bounds round-trip through the token", () => {
    expect(writeDurationBounds("", "5m", null)).toBe("duration:>5m");
    expect(writeDurationBounds("", null, "30s")).toBe("duration:<30s");
    expect(writeDurationBounds("duration:>1m", "1m", "10m")).toBe("duration:1m..10m");
    expect(writeDurationBounds("duration:>1m x", "", "")).toBe("x");
    expect(readDurationBounds("duration:1m..10m")).toEqual({ min: "1m", max: "10m" });
    expect(readDurationBounds("duration:>5m")).toEqual({ min: "5m", max: null });
    expect(readDurationBounds("duration:<30s")).toEqual({ min: null, max: "30s" });
    expect(readDurationBounds("duration:90")).toEqual({ min: "90", max: null });
    expect(tokenValue("a duration:<30s", "duration")).toBe("<30s");
  });
});
