//! Vendor recordings in the real app: a PostHog export with two windows and a Sentry replay
//! of five segment files, both recorded with the vendors' SDKs (tests/corpus), open from the
//! command line and play; the feed names their users.

use serde_json::Value;
use tapedeck_e2e::{js_str, workspace_root, App, Launch};

/// Selects the feed row of a session and waits for the player to have it.
async fn open(app: &App, id: &str) {
    app.js(
        &format!(
            "document.querySelector('[data-testid=\"session-row\"][data-session-id={}]').click()",
            js_str(id)
        ),
        vec![],
    )
    .await;
    app.wait_js(
        "the session to be selected",
        &format!("return window.__tapedeck.selectedId() === {}", js_str(id)),
    )
    .await;
}

#[tokio::test]
async fn posthog_two_windows_and_a_sentry_replay_play() {
    let corpus = workspace_root().join("tests/corpus");
    let posthog = corpus.join("posthog/session.export.json");
    let mut files = vec![posthog];
    files.extend((0..5).map(|n| corpus.join(format!("sentry/segment-{n}.bin"))));
    let app = App::launch("vendors", Launch::args(&files)).await;

    // Both imports land beside the three samples.
    app.wait_js(
        "five sessions in the feed",
        "return document.querySelectorAll('[data-testid=\"session-row\"]').length === 5",
    )
    .await;
    let listed: Value = serde_json::from_str(&app.cli(&["list", "--json"])).unwrap();
    let id_of = |file: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("{file} is not in the library"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (posthog_id, sentry_id) = (id_of("session.export.json"), id_of("segment-0.bin"));

    // The rows say who the users were: from the PostHog person, and from the Sentry
    // replay_event beside the segments.
    for (id, email) in [
        (&posthog_id, "ada@example.com"),
        (&sentry_id, "grace@example.com"),
    ] {
        let user = app
            .wait_js(
                "a row to show its user",
                &format!(
                    "const r = document.querySelector('[data-testid=\"session-row\"][data-session-id={}]'); \
                     const u = r && r.querySelector('[data-testid=\"session-user\"]'); \
                     return u ? u.innerText : null",
                    js_str(id)
                ),
            )
            .await;
        assert_eq!(user, Value::from(email));
    }

    // It opens on its busier window (the checkout tab) and plays.
    open(&app, &posthog_id).await;
    app.wait_replay_contains("Tapedeck Sample Store").await;
    app.screenshot("posthog-checkout-window").await;
    let options = app
        .js(
            "const s = document.querySelector('[data-testid=\"window-select\"]'); \
             return s ? s.options.length : 0",
            vec![],
        )
        .await;
    assert_eq!(options, Value::from(2), "a window picker with both windows");

    // Following the user: 13.1 s into the session they switched to the release-notes tab
    // (interaction spans computed at import), so a seek to ~13.6 s switches windows.
    let timeline = app.wait_for("timeline").await;
    app.click_at_fraction(&timeline, 0.62).await;
    // The release notes, or the upgrade guide they link to: the second tab's pages.
    app.wait_replay_contains("elease notes").await;
    // One replay at a time, of the second window (8.7 s long, the first is 22 s).
    app.wait_js(
        "the player to follow the user to the second window",
        "const s = document.querySelector('[data-testid=\"window-select\"]'); \
         const frames = document.querySelectorAll('[data-testid=\"replay\"] iframe').length; \
         const d = window.__tapedeck.duration(); \
         return s.value === '1' && frames === 1 && d > 5000 && d < 15000",
    )
    .await;
    // The click that started it is over: the scrubber shows the new window's time.
    app.wait_js(
        "the timeline to follow the clock",
        "const t = document.querySelector('[data-testid=\"timeline\"]'); \
         const now = window.__tapedeck.currentTime(); \
         return !t.classList.contains('dragging') \
           && Math.abs(Number(t.getAttribute('aria-valuenow')) - now) < 1500",
    )
    .await;
    app.screenshot("posthog-followed-to-second-window").await;

    // The second tab ends at 20.4 s while the first goes on to 22 s: following the user,
    // playback comes back to the checkout tab.
    app.wait_js(
        "the player to follow the user back to the first window",
        "const s = document.querySelector('[data-testid=\"window-select\"]'); \
         return s.value === '0' && window.__tapedeck.duration() > 15000",
    )
    .await;
    app.wait_replay_contains("Tapedeck Sample Store").await;
    // The URL bar shows the first tab's page, not where the other tab went meanwhile (it
    // follows the window switch within a frame or two, so it is waited for).
    app.wait_js(
        "the URL bar to show the first tab's page",
        "const u = document.querySelector('[data-testid=\"page-url\"]'); \
         return u && u.innerText.trim().endsWith('/checkout.html') ? true : null",
    )
    .await;

    // Picking a window by hand stops following.
    app.js(
        "const s = document.querySelector('[data-testid=\"window-select\"]'); \
         s.value = '1'; s.dispatchEvent(new Event('change', { bubbles: true }))",
        vec![],
    )
    .await;
    app.wait_replay_contains("elease notes").await;
    app.stays_js(
        "the picked window",
        "return document.querySelector('[data-testid=\"window-select\"]').value === '1' \
         && !document.querySelector('[data-testid=\"follow-window\"]').checked",
        std::time::Duration::from_millis(1500),
    )
    .await;

    // The Sentry replay plays too: all five segments, 39 s over three pages.
    open(&app, &sentry_id).await;
    app.wait_replay_contains("Tapedeck Sample Store").await;
    app.wait_js(
        "the whole Sentry replay",
        "const d = window.__tapedeck.duration(); return d > 35000 && d < 45000",
    )
    .await;
    app.screenshot("sentry-replay").await;
    app.close().await;
}
