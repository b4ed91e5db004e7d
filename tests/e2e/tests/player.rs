//! The player's controls in the real app: play, speed, skipping inactivity, a timeline marker,
//! fullscreen (the real window's), and a link to a moment copied to the real clipboard and
//! opened by launching the app with it.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use fantoccini::key::Key;
use serde_json::Value;
use tapedeck_e2e::{workspace_root, App, Launch, WindowManager};

fn checkout_sample() -> PathBuf {
    workspace_root().join("samples/checkout.json")
}

async fn js_f64(app: &App, script: &str) -> f64 {
    app.js(script, vec![]).await.as_f64().unwrap_or(f64::NAN)
}

/// How fast the replay clock runs against wall time while it plays `span` ms of recording.
async fn clock_rate(app: &App, span: f64) -> f64 {
    const NOW: &str = "return [window.__tapedeck.currentTime(), performance.now()]";
    let a = app.js(NOW, vec![]).await;
    let v = |x: &Value, i: usize| x[i].as_f64().unwrap_or(f64::NAN);
    let b = app
        .wait_js_for(
            "the clock to run",
            &format!(
                "const t = window.__tapedeck.currentTime(); \
                 return t >= {} ? [t, performance.now()] : null",
                v(&a, 0) + span
            ),
            Duration::from_secs(30),
        )
        .await;
    (v(&b, 0) - v(&a, 0)) / (v(&b, 1) - v(&a, 1))
}

/// What the X clipboard holds, read by another program, as a user pasting would.
fn clipboard_text() -> String {
    let out = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("run xclip (scripts/install-deps.sh test installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const PLAYING: &str = "return window.__tapedeck.playing()";
const FULLSCREEN: &str =
    "return document.querySelector('[data-testid=\"player\"]')?.dataset.fullscreen ?? null";

#[tokio::test]
async fn controls_fullscreen_and_a_link_to_a_moment() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let library = dir.path().join("library.sqlite3");
    // Before the window exists: GTK asks the window manager what it supports when it starts.
    let _wm = WindowManager::start();
    let app = App::launch(
        "player_controls",
        Launch {
            args: vec![checkout_sample().into()],
            library: Some(library.clone()),
        },
    )
    .await;
    let id = app.wait_selected_row().await;
    app.wait_js("the session to play", PLAYING).await;

    // Speed: 4× runs the clock about four times as fast.
    app.js(
        "const s = document.querySelector('[data-testid=\"speed\"]'); \
         s.value = '4'; s.dispatchEvent(new Event('change', { bubbles: true }))",
        vec![],
    )
    .await;
    // Skipping idle off, so the rate is the speed's alone.
    app.click("skip-inactivity").await;
    app.wait_js(
        "skipping to be off",
        "return document.querySelector('[data-testid=\"skip-inactivity\"]')\
         .getAttribute('aria-pressed') === 'false'",
    )
    .await;
    app.click("play-toggle").await;
    app.wait_js("a pause", "return !window.__tapedeck.playing()")
        .await;
    // From near the start, so the 21 s sample does not end while the clock is read.
    let timeline = app.wait_for("timeline").await;
    app.click_at_fraction(&timeline, 0.05).await;
    app.wait_js(
        "the playhead near the start",
        "return window.__tapedeck.currentTime() < 2500",
    )
    .await;
    app.click("play-toggle").await;
    app.wait_js("playing again", PLAYING).await;
    // Over 8 s of recording: the clock is read between animation frames, so a short sample
    // on a busy machine says more about frame timing than about speed.
    let rate = clock_rate(&app, 8_000.0).await;
    assert!(
        (2.5..6.0).contains(&rate),
        "at 4× the clock runs at {rate:.2}×"
    );
    app.screenshot("playing-4x").await;
    app.click("play-toggle").await;
    app.wait_js("a pause", "return !window.__tapedeck.playing()")
        .await;

    // A timeline marker: the playhead goes to just before it.
    let offset = js_f64(
        &app,
        "const m = [...document.querySelectorAll('[data-testid=\"timeline-marker\"]')]\
           .find((m) => !m.hidden && Number(m.dataset.offset) > 3000); \
         if (!m) return null; m.setAttribute('data-e2e-target', '1'); \
         return Number(m.dataset.offset)",
    )
    .await;
    assert!(
        offset.is_finite(),
        "the sample has a visible marker past 3 s"
    );
    app.click_css("[data-e2e-target]").await;
    let expected = offset - 1_000.0;
    app.wait_js(
        "the playhead just before the marker",
        &format!("return Math.abs(window.__tapedeck.currentTime() - {expected}) < 150"),
    )
    .await;
    app.screenshot("marker").await;

    // Fullscreen: the real window fills the screen, and Esc leaves it.
    app.click("fullscreen").await;
    app.wait_js(
        "the player in fullscreen",
        &format!("{FULLSCREEN} === 'true'"),
    )
    .await;
    app.wait_js(
        "the window to fill the screen",
        "return window.innerWidth >= screen.width && window.innerHeight >= screen.height",
    )
    .await;
    app.screenshot("fullscreen").await;
    let body = app
        .client
        .find(fantoccini::Locator::Css("body"))
        .await
        .expect("the body");
    body.send_keys(&String::from(char::from(Key::Escape)))
        .await
        .expect("press Esc");
    app.wait_js(
        "the player out of fullscreen",
        &format!("{FULLSCREEN} === 'false'"),
    )
    .await;
    app.wait_js(
        "the window to be a window again",
        "return window.innerWidth < screen.width || window.innerHeight < screen.height",
    )
    .await;
    // F toggles it as well.
    body.send_keys("f").await.expect("press F");
    app.wait_js("F: fullscreen", &format!("{FULLSCREEN} === 'true'"))
        .await;
    body.send_keys("f").await.expect("press F");
    app.wait_js("F: windowed", &format!("{FULLSCREEN} === 'false'"))
        .await;

    // Copy the link to this moment: it is on the system clipboard.
    let at = app.current_time().await;
    app.click("copy-link").await;
    app.wait_js(
        "the copied notice",
        "const n = document.querySelector('[data-testid=\"skip-notice\"]'); \
         return !!n && /copied/.test(n.innerText)",
    )
    .await;
    let link = clipboard_text();
    let prefix = format!("tapedeck://session/{id}?t=");
    assert!(link.starts_with(&prefix), "the clipboard holds {link:?}");
    let t: f64 = link[prefix.len()..]
        .trim()
        .parse()
        .expect("a time in the link");
    assert!(
        (t - at).abs() < 500.0,
        "the link names {t} ms, the player was at {at} ms"
    );
    app.close().await;

    // Launched with the link: the same session, at that moment.
    let app = App::launch(
        "player_link",
        Launch {
            args: vec![link.trim().into()],
            library: Some(library),
        },
    )
    .await;
    assert_eq!(app.wait_selected_row().await, id);
    app.wait_js(
        "the player at the link's moment",
        &format!(
            "const t = window.__tapedeck.currentTime(); \
             return window.__tapedeck.duration() > 0 && t >= {} && t < {}",
            t - 300.0,
            t + 3_000.0
        ),
    )
    .await;
    app.screenshot("opened-from-link").await;

    // A link to a session this library does not have says so.
    app.close().await;
    let other = tempfile::tempdir().expect("a temporary directory");
    let app = App::launch(
        "player_bad_link",
        Launch {
            args: vec!["tapedeck://session/not-in-this-library?t=5".into()],
            library: Some(other.path().join("library.sqlite3")),
        },
    )
    .await;
    let message = app
        .wait_js(
            "the link's error",
            "const e = document.querySelector('.library-error'); return e ? e.innerText : null",
        )
        .await;
    assert!(
        message
            .as_str()
            .is_some_and(|m| m.contains("has no session not-in-this-library")),
        "the error names the session: {message}"
    );
    app.close().await;
}
