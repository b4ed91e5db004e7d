//! Keyframes written at import: where they go, that each is the state after exactly the
//! chunks before it, that a seek range starts at one, and that a library imported without
//! them gets the same ones afterwards.

mod common;

use common::{samples, TestLibrary};
use tapedeck_engine::keyframes::json::{parse, Json};
use tapedeck_engine::keyframes::{keyframe_at, KeyframeBuilder, LISTENER_EVENTS_NOTE};
use tapedeck_engine::library::keyframe_store::{EVERY_BYTES, EVERY_MS};
use tapedeck_engine::library::{seek_range, Reanalyze};
use tapedeck_engine::model::{ChunkInfo, KeyframeInfo, SessionDetail};
use tapedeck_engine::synth::build_large_recording;
use tapedeck_engine::{Error, ImportOptions};

/// A recording of several MB: kanban's Meta and snapshot, then its mutations repeated.
fn long_recording(t: &TestLibrary, mb: u64) -> std::path::PathBuf {
    let out = t.file("long.json", b"");
    build_large_recording(&samples().join("kanban.json"), &out, mb << 20);
    out
}

fn events(bytes: &[u8]) -> Vec<Json> {
    match parse(bytes).expect("the events parse") {
        Json::Array(a) => a,
        other => panic!("not an array: {other:?}"),
    }
}

fn keyframed(d: &SessionDetail) -> Vec<(&ChunkInfo, KeyframeInfo)> {
    d.windows[0]
        .chunks
        .iter()
        .filter_map(|c| Some((c, c.keyframe?)))
        .collect()
}

#[test]
fn keyframes_come_at_chunk_boundaries_by_bytes_and_time() {
    let mut t = TestLibrary::new();
    let file = long_recording(&t, 6);
    let id = t.import(&file).unwrap().session().id.clone();
    let d = t.lib.session(&id).unwrap();
    let chunks = &d.windows[0].chunks;
    let kfs = keyframed(&d);
    assert!(
        kfs.len() >= 2,
        "{} keyframes in {} chunks",
        kfs.len(),
        chunks.len()
    );
    // Never on the first chunk, nor on one that starts with a full snapshot.
    assert!(chunks[0].keyframe.is_none());
    assert!(kfs.iter().all(|(c, _)| !c.full_snapshot && c.seq > 0));
    // Between two starting points there are at least MIN_BYTES of events, and a keyframe
    // comes soon after 2 MiB or 30 s of them (within one chunk).
    let mut last = 0;
    for (c, k) in &kfs {
        let between: u64 = chunks[last..c.seq as usize]
            .iter()
            .map(|c| c.raw_bytes as u64)
            .sum();
        let span = (k.ts - chunks[last].start_ts) as f64;
        assert!(
            between >= (EVERY_BYTES as u64) || span >= EVERY_MS,
            "keyframe at chunk {} after {between} bytes and {span} ms",
            c.seq
        );
        let without_last = between - chunks[c.seq as usize - 1].raw_bytes as u64;
        let span_before = chunks[c.seq as usize - 1].start_ts as f64 - chunks[last].start_ts as f64;
        assert!(
            without_last < EVERY_BYTES as u64 || span_before < EVERY_MS || last == 0,
            "a keyframe was due a chunk earlier than {}",
            c.seq
        );
        // The keyframe's time is the last event before its chunk.
        assert!(k.ts <= c.start_ts);
        assert!(k.ts >= chunks[c.seq as usize - 1].end_ts - 1);
        last = c.seq as usize;
    }
}

#[test]
fn a_stored_keyframe_is_the_state_after_the_chunks_before_it() {
    let mut t = TestLibrary::new();
    let file = long_recording(&t, 4);
    let id = t.import(&file).unwrap().session().id.clone();
    let d = t.lib.session(&id).unwrap();
    let (chunk, info) = keyframed(&d)[1];
    let seq = chunk.seq;

    let stored = events(&t.lib.chunk_events(&id, 0, seq, seq, true).unwrap());
    let chunk_only = events(&t.lib.chunk_events(&id, 0, seq, seq, false).unwrap());
    assert_eq!(stored.len(), info.event_count as usize + chunk_only.len());
    let (kf, rest) = stored.split_at(info.event_count as usize);
    assert_eq!(rest, &chunk_only[..]);
    // Meta, then the synthetic full snapshot, all stamped with the keyframe's time.
    let ty = |e: &Json| e.get("type").and_then(Json::as_i64);
    assert_eq!(ty(&kf[0]), Some(4));
    assert_eq!(ty(&kf[1]), Some(2));
    let ts = kf[0].get("timestamp").and_then(Json::as_f64).unwrap();
    assert_eq!(ts.floor() as i64, info.ts);
    assert!(kf
        .iter()
        .all(|e| e.get("timestamp").and_then(Json::as_f64) == Some(ts)));

    // The same keyframe, built from scratch over every event of the chunks before it.
    let before = events(&t.lib.chunk_events(&id, 0, 0, seq - 1, false).unwrap());
    let mut b = KeyframeBuilder::new();
    for e in &before {
        b.push(e);
    }
    assert_eq!(b.keyframe(ts).events, kf);
}

#[test]
fn a_seek_range_starts_at_the_last_keyframe_or_snapshot_before_the_target() {
    let mut t = TestLibrary::new();
    let file = long_recording(&t, 4);
    let id = t.import(&file).unwrap().session().id.clone();
    let d = t.lib.session(&id).unwrap();
    let chunks = &d.windows[0].chunks;
    let kfs = keyframed(&d);
    let (k1, _) = kfs[0];
    let (k2, _) = kfs[1];
    // In the first keyframe's stretch: from it, through the chunk holding the target.
    let mid = chunks[k2.seq as usize - 1].start_ts as f64 + 1.0;
    let r = seek_range(chunks, mid).unwrap();
    assert_eq!(
        (r.from_seq, r.to_seq, r.keyframe),
        (k1.seq, k2.seq - 1, true)
    );
    // Before the first keyframe: from the full snapshot.
    let r = seek_range(chunks, chunks[0].start_ts as f64 + 10.0).unwrap();
    assert_eq!((r.from_seq, r.keyframe), (0, false));
    // Before the recording's start: the first snapshot's chunk alone.
    let r = seek_range(chunks, 0.0).unwrap();
    assert_eq!((r.from_seq, r.to_seq, r.keyframe), (0, 0, false));
    // At a keyframe's chunk: from that keyframe.
    let r = seek_range(chunks, k2.start_ts as f64).unwrap();
    assert_eq!((r.from_seq, r.to_seq, r.keyframe), (k2.seq, k2.seq, true));
    // Past the end: from the last keyframe through the last chunk.
    let last = chunks.last().unwrap();
    let r = seek_range(chunks, last.end_ts as f64 + 1e6).unwrap();
    assert_eq!(r.to_seq, last.seq);
    assert_eq!(r.from_seq, kfs.last().unwrap().0.seq);
}

#[test]
fn asking_for_a_keyframe_that_is_not_there_is_an_error() {
    let mut t = TestLibrary::new();
    let id = t
        .import(&samples().join("checkout.json"))
        .unwrap()
        .session()
        .id
        .clone();
    match t.lib.chunk_events(&id, 0, 0, 0, true) {
        Err(e @ Error::KeyframeNotFound { .. }) => {
            assert_eq!(e.code(), "keyframe_not_found");
            assert!(e.to_string().contains("no keyframe before chunk 0"), "{e}");
        }
        other => panic!("expected keyframe_not_found, got {other:?}"),
    }
}

#[test]
fn sessions_without_keyframes_get_the_same_ones_afterwards() {
    let mut with = TestLibrary::new();
    let file = long_recording(&with, 4);
    let id = with.import(&file).unwrap().session().id.clone();
    let mut without = TestLibrary::new();
    let opts = ImportOptions {
        keyframes: false,
        ..ImportOptions::default()
    };
    without.import_with(&file, &opts).unwrap();
    assert_eq!(without.lib.stale_keyframe_count().unwrap(), 1);
    assert!(keyframed(&without.lib.session(&id).unwrap()).is_empty());
    assert_eq!(with.lib.stale_keyframe_count().unwrap(), 0);

    let n = without
        .lib
        .build_keyframes(&Reanalyze::Stale, &mut |_| {})
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(without.lib.stale_keyframe_count().unwrap(), 0);
    let a = with.lib.session(&id).unwrap();
    let b = without.lib.session(&id).unwrap();
    assert_eq!(a.windows[0].chunks, b.windows[0].chunks);
    assert_eq!(a.summary.stored_bytes, b.summary.stored_bytes);
    for (c, _) in keyframed(&a) {
        assert_eq!(
            with.lib.chunk_events(&id, 0, c.seq, c.seq, true).unwrap(),
            without
                .lib
                .chunk_events(&id, 0, c.seq, c.seq, true)
                .unwrap()
        );
    }
    // Nothing left to do.
    assert_eq!(
        without
            .lib
            .build_keyframes(&Reanalyze::Stale, &mut |_| {})
            .unwrap(),
        0
    );
}

#[test]
fn deleting_a_session_deletes_its_keyframes() {
    let mut t = TestLibrary::new();
    let file = long_recording(&t, 3);
    let id = t.import(&file).unwrap().session().id.clone();
    let count = |t: &TestLibrary| {
        t.lib
            .table_counts()
            .unwrap()
            .into_iter()
            .find(|(n, _)| n == "keyframes")
            .unwrap()
            .1
    };
    assert!(count(&t) > 0);
    t.lib.delete_sessions(&[id]).unwrap();
    assert_eq!(count(&t), 0);
}

#[test]
fn what_a_keyframe_carries_instead_of_modelling_is_named_in_its_notes() {
    // A WebGL canvas's drawing commands, over and over: the mirror cannot model them, so a
    // keyframe carries the last ones as recorded and says it dropped the older ones.
    let mut t = TestLibrary::new();
    let out = t.file("canvas.json", b"");
    build_large_recording(
        &common::corpus().join("public/rrweb/webgl.json"),
        &out,
        4 << 20,
    );
    let id = t.import(&out).unwrap().session().id.clone();
    let d = t.lib.session(&id).unwrap();
    let (chunk, info) = *keyframed(&d).last().expect("a keyframe");
    let notes = t.lib.keyframe_notes(&id, 0, chunk.seq).unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("older canvas events dropped")),
        "{notes:?}"
    );
    // The carried canvas events are in the keyframe, after its snapshot.
    let events = events(
        &t.lib
            .chunk_events(&id, 0, chunk.seq, chunk.seq, true)
            .unwrap(),
    );
    let canvas = events[..info.event_count as usize]
        .iter()
        .filter(|e| {
            e.get("data")
                .and_then(|d| d.get("source"))
                .and_then(Json::as_i64)
                == Some(9)
        })
        .count();
    assert_eq!(canvas, 64, "{} canvas events carried", canvas);
}

/// Moments worth checking in a window: either side of every chunk boundary and stored
/// keyframe, the first and last events, and some between.
fn moments(d: &SessionDetail, w: usize) -> Vec<f64> {
    let chunks = &d.windows[w].chunks;
    let (first, last) = (
        chunks[0].start_ts as f64,
        chunks.last().unwrap().end_ts as f64,
    );
    let mut at: Vec<f64> = (0..=16)
        .map(|i| first + (last - first) * f64::from(i) / 16.0)
        .collect();
    for c in chunks {
        for ts in [Some(c.start_ts), Some(c.end_ts), c.keyframe.map(|k| k.ts)]
            .into_iter()
            .flatten()
        {
            at.extend([ts as f64 - 1.0, ts as f64, ts as f64 + 1.0]);
        }
    }
    at
}

/// About `mb` MB of a live feed: a list where every event adds rows with new ids and drops
/// the oldest, changes attributes and text, scrolls, types into an input, and logs custom
/// events (no ghosts: its keyframes' only note is on the custom events).
fn feed_recording(t: &TestLibrary, mb: usize) -> std::path::PathBuf {
    let t0 = 1_700_000_000_000u64;
    let mut out = String::from("[");
    out += &format!(
        r#"{{"type":4,"data":{{"href":"http://feed.test/","width":1280,"height":800}},"timestamp":{t0}}},"#
    );
    out += &format!(
        r#"{{"type":2,"data":{{"node":{{"type":0,"childNodes":[{{"type":2,"tagName":"html","attributes":{{}},"childNodes":[{{"type":2,"tagName":"body","attributes":{{}},"childNodes":[{{"type":2,"tagName":"input","attributes":{{"type":"text"}},"childNodes":[],"id":5}},{{"type":2,"tagName":"ul","attributes":{{"class":"feed"}},"childNodes":[],"id":4}}],"id":3}}],"id":2}}],"id":1}},"initialOffset":{{"left":0,"top":0}}}},"timestamp":{}}}"#,
        t0 + 1
    );
    let (mut next, mut oldest, mut n) = (100u64, 100u64, 0u64);
    while out.len() < mb << 20 {
        n += 1;
        let ts = t0 + 10 + n * 250;
        let mut adds = Vec::new();
        for _ in 0..8 {
            adds.push(format!(
                r#"{{"parentId":4,"nextId":null,"node":{{"type":2,"tagName":"li","attributes":{{"data-n":"{next}","style":"color: rgb({}, 90, 40);"}},"childNodes":[],"id":{next}}}}},{{"parentId":{next},"nextId":null,"node":{{"type":3,"textContent":"row {next} of the feed, event {n}","id":{}}}}}"#,
                next % 255,
                next + 1
            ));
            next += 2;
        }
        let mut removes = Vec::new();
        while next - oldest > 240 {
            removes.push(format!(r#"{{"parentId":4,"id":{oldest}}}"#));
            oldest += 2;
        }
        out += &format!(
            r#",{{"type":3,"data":{{"source":0,"texts":[{{"id":{},"value":"row seen at {n}"}}],"attributes":[{{"id":4,"attributes":{{"data-count":"{n}"}}}}],"removes":[{}],"adds":[{}]}},"timestamp":{ts}}}"#,
            oldest + 1,
            removes.join(","),
            adds.join(",")
        );
        if n % 7 == 0 {
            out += &format!(
                r#",{{"type":3,"data":{{"source":3,"id":4,"x":0,"y":{}}},"timestamp":{}}}"#,
                n % 500,
                ts + 1
            );
        }
        if n % 13 == 0 {
            // As Sentry's breadcrumbs and PostHog's own events: custom events, noted.
            out += &format!(
                r#",{{"type":5,"data":{{"tag":"breadcrumb","payload":{{"n":{n}}}}},"timestamp":{}}}"#,
                ts + 3
            );
        }
        if n % 11 == 0 {
            out += &format!(
                r#",{{"type":3,"data":{{"source":5,"id":5,"text":"query {n}","isChecked":false}},"timestamp":{}}}"#,
                ts + 2
            );
        }
    }
    out += "]";
    t.file("feed.json", out.as_bytes())
}

#[test]
fn a_keyframe_folded_from_the_stored_one_before_it_is_the_one_folded_from_the_start() {
    let mut t = TestLibrary::new();
    let mut files = vec![feed_recording(&t, 7), long_recording(&t, 4)];
    for dir in ["rrweb", "posthog", "highlight", "sentry"] {
        let mut found: Vec<_> = std::fs::read_dir(common::corpus().join("public").join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && !p.to_string_lossy().ends_with(".md"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files.push(samples().join("kanban.json"));
    let (mut checked, mut from_start, mut noted) = (0, 0, 0);
    for file in &files {
        // Some of the corpus is not an rrweb recording on purpose.
        let Ok(outcome) = t.import(file) else {
            continue;
        };
        let id = outcome.session().id.clone();
        let d = t.lib.session(&id).unwrap();
        for (w, window) in d.windows.iter().enumerate() {
            if window.chunks.is_empty() {
                continue;
            }
            let all = events(&t.lib.events(&id, window.index, None, None).unwrap());
            for at in moments(&d, w) {
                let expected = keyframe_at(all.iter().cloned(), at);
                match t.lib.keyframe_at(&id, window.index, at).unwrap() {
                    Some(kf) => {
                        let name = file.display();
                        assert_eq!(kf.to_json(), expected.to_json(), "{name} at {at}");
                        assert_eq!(kf.notes, expected.notes, "{name} at {at}");
                        assert_eq!(kf.carried, expected.carried, "{name} at {at}");
                        checked += 1;
                        noted +=
                            usize::from(kf.notes.iter().any(|n| n.ends_with(LISTENER_EVENTS_NOTE)));
                        // A seek there: that keyframe, then the rest of the chunk holding `at`.
                        let seek = t.lib.seek_events(&id, window.index, at).unwrap().unwrap();
                        let seek = events(&seek);
                        let r = seek_range(&window.chunks, at).unwrap();
                        let chunks =
                            t.lib
                                .chunk_events(&id, window.index, r.from_seq, r.to_seq, false);
                        let rest: Vec<Json> = events(&chunks.unwrap())
                            .into_iter()
                            .filter(|e| e.get("timestamp").and_then(Json::as_f64).unwrap() > at)
                            .collect();
                        let (head, tail) = seek.split_at(kf.events.len());
                        assert_eq!(Json::Array(head.to_vec()).to_string_compact(), kf.to_json());
                        assert_eq!(tail, &rest[..], "{name} at {at}");
                    }
                    // Only without a stored keyframe before, or with one that has notes
                    // about the page.
                    None => {
                        let range = seek_range(&window.chunks, at);
                        if let Some(r) = range.filter(|r| r.keyframe) {
                            let notes = t.lib.keyframe_notes(&id, window.index, r.from_seq);
                            let about_page = notes
                                .unwrap()
                                .iter()
                                .any(|n| !n.ends_with(LISTENER_EVENTS_NOTE));
                            assert!(about_page, "{} at {at}", file.display());
                        }
                        assert!(t.lib.seek_events(&id, window.index, at).unwrap().is_none());
                        from_start += 1;
                    }
                }
            }
        }
    }
    assert!(
        checked > 100,
        "{checked} moments folded from a stored keyframe"
    );
    assert!(
        from_start > 100,
        "{from_start} moments only the start gives"
    );
    assert!(
        noted > 50,
        "{noted} folded keyframes counting custom events"
    );
}
