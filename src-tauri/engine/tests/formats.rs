//! Vendor containers, built around a real recording (the rrweb demo) in each documented shape:
//! every one must give the same events, in the right windows, under the right format name.

mod common;

use std::io::Write;

use common::{corpus, gzip, TestLibrary};
use serde_json::{json, Value};

fn demo_events() -> Vec<Value> {
    serde_json::from_slice(&std::fs::read(corpus().join("public/rrweb/events.json")).unwrap())
        .unwrap()
}

/// rrweb's `pack()`: zlib of the event with `"v":"v1"`, each byte as one latin1 char.
fn pack(event: &Value) -> Value {
    let mut e = event.clone();
    e["v"] = json!("v1");
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&serde_json::to_vec(&e).unwrap()).unwrap();
    let chars: String = z.finish().unwrap().iter().map(|&b| char::from(b)).collect();
    Value::String(chars)
}

fn jsonl(lines: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend(serde_json::to_vec(l).unwrap());
        out.push(b'\n');
    }
    out
}

/// (window key, event count) of each window.
type Windows = Vec<(Option<String>, u32)>;

/// Imports `bytes` and returns (format, windows, stored events of window 0).
fn import(name: &str, bytes: &[u8]) -> (String, Windows, Vec<Value>) {
    let mut t = TestLibrary::new();
    let path = t.file(name, bytes);
    let outcome = t.import(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let d = t.lib.session(&outcome.session().id).unwrap();
    let windows = d
        .windows
        .iter()
        .map(|w| (w.key.clone(), w.event_count))
        .collect();
    let stored = t.lib.events(&d.summary.id, 0, None, None).unwrap();
    (
        d.summary.format.as_str().to_string(),
        windows,
        serde_json::from_slice(&stored).unwrap(),
    )
}

fn strip(events: &[Value], key: &str) -> Vec<Value> {
    events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().unwrap().remove(key);
            e
        })
        .collect()
}

#[test]
fn rrweb_packed_and_mixed() {
    let events = demo_events();
    let packed: Vec<Value> = events.iter().map(pack).collect();
    let (format, windows, stored) = import("packed.json", &serde_json::to_vec(&packed).unwrap());
    assert_eq!(format, "rrweb-packed");
    assert_eq!(windows, vec![(None, 272)]);
    assert_eq!(strip(&stored, "v"), events);

    let mixed: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, e)| if i % 2 == 0 { pack(e) } else { e.clone() })
        .collect();
    let (format, _, stored) = import("mixed.json.gz", &gzip(&serde_json::to_vec(&mixed).unwrap()));
    assert_eq!(format, "rrweb-packed");
    assert_eq!(strip(&stored, "v"), events);
}

#[test]
fn a_corrupt_packed_event_is_dropped_with_a_warning() {
    let mut events: Vec<Value> = demo_events().iter().map(pack).collect();
    events.insert(3, json!("not zlib at all"));
    let mut t = TestLibrary::new();
    let path = t.file("p.json", &serde_json::to_vec(&events).unwrap());
    match t.import(&path).unwrap() {
        tapedeck_engine::model::ImportOutcome::Imported { session, warnings } => {
            assert_eq!(session.event_counts.total, 272);
            assert!(warnings[0].contains("does not inflate"), "{warnings:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn posthog_blob_lines_and_tuples_split_windows() {
    let events = demo_events();
    let (a, b) = events.split_at(150);
    // Window "b" needs its own page: give it the demo's Meta + snapshot too.
    let mut b = b.to_vec();
    b.splice(0..0, events[..2].iter().cloned());
    let lines = jsonl(&[
        json!({"window_id": "a", "data": a[..100]}),
        json!({"window_id": "b", "data": b}),
        json!({"window_id": "a", "data": a[100..]}),
    ]);
    let (format, windows, stored) = import("blob.jsonl", &lines);
    assert_eq!(format, "posthog-blob-jsonl");
    assert_eq!(
        windows,
        vec![(Some("a".into()), 150), (Some("b".into()), b.len() as u32)]
    );
    assert_eq!(stored, a);

    let tuples: Vec<Value> = a
        .iter()
        .map(|e| json!(["w-1", e]))
        .chain(b.iter().map(|e| json!([2, e])))
        .collect();
    let (format, windows, stored) = import("tuples.jsonl", &jsonl(&tuples));
    assert_eq!(format, "posthog-blob-jsonl");
    assert_eq!(
        windows,
        vec![
            (Some("w-1".into()), 150),
            (Some("2".into()), b.len() as u32)
        ]
    );
    assert_eq!(stored, a);
}

#[test]
fn posthog_exports_old_and_new() {
    let events = demo_events();
    // 2023-04-28: snapshots carry their windowId (a string or a number).
    let snapshots: Vec<Value> = events
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e["windowId"] = json!(7);
            e
        })
        .collect();
    let export = json!({
        "version": "2023-04-28",
        "data": {"id": "0189-session", "person": {"properties": {"email": "ada@example.com"}},
                 "snapshots": snapshots}
    });
    let mut t = TestLibrary::new();
    let path = t.file("export-meta.json", &serde_json::to_vec(&export).unwrap());
    let s = t.import(&path).unwrap().session().clone();
    assert_eq!(s.user.email.as_deref(), Some("ada@example.com"));
    assert_eq!(s.vendor_id.as_deref(), Some("0189-session"));
    let (format, windows, stored) = import("export.json", &serde_json::to_vec(&export).unwrap());
    assert_eq!(format, "posthog-export");
    assert_eq!(windows, vec![(Some("7".into()), 272)]);
    assert_eq!(strip(&stored, "windowId"), events);

    // 2022-12-02: events grouped by window id.
    let export = json!({
        "version": "2022-12-02",
        "data": {"snapshotsByWindowId": {"w-x": events, "w-y": events[..5]}}
    });
    let (format, windows, _) = import("old.json", &serde_json::to_vec(&export).unwrap());
    assert_eq!(format, "posthog-export");
    assert_eq!(
        windows,
        vec![(Some("w-x".into()), 272), (Some("w-y".into()), 5)]
    );
}

#[test]
fn posthog_snapshot_analytics_events() {
    let events = demo_events();
    let analytics: Vec<Value> = events
        .chunks(50)
        .map(|batch| {
            json!({"event": "$snapshot", "timestamp": "2018-12-14T03:06:06Z",
                   "properties": {"$session_id": "s1", "$window_id": "w1",
                                  "$snapshot_data": batch}})
        })
        .collect();
    let (format, windows, stored) =
        import("snapshots.json", &serde_json::to_vec(&analytics).unwrap());
    assert_eq!(format, "posthog-snapshot-events");
    assert_eq!(windows, vec![(Some("w1".into()), 272)]);
    assert_eq!(stored, events);
}

#[test]
fn highlight_push_payload() {
    let events = demo_events();
    let payload = json!({"session_secure_id": "x", "messages": "[]", "resources": "[]",
                         "errors": [], "events": {"events": events}});
    let (format, windows, stored) = import("push.json", &serde_json::to_vec(&payload).unwrap());
    assert_eq!(format, "highlight");
    assert_eq!(windows, vec![(None, 272)]);
    assert_eq!(stored, events);
}

#[test]
fn sentry_segment_with_zlib_and_seconds() {
    let mut events = demo_events();
    let first = events[0]["timestamp"].as_f64().unwrap();
    // A breadcrumb whose timestamp is in seconds, as Sentry writes them.
    events.push(json!({"type": 5, "timestamp": (first + 500.0) / 1000.0,
                       "data": {"tag": "breadcrumb", "payload": {"category": "ui.click"}}}));
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&serde_json::to_vec(&events).unwrap()).unwrap();
    let mut body = b"{\"segment_id\":0}\n".to_vec();
    body.extend(z.finish().unwrap());
    let (format, windows, stored) = import("segment-0.bin", &body);
    assert_eq!(format, "sentry-segment");
    assert_eq!(windows, vec![(None, 273)]);
    let crumb = stored.iter().find(|e| e["type"] == 5).unwrap();
    assert_eq!(crumb["timestamp"], json!((first + 500.0).round() as i64));
    // Plain JSON after the header works too.
    let mut body = b"{\"segment_id\":1}\n".to_vec();
    body.extend(serde_json::to_vec(&events).unwrap());
    assert_eq!(import("segment-1.json", &body).0, "sentry-segment");
}

#[test]
fn sentry_download_of_several_segments() {
    let mut events = demo_events();
    let first = events[0]["timestamp"].as_f64().unwrap();
    events.push(json!({"type": 5, "timestamp": (first + 900.0) / 1000.0,
                       "data": {"tag": "performanceSpan", "payload": {"op": "navigation.navigate"}}}));
    let (a, b) = events.split_at(100);
    let download = json!([a, b]);
    let (format, windows, stored) = import("replay.json", &serde_json::to_vec(&download).unwrap());
    assert_eq!(format, "sentry-segment");
    assert_eq!(windows, vec![(None, 273)]);
    assert!(stored
        .iter()
        .any(|e| e["timestamp"] == json!((first + 900.0).round() as i64)));
}

#[test]
fn trailing_content_after_a_recording_is_an_error() {
    let mut t = TestLibrary::new();
    let mut bytes = serde_json::to_vec(&demo_events()).unwrap();
    bytes.extend_from_slice(b"\n{oops");
    let path = t.file("trailing.json", &bytes);
    let err = t.import(&path).unwrap_err();
    assert_eq!(err.code(), "not_json", "{err}");
    assert!(
        err.to_string().contains("after the end of the recording"),
        "{err}"
    );
}
