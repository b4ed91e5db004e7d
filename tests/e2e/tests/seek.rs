//! Seeking through keyframes in the real app, on a recording too large to hold whole: a seek
//! loads the keyframe last before its target (not the recording from its start) and shows
//! that moment; playing keeps a bounded window of events; a burst of seeks (a drag) does not
//! queue up a Replayer per seek.

use std::time::Duration;

use serde_json::{json, Value};
use tapedeck_e2e::{App, Launch};
use tapedeck_engine::synth::clock_recording;
use tapedeck_engine::{ImportOptions, Library};

const MINUTES: u64 = 12;

/// The text of the replay's `#clock` (`T+<whole seconds>`), or null before the page is up.
const CLOCK: &str = "return document.querySelector('[data-testid=\"replay\"] iframe')\
    ?.contentDocument?.getElementById('clock')?.textContent ?? null";

fn clock_is(second: u64) -> String {
    format!("return (() => {{ {CLOCK} }})() === 'T+{second}'")
}

async fn wait_clock(app: &App, second: u64) {
    app.wait_js_for(
        &format!("the replay's clock to show T+{second}"),
        &clock_is(second),
        Duration::from_secs(30),
    )
    .await;
}

async fn segment(app: &App) -> Value {
    app.js("return window.__tapedeck.segmentInfo()", vec![])
        .await
}

async fn held(app: &App) -> u64 {
    // (The events the player's Replayer holds now.)
    app.js("return window.__tapedeck.heldEvents()", vec![])
        .await
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn seeks_start_at_a_keyframe_and_playing_holds_a_bounded_window() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("clock.json");
    // A line of 4 KB every 250 ms: about 12 MB over 12 minutes, more than the player keeps whole.
    let (_, events) = clock_recording(&file, MINUTES, 4000);
    let library = dir.path().join("library.sqlite3");
    let id = {
        let mut lib = Library::open(&library).unwrap();
        let id = lib
            .import_file(&file, &ImportOptions::default(), &mut |_| {})
            .unwrap()
            .session()
            .id
            .clone();
        let keyframes = lib.session(&id).unwrap().windows[0]
            .chunks
            .iter()
            .filter(|c| c.keyframe.is_some())
            .count();
        assert!(keyframes >= 10, "{keyframes} keyframes");
        id
    };

    let app = App::launch(
        "seek_keyframes",
        Launch {
            library: Some(library),
            ..Launch::default()
        },
    )
    .await;
    app.wait_for("session-row").await;
    app.js(
        "document.querySelector(`[data-testid=\"session-row\"][data-session-id=\"${arguments[0]}\"]`).click()",
        vec![json!(id)],
    )
    .await;
    wait_clock(&app, 0).await;
    // Pause, then seek near the end: a keyframe, not the recording from its start.
    app.js("window.__tapedeck.pause()", vec![]).await;
    let duration = app
        .js("return window.__tapedeck.duration()", vec![])
        .await
        .as_f64()
        .unwrap();
    assert!((duration - (MINUTES * 60_000) as f64).abs() < 1000.0);
    let seek = |s: u64| format!("window.__tapedeck.seek({})", s * 1000 + 500);
    app.js(&seek(650), vec![]).await;
    wait_clock(&app, 650).await;
    let s = segment(&app).await;
    assert_eq!(s["keyframe"], json!(true), "{s}");
    assert!(s["fromSeq"].as_u64().unwrap() > 10, "{s}");
    // The engine folded the way from that keyframe to the target: the Replayer starts there
    // (checked against the other seeks' starts below).
    let exact_650 = s["exactAt"]
        .as_f64()
        .expect("a segment starting at the target");
    let at_end = held(&app).await;
    assert!(
        at_end * 4 < events,
        "the player holds {at_end} of {events} events"
    );
    app.screenshot("seek-to-650s").await;

    // Back to the start's side, and a moment in between.
    for second in [75, 400] {
        app.js(&seek(second), vec![]).await;
        wait_clock(&app, second).await;
        let s = segment(&app).await;
        assert_eq!(s["keyframe"], json!(true));
        let exact = s["exactAt"]
            .as_f64()
            .expect("a segment starting at the target");
        assert_eq!(exact_650 - exact, ((650 - second) * 1000) as f64, "{s}");
    }

    // Playing at 16x: chunks stream in ahead, events behind are let go.
    app.js(
        "window.__tapedeck.setSpeed(16); window.__tapedeck.play()",
        vec![],
    )
    .await;
    app.wait_js_for(
        "playback to run two minutes on",
        "return window.__tapedeck.currentTime() > 520000 || null",
        Duration::from_secs(60),
    )
    .await;
    let s = segment(&app).await;
    assert_eq!(s["trimmed"], json!(true), "{s}");
    // Nothing much older than the 30 s behind the playhead is held (a trim runs every second).
    let window = app
        .js(
            "const p = window.__tapedeck; return [p.currentTime(), p.heldFrom(), p.heldEvents()]",
            vec![],
        )
        .await;
    let (now, from) = (window[0].as_f64().unwrap(), window[1].as_f64().unwrap());
    assert!(
        from >= now - 30_000.0 - 16.0 * 2000.0,
        "at {now} ms the player still holds events from {from} ms ({window})"
    );
    assert!(window[2].as_u64().unwrap() < events);
    // The page follows the clock (within the second it is in and a frame).
    app.js("window.__tapedeck.pause()", vec![]).await;
    let now = app
        .js("return window.__tapedeck.currentTime()", vec![])
        .await
        .as_f64()
        .unwrap();
    let shown: f64 = app.js(CLOCK, vec![]).await.as_str().unwrap()[2..]
        .parse()
        .unwrap();
    assert!(
        (shown - (now / 1000.0).floor()).abs() <= 1.0,
        "at {now} ms the page shows T+{shown}"
    );

    // A drag's worth of seeks in one go: the newest wins, and the ones between build at most
    // one intermediate frame.
    let before = segment(&app).await["built"].as_u64().unwrap();
    app.js(
        "for (let s = 100; s <= 700; s += 20) window.__tapedeck.seek(s * 1000 + 500)",
        vec![],
    )
    .await;
    wait_clock(&app, 700).await;
    app.stays_js(
        "the newest seek to stay on screen",
        &clock_is(700),
        Duration::from_secs(1),
    )
    .await;
    let built = segment(&app).await["built"].as_u64().unwrap() - before;
    assert!(built <= 2, "{built} Replayers built for 31 seeks");

    // The pointer rests on the timeline, then clicks there: the click shows what the hover
    // fetched, the engine's keyframe at that moment (not the stored range before it).
    let before = segment(&app).await["built"].as_u64().unwrap();
    let timeline = app.wait_for("timeline").await;
    app.rest_and_click_at_fraction(&timeline, 0.3, Duration::from_millis(800))
        .await;
    let s = app
        .wait_js_for(
            "the click to show a segment of its own",
            &format!(
                "const s = window.__tapedeck.segmentInfo(); return s && s.built > {before} ? s : null"
            ),
            Duration::from_secs(10),
        )
        .await;
    assert!(s["exactAt"].as_f64().is_some(), "{s}");
    app.close().await;
}
