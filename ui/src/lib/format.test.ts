import { describe, expect, test } from "vitest";
import {
  fileName,
  formatBytes,
  formatDuration,
  formatRelative,
  formatWhen,
  shortUrl,
} from "./format";

describe("formatDuration", () => {
  test.each([
    [0, "0:00"],
    [499, "0:00"],
    [500, "0:01"],
    [1000, "0:01"],
    [20_991, "0:21"],
    [21_056, "0:21"],
    [59_499, "0:59"],
    [59_999, "1:00"],
    [62_000, "1:02"],
    [600_000, "10:00"],
    [3_723_000, "1:02:03"],
    [36_000_000, "10:00:00"],
  ])("%d ms -> %s", (ms, text) => expect(formatDuration(ms)).toBe(text));

  test("nonsense reads as zero", () => {
    expect(formatDuration(-5000)).toBe("0:00");
    expect(formatDuration(Number.NaN)).toBe("0:00");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("0:00");
  });
});

describe("formatRelative", () => {
  const now = Date.UTC(2024, 4, 10, 12, 0, 0);
  test.each([
    [now - 30_000, "just now"],
    [now - 60_000, "1 min ago"],
    [now - 5 * 60_000, "5 min ago"],
    [now - 2 * 3600_000, "2 h ago"],
    [now - 26 * 3600_000, "1 day ago"],
    [now - 3 * 24 * 3600_000, "3 days ago"],
    [now - 14 * 24 * 3600_000, "2 weeks ago"],
    [now - 400 * 24 * 3600_000, "1 year ago"],
    [now + 2 * 3600_000, "in 2 h"],
  ])("%d -> %s", (t, text) => expect(formatRelative(t, now)).toBe(text));
});

describe("formatWhen", () => {
  const now = new Date(2024, 4, 10, 15, 30).getTime();
  test("today, yesterday, this year, other years", () => {
    expect(formatWhen(new Date(2024, 4, 10, 9, 5).getTime(), now, "en-GB")).toBe("Today 09:05");
    expect(formatWhen(new Date(2024, 4, 9, 23, 59).getTime(), now, "en-GB")).toBe(
      "Yesterday 23:59",
    );
    expect(formatWhen(new Date(2024, 2, 3, 14, 5).getTime(), now, "en-GB")).toBe("3 Mar, 14:05");
    expect(formatWhen(new Date(2023, 2, 3, 14, 5).getTime(), now, "en-GB")).toBe(
      "3 Mar 2023, 14:05",
    );
  });
});

describe("formatBytes", () => {
  test.each([
    [0, "0 B"],
    [512, "512 B"],
    [1536, "1.5 KB"],
    [10 * 1024, "10 KB"],
    [12.3 * 1024 * 1024, "12 MB"],
    [1.25 * 1024 ** 3, "1.3 GB"],
  ])("%d -> %s", (n, text) => expect(formatBytes(n)).toBe(text));
});

describe("shortUrl", () => {
  test("host and path of web URLs", () => {
    expect(shortUrl("https://shop.example.test/")).toBe("shop.example.test");
    expect(shortUrl("https://shop.example.test/cart?x=1#top")).toBe("shop.example.test/cart");
    expect(shortUrl("http://127.0.0.1:5500/a/b.html")).toBe("127.0.0.1:5500/a/b.html");
  });
  test("anything else is shown as given", () => {
    expect(shortUrl("about:blank")).toBe("about:blank");
    expect(shortUrl("javascript:alert(1)")).toBe("javascript:alert(1)");
    expect(shortUrl("not a url")).toBe("not a url");
  });
});

test("fileName takes the last segment of either separator", () => {
  expect(fileName("/home/ada/recs/a.json")).toBe("a.json");
  expect(fileName("C:\\Users\\ada\\b.json.gz")).toBe("b.json.gz");
  expect(fileName("plain.json")).toBe("plain.json");
});
