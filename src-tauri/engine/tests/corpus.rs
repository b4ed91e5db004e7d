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

/// Holds one event dated ten times too far in the future (a typo in its source, see
/// SOURCES.md): the import drops it as a bad timestamp and says so.
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
        let ImportOutcome::Imported { session, .. } = outcome.clone() else {
            panic!("{name} was a duplicate");
        };
        imported += 1;
        let bytes = std::fs::read(path).unwrap();
        let mut events = reference(&bytes);
        let mut file_events: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
        if name == OUTLIER {
            let (i, _) = events
                .iter()
                .enumerate()
                .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
                .unwrap();
            events.remove(i);
            file_events.remove(i);
            let ImportOutcome::Imported { warnings, .. } = &outcome else {
                unreachable!()
            };
            assert!(
                warnings.iter().any(|w| w.contains("bad timestamps")),
                "{warnings:?}"
            );
        }
        let (min, max) = events.iter().fold((f64::MAX, f64::MIN), |(lo, hi), e| {
            (lo.min(e.1), hi.max(e.1))
        });
        assert_eq!(session.format, Format::RrwebArray, "{name}");
        assert_eq!(session.event_counts.total as usize, events.len(), "{name}");
        let full = events.iter().filter(|e| e.0 == 2).count();
        assert_eq!(session.event_counts.full_snapshot as usize, full, "{name}");
        assert_eq!(session.started_at, min.round() as i64, "{name}");
        assert_eq!(session.duration_ms, (max - min).round() as i64, "{name}");
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
        let b = serde_json::Value::Array(file_events);
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
        let bytes = t
            .lib
            .chunk_events(&d.summary.id, 0, c.seq, c.seq, false)
            .unwrap();
        let v: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v.len() as u32, c.event_count);
        all.extend(v);
    }
    let whole = t
        .lib
        .chunk_events(&d.summary.id, 0, 0, chunks.len() as u32, false)
        .unwrap();
    let whole: Vec<serde_json::Value> = serde_json::from_slice(&whole).unwrap();
    assert_eq!(all, whole);
}

/// Vendor files of the corpus: (file, format, windows' event counts, page count, and each
/// window's duration in tenths of a second as SOURCES.md gives it) or an error.
enum Expect {
    Imports(&'static str, &'static [u32], usize, &'static [i64]),
    Fails(&'static str),
}

const VENDOR: &[(&str, Expect)] = &[
    (
        "posthog/recording_snapshots.jsonl",
        Expect::Imports("posthog-blob-jsonl", &[29, 20], 1, &[57, 46]),
    ),
    (
        "posthog/session_recording.json",
        Expect::Imports("posthog-api", &[62], 1, &[189]),
    ),
    (
        "highlight/dom-with-scripts.json",
        Expect::Imports("highlight", &[3], 1, &[112]),
    ),
    // Console-plugin events only: nothing to rebuild a page from.
    (
        "posthog/recording_snapshots.json",
        Expect::Fails("no_full_snapshot"),
    ),
    // Metadata and analytics events, not recordings.
    ("posthog/recording_meta.json", Expect::Fails("not_events")),
    ("posthog/recording_events.json", Expect::Fails("not_events")),
    ("posthog/recordings.json", Expect::Fails("not_events")),
    ("sentry/replay.json", Expect::Fails("not_events")),
    ("highlight/input.json", Expect::Fails("not_events")),
    // A later segment of a replay: decodes (header, zlib, seconds) but has no snapshot.
    (
        "sentry/test_process_recording_end_to_end.payload.bin",
        Expect::Fails("no_full_snapshot"),
    ),
    (
        "sentry/rrweb-event-5.json",
        Expect::Fails("no_full_snapshot"),
    ),
    // Test-tool placeholders (`[timestamp]`) make these invalid JSON.
    ("sentry/privacy.json", Expect::Fails("not_json")),
    ("sentry/unicode-compressed.json", Expect::Fails("not_json")),
];

#[test]
fn vendor_files_open_as_their_format_or_fail_precisely() {
    let public = corpus().join("public");
    for (file, expect) in VENDOR {
        let mut t = TestLibrary::new();
        let path = public.join(file);
        let before = t.lib.table_counts().unwrap();
        match (t.import(&path), expect) {
            (Ok(outcome), Expect::Imports(format, windows, pages, tenths)) => {
                let d = t.lib.session(&outcome.session().id).unwrap();
                assert_eq!(d.summary.format.as_str(), *format, "{file}");
                let counts: Vec<u32> = d.windows.iter().map(|w| w.event_count).collect();
                assert_eq!(counts, *windows, "{file}");
                assert!(d.urls.len() >= *pages, "{file}: {:?}", d.urls);
                let got: Vec<i64> = d
                    .windows
                    .iter()
                    .map(|w| ((w.ended_at - w.started_at) as f64 / 100.0).round() as i64)
                    .collect();
                assert_eq!(got, *tenths, "{file}: window durations");
                assert!(
                    d.windows.iter().all(|w| w.chunks[0].full_snapshot),
                    "{file}"
                );
            }
            (Err(e), Expect::Fails(code)) => {
                assert_eq!(e.code(), *code, "{file}: {e}");
                assert!(e
                    .to_string()
                    .contains(path.file_name().unwrap().to_str().unwrap()));
                assert_eq!(t.lib.table_counts().unwrap(), before, "{file}");
            }
            (Ok(_), _) => panic!("{file} imported but should have failed"),
            (Err(e), _) => panic!("{file} failed: {e}"),
        }
    }
}

#[test]
fn posthog_api_response_names_the_person() {
    let mut t = TestLibrary::new();
    let path = corpus().join("public/posthog/session_recording.json");
    let s = t.import(&path).unwrap().session().clone();
    assert_eq!(
        s.user.id.as_deref(),
        Some("1774d90b2a432d-06cf818ba37a9e-1e2a1f04-384000-1774d90b2a5870")
    );
    assert_eq!(s.user.email, None);
}

#[test]
fn posthog_windows_keep_their_ids() {
    let mut t = TestLibrary::new();
    let path = corpus().join("public/posthog/recording_snapshots.jsonl");
    let id = t.import(&path).unwrap().session().id.clone();
    let d = t.lib.session(&id).unwrap();
    let keys: Vec<_> = d.windows.iter().map(|w| w.key.clone().unwrap()).collect();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].starts_with("187d7c761a0525d"), "{keys:?}");
    assert_ne!(keys[0], keys[1]);
}
