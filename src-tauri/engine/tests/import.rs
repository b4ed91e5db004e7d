//! Import behaviour: the accepted containers and compressions, duplicates, time-range reads,
//! and bad input that must fail clearly and leave the library exactly as it was.

mod common;

use common::{corpus, gzip, zstd, TestLibrary};
use tapedeck_engine::formats::ReadOptions;
use tapedeck_engine::model::{Compression, Format, ImportOutcome};
use tapedeck_engine::ImportOptions;

fn demo() -> Vec<u8> {
    std::fs::read(corpus().join("public/rrweb/events.json")).unwrap()
}

fn demo_events() -> Vec<serde_json::Value> {
    serde_json::from_slice(&demo()).unwrap()
}

fn as_jsonl(events: &[serde_json::Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in events {
        out.extend(serde_json::to_vec(e).unwrap());
        out.push(b'\n');
    }
    out
}

#[test]
fn every_container_and_compression_gives_the_same_session() {
    let events = demo_events();
    let object =
        serde_json::to_vec(&serde_json::json!({"version": 1, "events": events, "after": [1]}))
            .unwrap();
    let jsonl = as_jsonl(&events);
    let cases: Vec<(&str, Vec<u8>, Format, Compression)> = vec![
        ("a.json", demo(), Format::RrwebArray, Compression::None),
        (
            "b.json",
            object.clone(),
            Format::RrwebObject,
            Compression::None,
        ),
        (
            "c.jsonl",
            jsonl.clone(),
            Format::RrwebJsonl,
            Compression::None,
        ),
        (
            "d.json.gz",
            gzip(&object),
            Format::RrwebObject,
            Compression::Gzip,
        ),
        // Misleading name: the content decides.
        (
            "e.json",
            zstd(&jsonl),
            Format::RrwebJsonl,
            Compression::Zstd,
        ),
        (
            "f.bin",
            gzip(&zstd(&minified(&events))),
            Format::RrwebArray,
            Compression::Gzip,
        ),
    ];
    for (name, bytes, format, compression) in cases {
        let mut t = TestLibrary::new();
        let path = t.file(name, &bytes);
        let outcome = t.import(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let s = outcome.session();
        assert_eq!((s.format, s.compression), (format, compression), "{name}");
        assert_eq!(s.event_counts.total, 272, "{name}");
        assert_eq!(s.duration_ms, 81_080, "{name}");
        assert_eq!(s.click_count, 3, "{name}");
        assert_eq!(s.viewport_width, Some(1166), "{name}");
        let stored = t.lib.events(&s.id, 0, None, None).unwrap();
        let stored: Vec<serde_json::Value> = serde_json::from_slice(&stored).unwrap();
        assert_eq!(stored, events, "{name}");
    }
}

fn minified(events: &[serde_json::Value]) -> Vec<u8> {
    serde_json::to_vec(events).unwrap()
}

#[test]
fn the_same_content_twice_is_a_no_op_even_compressed() {
    let mut t = TestLibrary::new();
    let plain = t.file("x.json", &demo());
    let packed = t.file("y.json.gz", &gzip(&demo()));
    let first = t.import(&plain).unwrap();
    assert!(matches!(first, ImportOutcome::Imported { .. }));
    let before = t.lib.table_counts().unwrap();
    for p in [&plain, &packed] {
        match t.import(p).unwrap() {
            ImportOutcome::AlreadyImported { session } => {
                assert_eq!(session.id, first.session().id)
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }
    assert_eq!(t.lib.table_counts().unwrap(), before);
}

#[test]
fn events_by_time_range_are_exact() {
    let mut t = TestLibrary::new();
    let path = t.file("x.json", &demo());
    let s = t.import(&path).unwrap().session().clone();
    let all = demo_events();
    let (from, to) = (
        s.started_at as f64 + 10_000.0,
        s.started_at as f64 + 40_000.0,
    );
    let got = t.lib.events(&s.id, 0, Some(from), Some(to)).unwrap();
    let got: Vec<serde_json::Value> = serde_json::from_slice(&got).unwrap();
    let want: Vec<_> = all
        .iter()
        .filter(|e| {
            let ts = e["timestamp"].as_f64().unwrap();
            ts >= from && ts <= to
        })
        .cloned()
        .collect();
    assert!(!want.is_empty() && want.len() < all.len());
    assert_eq!(got, want);
    // Prefix lookup and clear errors for unknown ids and windows.
    assert_eq!(t.lib.summary(&s.id[..6]).unwrap().id, s.id);
    assert_eq!(
        t.lib.summary("zzzz").unwrap_err().code(),
        "session_not_found"
    );
    assert_eq!(
        t.lib.events(&s.id, 3, None, None).unwrap_err().code(),
        "window_not_found"
    );
}

/// Each bad file: (name, bytes, expected code, words the message must contain).
fn bad_files() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
    let demo = demo();
    let mut no_snapshot = demo_events();
    no_snapshot.retain(|e| e["type"] != 2);
    vec![
        ("empty.json", vec![], "empty_file", "empty"),
        ("blank.json", b"  \n\t ".to_vec(), "empty_file", "empty"),
        (
            "text.json",
            b"hello, world".to_vec(),
            "not_json",
            "starts with 'h'",
        ),
        ("binary.json", vec![0, 1, 2, 3, 255], "not_json", "binary"),
        (
            "object.json",
            br#"{"name": "x", "count": 3}"#.to_vec(),
            "not_events",
            "keys [name, count]",
        ),
        (
            "numbers.json",
            b"[1, 2, 3]".to_vec(),
            "not_events",
            "is a number",
        ),
        ("nothing.json", b"[]".to_vec(), "not_events", "no events"),
        (
            "empty-events.json",
            br#"{"events": []}"#.to_vec(),
            "not_events",
            "no events",
        ),
        (
            "truncated.json",
            demo[..demo.len() / 2].to_vec(),
            "truncated",
            "truncated",
        ),
        (
            "truncated.json.gz",
            gzip(&demo)[..2000].to_vec(),
            "truncated",
            "gzip",
        ),
        (
            "garbage-after.json",
            b"[{\"type\":4,\"timestamp\":1} x".to_vec(),
            "not_json",
            "expected ','",
        ),
        (
            "no-snapshot.json",
            serde_json::to_vec(&no_snapshot).unwrap(),
            "no_full_snapshot",
            "no full snapshot",
        ),
        (
            "corrupt.json.gz",
            {
                let mut g = gzip(&demo);
                let n = g.len();
                for b in &mut g[20..n - 20] {
                    *b ^= 0x5a;
                }
                g
            },
            "corrupt_compression",
            "gzip",
        ),
    ]
}

#[test]
fn bad_input_fails_clearly_and_changes_nothing() {
    let mut t = TestLibrary::new();
    let good = t.file("good.json", &demo());
    t.import(&good).unwrap();
    let before = t.lib.table_counts().unwrap();
    for (name, bytes, code, words) in bad_files() {
        let path = t.file(name, &bytes);
        let err = t.import(&path).expect_err(name);
        let msg = err.to_string();
        assert_eq!(err.code(), code, "{name}: {msg}");
        assert!(
            msg.contains(name),
            "{name}: the message must name the file: {msg}"
        );
        assert!(msg.contains(words), "{name}: expected '{words}' in: {msg}");
        assert_eq!(
            t.lib.table_counts().unwrap(),
            before,
            "{name} changed the library"
        );
    }
    let missing = t.dir.path().join("missing.json");
    let err = t.import(&missing).unwrap_err();
    assert_eq!(err.code(), "io");
    assert!(err.to_string().contains("missing.json"));
}

#[test]
fn a_decompression_bomb_is_refused_at_the_limit() {
    let mut t = TestLibrary::new();
    // 64 MiB of spaces before a tiny recording: compresses to ~64 KiB.
    let mut bomb = vec![b' '; 64 << 20];
    bomb.extend_from_slice(&demo());
    let path = t.file("bomb.json.gz", &gzip(&bomb));
    let opts = ImportOptions {
        read: ReadOptions {
            max_decoded_bytes: 8 << 20,
            ..ReadOptions::default()
        },
        ..ImportOptions::default()
    };
    let err = t.import_with(&path, &opts).unwrap_err();
    assert_eq!(err.code(), "too_large");
    assert!(err.to_string().contains("bomb.json.gz"));
    assert_eq!(t.lib.session_count().unwrap(), 0);
    // With the default limit the same file is fine.
    assert!(t.import(&path).is_ok());
}

#[test]
fn values_that_are_not_events_are_skipped_with_a_warning() {
    let mut events = demo_events();
    events.insert(5, serde_json::json!({"type": "oops", "timestamp": 1}));
    events.insert(9, serde_json::json!(42));
    let mut t = TestLibrary::new();
    let path = t.file("mixed.json", &serde_json::to_vec(&events).unwrap());
    match t.import(&path).unwrap() {
        ImportOutcome::Imported { session, warnings } => {
            assert_eq!(session.event_counts.total, 272);
            assert_eq!(warnings.len(), 2, "{warnings:?}");
            assert!(warnings[0].contains("value #6") && warnings[0].contains("`type`"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_library_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite3");
    drop(tapedeck_engine::Library::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let err = tapedeck_engine::Library::open(&path).err().unwrap();
    assert_eq!(err.code(), "schema_too_new");
}

#[test]
fn invalid_utf8_is_repaired_not_stored() {
    let mut bytes = demo();
    // Corrupt one byte inside the first string of the full snapshot.
    let at = bytes.windows(8).position(|w| w == b"\"tagName").unwrap() + 12;
    bytes[at] = 0xff;
    let mut t = TestLibrary::new();
    let path = t.file("latin1.json", &bytes);
    let ImportOutcome::Imported { session, warnings } = t.import(&path).unwrap() else {
        panic!("expected an import")
    };
    assert_eq!(session.event_counts.total, 272);
    assert!(
        warnings.iter().any(|w| w.contains("invalid UTF-8")),
        "{warnings:?}"
    );
    let stored = t.lib.events(&session.id, 0, None, None).unwrap();
    let strict: Vec<serde_json::Value> = serde_json::from_slice(&stored).unwrap();
    assert_eq!(strict.len(), 272);
}

#[test]
fn deeply_nested_and_oversized_values() {
    let mut events = demo_events();
    // 10 000 levels deep: past the nesting limit, so that one value is left out.
    let deep = format!(
        "{{\"type\":3,\"timestamp\":1,\"data\":{}0{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let mut bytes = serde_json::to_vec(&events).unwrap();
    bytes.pop(); // the closing ']'
    bytes.extend_from_slice(format!(",{deep}]").as_bytes());
    let mut t = TestLibrary::new();
    let path = t.file("deep.json", &bytes);
    let ImportOutcome::Imported { session, warnings } = t.import(&path).unwrap() else {
        panic!("expected an import")
    };
    assert_eq!(session.event_counts.total, 272);
    assert!(warnings[0].contains("levels deep"), "{warnings:?}");

    // A single event over the per-event limit is refused, naming the limit and the file.
    events.push(serde_json::json!({"type": 5, "timestamp": 1, "data": "x".repeat(3 << 20)}));
    let path = t.file("huge.json", &serde_json::to_vec(&events).unwrap());
    let opts = ImportOptions {
        read: ReadOptions {
            max_event_bytes: 1 << 20,
            ..ReadOptions::default()
        },
        ..ImportOptions::default()
    };
    let before = t.lib.table_counts().unwrap();
    let err = t.import_with(&path, &opts).unwrap_err();
    assert!(err.to_string().contains("huge.json") && err.to_string().contains("per-event limit"));
    assert_eq!(t.lib.table_counts().unwrap(), before);
}
