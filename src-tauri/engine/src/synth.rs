//! Large recordings for benchmarks, made from a real one: its Meta and full snapshot, then its
//! incremental events repeated with shifted timestamps until the file reaches a target size.
//! Not used by the app; the benchmarks of every crate share it.

use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes a recording of about `target` bytes to `out` from the real recording `source`.
/// Returns (bytes, events, recorded span in ms).
pub fn build_large_recording(source: &Path, out: &Path, target: u64) -> (u64, u64, f64) {
    let events: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(source).expect("the source recording is readable"))
            .unwrap();
    let first_inc = events
        .iter()
        .position(|e| e["type"] == 3)
        .expect("the source has incremental events");
    let head = &events[..first_inc];
    let body: Vec<&serde_json::Value> = events[first_inc..]
        .iter()
        .filter(|e| e["type"] == 3)
        .collect();
    let t0 = body[0]["timestamp"].as_f64().unwrap();
    let period = body.last().unwrap()["timestamp"].as_f64().unwrap() - t0 + 1000.0;
    let mut w = ArrayWriter {
        out: BufWriter::new(std::fs::File::create(out).unwrap()),
        written: 1,
        count: 0,
    };
    w.out.write_all(b"[").unwrap();
    for e in head {
        w.push(e);
    }
    let mut round = 0u64;
    let mut last_ts = t0;
    while w.written < target {
        for e in &body {
            let mut e = (*e).clone();
            let ts = e["timestamp"].as_f64().unwrap() + round as f64 * period;
            e["timestamp"] = serde_json::json!(ts);
            last_ts = ts;
            w.push(&e);
        }
        round += 1;
    }
    w.out.write_all(b"]").unwrap();
    w.out.flush().unwrap();
    let start = head
        .first()
        .and_then(|e| e["timestamp"].as_f64())
        .unwrap_or(t0);
    (w.written + 1, w.count, last_ts - start)
}

/// Writes the elements of a JSON array one at a time, counting bytes.
/// A recording of `minutes` of a page that shows a clock, for tests of seeking: `#clock`'s
/// text is `T+<s>`, the whole seconds since the start, and changes every second; a log gets a
/// line of `line_bytes` every 250 ms and keeps the last 100; a field's value is typed into.
/// Written in rrweb's format (Meta, one full snapshot, then mutations and inputs) to `out`.
/// Returns (start epoch ms, events).
pub fn clock_recording(out: &Path, minutes: u64, line_bytes: usize) -> (f64, u64) {
    use serde_json::json;
    let start = 1_767_258_000_000.0; // 2026-01-01 09:00 UTC
    let mut w = ArrayWriter {
        out: BufWriter::new(std::fs::File::create(out).unwrap()),
        written: 1,
        count: 0,
    };
    w.out.write_all(b"[").unwrap();
    let el = |id: u64, tag: &str, attrs: serde_json::Value, children: Vec<serde_json::Value>| json!({"type": 2, "tagName": tag, "attributes": attrs, "childNodes": children, "id": id});
    let text = |id: u64, t: &str| json!({"type": 3, "textContent": t, "id": id});
    w.push(
        &json!({"type": 4, "data": {"href": "https://clock.example.test/", "width": 1000,
        "height": 700}, "timestamp": start}),
    );
    let body = el(
        4,
        "body",
        json!({}),
        vec![
            el(5, "div", json!({"id": "clock"}), vec![text(6, "T+0")]),
            el(7, "input", json!({"id": "note", "value": ""}), vec![]),
            el(8, "div", json!({"id": "log"}), vec![]),
        ],
    );
    let html = el(
        3,
        "html",
        json!({}),
        vec![el(9, "head", json!({}), vec![]), body],
    );
    w.push(
        &json!({"type": 2, "data": {"node": {"type": 0, "id": 1, "childNodes": [
        {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": 2}, html]},
        "initialOffset": {"left": 0, "top": 0}}, "timestamp": start}),
    );
    let mut next_id = 100;
    let mut lines: std::collections::VecDeque<u64> = Default::default();
    let filler = "x".repeat(line_bytes);
    let steps = minutes * 60 * 4;
    for step in 1..=steps {
        let ts = start + step as f64 * 250.0;
        let (p, t) = (next_id, next_id + 1);
        next_id += 2;
        let mut removes = vec![];
        if lines.len() >= 100 {
            removes.push(json!({"parentId": 8, "id": lines.pop_front().unwrap()}));
        }
        lines.push_back(p);
        let mut texts = vec![];
        if step % 4 == 0 {
            texts.push(json!({"id": 6, "value": format!("T+{}", step / 4)}));
        }
        w.push(&json!({"type": 3, "data": {"source": 0, "texts": texts, "attributes": [],
            "removes": removes, "adds": [
                {"parentId": 8, "nextId": null, "node": el(p, "p", json!({"class": "line"}), vec![])},
                {"parentId": p, "nextId": null, "node": text(t, &format!("line {step} {filler}"))}
            ]}, "timestamp": ts}));
        if step % 8 == 0 {
            w.push(
                &json!({"type": 3, "data": {"source": 5, "text": format!("note {}", step / 8),
                "isChecked": false, "id": 7}, "timestamp": ts + 1.0}),
            );
        }
    }
    w.out.write_all(b"]").unwrap();
    w.out.flush().unwrap();
    (start, w.count)
}

struct ArrayWriter {
    out: BufWriter<std::fs::File>,
    written: u64,
    count: u64,
}

impl ArrayWriter {
    fn push(&mut self, v: &serde_json::Value) {
        let s = serde_json::to_vec(v).unwrap();
        if self.count > 0 {
            self.out.write_all(b",").unwrap();
            self.written += 1;
        }
        self.out.write_all(&s).unwrap();
        self.written += s.len() as u64;
        self.count += 1;
    }
}

/// Who a generated session was recorded for, and on what.
#[derive(Debug, Clone, Default)]
pub struct SynthPerson {
    pub distinct_id: String,
    pub name: String,
    pub email: String,
    pub browser: String,
    pub os: String,
    pub device: String,
    pub country: String,
}

/// A PostHog export of the real recording `events`, moved to start at `start_ms`, as if
/// recorded for `person` on a page at `url` (every Meta event's `href` is replaced). Each
/// distinct start or person makes distinct content, so a library of many is made from one
/// recording.
pub fn posthog_export(
    events: &[serde_json::Value],
    session_id: &str,
    start_ms: f64,
    url: Option<&str>,
    person: &SynthPerson,
) -> Vec<u8> {
    let t0 = events
        .iter()
        .filter_map(|e| e["timestamp"].as_f64())
        .fold(f64::INFINITY, f64::min);
    let snapshots: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            if let Some(ts) = e["timestamp"].as_f64() {
                e["timestamp"] = serde_json::json!(ts - t0 + start_ms);
            }
            if let (Some(url), Some(4)) = (url, e["type"].as_i64()) {
                e["data"]["href"] = serde_json::json!(url);
            }
            e["windowId"] = serde_json::json!("w1");
            e
        })
        .collect();
    let export = serde_json::json!({
        "version": "2023-04-28",
        "data": {
            "id": session_id,
            "person": {
                "distinct_ids": [person.distinct_id],
                "properties": {
                    "email": person.email,
                    "name": person.name,
                    "$browser": person.browser,
                    "$os": person.os,
                    "$device_type": person.device,
                    "$geoip_country_code": person.country,
                }
            },
            "snapshots": snapshots,
        }
    });
    serde_json::to_vec(&export).expect("JSON")
}

/// A deterministic stream of pseudo-random numbers (xorshift64*): the same library every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Bob", "Carla", "Dmitri", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal",
    "Lena", "Mateo", "Nia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tomás", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Stone",
    "Diaz",
    "Ivanov",
    "Yilmaz",
    "Haddad",
    "Hopper",
    "Tanaka",
    "Moreau",
    "Berg",
    "Aydin",
    "Fischer",
    "Rossi",
    "Okafor",
    "Lindqvist",
    "Sharma",
    "Kelly",
    "Silva",
    "Novak",
    "García",
    "Patel",
    "Petrov",
    "Zhang",
    "López",
    "Demir",
    "Martin",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "shop.test",
    "mail.test",
    "corp.test",
];
/// (browser, os, device), roughly as common as on the web.
const CLIENTS: &[(&str, &str, &str)] = &[
    ("Chrome", "Windows", "desktop"),
    ("Chrome", "Windows", "desktop"),
    ("Chrome", "Mac OS X", "desktop"),
    ("Chrome", "Android", "mobile"),
    ("Chrome", "Android", "mobile"),
    ("Mobile Safari", "iOS", "mobile"),
    ("Mobile Safari", "iOS", "mobile"),
    ("Safari", "Mac OS X", "desktop"),
    ("Firefox", "Linux", "desktop"),
    ("Firefox", "Windows", "desktop"),
    ("Edge", "Windows", "desktop"),
    ("Samsung Internet", "Android", "tablet"),
];
const COUNTRIES: &[&str] = &[
    "US", "GB", "DE", "FR", "ES", "IN", "BR", "JP", "NL", "SE", "TR", "NG",
];
const PAGES: &[&str] = &[
    "/",
    "/pricing",
    "/signup",
    "/login",
    "/cart",
    "/checkout",
    "/checkout/payment",
    "/account",
    "/settings/billing",
    "/docs/getting-started",
    "/blog/release-notes",
    "/search",
    "/orders",
];
const CONSOLE_ERRORS: &[&str] = &[
    "Payment declined: card_expired",
    "TypeError: Cannot read properties of undefined (reading 'total')",
    "Failed to load resource: the server responded with a status of 502",
    "Uncaught ReferenceError: analytics is not defined",
    "Checkout validation failed: postcode",
    "WebSocket connection closed before the handshake",
];

/// One generated session: a real recording re-dated and re-attributed.
pub struct GeneratedSession {
    /// The PostHog export, ready to write to a file and import.
    pub bytes: Vec<u8>,
    pub person: SynthPerson,
    pub start_ms: f64,
}

/// The `n`th session of a generated library made from the real recordings `bases`: one of
/// `users` people, started in the `days` before `now_ms`, on a varied page, a fifth of them
/// with a console error. Deterministic in `n`.
pub fn generated_session(
    bases: &[Vec<serde_json::Value>],
    n: u64,
    users: u64,
    days: u64,
    now_ms: f64,
) -> GeneratedSession {
    let mut rng = Rng::new(n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x7a9e_dec0_0000_0001);
    let user = rng.below(users);
    let mut urng = Rng::new(user.wrapping_mul(0x9e37_79b9_7f4a_7c15) + 17);
    let first = *urng.pick(FIRST_NAMES);
    let last = *urng.pick(LAST_NAMES);
    let (browser, os, device) = *urng.pick(CLIENTS);
    let person = SynthPerson {
        distinct_id: format!("user-{user}"),
        name: format!("{first} {last}"),
        email: format!(
            "{}.{}{user}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            urng.pick(DOMAINS)
        ),
        browser: browser.into(),
        os: os.into(),
        device: device.into(),
        country: (*urng.pick(COUNTRIES)).into(),
    };
    let start_ms = now_ms - (rng.below(days * 86_400) * 1000) as f64;
    let mut events = rng.pick(bases).clone();
    if rng.below(5) == 0 {
        let last_ts = events
            .iter()
            .filter_map(|e| e["timestamp"].as_f64())
            .fold(0.0, f64::max);
        events.push(serde_json::json!({
            "type": 6, "timestamp": last_ts + 5.0,
            "data": {"plugin": "rrweb/console@1", "payload": {
                "level": "error", "trace": [],
                "payload": [format!("\"{}\"", rng.pick(CONSOLE_ERRORS))]
            }}
        }));
    }
    let url = format!(
        "https://app.{}{}?ref={}",
        rng.pick(&["example.com", "shop.test", "saas.test"]),
        rng.pick(PAGES),
        rng.below(1000)
    );
    let bytes = posthog_export(
        &events,
        &format!("gen-{n:08}-{:08x}", rng.next_u64() as u32),
        start_ms,
        Some(&url),
        &person,
    );
    GeneratedSession {
        bytes,
        person,
        start_ms,
    }
}

/// Bump when `generated_session` changes, so a cached library is made again.
pub const GENERATOR_VERSION: u32 = 2;

/// The repository's real recordings that generated sessions are made from.
pub fn sample_bases() -> Vec<Vec<serde_json::Value>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    [
        "samples/checkout.json",
        "samples/kanban.json",
        "samples/release-notes.json",
        "tests/ui/fixtures/counter.json",
        "tests/ui/fixtures/frustrated.json",
        "tests/ui/fixtures/second.json",
    ]
    .iter()
    .map(|p| serde_json::from_slice(&std::fs::read(root.join(p)).expect("a sample")).unwrap())
    .collect()
}

/// The library of `n` generated sessions in `target/bench/`, made by the real import if it
/// is not there yet (a few minutes for 100 000), and reused after.
pub fn generated_library(
    bases: &[Vec<serde_json::Value>],
    n: u64,
    users: u64,
    days: u64,
    now_ms: i64,
) -> std::path::PathBuf {
    use crate::{ImportOptions, Library};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("library-{n}-v{GENERATOR_VERSION}.sqlite3"));
    if path.exists() {
        let lib = Library::open(&path).unwrap();
        if lib.session_count().unwrap() == n {
            println!("library: {n} sessions, reused from {}", path.display());
            return path;
        }
        drop(lib);
        std::fs::remove_file(&path).unwrap();
    }
    println!("library: generating {n} sessions (once; reused by later runs)…");
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let mut lib = Library::open(&partial).unwrap();
    let tmp = tempfile::tempdir_in(&dir).unwrap();
    let file = tmp.path().join("session.json");
    let t = std::time::Instant::now();
    for i in 0..n {
        let s = generated_session(bases, i, users, days, now_ms as f64);
        std::fs::write(&file, &s.bytes).unwrap();
        let outcome = lib
            .import_file(&file, &ImportOptions::default(), &mut |_| {})
            .unwrap();
        if i % 10 == 0 {
            // A tenth of the sessions carry a tag, as a team that triages leaves them.
            let tag = ["checkout", "vip", "bug", "follow-up"][(i / 10 % 4) as usize];
            lib.set_tags(&outcome.session().id, &[tag.to_string()])
                .unwrap();
        }
        if (i + 1) % 10_000 == 0 {
            println!(
                "  {} sessions, {:.0}/s",
                i + 1,
                (i + 1) as f64 / t.elapsed().as_secs_f64()
            );
        }
    }
    drop(lib);
    std::fs::rename(&partial, &path).unwrap();
    for ext in ["partial-wal", "partial-shm"] {
        let _ = std::fs::remove_file(path.with_extension(ext));
    }
    path
}
