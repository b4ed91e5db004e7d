// The search box's query language, as far as the UI needs it: finding, setting and removing
// `key:value` tokens in the box text, so the filter controls can edit the same text the user
// types. The engine parses the query for real (and reports what it could not read); this only
// has to agree with it on where tokens start and end. Pure functions.

/** The keys the engine reads; any other `word:` is plain text (URLs contain colons). */
export const QUERY_KEYS = [
  "user",
  "email",
  "id",
  "url",
  "text",
  "date",
  "after",
  "from",
  "since",
  "before",
  "until",
  "to",
  "has",
  "is",
  "duration",
  "browser",
  "os",
  "device",
  "country",
  "folder",
  "tag",
] as const;

export type QueryKey = (typeof QUERY_KEYS)[number];

export function isQueryKey(v: string): v is QueryKey {
  return (QUERY_KEYS as readonly string[]).includes(v);
}

export interface Token {
  /** Where it is in the text: `text.slice(start, end)` is `raw`. */
  start: number;
  end: number;
  raw: string;
  /** A known key, lower-case; null for a free word or phrase. */
  key: QueryKey | null;
  /** Without the key and without quotes. */
  value: string;
  /** The value (or the whole word) was in double quotes. */
  quoted: boolean;
}

/** Splits the box text into words, keeping `"quoted phrases"` and `key:"quoted values"` whole. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let inQuote = false;
    while (i < text.length && (inQuote || !/\s/.test(text[i]))) {
      if (text[i] === '"') inQuote = !inQuote;
      i++;
    }
    const raw = text.slice(start, i);
    tokens.push({ start, end: i, raw, ...readWord(raw) });
  }
  return tokens;
}

function readWord(raw: string): Pick<Token, "key" | "value" | "quoted"> {
  const m = /^([A-Za-z]+):(.*)$/s.exec(raw);
  if (m && isQueryKey(m[1].toLowerCase())) {
    return { key: m[1].toLowerCase() as QueryKey, ...unquote(m[2]) };
  }
  return { key: null, ...unquote(raw) };
}

function unquote(v: string): { value: string; quoted: boolean } {
  if (v.startsWith('"')) {
    const inner = v.endsWith('"') && v.length > 1 ? v.slice(1, -1) : v.slice(1);
    return { value: inner, quoted: true };
  }
  return { value: v, quoted: false };
}

/** A value as it goes into the box: quoted when it has spaces (or is empty). */
export function quoteValue(value: string): string {
  const clean = value.replace(/"/g, "");
  return clean === "" || /\s/.test(clean) ? `"${clean}"` : clean;
}

export function formatToken(key: QueryKey, value: string): string {
  return `${key}:${quoteValue(value)}`;
}

/** Every value of `key` in the text, in order. */
export function tokenValues(text: string, key: QueryKey): string[] {
  return tokenize(text)
    .filter((t) => t.key === key)
    .map((t) => t.value);
}

/** The first value of `key`, or null. */
export function tokenValue(text: string, key: QueryKey): string | null {
  return tokenValues(text, key)[0] ?? null;
}

export function hasToken(text: string, key: QueryKey, value: string): boolean {
  const v = value.toLowerCase();
  return tokenize(text).some((t) => t.key === key && t.value.toLowerCase() === v);
}

/** The text without the given tokens, the space they leave behind tidied up. */
function without(text: string, drop: Token[]): string {
  if (drop.length === 0) return text;
  let out = "";
  let at = 0;
  for (const t of drop) {
    out += text.slice(at, t.start);
    at = t.end;
  }
  out += text.slice(at);
  return out.replace(/\s{2,}/g, " ").trim();
}

/** Removes every `key` token (with that value only, when one is given; case-insensitive). */
export function removeToken(text: string, key: QueryKey, value?: string): string {
  const v = value?.toLowerCase();
  return without(
    text,
    tokenize(text).filter((t) => t.key === key && (v === undefined || t.value.toLowerCase() === v)),
  );
}

function append(text: string, token: string): string {
  const base = text.replace(/\s+$/, "");
  return base === "" ? token : `${base} ${token}`;
}

/**
 * Sets the one `key` token: replaces the first in place (dropping any others), or appends it;
 * a null or empty value removes it.
 */
export function setToken(text: string, key: QueryKey, value: string | null): string {
  const found = tokenize(text).filter((t) => t.key === key);
  if (value === null || value === "") return without(text, found);
  const token = formatToken(key, value);
  if (found.length === 0) return append(text, token);
  const [first, ...rest] = found;
  const replaced = text.slice(0, first.start) + token + text.slice(first.end);
  // Offsets after the first token moved by the length difference.
  const shift = token.length - (first.end - first.start);
  return without(
    replaced,
    rest.map((t) => ({ ...t, start: t.start + shift, end: t.end + shift })),
  );
}

/** Adds `key:value` unless the text already has it (for repeatable keys: `tag:`, `has:`). */
export function addToken(text: string, key: QueryKey, value: string): string {
  return hasToken(text, key, value) ? text : append(text, formatToken(key, value));
}

/** Adds or removes `key:value`. */
export function toggleToken(text: string, key: QueryKey, value: string, on: boolean): string {
  return on ? addToken(text, key, value) : removeToken(text, key, value);
}

/** The filter tokens (known keys) of the text, for chips. */
export function filterTokens(text: string): Token[] {
  return tokenize(text).filter((t) => t.key !== null);
}

/** Removes one token, by position (a chip's ×). */
export function removeAt(text: string, token: Pick<Token, "start" | "end">): string {
  const found = tokenize(text).find((t) => t.start === token.start && t.end === token.end);
  return found ? without(text, [found]) : text;
}

/** The date filter as the controls show it. */
export interface DateFilter {
  preset: "today" | "yesterday" | "7d" | "30d" | null;
  from: string | null;
  to: string | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads `date:` (a preset, a day or a range) or `after:`/`before:`. */
export function readDate(text: string): DateFilter {
  const date = tokenValue(text, "date");
  if (date !== null) {
    const lower = date.toLowerCase();
    if (lower === "today" || lower === "yesterday" || lower === "7d" || lower === "30d") {
      return { preset: lower, from: null, to: null };
    }
    const [a, b] = date.split("..");
    if (b !== undefined) {
      return { preset: null, from: DAY.test(a) ? a : null, to: DAY.test(b) ? b : null };
    }
    if (DAY.test(date)) return { preset: null, from: date, to: date };
  }
  const after = tokenValue(text, "after");
  const before = tokenValue(text, "before");
  return {
    preset: null,
    from: after && DAY.test(after) ? after : null,
    to: before && DAY.test(before) ? before : null,
  };
}

/** Writes the date filter: one `date:` token, whichever form fits. */
export function writeDate(text: string, d: DateFilter): string {
  let t = removeToken(removeToken(text, "after"), "before");
  if (d.preset) return setToken(t, "date", d.preset);
  if (d.from && d.to) return setToken(t, "date", d.from === d.to ? d.from : `${d.from}..${d.to}`);
  t = setToken(t, "date", null);
  if (d.from) t = setToken(t, "after", d.from);
  if (d.to) t = setToken(t, "before", d.to);
  return t;
}

const UNITS: Record<string, number> = {
  ms: 1,
  "": 1_000,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  d: 86_400_000,
};

/** Milliseconds of `5m`, `30s`, `1.5h`, `250ms`, `90` (seconds); null when unreadable. */
export function parseDuration(v: string): number | null {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([a-z]*)$/i.exec(v.trim());
  if (!m) return null;
  const scale = UNITS[m[2].toLowerCase()];
  return scale === undefined ? null : Math.round(Number(m[1]) * scale);
}

/** The duration filter's bounds as written (`5m`, `30s`), each null when open. */
export function readDurationBounds(text: string): { min: string | null; max: string | null } {
  const v = tokenValue(text, "duration");
  if (v === null) return { min: null, max: null };
  const range = /^(.*)\.\.(.*)$/.exec(v);
  if (range) return { min: range[1] || null, max: range[2] || null };
  if (v.startsWith(">")) return { min: v.slice(1).replace(/^=/, "") || null, max: null };
  if (v.startsWith("<")) return { min: null, max: v.slice(1).replace(/^=/, "") || null };
  // A bare length is a minimum.
  return { min: v || null, max: null };
}

/** Writes `duration:>min`, `duration:<max` or `duration:min..max`. */
export function writeDurationBounds(text: string, min: string | null, max: string | null): string {
  const lo = min?.trim() || null;
  const hi = max?.trim() || null;
  const value = lo && hi ? `${lo}..${hi}` : lo ? `>${lo}` : hi ? `<${hi}` : null;
  return setToken(text, "duration", value);
}

/** "YYYY-MM-DD" of a local day. */
export function localDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
