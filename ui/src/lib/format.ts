// Text for numbers the user reads: durations, dates, sizes, URLs. Pure functions, so they are
// unit-tested and the same everywhere in the UI.

/**
 * "0:05", "12:34", "1:02:03", to the nearest second: a session's length in the feed (first to
 * last event) and in the player (from the first full snapshot) differ by the few milliseconds
 * before the snapshot, and must not read as different seconds. Negative and non-finite: 0:00.
 */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.round(ms / 1000) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["week", 7 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
];

/** "just now", "5 min ago", "2 h ago", "3 days ago", "in 2 h" (clock skew happens). */
export function formatRelative(epochMs: number, now: number = Date.now()): string {
  const diff = epochMs - now;
  const abs = Math.abs(diff);
  if (abs < 60_000) return "just now";
  const [unit, size] = UNITS.find(([, size]) => abs >= size) ?? UNITS[UNITS.length - 1];
  const n = Math.floor(abs / size);
  const short: Partial<Record<Intl.RelativeTimeFormatUnit, string>> = {
    minute: "min",
    hour: "h",
  };
  const label = short[unit] ?? `${unit}${n === 1 ? "" : "s"}`;
  return diff < 0 ? `${n} ${label} ago` : `in ${n} ${label}`;
}

/** "14:05" for today, "Yesterday 14:05", "Mar 3, 14:05" this year, "Mar 3, 2023, 14:05". */
export function formatWhen(epochMs: number, now: number = Date.now(), locale?: string): string {
  const d = new Date(epochMs);
  const n = new Date(now);
  const time = d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  const sameDay = (a: Date, b: Date) =>
    a.getFullYear() === b.getFullYear() &&
    a.getMonth() === b.getMonth() &&
    a.getDate() === b.getDate();
  if (sameDay(d, n)) return `Today ${time}`;
  const yesterday = new Date(n);
  yesterday.setDate(n.getDate() - 1);
  if (sameDay(d, yesterday)) return `Yesterday ${time}`;
  const date = d.toLocaleDateString(locale, {
    month: "short",
    day: "numeric",
    ...(d.getFullYear() === n.getFullYear() ? {} : { year: "numeric" }),
  });
  return `${date}, ${time}`;
}

/** Full local date and time, for tooltips. */
export function formatFullDate(epochMs: number, locale?: string): string {
  return new Date(epochMs).toLocaleString(locale, {
    dateStyle: "full",
    timeStyle: "medium",
  });
}

/** "0 B", "512 B", "1.5 KB", "12 MB", "1.2 GB" (powers of 1024, at most one decimal). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return "0 B";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = bytes;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${v.toFixed(digits)} ${units[i]}`;
}

/** "1,234" in the user's locale. */
export function formatCount(n: number, locale?: string): string {
  return n.toLocaleString(locale);
}

/** Host and path of a URL, for narrow places ("example.com/cart"); the input when unparsable. */
export function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return url;
    const path = u.pathname === "/" ? "" : u.pathname;
    return `${u.host}${path}`;
  } catch {
    return url;
  }
}

/** Last path segment of a file path (either separator), for short labels. */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
