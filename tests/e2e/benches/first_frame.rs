//! Time from selecting a session to its first painted frame, in the real app (WebKitGTK under
//! Xvfb, driven through tauri-driver), for a small recording and a large one. Beside it, in
//! the same webview and run: the time just to fetch and parse the whole recording, which any
//! player that loads a recording in one piece pays before it can draw anything.
//!
//! `make bench-first-frame` (needs `make app` first; runs under Xvfb). Options after `--`:
//! `--mb N` size of the large recording (default 120), `--runs N` (default 5).

use std::path::Path;

use serde_json::{json, Value};
use tapedeck_e2e::{workspace_root, App, Launch};
use tapedeck_engine::synth::build_large_recording;
use tapedeck_engine::{ImportOptions, Library};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse::<u64>().expect("a number"))
    };
    let mb = get("--mb").unwrap_or(120);
    let runs = get("--runs").unwrap_or(5) as usize;

    let dir = tempfile::tempdir().unwrap();
    let small_file = workspace_root().join("samples/checkout.json");
    let large_file = dir.path().join("large.json");
    let (bytes, events, _) = build_large_recording(&small_file, &large_file, mb << 20);
    let library = dir.path().join("bench.sqlite3");
    let small = import(&library, &small_file);
    let large = import(&library, &large_file);
    println!(
        "small: {} ({} KB); large: {:.0} MB, {events} events",
        small_file.file_name().unwrap().to_string_lossy(),
        std::fs::metadata(&small_file).unwrap().len() / 1024,
        bytes as f64 / 1e6
    );

    let app = App::launch(
        "bench_first_frame",
        Launch {
            library: Some(library.clone()),
            ..Launch::default()
        },
    )
    .await;
    app.wait_for("session-row").await;

    let mut rows = Vec::new();
    for (name, id) in [("small", &small), ("large", &large)] {
        let other = if id == &small { &large } else { &small };
        let mut first_frame = Vec::new();
        let mut whole = Vec::new();
        for _ in 0..runs {
            // Select the other one first, so each measured selection opens a fresh player.
            select(&app, other).await;
            first_frame.push(select(&app, id).await);
            whole.push(fetch_and_parse_all(&app, id, &library).await);
        }
        rows.push((name, median(&mut first_frame), median(&mut whole)));
    }
    app.screenshot("after").await;
    app.close().await;

    println!();
    println!(
        "| recording | Tapedeck: select → first frame | baseline: fetch + parse the whole recording, no rendering | baseline ÷ Tapedeck |"
    );
    println!("|---|---|---|---|");
    for (name, ff, whole) in rows {
        println!(
            "| {name} | {ff:.0} ms | {whole:.0} ms | {:.2} |",
            whole / ff.max(0.001)
        );
    }
    println!("(median of {runs} runs each)");
}

fn import(library: &Path, file: &Path) -> String {
    let mut lib = Library::open(library).unwrap();
    lib.import_file(file, &ImportOptions::default(), &mut |_| {})
        .unwrap()
        .session()
        .id
        .clone()
}

/// Clicks a feed row and returns the app's own measurement of that open.
async fn select(app: &App, id: &str) -> f64 {
    app.js(
        "document.querySelector(`[data-testid=\"session-row\"][data-session-id=\"${arguments[0]}\"]`).click()",
        vec![json!(id)],
    )
    .await;
    let script = format!(
        "const o = window.__tapedeck.lastOpen(); \
         return o && o.id === '{id}' ? o.selectToFirstFrameMs : null"
    );
    app.wait_js_for(
        "the first frame",
        &script,
        std::time::Duration::from_secs(120),
    )
    .await
    .as_f64()
    .unwrap()
}

/// Fetches every event of the session over the same IPC path and parses it, timed in the
/// webview: the floor for a player that needs the whole recording before its first frame.
async fn fetch_and_parse_all(app: &App, id: &str, library: &Path) -> f64 {
    let last_seq = Library::open(library).unwrap().session(id).unwrap().windows[0]
        .chunks
        .len()
        - 1;
    let out: Value = app
        .client
        .execute_async(
            "const [id, last, done] = arguments; const t0 = performance.now(); \
             window.__TAURI_INTERNALS__.invoke('chunk_events', {id, window: 0, fromSeq: 0, toSeq: last}) \
               .then(buf => { const events = JSON.parse(new TextDecoder().decode(new Uint8Array(buf))); \
                              done({ms: performance.now() - t0, n: events.length}); }) \
               .catch(e => done({error: String(e)}));",
            vec![json!(id), json!(last_seq)],
        )
        .await
        .expect("the baseline script runs");
    out["ms"]
        .as_f64()
        .unwrap_or_else(|| panic!("baseline failed: {out}"))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}
