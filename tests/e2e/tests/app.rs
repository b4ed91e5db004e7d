//! The real app, driven through tauri-driver under Xvfb. See the crate docs for what it needs;
//! in short: `make app`, then
//! `xvfb-run -a -s "-screen 0 1280x800x24" cargo test -p tapedeck-e2e -- --test-threads=1`.

use std::time::Duration;

use serde_json::Value;
use tapedeck_e2e::{corpus_file, full_snapshot_texts, js_str, sample_files, App, Launch};

/// The sample pages and a text each one shows from its first frame.
const SAMPLE_PAGES: &[(&str, &str)] = &[
    ("checkout.html", "Tapedeck Sample Store"),
    ("kanban.html", "Sprint 12"),
    ("release-notes.html", "Reel-to-Reel"),
];

/// Waits until `currentTime()` has moved at least `by` ms past `from`, and returns it.
async fn wait_time_past(app: &App, what: &str, from: f64, by: f64) -> f64 {
    app.wait_js(
        what,
        &format!(
            "const t = window.__tapedeck.currentTime(); return t > {} ? t : null",
            from + by
        ),
    )
    .await
    .as_f64()
    .unwrap_or(f64::NAN)
}

async fn wait_duration(app: &App) -> f64 {
    app.wait_js(
        "a known duration",
        "const d = window.__tapedeck.duration(); return d > 0 ? d : null",
    )
    .await
    .as_f64()
    .unwrap_or(f64::NAN)
}

/// Starts playback with a click on the play button. The app autoplays a selected session; if
/// it did, the first click must pause it, and the second play it again.
async fn play(app: &App) {
    const BUTTON: &str = "document.querySelector('[data-testid=\"play-toggle\"]')";
    let state = app
        .wait_js(
            "the player to be ready",
            &format!(
                "const b = {BUTTON}; return !!b && !b.disabled && b.getAttribute('data-playing')"
            ),
        )
        .await;
    if state == "true" {
        app.click("play-toggle").await;
        app.wait_js(
            "the player to pause",
            &format!(
                "const b = {BUTTON}; \
                 return b.getAttribute('data-playing') === 'false' && !window.__tapedeck.playing()"
            ),
        )
        .await;
        let paused_at = app.current_time().await;
        app.stays_js(
            "the time to stand still while paused",
            &format!("return Math.abs(window.__tapedeck.currentTime() - {paused_at}) < 1"),
            Duration::from_secs(1),
        )
        .await;
    }
    app.click("play-toggle").await;
    app.wait_js(
        "the player to play",
        &format!(
            "const b = {BUTTON}; \
             return b.getAttribute('data-playing') === 'true' && window.__tapedeck.playing()"
        ),
    )
    .await;
}

#[tokio::test]
async fn opens_a_file_from_the_command_line_and_plays_it() {
    let file = corpus_file("public/rrweb/events.json");
    // A word of the recorded page's code editor, present from its FullSnapshot on.
    let needle = "componentDidMount";
    assert!(
        full_snapshot_texts(&file)
            .iter()
            .any(|t| t.contains(needle)),
        "{needle} is no longer in {}",
        file.display()
    );

    let app = App::launch("opens_a_file", Launch::args([&file])).await;
    app.screenshot("started").await;

    let id = app.wait_selected_row().await;
    assert_eq!(
        app.hook("selectedId").await,
        Value::from(id.clone()),
        "window.__tapedeck.selectedId() disagrees with the selected row"
    );
    app.wait_for("player").await;
    app.wait_js(
        "the page URL of the opened recording",
        "const u = document.querySelector('[data-testid=\"page-url\"]'); \
         return !!u && u.innerText.includes('demoit.app')",
    )
    .await;
    let duration = wait_duration(&app).await;
    // events.json spans 81.1 s from its first to its last event.
    assert!(
        (75_000.0..=90_000.0).contains(&duration),
        "duration of events.json should be about 81 s, the app says {duration} ms"
    );
    app.wait_replay_contains(needle).await;
    app.screenshot("opened").await;

    let start = app.current_time().await;
    play(&app).await;
    let later = wait_time_past(&app, "playback to advance 1.5 s", start, 1500.0).await;
    app.wait_replay_contains(needle).await;
    app.screenshot("playing").await;

    let timeline = app.wait_for("timeline").await;
    app.click_at_fraction(&timeline, 0.75).await;
    let target = 0.75 * duration;
    let jumped = app
        .wait_js(
            "currentTime to jump to about 75%",
            &format!(
                "const t = window.__tapedeck.currentTime(); return t >= {} ? t : null",
                target - 0.04 * duration
            ),
        )
        .await
        .as_f64()
        .unwrap_or(f64::NAN);
    // Playback keeps running after the seek, so allow a few seconds past the target.
    assert!(
        jumped <= target + 0.04 * duration + 5_000.0,
        "seek to 75% ({target:.0} ms of {duration:.0}) landed at {jumped:.0} ms \
         (it was {later:.0} ms before)"
    );
    // What the user sees follows: the time label and the slider.
    let label = app
        .wait_js(
            "the current-time label to show the new position",
            &format!(
                "const e = document.querySelector('[data-testid=\"current-time\"]'); \
                 if (!e) return null; \
                 const secs = e.innerText.trim().split(':').reduce((a, x) => a * 60 + Number(x), 0); \
                 const slider = document.querySelector('[data-testid=\"timeline\"]'); \
                 const now = Number(slider.getAttribute('aria-valuenow')); \
                 return secs * 1000 >= {lo} && now >= {lo} ? e.innerText : null",
                lo = (target - 0.04 * duration - 1_000.0).round()
            ),
        )
        .await;
    eprintln!("seeked: currentTime {jumped:.0} ms of {duration:.0}, label {label}");
    app.wait_replay_contains(needle).await;
    app.wait_js(
        "playback to go on after the seek",
        &format!(
            "return window.__tapedeck.currentTime() > {}",
            jumped + 500.0
        ),
    )
    .await;
    app.screenshot("seeked-75").await;

    assert_eq!(
        app.wait_selected_row().await,
        id,
        "the selection changed while playing"
    );
    app.close().await;
}

#[tokio::test]
async fn first_start_shows_the_sample_library() {
    let samples = sample_files();
    assert!(samples.len() >= 3, "the repo ships at least 3 samples");

    let app = App::launch("sample_library", Launch::default()).await;
    app.wait_js(
        &format!("{} sample rows", samples.len()),
        &format!(
            "return document.querySelectorAll('[data-testid=\"session-row\"]').length >= {}",
            samples.len()
        ),
    )
    .await;
    app.screenshot("library").await;
    assert!(
        app.all("empty-library").await.is_empty(),
        "the empty-library placeholder is shown beside the samples"
    );

    // Select each row and note which sample page it shows.
    let ids = app.session_ids().await;
    let mut kanban_row = None;
    let mut seen: Vec<&str> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let row_sel = format!(
            "[data-testid=\"session-row\"][data-session-id={}]",
            js_str(id)
        );
        app.click_css(&row_sel).await;
        let not_seen: Vec<&str> = SAMPLE_PAGES
            .iter()
            .map(|(p, _)| *p)
            .filter(|p| !seen.contains(p))
            .collect();
        let page = app
            .wait_js(
                &format!("row {i} to be selected and show a sample page"),
                &format!(
                    "const r = document.querySelector({}); \
                     const u = document.querySelector('[data-testid=\"page-url\"]'); \
                     if (!r || r.getAttribute('aria-selected') !== 'true' || !u) return null; \
                     return {}.find(p => u.innerText.includes(p)) || null",
                    js_str(&row_sel),
                    Value::from(not_seen.clone())
                ),
            )
            .await;
        let page = page.as_str().unwrap_or_default();
        let page = SAMPLE_PAGES
            .iter()
            .map(|(p, _)| *p)
            .find(|p| *p == page)
            .expect("a known sample page");
        seen.push(page);
        if page == "kanban.html" {
            kanban_row = Some(row_sel.clone());
        }
        let shows = SAMPLE_PAGES.iter().find(|(p, _)| *p == page).unwrap().1;
        app.wait_replay_contains(shows).await;
    }
    for (page, _) in SAMPLE_PAGES {
        assert!(seen.contains(page), "no row shows the sample {page}");
    }

    let kanban_row = kanban_row.expect("the kanban sample row");
    app.click_css(&kanban_row).await;
    app.wait_js(
        "the kanban row to be selected",
        &format!(
            "const r = document.querySelector({}); return !!r && r.getAttribute('aria-selected') === 'true'",
            js_str(&kanban_row)
        ),
    )
    .await;
    app.wait_replay_contains("Sprint 12").await;
    app.screenshot("kanban-selected").await;
    let start = app.current_time().await;
    play(&app).await;
    wait_time_past(&app, "playback to advance 1 s", start, 1000.0).await;
    app.wait_replay_contains("Kanban board").await;
    app.screenshot("kanban-playing").await;

    // The end of the recording shows the cards typed in during it.
    let timeline = app.wait_for("timeline").await;
    app.click_at_fraction(&timeline, 0.95).await;
    app.wait_replay_contains("Translate the onboarding tour")
        .await;
    app.screenshot("kanban-end").await;
    app.close().await;
}

#[tokio::test]
async fn a_broken_file_shows_an_error_and_changes_nothing() {
    let samples = sample_files();
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("truncated-recording.json");
    let whole = std::fs::read(&samples[0]).expect("read a sample");
    std::fs::write(&broken, &whole[..whole.len() / 2]).expect("write the broken file");

    let app = App::launch("broken_file", Launch::args([&broken])).await;
    app.wait_js(
        "an error banner naming the file",
        "const b = document.querySelector('[data-testid=\"error-banner\"]'); \
         return !!b && b.innerText.includes('truncated-recording.json')",
    )
    .await;
    app.screenshot("error").await;

    // Only the samples: nothing was added for the broken file, now or a little later.
    let only_samples = format!(
        "const rows = [...document.querySelectorAll('[data-testid=\"session-row\"]')]; \
         return rows.length === {} && !rows.some(r => r.innerText.includes('truncated'))",
        samples.len()
    );
    app.wait_js("exactly the sample rows", &only_samples).await;
    app.stays_js(
        "exactly the sample rows",
        &only_samples,
        Duration::from_secs(3),
    )
    .await;
    app.screenshot("library-unchanged").await;
    assert!(
        app.text_of("error-banner")
            .await
            .contains("truncated-recording.json"),
        "the error banner went away by itself"
    );

    let list = app.cli(&["list", "--json"]);
    let sessions: Value = serde_json::from_str(&list).expect("`list --json` prints JSON");
    let n = sessions
        .as_array()
        .or_else(|| sessions["sessions"].as_array())
        .map_or(0, Vec::len);
    assert_eq!(
        n,
        samples.len(),
        "the library should hold only the samples:\n{list}"
    );
    app.close().await;
}

#[tokio::test]
async fn the_analysis_reaches_the_feed_and_the_timeline() {
    // A recording made with the real rrweb recorder while a script rage-clicked, dead-clicked,
    // threw errors and idled (tests/analysis/frustration.truth.json).
    let file = tapedeck_e2e::workspace_root().join("tests/analysis/frustration.json");
    let app = App::launch("analysis", Launch::args([&file])).await;
    let id = app.wait_selected_row().await;
    let row = format!(
        "document.querySelector('[data-testid=\"session-row\"][data-session-id={}]')",
        js_str(&id)
    );
    let figure = |testid: &str| {
        format!(
            "const r = {row}; const e = r && r.querySelector('[data-testid=\"{testid}\"]'); \
             return e ? e.innerText : null"
        )
    };
    let rage = app
        .wait_js("the rage-click figure", &figure("session-rage"))
        .await;
    assert!(rage.as_str().unwrap().starts_with("2 "), "{rage}");
    let dead = app
        .wait_js("the dead-click figure", &figure("session-dead"))
        .await;
    assert!(dead.as_str().unwrap().starts_with("3 "), "{dead}");
    let score: u32 = app
        .wait_js("the frustration score", &figure("session-score"))
        .await
        .as_str()
        .unwrap()
        .trim()
        .parse()
        .unwrap();

    // What the engine stored, read from the same library file (WAL lets us read alongside).
    let lib = tapedeck_engine::Library::open(&app.library_path()).unwrap();
    let stored = lib.session(&id).unwrap();
    assert_eq!(score, stored.summary.insights.frustration_score);
    assert!(score > 0);
    let idle = stored.segments.iter().filter(|s| !s.active).count();
    assert_eq!(idle, 2, "the script idled twice");

    // The timeline draws every marker of the window and its idle spans.
    app.wait_for("player").await;
    app.wait_js(
        "one timeline marker per stored marker",
        &format!(
            "return document.querySelectorAll('[data-testid=\"timeline-marker\"]').length === {}",
            stored.markers.len()
        ),
    )
    .await;
    app.wait_js(
        "the idle spans on the timeline",
        "return document.querySelectorAll('[data-testid=\"inactive-segment\"]').length >= 1",
    )
    .await;
    app.screenshot("analysis-timeline").await;

    // Clicking the first rage-click marker seeks to just before it.
    let rage_at = stored
        .markers
        .iter()
        .find(|m| m.kind == tapedeck_engine::model::MarkerKind::RageClick)
        .unwrap()
        .at;
    let expected = (rage_at - stored.summary.started_at) as f64 - 1000.0;
    // (Clicked from script: markers this close overlap until the player issue clusters them,
    // and a WebDriver click lands on whichever is on top.)
    app.js(
        "document.querySelector('[data-testid=\"timeline-marker\"][data-kind=\"rage_click\"]').click()",
        vec![],
    )
    .await;
    app.wait_js(
        "the player to seek to just before the rage click",
        &format!("return Math.abs(window.__tapedeck.currentTime() - {expected}) < 300"),
    )
    .await;

    // The feed follows the engine's order for each sort (the samples' durations differ from
    // their recency order, so a feed that ignored the sort would fail here).
    use tapedeck_engine::model::SessionSort;
    let engine_order = |sort: SessionSort| -> Vec<String> {
        lib.list_sessions_by(sort)
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    assert_ne!(
        engine_order(SessionSort::Duration),
        engine_order(SessionSort::Recency)
    );
    for (value, sort) in [
        ("duration", SessionSort::Duration),
        ("frustration", SessionSort::Frustration),
        ("recency", SessionSort::Recency),
    ] {
        app.js(
            &format!(
                "const s = document.querySelector('[data-testid=\"feed-sort\"]'); \
                 s.value = {}; s.dispatchEvent(new Event('change', {{ bubbles: true }}));",
                js_str(value)
            ),
            vec![],
        )
        .await;
        let want = Value::from(engine_order(sort));
        app.wait_js(
            &format!("the feed in {value} order"),
            &format!(
                "const ids = [...document.querySelectorAll('[data-testid=\"session-row\"]')]\
                 .map(r => r.getAttribute('data-session-id')); \
                 return JSON.stringify(ids) === JSON.stringify({want})"
            ),
        )
        .await;
    }
    app.screenshot("analysis-sorted").await;
    app.close().await;
}
