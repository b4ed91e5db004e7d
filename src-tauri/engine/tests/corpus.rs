//! Every rrweb file of the shared corpus imports, and what the library records matches the
//! file (checked against an independent serde_json parse), or fails with its exact error.

mod common;

use common::{corpus, reference, TestLibrary};
use tapedeck_engine::model::{Format, ImportOutcome};

/// Facts read off the files by hand (SOURCES.md describes them).
const KNOWN: &[(&str, u32, i64, u32, Option<&str>)] = &[
    // file, events, duration ms, clicks, first URL
    (
        "events.json",
        272,
        81_080,
        3,
        Some("https://demoit.app/e/react#ReactHooks.js"),
    ),
    ("scroll.json", 8, 2_000, 0, Some("http://localhost")),
    ("input.json", 11, 4_000, 0, Some("http://localhost")),
    (
        "dialog-playback.json",
        12,
        3_999,
        0,
        Some("http://127.0.0.1:5500/test/html/dialog.html"),
    ),
    ("hover.json", 5, 155, 1, None),
    ("webgl.json", 4, 971, 0, None),
];

/// Files that are not playable recordings, with the error they must give.
const REFUSED: &[(&str, &str, &str)] = &[(
    "browser_client_integration_tests.can_record_events.json",
    "not_events",
    "has no `timestamp`",
)];

/// Holds an event far in the future of the rest (a typo in its source); duration handling of
/// such outliers is a formats concern, so only counts are compared here.
const OUTLIER: &str = "video-playback.json";

#[test]
fn every_rrweb_file_imports_and_matches_the_file() {
    let dir = corpus().join("public/rrweb");
    let mut t = TestLibrary::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 15,
        "expected the rrweb corpus, found {files:?}"
    );
    let mut imported = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_str().unwrap();
        if let Some((_, code, detail)) = REFUSED.iter().find(|r| r.0 == name) {
            let err = t.import(path).expect_err(name);
            assert_eq!(err.code(), *code, "{name}: {err}");
            let msg = err.to_string();
            assert!(msg.contains(name) && msg.contains(detail), "{msg}");
            continue;
        }
        let outcome = t.import(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let ImportOutcome::Imported { session, .. } = outcome else {
            panic!("{name} was a duplicate");
        };
        imported += 1;
        let bytes = std::fs::read(path).unwrap();
        let events = reference(&bytes);
        let (min, max) = events.iter().fold((f64::MAX, f64::MIN), |(lo, hi), e| {
            (lo.min(e.1), hi.max(e.1))
        });
        assert_eq!(session.format, Format::RrwebArray, "{name}");
        assert_eq!(session.event_counts.total as usize, events.len(), "{name}");
        let full = events.iter().filter(|e| e.0 == 2).count();
        assert_eq!(session.event_counts.full_snapshot as usize, full, "{name}");
        assert_eq!(session.started_at, min.round() as i64, "{name}");
        if name != OUTLIER {
            assert_eq!(session.duration_ms, (max - min).round() as i64, "{name}");
        }
        assert_eq!(session.file_bytes as usize, bytes.len());
        if let Some(k) = KNOWN.iter().find(|k| k.0 == name) {
            assert_eq!(session.event_counts.total, k.1, "{name}");
            assert_eq!(session.duration_ms, k.2, "{name}");
            assert_eq!(session.click_count, k.3, "{name}");
            assert_eq!(session.first_url.as_deref(), k.4, "{name}");
        }
        // The stored events are the file's events, byte for byte in meaning.
        let stored = t.lib.events(&session.id, 0, None, None).unwrap();
        let a: serde_json::Value = serde_json::from_slice(&stored).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(a, b, "{name}: stored events differ from the file");
    }
    assert_eq!(imported, files.len() - REFUSED.len());
    assert_eq!(t.lib.session_count().unwrap() as usize, imported);
}

#[test]
fn the_demo_recording_is_chunked_for_seeking() {
    let mut t = TestLibrary::new();
    let outcome = t
        .import(&corpus().join("public/rrweb/events.json"))
        .unwrap();
    let d = t.lib.session(&outcome.session().id).unwrap();
    assert_eq!(d.windows.len(), 1);
    let chunks = &d.windows[0].chunks;
    assert!(chunks.len() >= 3, "81 s must span several 30 s chunks");
    assert!(chunks[0].full_snapshot);
    assert!(chunks[1..].iter().all(|c| !c.full_snapshot));
    let total: u32 = chunks.iter().map(|c| c.event_count).sum();
    assert_eq!(total, 272);
    for pair in chunks.windows(2) {
        assert!(
            pair[0].end_ts <= pair[1].start_ts,
            "chunks are time-ordered"
        );
    }
    // Fetching chunk by chunk yields exactly the events in order.
    let mut all = Vec::new();
    for c in chunks {
        let bytes = t.lib.chunk_events(&d.summary.id, 0, c.seq, c.seq).unwrap();
        let v: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v.len() as u32, c.event_count);
        all.extend(v);
    }
    let whole = t
        .lib
        .chunk_events(&d.summary.id, 0, 0, chunks.len() as u32)
        .unwrap();
    let whole: Vec<serde_json::Value> = serde_json::from_slice(&whole).unwrap();
    assert_eq!(all, whole);
}
