//! Recordings made with the vendors' real SDKs (tests/corpus, see its SOURCES.md), each with a
//! truth file written from what the page did and the SDK sent, independently of this code.

mod common;

use std::path::{Path, PathBuf};

use common::TestLibrary;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

fn truth_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for vendor in ["posthog", "rrweb", "sentry"] {
        for e in std::fs::read_dir(corpus_dir().join(vendor)).unwrap() {
            let p = e.unwrap().path();
            if p.to_string_lossy().ends_with(".truth.json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn single_file_recordings_match_their_truth() {
    let truths = truth_files();
    assert!(truths.len() >= 6, "{truths:?}");
    let mut checked = 0;
    for truth_path in truths {
        let truth: Value = serde_json::from_slice(&std::fs::read(&truth_path).unwrap()).unwrap();
        // Multi-file recordings (Sentry segments) are checked below.
        let Some(file) = truth["file"].as_str() else {
            continue;
        };
        let path = truth_path.parent().unwrap().join(file);
        let mut t = TestLibrary::new();
        let s = t
            .import(&path)
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .session()
            .clone();
        let d = t.lib.session(&s.id).unwrap();
        assert_eq!(s.format.as_str(), truth["format"], "{file}");
        assert_eq!(d.windows.len() as u64, truth["window_count"], "{file}");
        assert_eq!(s.event_counts.total as u64, truth["event_count"], "{file}");
        for tw in truth["windows"].as_array().unwrap() {
            let w = d
                .windows
                .iter()
                .find(|w| w.key.as_deref() == tw["window_id"].as_str())
                .unwrap_or_else(|| panic!("{file}: no window {}", tw["window_id"]));
            assert_eq!(w.event_count as u64, tw["event_count"], "{file}");
            assert_eq!(
                w.started_at,
                tw["first_timestamp"].as_i64().unwrap(),
                "{file}"
            );
            assert_eq!(w.ended_at, tw["last_timestamp"].as_i64().unwrap(), "{file}");
            assert!(w.chunks[0].full_snapshot, "{file}: window starts playable");
        }
        // Every window's pages, in order, tagged with that window.
        for tw in truth["windows"].as_array().unwrap() {
            let w = d
                .windows
                .iter()
                .find(|w| w.key.as_deref() == tw["window_id"].as_str())
                .unwrap();
            let got: Vec<&str> = d
                .urls
                .iter()
                .filter(|u| u.window == w.index)
                .map(|u| u.url.as_str())
                .collect();
            let want: Vec<&str> = tw["urls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap())
                .collect();
            assert_eq!(got, want, "{file}: pages of window {}", w.index);
        }
        let user = &truth["user"];
        // Exports carry the person; `$snapshot` events only its distinct id; blobs nothing.
        match s.format.as_str() {
            "posthog-export" => {
                // The vendor's session id is the session's id.
                assert_eq!(Some(s.id.as_str()), truth["session_id"].as_str(), "{file}");
                assert_eq!(s.user.id.as_deref(), user["distinct_id"].as_str(), "{file}");
                assert_eq!(s.user.email.as_deref(), user["email"].as_str(), "{file}");
                assert_eq!(s.user.name.as_deref(), user["name"].as_str(), "{file}");
            }
            "posthog-snapshot-events" => {
                assert_eq!(s.user.id.as_deref(), user["distinct_id"].as_str(), "{file}");
                assert_eq!(
                    s.vendor_id.as_deref(),
                    truth["session_id"].as_str(),
                    "{file}"
                );
            }
            _ => {}
        }
        checked += 1;
    }
    assert!(checked >= 6);
}

#[test]
fn a_sentry_segment_with_a_snapshot_plays_on_its_own() {
    let dir = corpus_dir().join("sentry");
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.join("replay.truth.json")).unwrap()).unwrap();
    let window = &truth["windows"][0];
    let mut t = TestLibrary::new();
    let s = t
        .import(&dir.join("segment-0.bin"))
        .unwrap()
        .session()
        .clone();
    assert_eq!(s.format.as_str(), "sentry-segment");
    assert_eq!(s.started_at, window["first_timestamp"].as_i64().unwrap());
    assert!(s.started_at + s.duration_ms <= window["last_timestamp"].as_i64().unwrap());
    assert_eq!(s.first_url.as_deref(), window["urls"][0].as_str());
    // Later segments continue the replay; alone they have nothing to rebuild a page from.
    let err = t.import(&dir.join("segment-1.bin")).unwrap_err();
    assert_eq!(err.code(), "no_full_snapshot");
}

#[test]
fn a_sentry_replay_of_several_segments_is_one_session() {
    use tapedeck_engine::sources::{expand_paths, plan_recordings, Recording};
    let dir = corpus_dir().join("sentry");
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.join("replay.truth.json")).unwrap()).unwrap();
    let mut plan = plan_recordings(expand_paths(std::slice::from_ref(&dir)));
    // The folder also holds the truth file, which is not a recording.
    plan.retain(|r| !r.path().to_string_lossy().ends_with(".truth.json"));
    let [replay @ Recording::SentryReplay { segments, .. }] = plan.as_slice() else {
        panic!("expected one replay, got {plan:?}");
    };
    assert_eq!(segments.len(), 5);
    let mut t = TestLibrary::new();
    let s = t
        .lib
        .import(replay, &Default::default(), &mut |_| {})
        .unwrap()
        .session()
        .clone();
    let d = t.lib.session(&s.id).unwrap();
    let window = &truth["windows"][0];
    assert_eq!(s.format.as_str(), "sentry-segment");
    assert_eq!(s.event_counts.total as u64, truth["event_count"]);
    assert_eq!(
        s.event_counts.full_snapshot as u64,
        window["full_snapshots"]
    );
    assert_eq!(s.started_at, window["first_timestamp"].as_i64().unwrap());
    assert_eq!(
        s.started_at + s.duration_ms,
        window["last_timestamp"].as_i64().unwrap()
    );
    let urls: Vec<&str> = d.urls.iter().map(|u| u.url.as_str()).collect();
    let want: Vec<&str> = window["urls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert_eq!(urls, want);
    // Who and what, from the replay_event beside the segments; its replay id names it.
    assert_eq!(s.vendor_id.as_deref(), truth["replay_id"].as_str());
    assert_eq!(Some(s.id.as_str()), truth["replay_id"].as_str());
    // The user interacted in the one window for most of the replay.
    assert!(!d.windows[0].interaction_spans.is_empty());
    assert_eq!(s.user.id.as_deref(), Some("user-7"));
    assert_eq!(s.user.email.as_deref(), Some("grace@example.com"));
    assert_eq!(s.user.name.as_deref(), Some("grace"));
    assert_eq!(s.client.browser.as_deref(), Some("Chrome"));
    assert!(s
        .client
        .sdk
        .as_deref()
        .unwrap()
        .starts_with("sentry.javascript.browser"));
    // Importing the same segments again is recognised.
    let again = t
        .lib
        .import(replay, &Default::default(), &mut |_| {})
        .unwrap();
    assert!(matches!(
        again,
        tapedeck_engine::model::ImportOutcome::AlreadyImported { .. }
    ));
}
