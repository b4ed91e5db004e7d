//! The search language of the feed's box and of `tapedeck search`: free words plus
//! `key:value` filters. Parsing never fails: what is not understood is reported in `notes`
//! and left out, so typing half a filter never empties the feed.

/// What `tapedeck search --help` prints after the options.
pub const HELP: &str = "\
Query language (the same as the app's search box):
  words, \"a phrase\"      each must match: user id, name or email, session id or a page URL
                         (substring), or console messages, custom event names, page titles,
                         tags and comments (word prefix)
  user:TEXT              user id, name or email contains TEXT      email:TEXT   email contains
  id:PREFIX              session id (or the vendor's id) starts with PREFIX
  url:TEXT               a page URL contains TEXT
  text:WORDS             only console messages, event names, titles, tags and comments
  date:today|yesterday|7d|30d|YYYY-MM-DD|YYYY-MM-DD..YYYY-MM-DD
  after:YYYY-MM-DD  before:YYYY-MM-DD   (local days; both inclusive)
  has:errors has:rage has:dead has:comments   is:missing
  duration:>5m  duration:<30s  duration:1m..10m   (ms, s, m, h; a bare number is seconds)
  browser:X os:X device:X country:X   (case-insensitive)   folder:PATH   tag:X (repeatable)
Values with spaces are quoted: browser:\"Mobile Safari\".";

/// A parsed query. Every part present must hold (AND).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionQuery {
    /// Free words and phrases, as typed (case is ignored when matching).
    pub words: Vec<String>,
    pub user: Vec<String>,
    pub email: Vec<String>,
    pub id_prefix: Vec<String>,
    pub url: Vec<String>,
    /// Words matched against the full-text fields only.
    pub text: Vec<String>,
    /// Epoch milliseconds, inclusive.
    pub started_from: Option<i64>,
    /// Epoch milliseconds, exclusive.
    pub started_before: Option<i64>,
    pub has_errors: bool,
    pub has_rage_clicks: bool,
    pub has_dead_clicks: bool,
    pub has_comments: bool,
    pub missing: bool,
    pub min_duration_ms: Option<i64>,
    pub max_duration_ms: Option<i64>,
    pub browser: Option<String>,
    pub os: Option<String>,
    pub device: Option<String>,
    pub country: Option<String>,
    pub folder: Option<String>,
    pub tags: Vec<String>,
    /// What was not understood, in words, e.g. "duration:>abc: not a length like 5m".
    pub notes: Vec<String>,
}

/// The moment and time zone relative dates (`today`, `7d`) are counted from.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub now_ms: i64,
    /// Minutes east of UTC of the user's time zone (UTC+1 is 60).
    pub utc_offset_minutes: i32,
}

impl Clock {
    pub fn utc_now() -> Self {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Self {
            now_ms,
            utc_offset_minutes: 0,
        }
    }

    fn offset_ms(&self) -> i64 {
        i64::from(self.utc_offset_minutes) * 60_000
    }

    /// Epoch ms of the local midnight that starts the day `days_ago` days before today.
    fn day_start(&self, days_ago: i64) -> i64 {
        let local = self.now_ms + self.offset_ms();
        (local.div_euclid(DAY_MS) - days_ago) * DAY_MS - self.offset_ms()
    }

    /// Epoch ms of local midnight starting the calendar day `y-m-d`.
    fn date_start(&self, (y, m, d): (i64, u32, u32)) -> i64 {
        days_from_civil(y, m, d) * DAY_MS - self.offset_ms()
    }
}

const DAY_MS: i64 = 86_400_000;

impl SessionQuery {
    pub fn parse(input: &str, clock: Clock) -> Self {
        let mut q = Self::default();
        for token in tokenize(input) {
            q.apply(token, clock);
        }
        q
    }

    /// True when the query restricts nothing.
    pub fn is_empty(&self) -> bool {
        Self {
            notes: Vec::new(),
            ..self.clone()
        } == Self::default()
    }

    fn apply(&mut self, token: Token, clock: Clock) {
        let Some(key) = token.key.as_deref() else {
            self.words.push(token.value);
            return;
        };
        let value = token.value;
        let raw = || format!("{key}:{value}");
        if value.is_empty() {
            // "browser:" while the user is still typing: nothing to apply yet.
            return;
        }
        match key {
            "user" => self.user.push(value),
            "email" => self.email.push(value),
            "id" => self.id_prefix.push(value),
            "url" => self.url.push(value),
            "text" => self.text.push(value),
            "tag" => self.tags.push(value),
            "browser" => self.browser = Some(value),
            "os" => self.os = Some(value),
            "device" => self.device = Some(value),
            "country" => self.country = Some(value),
            "folder" => self.folder = Some(value.trim_end_matches('/').to_string()),
            "has" => match value.to_ascii_lowercase().as_str() {
                "errors" | "error" => self.has_errors = true,
                "rage" | "rage-clicks" | "rage_clicks" => self.has_rage_clicks = true,
                "dead" | "dead-clicks" | "dead_clicks" => self.has_dead_clicks = true,
                "comments" | "comment" => self.has_comments = true,
                _ => self.notes.push(format!(
                    "{}: has: takes errors, rage, dead or comments",
                    raw()
                )),
            },
            "is" => match value.to_ascii_lowercase().as_str() {
                "missing" => self.missing = true,
                _ => self.notes.push(format!("{}: is: takes missing", raw())),
            },
            "duration" => match parse_duration_range(&value) {
                Some((min, max)) => {
                    if min.is_some() {
                        self.min_duration_ms = min;
                    }
                    if max.is_some() {
                        self.max_duration_ms = max;
                    }
                }
                None => self.notes.push(format!(
                    "{}: not a duration like >5m, <30s or 1m..10m",
                    raw()
                )),
            },
            "date" => match parse_date_range(&value, clock) {
                Some((from, before)) => {
                    self.started_from = Some(from);
                    self.started_before = Some(before);
                }
                None => self.notes.push(format!(
                    "{}: not a date like today, 7d, 30d or 2026-11-05..2026-11-30",
                    raw()
                )),
            },
            "after" | "from" | "since" => match parse_day(&value, clock) {
                Some((start, _)) => self.started_from = Some(start),
                None => self
                    .notes
                    .push(format!("{}: not a date like 2026-11-05", raw())),
            },
            "before" | "until" | "to" => match parse_day(&value, clock) {
                Some((_, end)) => self.started_before = Some(end),
                None => self
                    .notes
                    .push(format!("{}: not a date like 2026-11-05", raw())),
            },
            _ => self.words.push(raw()),
        }
    }
}

/// One word of the query: `value`, or `key:value` for a known key.
#[derive(Debug, PartialEq)]
struct Token {
    key: Option<String>,
    value: String,
}

const KEYS: &[&str] = &[
    "user", "email", "id", "url", "text", "tag", "browser", "os", "device", "country", "folder",
    "has", "is", "duration", "date", "after", "from", "since", "before", "until", "to",
];

/// Splits on whitespace outside quotes. `key:"a b"` keeps its key; `"a b"` is one word.
fn tokenize(input: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut word = String::new();
        let mut quoted_from: Option<usize> = None;
        let mut in_quotes = false;
        while let Some(&c) = chars.peek() {
            if c == '"' {
                chars.next();
                if !in_quotes {
                    quoted_from.get_or_insert(word.len());
                }
                in_quotes = !in_quotes;
                continue;
            }
            if c.is_whitespace() && !in_quotes {
                break;
            }
            word.push(c);
            chars.next();
        }
        // A key only counts before any quote: `"a:b"` is a phrase.
        let split = word
            .find(':')
            .filter(|&i| quoted_from.is_none_or(|q| i < q));
        let token = match split {
            Some(i) if KEYS.contains(&word[..i].to_ascii_lowercase().as_str()) => Token {
                key: Some(word[..i].to_ascii_lowercase()),
                value: word[i + 1..].to_string(),
            },
            _ => Token {
                key: None,
                value: word,
            },
        };
        if token.key.is_some() || !token.value.is_empty() {
            out.push(token);
        }
    }
    out
}

/// `>5m`, `<30s`, `>=1h`, `1m..10m`, `..10m`, `5m..`, `90` (seconds) → (min, max) in ms.
fn parse_duration_range(v: &str) -> Option<(Option<i64>, Option<i64>)> {
    let v = v.trim();
    if let Some((a, b)) = v.split_once("..") {
        let min = if a.is_empty() {
            None
        } else {
            Some(parse_length(a)?)
        };
        let max = if b.is_empty() {
            None
        } else {
            Some(parse_length(b)?)
        };
        return (min.is_some() || max.is_some()).then_some((min, max));
    }
    if let Some(rest) = v.strip_prefix(">=").or_else(|| v.strip_prefix('>')) {
        return Some((Some(parse_length(rest)?), None));
    }
    if let Some(rest) = v.strip_prefix("<=").or_else(|| v.strip_prefix('<')) {
        return Some((None, Some(parse_length(rest)?)));
    }
    // A bare length is a minimum: "duration:5m" reads as "at least five minutes".
    Some((Some(parse_length(v)?), None))
}

/// `250ms`, `30s`, `5m`, `1.5h`, `90` (seconds) → milliseconds.
fn parse_length(v: &str) -> Option<i64> {
    let v = v.trim().to_ascii_lowercase();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (number, unit) = v.split_at(split);
    let n: f64 = number.parse().ok().filter(|n: &f64| n.is_finite())?;
    let scale = match unit {
        "ms" => 1.0,
        "" | "s" | "sec" | "secs" => 1_000.0,
        "m" | "min" | "mins" => 60_000.0,
        "h" | "hr" | "hrs" => 3_600_000.0,
        "d" => DAY_MS as f64,
        _ => return None,
    };
    Some((n * scale).round() as i64)
}

/// A day or a span of days → [start, end) in epoch ms.
fn parse_date_range(v: &str, clock: Clock) -> Option<(i64, i64)> {
    let v = v.trim().to_ascii_lowercase();
    if let Some((a, b)) = v.split_once("..") {
        let (start, _) = parse_day(a, clock)?;
        let (_, end) = parse_day(b, clock)?;
        return (start < end).then_some((start, end));
    }
    // Last N days: today and the N-1 days before it.
    if let Some(n) = v.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()) {
        if (1..=36_500).contains(&n) {
            return Some((clock.day_start(n - 1), clock.day_start(-1)));
        }
        return None;
    }
    parse_day(&v, clock)
}

/// `today`, `yesterday` or `YYYY-MM-DD` → that local day as [start, end).
fn parse_day(v: &str, clock: Clock) -> Option<(i64, i64)> {
    let start = match v.trim().to_ascii_lowercase().as_str() {
        "today" => clock.day_start(0),
        "yesterday" => clock.day_start(1),
        other => clock.date_start(parse_ymd(other)?),
    };
    Some((start, start + DAY_MS))
}

fn parse_ymd(v: &str) -> Option<(i64, u32, u32)> {
    let mut parts = v.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    let valid = (1970..=9999).contains(&y) && (1..=12).contains(&m) && d >= 1 && {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        d <= days[(m - 1) as usize]
    };
    valid.then_some((y, m, d))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-12-01 12:00 UTC.
    const NOON: i64 = 1_796_126_400_000;

    fn clock(offset: i32) -> Clock {
        Clock {
            now_ms: NOON,
            utc_offset_minutes: offset,
        }
    }

    fn parse(s: &str) -> SessionQuery {
        SessionQuery::parse(s, clock(0))
    }

    #[test]
    fn the_clock_is_right() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2026, 12, 1) * DAY_MS + 12 * 3_600_000, NOON);
    }

    #[test]
    fn words_phrases_and_filters() {
        let q = parse(r#"ada "payment failed" email:ada@ex has:errors browser:"Mobile Safari""#);
        assert_eq!(q.words, ["ada", "payment failed"]);
        assert_eq!(q.email, ["ada@ex"]);
        assert!(q.has_errors);
        assert_eq!(q.browser.as_deref(), Some("Mobile Safari"));
        assert!(q.notes.is_empty());
    }

    #[test]
    fn urls_and_unknown_keys_are_words() {
        let q = parse("https://shop.example/cart foo:bar");
        assert_eq!(q.words, ["https://shop.example/cart", "foo:bar"]);
    }

    #[test]
    fn a_half_typed_filter_applies_nothing_and_says_nothing() {
        let q = parse("browser:");
        assert!(q.is_empty());
        assert!(q.notes.is_empty());
    }

    #[test]
    fn durations() {
        let q = parse("duration:>5m");
        assert_eq!(
            (q.min_duration_ms, q.max_duration_ms),
            (Some(300_000), None)
        );
        let q = parse("duration:<30s");
        assert_eq!((q.min_duration_ms, q.max_duration_ms), (None, Some(30_000)));
        let q = parse("duration:1m..1.5h");
        assert_eq!(
            (q.min_duration_ms, q.max_duration_ms),
            (Some(60_000), Some(5_400_000))
        );
        let q = parse("duration:90");
        assert_eq!(q.min_duration_ms, Some(90_000));
        let q = parse("duration:>abc");
        assert_eq!(q.min_duration_ms, None);
        assert_eq!(q.notes.len(), 1, "{:?}", q.notes);
        assert!(q.notes[0].contains("duration:>abc"));
    }

    #[test]
    fn relative_dates_count_local_days() {
        let q = parse("date:today");
        assert_eq!(q.started_from, Some(NOON - 12 * 3_600_000));
        assert_eq!(q.started_before, Some(NOON + 12 * 3_600_000));
        let q = parse("date:7d");
        assert_eq!(q.started_from, Some(NOON - 12 * 3_600_000 - 6 * DAY_MS));
        assert_eq!(q.started_before, Some(NOON + 12 * 3_600_000));
        // In UTC+14 it is already 2026-12-02 02:00: today started 2 h ago.
        let q = SessionQuery::parse("date:today", clock(14 * 60));
        assert_eq!(q.started_from, Some(NOON - 2 * 3_600_000));
        let q = SessionQuery::parse("date:yesterday", clock(-5 * 60));
        // UTC-5: 07:00 on Dec 1, so yesterday is Nov 30 local.
        assert_eq!(q.started_from, Some(NOON - 7 * 3_600_000 - DAY_MS));
    }

    #[test]
    fn absolute_dates_and_ranges() {
        let q = parse("after:2026-11-05 before:2026-11-30");
        assert_eq!(q.started_from, Some(days_from_civil(2026, 11, 5) * DAY_MS));
        assert_eq!(
            q.started_before,
            Some(days_from_civil(2026, 12, 1) * DAY_MS),
            "before is inclusive of its day"
        );
        let q = parse("date:2026-11-05..2026-11-06");
        assert_eq!(
            q.started_before.unwrap() - q.started_from.unwrap(),
            2 * DAY_MS
        );
        let q = parse("date:2026-02-30 after:yesterday-ish");
        assert_eq!((q.started_from, q.started_before), (None, None));
        assert_eq!(q.notes.len(), 2);
    }

    #[test]
    fn a_quoted_colon_is_a_phrase() {
        let q = parse(r#""user:ada""#);
        assert_eq!(q.words, ["user:ada"]);
        assert!(q.user.is_empty());
    }

    #[test]
    fn tags_repeat_and_flags_combine() {
        let q = parse("tag:checkout tag:vip has:rage has:dead has:comments is:missing");
        assert_eq!(q.tags, ["checkout", "vip"]);
        assert!(q.has_rage_clicks && q.has_dead_clicks && q.has_comments && q.missing);
        let q = parse("has:nothing");
        assert_eq!(q.notes.len(), 1);
    }
}
