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

/// Serves `body` at `/recording.json` and 404 elsewhere, on a loopback port; the download
/// of the recording is slowed so that its progress can be seen.
fn recording_server(body: Vec<u8>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
                    break;
                }
            }
            if line.split_whitespace().nth(1) == Some("/recording.json") {
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                for piece in body.chunks(body.len().div_ceil(8)) {
                    let _ = stream.write_all(piece);
                    let _ = stream.flush();
                    std::thread::sleep(Duration::from_millis(150));
                }
            } else {
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot here\n",
                );
            }
        }
    });
    origin
}

#[tokio::test]
async fn a_recording_opened_from_a_url_is_downloaded_imported_and_keeps_its_url() {
    // Not the bundled sample itself (that would be "already imported"): the same page,
    // recorded for someone else on another day.
    let events: Vec<serde_json::Value> = serde_json::from_slice(
        &std::fs::read(workspace_root().join("samples/release-notes.json")).unwrap(),
    )
    .unwrap();
    let person = SynthPerson {
        distinct_id: "user-88".into(),
        name: "Katherine Johnson".into(),
        email: "katherine@nasa.test".into(),
        ..SynthPerson::default()
    };
    let body = posthog_export(
        &events,
        "e2e-fetched-0001",
        1_791_000_000_000.0,
        None,
        &person,
    );
    let origin = recording_server(body);
    let app = App::launch("open_url", Launch::default()).await;
    app.wait_js(
        "the sample sessions",
        &format!("return {ROWS}.length >= 3 ? true : null"),
    )
    .await;

    // A URL the server does not have: the dialog says so, and nothing is imported.
    app.click("open-url").await;
    let input = app.wait_for("open-url-input").await;
    input
        .send_keys(&format!("{origin}/missing.json"))
        .await
        .unwrap();
    app.click("open-url-submit").await;
    let error = app
        .wait_js(
            "the 404 in the dialog",
            "const e = document.querySelector('[data-testid=\"open-url-error\"]'); \
             return e && e.innerText.trim() ? e.innerText : null",
        )
        .await;
    let error = error.as_str().unwrap_or_default().to_string();
    assert!(error.contains("404"), "{error}");
    assert!(error.contains("/missing.json"), "names the URL: {error}");
    app.screenshot("404").await;

    // The recording: progress, then the session, with the URL as its source.
    let input = app.wait_for("open-url-input").await;
    input.clear().await.unwrap();
    let url = format!("{origin}/recording.json");
    input.send_keys(&url).await.unwrap();
    app.click("open-url-submit").await;
    let shown = app
        .wait_js(
            "the download's progress, in bytes",
            "const p = document.querySelector('[data-testid=\"open-url-progress\"]'); \
             return p && /\\d+(\\.\\d+)? ?[kKM]?B/.test(p.innerText) ? p.innerText : null",
        )
        .await;
    eprintln!("progress shown: {shown}");
    app.screenshot("downloading").await;
    let id = app.wait_selected_row().await;
    app.wait_replay_contains("Reel-to-Reel").await;
    let shown: serde_json::Value =
        serde_json::from_str(&app.cli(&["show", &id, "--json"])).unwrap();
    assert_eq!(shown["summary"]["sourceUrl"], url.as_str());
    let log: serde_json::Value = serde_json::from_str(&app.cli(&["log", "--json"])).unwrap();
    assert!(
        log.as_array().unwrap().iter().any(|e| e["kind"] == "fetch"
            && e["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("/missing.json"))),
        "the failed download is in the log: {log}"
    );
    app.screenshot("opened").await;
    app.close().await;
}
