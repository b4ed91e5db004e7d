//! The library in the real app: a watched folder, a file dropped into it while the app runs,
//! the feed updating by itself, a search by email, and the session opening in the player.

use std::time::{Duration, Instant};

use tapedeck_e2e::{js_str, workspace_root, App, Launch};
use tapedeck_engine::synth::{posthog_export, SynthPerson};

const ROWS: &str = "[...document.querySelectorAll('[data-testid=\"session-row\"]')]";

#[tokio::test]
async fn a_file_dropped_into_a_watched_folder_appears_and_is_found_by_email() {
    let app = App::launch("library", Launch::default()).await;
    // The sample library fills the feed on first start.
    app.wait_js(
        "the sample sessions",
        &format!("return {ROWS}.length >= 3 ? true : null"),
    )
    .await;
    let before = app.session_ids().await.len();

    // Add a watched folder through the app's own command (the button opens a native folder
    // dialog, which WebDriver cannot drive), and see it in the sidebar.
    let folder = app.scratch_dir().join("recordings");
    std::fs::create_dir_all(&folder).unwrap();
    let added = app
        .js(
            &format!(
                "return window.__TAURI_INTERNALS__.invoke('add_watched_folder', {{ path: {} }})\
                   .then(f => f.path, e => 'error: ' + JSON.stringify(e))",
                js_str(&folder.display().to_string())
            ),
            vec![],
        )
        .await;
    let added = added.as_str().unwrap_or_default().to_string();
    assert!(!added.starts_with("error"), "{added}");
    if app.all("library-nav").await.is_empty() {
        app.click("nav-toggle").await;
    }
    app.wait_js(
        "the folder in the sidebar",
        "const f = document.querySelector('[data-testid=\"watched-folder\"]'); \
         return f && f.innerText.includes('recordings') ? true : null",
    )
    .await;

    // Drop a recording into it, written in two parts as a recorder would.
    let events: Vec<serde_json::Value> = serde_json::from_slice(
        &std::fs::read(workspace_root().join("samples/kanban.json")).unwrap(),
    )
    .unwrap();
    let person = SynthPerson {
        distinct_id: "user-77".into(),
        name: "Grace Hopper".into(),
        email: "grace.hopper@navy.test".into(),
        browser: "Firefox".into(),
        os: "Linux".into(),
        device: "desktop".into(),
        country: "US".into(),
    };
    let bytes = posthog_export(
        &events,
        "e2e-watched-0001",
        1_790_000_000_000.0,
        Some("https://board.example.test/sprint"),
        &person,
    );
    let path = folder.join("grace.json");
    let (a, b) = bytes.split_at(bytes.len() / 2);
    std::fs::write(&path, a).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b).unwrap();
    }
    let written = Instant::now();
    app.wait_js(
        "the new session in the feed",
        &format!(
            "return {ROWS}.some(r => r.innerText.includes('grace.hopper@navy.test')) ? true : null"
        ),
    )
    .await;
    eprintln!(
        "appeared in the feed {:?} after the write",
        written.elapsed()
    );
    assert_eq!(app.session_ids().await.len(), before + 1, "imported once");
    app.screenshot("appeared").await;

    // Search by email: only that session is left.
    let input = app.wait_for("search-input").await;
    input.click().await.unwrap();
    input.send_keys("grace.hopper@navy").await.unwrap();
    app.wait_js(
        "the feed to show only the match",
        &format!(
            "const rows = {ROWS}; \
             return rows.length === 1 && rows[0].innerText.includes('grace.hopper@navy.test') \
               ? true : null"
        ),
    )
    .await;
    let count = app.text_of("feed-count").await;
    assert!(count.contains('1'), "the count says one: {count}");
    app.screenshot("searched").await;

    // Open it: the player shows the recorded page.
    app.click("session-row").await;
    app.wait_replay_contains("Sprint 12").await;
    assert_eq!(app.wait_selected_row().await, "e2e-watched-0001");
    app.screenshot("opened").await;

    // Deleting the file marks the session missing; it stays in the library.
    std::fs::remove_file(&path).unwrap();
    app.wait_js(
        "the session marked missing",
        "return document.querySelector('[data-testid=\"session-missing\"]') ? true : null",
    )
    .await;
    let listed = app.cli(&["search", "grace.hopper", "--json"]);
    let page: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["sessions"][0]["missing"], true);
    app.close().await;
}
