//! The library at scale: import rate of a folder of small recordings, size on disk per
//! session, and search-as-you-type latency on a generated library of 100 000 sessions, each
//! beside a baseline measured in the same run.
//!
//! `cargo bench -p tapedeck-engine --bench library [-- --sessions 100000 --files 1000]`
//!
//! The library is made by the real import from the repository's real sample recordings,
//! re-dated over a year and re-attributed to 20 000 generated people on varied pages
//! (`synth::generated_session`); it is kept in `target/bench/` and reused by later runs.
//! Baselines: import beside reading and parsing the same files with `serde_json` (the floor
//! of any importer); search beside the same queries answered by scanning (`LIKE` over the
//! same columns and over a plain copy of the indexed text, no full-text index).

mod common;

/// The allocator the app and the CLI use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::Instant;

use rusqlite::Connection;
use tapedeck_engine::library::query::Clock;
use tapedeck_engine::model::SessionSort;
use tapedeck_engine::sources::{expand_paths, plan_recordings};
use tapedeck_engine::synth::{generated_library, generated_session, sample_bases};
use tapedeck_engine::{ImportOptions, Library};

const USERS: u64 = 20_000;
const DAYS: u64 = 365;
// 2026-12-01 12:00 UTC: generated sessions end here, whatever day the bench runs.
const NOW: i64 = 1_796_126_400_000;
const CLOCK: Clock = Clock {
    now_ms: NOW,
    utc_offset_minutes: 0,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| common::option(&args, flag);
    let sessions: u64 = get("--sessions").map_or(100_000, |v| v.parse().expect("--sessions N"));
    let files: u64 = get("--files").map_or(1_000, |v| v.parse().expect("--files N"));
    let bases = sample_bases();

    if !args.iter().any(|a| a == "--search-only") {
        import_rate(&bases, files);
    }
    let path = generated_library(&bases, sessions, USERS, DAYS, NOW);
    library_size(&path);
    search_latency(&path);
}

fn import_rate(bases: &[Vec<serde_json::Value>], n: u64) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("recordings");
    std::fs::create_dir(&folder).unwrap();
    let mut bytes = 0;
    for i in 0..n {
        let s = generated_session(bases, 1_000_000_000 + i, USERS, DAYS, NOW as f64);
        bytes += s.bytes.len();
        std::fs::write(folder.join(format!("rec-{i:05}.json")), s.bytes).unwrap();
    }
    println!(
        "import: a folder of {n} recordings, {:.1} KB each on average",
        bytes as f64 / n as f64 / 1e3
    );
    // Baseline: read and parse every file, nothing else.
    let t = Instant::now();
    let mut parsed = 0usize;
    for f in expand_paths(std::slice::from_ref(&folder)) {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        parsed += v.is_object() as usize;
    }
    let serde_secs = t.elapsed().as_secs_f64();
    assert_eq!(parsed as u64, n);

    let t = Instant::now();
    let mut lib = Library::open(&dir.path().join("library.sqlite3")).unwrap();
    let recordings = plan_recordings(expand_paths(&[folder]));
    for r in &recordings {
        lib.import(r, &ImportOptions::default(), &mut |_| {})
            .unwrap();
    }
    let import_secs = t.elapsed().as_secs_f64();
    assert_eq!(lib.session_count().unwrap(), n);
    println!(
        "  read + parse (serde_json): {:>8.0} files/s\n  import (Tapedeck):         {:>8.0} sessions/s   ({:.1}× the time of read + parse; with analysis and indexing)",
        n as f64 / serde_secs,
        n as f64 / import_secs,
        import_secs / serde_secs
    );
}

fn library_size(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let (n, file_bytes): (i64, i64) = conn
        .query_row("SELECT count(*), sum(file_bytes) FROM sessions", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let on_disk = std::fs::metadata(path).unwrap().len() as f64;
    println!(
        "size: {:.1} MB for {n} sessions: {:.1} KB per session on disk, from {:.1} KB of recording each ({:.2}× smaller)",
        on_disk / 1e6,
        on_disk / n as f64 / 1e3,
        file_bytes as f64 / n as f64 / 1e3,
        file_bytes as f64 / on_disk
    );
}

/// Each query as it is typed, one keystroke at a time (the feed searches on every one).
fn typed(q: &str) -> Vec<String> {
    let chars: Vec<char> = q.chars().collect();
    (1..=chars.len())
        .map(|i| chars[..i].iter().collect())
        .collect()
}

fn search_latency(path: &Path) {
    let lib = Library::open(path).unwrap();
    // A user the library has, typed by email and by name.
    let someone = lib.search("", CLOCK, SessionSort::Recency, 500, 1).unwrap();
    let email = someone.sessions[0].user.email.clone().unwrap();
    let name = someone.sessions[0].user.name.clone().unwrap();
    let families: Vec<(&str, Vec<String>)> = vec![
        ("user by email", typed(&email)),
        ("user by name", typed(&name)),
        (
            "date range",
            vec![
                "date:today".into(),
                "date:7d".into(),
                "date:30d".into(),
                "after:2026-06-01 before:2026-06-30".into(),
                "date:2026-03-01..2026-03-31 has:errors".into(),
            ],
        ),
        ("free text", typed("payment declined")),
        (
            "filters",
            vec![
                "has:errors".into(),
                "browser:chrome os:android".into(),
                "country:de device:mobile date:30d".into(),
                "duration:>30s has:rage".into(),
            ],
        ),
    ];
    let baseline = Baseline::build(path);
    println!(
        "search, {} sessions, first page of 100 plus the total count (ms per keystroke):",
        lib.session_count().unwrap()
    );
    println!(
        "  {:<16} {:>6} {:>8} {:>8}   {:>5} {:>8} {:>8}   {:>7}",
        "query", "runs", "p50", "p95", "scans", "scan p50", "scan p95", "p95 ×"
    );
    for (label, queries) in families {
        let mut ours = Vec::new();
        let mut scan = Vec::new();
        // Ours on the queries the scan answered too: the ratio compares like with like.
        let mut ours_same = Vec::new();
        let mut totals = Vec::new();
        let mut mismatches = Vec::new();
        for q in &queries {
            let t = Instant::now();
            let page = lib.search(q, CLOCK, SessionSort::Recency, 0, 100).unwrap();
            ours.push(t.elapsed().as_secs_f64() * 1e3);
            if std::env::var_os("TAPEDECK_BENCH_VERBOSE").is_some() {
                println!(
                    "      {q:?}: {:.1} ms, {} matches",
                    ours.last().unwrap(),
                    page.total
                );
            }
            totals.push(page.total);
            if let Some((secs, total)) = baseline.search(q) {
                scan.push(secs * 1e3);
                ours_same.push(*ours.last().unwrap());
                if total != page.total {
                    // Substring versus word-prefix matching of console text, and titles
                    // the scan does not look at, can make them differ a little.
                    mismatches.push(format!("{q:?}: {} vs scan {total}", page.total));
                }
            }
        }
        let (p50, p95) = percentiles(&mut ours);
        let (s50, s95) = percentiles(&mut scan);
        let (_, same95) = percentiles(&mut ours_same);
        println!(
            "  {label:<16} {:>6} {p50:>8.1} {p95:>8.1}   {:>5} {s50:>8.1} {s95:>8.1}   {:>7.1}   (last query: {} matches)",
            queries.len(),
            scan.len(),
            s95 / same95,
            totals.last().unwrap()
        );
        for m in mismatches {
            println!("      matches differ: {m}");
        }
    }
}

fn percentiles(v: &mut [f64]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.95))
}

/// The same searches by scanning: `LIKE` over the same columns, and over a plain copy of
/// the text the full-text index holds.
struct Baseline {
    conn: Connection,
}

impl Baseline {
    fn build(path: &Path) -> Self {
        let conn = Connection::open(path).unwrap();
        let plain = path.with_extension("plain-text.sqlite3");
        let fresh = !plain.exists();
        conn.execute("ATTACH ?1 AS plain", [plain.display().to_string()])
            .unwrap();
        if fresh {
            println!("  (building the baseline's plain text table once…)");
            conn.execute_batch(
                "CREATE TABLE plain.text (pk INTEGER PRIMARY KEY, console TEXT, titles TEXT)",
            )
            .unwrap();
            let lib = Library::open(path).unwrap();
            let ids: Vec<(i64, String)> = conn
                .prepare("SELECT pk, id FROM sessions")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            conn.execute_batch("BEGIN").unwrap();
            for (pk, id) in ids {
                let console: Vec<String> = lib
                    .console_entries(&id)
                    .unwrap()
                    .entries
                    .into_iter()
                    .map(|e| e.message)
                    .collect();
                conn.execute(
                    "INSERT INTO plain.text (pk, console) VALUES (?1, ?2)",
                    rusqlite::params![pk, console.join("\n")],
                )
                .unwrap();
            }
            conn.execute_batch("COMMIT").unwrap();
        }
        Self { conn }
    }

    /// Only the query shapes a scan can answer the same way (free words over who, where and
    /// console text; date and flag filters).
    fn search(&self, q: &str) -> Option<(f64, u32)> {
        let parsed = tapedeck_engine::library::query::SessionQuery::parse(q, CLOCK);
        let mut parts = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        for w in &parsed.words {
            let like = format!("%{w}%");
            parts.push(
                "(id LIKE ? OR vendor_id LIKE ? OR user_id LIKE ? OR user_name LIKE ? \
                 OR user_email LIKE ? OR pk IN (SELECT session_pk FROM session_urls WHERE url LIKE ?) \
                 OR pk IN (SELECT pk FROM plain.text WHERE console LIKE ?))"
                    .to_string(),
            );
            for _ in 0..7 {
                values.push(like.clone().into());
            }
        }
        if let Some(f) = parsed.started_from {
            parts.push("started_at >= ?".into());
            values.push(f.into());
        }
        if let Some(b) = parsed.started_before {
            parts.push("started_at < ?".into());
            values.push(b.into());
        }
        if parsed.has_errors {
            parts.push("error_count > 0".into());
        }
        let simple = parsed.user.is_empty()
            && parsed.browser.is_none()
            && parsed.os.is_none()
            && parsed.country.is_none()
            && parsed.device.is_none()
            && parsed.min_duration_ms.is_none()
            && !parsed.has_rage_clicks
            && parsed
                .words
                .iter()
                .all(|w| w.split_whitespace().count() == 1);
        if !simple {
            return None;
        }
        let filter = if parts.is_empty() {
            "1".to_string()
        } else {
            parts.join(" AND ")
        };
        let t = Instant::now();
        let total: u32 = self
            .conn
            .query_row(
                &format!("SELECT count(*) FROM sessions WHERE {filter}"),
                rusqlite::params_from_iter(values.iter()),
                |r| r.get(0),
            )
            .unwrap();
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT * FROM sessions WHERE {filter} ORDER BY started_at DESC LIMIT 100"
            ))
            .unwrap();
        let shown = stmt
            .query_map(rusqlite::params_from_iter(values.iter()), |r| {
                r.get::<_, String>(1)
            })
            .unwrap()
            .count();
        assert!(shown <= 100);
        Some((t.elapsed().as_secs_f64(), total))
    }
}
