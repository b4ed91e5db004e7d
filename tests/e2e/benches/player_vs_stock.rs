//! The player benchmark: time to first frame and seek latency on a long recording, for
//! Tapedeck's player and for stock rrweb-player, on the same file, in the same run, in the same
//! browser engine — the real app's webview (WebKitGTK under Xvfb, driven by tauri-driver).
//!
//! `make bench-player` records the recording first (`tools/long-recording/record.mjs`: over an
//! hour of a page that mutates its DOM all the time, recorded with the real rrweb recorder,
//! one full snapshot at the start) and needs `make app`. Options after `--`:
//! `--recording FILE` (default `target/bench/long-recording.json`, with its `.meta.json`),
//! `--runs N` first-frame runs per player (default 5), `--seeks N` warm seeks per point
//! (default 10), `--settle SECS` idle time after the app starts (default 10).
//!
//! How each figure is taken, the same way for both players, in the webview:
//! - **First frame.** Tapedeck: from the click on the session's feed row. Stock: from the
//!   start of fetching the whole recording over the same IPC (`chunk_events` of every chunk,
//!   the bytes Tapedeck's player fetches) through `JSON.parse` and `new rrwebPlayer(...)`.
//!   Both end at the first animation frame after the replay iframe shows the recorded page.
//! - **Seek.** From the call (Tapedeck's player `seek`, through the test probe; stock's
//!   `goto`, paused) to the first animation frame after the replay iframe's DOM shows the
//!   target moment: the recorded page has a clock (`#clock`, whole seconds since its `t0`) and
//!   each target lies half a second after a tick, so only the right moment matches. The first
//!   seek to each point is "cold", later ones "warm". Tapedeck's seeks start once its player
//!   has streamed the whole recording in (before that, a seek past the loaded part waits for
//!   the data; the time to stream everything is reported too).
//!
//! Stock rrweb-player's UMD bundle (`ui/node_modules/rrweb-player`) is run in the app's page
//! through WebDriver `execute`, which the page's CSP (`script-src 'self'`) does not govern; the
//! page is reloaded first, so no Tapedeck player is alive beside it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::wd::TimeoutConfiguration;
use serde_json::{json, Value};
use tapedeck_e2e::{target_dir, workspace_root, App, Launch};
use tapedeck_engine::{ImportOptions, Library};

const POINTS: [f64; 3] = [0.1, 0.5, 0.9];

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let recording = get("--recording")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("bench/long-recording.json"));
    let runs: usize = get("--runs").map_or(5, |v| v.parse().expect("--runs N"));
    let seeks: usize = get("--seeks").map_or(10, |v| v.parse().expect("--seeks N"));
    let settle: u64 = get("--settle").map_or(10, |v| v.parse().expect("--settle SECS"));

    let meta_path = recording.with_extension("meta.json");
    let meta: Value = std::fs::read_to_string(&meta_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| {
            panic!(
                "{} is missing: record the long recording first \
                 (`node tools/long-recording/record.mjs`, or `make bench-player`)",
                meta_path.display()
            )
        });
    let page_t0 = meta["t0"].as_i64().expect("t0 in the meta file");

    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("bench.sqlite3");
    let other = import(&library, &workspace_root().join("samples/checkout.json"));
    let long = import(&library, &recording);
    let window = Library::open(&library)
        .unwrap()
        .session(&long)
        .unwrap()
        .windows[0]
        .clone();
    let zero = window
        .chunks
        .iter()
        .find(|c| c.full_snapshot)
        .expect("a chunk with a full snapshot")
        .start_ts;
    let end = window.chunks.iter().map(|c| c.end_ts).max().unwrap();
    let last_seq = window.chunks.iter().map(|c| c.seq).max().unwrap();
    println!(
        "recording: {} ({:.1} MB, {} events, {:.1} min, {} chunks; {})",
        recording.file_name().unwrap().to_string_lossy(),
        std::fs::metadata(&recording).unwrap().len() as f64 / 1e6,
        window.event_count,
        (end - zero) as f64 / 60_000.0,
        window.chunks.len(),
        meta["recorder"].as_str().unwrap_or("?"),
    );

    // The moments to seek to: half a second past a tick of the page's clock, near each point.
    let targets: Vec<(f64, i64, String)> = POINTS
        .iter()
        .map(|&f| {
            let at = zero + ((end - zero) as f64 * f) as i64;
            let second = (at - page_t0) / 1000;
            (f, page_t0 + second * 1000 + 500, format!("T+{second}"))
        })
        .collect();

    let app = App::launch(
        "bench_player",
        Launch {
            library: Some(library.clone()),
            ..Launch::default()
        },
    )
    .await;
    app.client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(600)),
            Some(Duration::from_secs(120)),
            None,
        ))
        .await
        .expect("set the WebDriver timeouts");
    app.wait_for("session-row").await;
    // Let what the app does as it starts (the feed, the background analysis check) finish, so
    // the first open measures the player more than the start-up.
    tokio::time::sleep(Duration::from_secs(settle)).await;
    app.js(HELPERS, vec![]).await;

    // --- Tapedeck -----------------------------------------------------------------------
    // The first open after the app starts is kept apart: it pays for cold caches.
    let mut tapedeck_ff = Vec::new();
    let mut streamed = Vec::new();
    let mut probe_ff = Vec::new();
    for _ in 0..=runs {
        select(&app, &other).await;
        let out = measure(
            &app,
            "const [id, done] = arguments; const t0 = performance.now(); \
             document.querySelector(`[data-testid=\"session-row\"][data-session-id=\"${id}\"]`).click(); \
             __bench.until(__bench.tapedeckDoc, d => /^T\\+/.test(d.getElementById('clock')?.textContent || '')) \
               .then(t => { const ff = t - t0; \
                 const wait = () => { const p = window.__tapedeck; \
                   if (p.duration() > 0 && p.loadedUntil() >= p.duration()) done({ms: ff, all: performance.now() - t0}); \
                   else setTimeout(wait, 50); }; wait(); }) \
               .catch(e => done({error: String(e)}));",
            vec![json!(long)],
        )
        .await;
        tapedeck_ff.push(out["ms"].as_f64().unwrap());
        streamed.push(out["all"].as_f64().unwrap());
        let probe = app
            .js(
                "const o = window.__tapedeck.lastOpen(); return o ? o.selectToFirstFrameMs : null",
                vec![],
            )
            .await;
        probe_ff.push(probe.as_f64().unwrap_or(f64::NAN));
    }
    println!(
        "Tapedeck first frame: {:?} ms, the first after the app started, then {runs} runs \
         (the app's own probe: {:?} ms); whole recording streamed in: {:?} ms",
        rounded(&tapedeck_ff),
        rounded(&probe_ff),
        rounded(&streamed)
    );
    let tapedeck_first_open = tapedeck_ff.remove(0);
    streamed.remove(0);
    let (replay_w, replay_h) = {
        let r = app
            .js(
                "const r = document.querySelector('[data-testid=\"replay\"]').getBoundingClientRect(); \
                 return [r.width, r.height]",
                vec![],
            )
            .await;
        (r[0].as_f64().unwrap(), r[1].as_f64().unwrap())
    };
    let tapedeck_seeks = seek_all(&app, &targets, seeks, |(_, at, text)| {
        (
            "const [ms, text, done] = arguments; const t0 = performance.now(); \
             window.__tapedeck.seek(ms); \
             __bench.until(__bench.tapedeckDoc, d => d.getElementById('clock')?.textContent === text) \
               .then(t => done({ms: t - t0})).catch(e => done({error: String(e)}));",
            vec![json!(at - zero), json!(text)],
        )
    })
    .await;
    app.screenshot("tapedeck-after-seeks").await;

    // --- stock rrweb-player, in the same webview after a reload ---------------------------
    app.client.refresh().await.expect("reload the page");
    app.wait_js("the UI after the reload", "return !!window.__tapedeck")
        .await;
    app.wait_for("session-row").await;
    assert!(
        app.js(
            "return document.querySelector('[data-testid=\"replay\"] iframe') === null",
            vec![]
        )
        .await
        .as_bool()
        .unwrap(),
        "a Tapedeck player is open after the reload; the stock player would share the page with it"
    );
    app.js(HELPERS, vec![]).await;
    install_stock_player(&app).await;
    // rrweb-player's size is the whole widget; its controller bar takes 80 px below the replay.
    let (stock_w, stock_h) = (replay_w.round(), (replay_h + 80.0).round());
    let mut stock_ff = Vec::new();
    let mut parse = Vec::new();
    for run in 0..=runs {
        let out = measure(
            &app,
            "const [id, last, width, height, done] = arguments; \
             if (window.__benchStock) { window.__benchStock.$destroy(); window.__benchStock = null; } \
             const target = document.getElementById('bench-stock'); target.replaceChildren(); \
             const t0 = performance.now(); \
             window.__TAURI_INTERNALS__.invoke('chunk_events', {id, window: 0, fromSeq: 0, toSeq: last}) \
               .then(buf => { \
                 const events = JSON.parse(new TextDecoder().decode(new Uint8Array(buf))); \
                 const parsed = performance.now() - t0; \
                 const Player = window.rrwebPlayer.default || window.rrwebPlayer; \
                 const player = new Player({target, props: {events, width, height, autoPlay: false}}); \
                 window.__benchStock = player; \
                 return __bench.until(__bench.stockDoc, d => /^T\\+/.test(d.getElementById('clock')?.textContent || '')) \
                   .then(t => done({ms: t - t0, parsed, events: events.length, \
                                    startTime: player.getMetaData().startTime})); }) \
               .catch(e => done({error: String(e)}));",
            vec![
                json!(long),
                json!(last_seq),
                json!(stock_w),
                json!(stock_h),
            ],
        )
        .await;
        stock_ff.push(out["ms"].as_f64().unwrap());
        parse.push(out["parsed"].as_f64().unwrap());
        if run == 0 {
            println!(
                "stock rrweb-player: {} events, its time zero {} ms after Tapedeck's",
                out["events"],
                out["startTime"].as_i64().unwrap() - zero
            );
        }
    }
    println!(
        "stock first frame: {:?} ms, the first after the reload, then {runs} runs \
         (of which fetch + parse: {:?} ms)",
        rounded(&stock_ff),
        rounded(&parse)
    );
    let stock_first_open = stock_ff.remove(0);
    let stock_seeks = seek_all(&app, &targets, seeks, |(_, at, text)| {
        (
            "const [at, text, done] = arguments; const p = window.__benchStock; \
             const ms = at - p.getMetaData().startTime; const t0 = performance.now(); \
             p.goto(ms, false); \
             __bench.until(__bench.stockDoc, d => d.getElementById('clock')?.textContent === text) \
               .then(t => done({ms: t - t0})).catch(e => done({error: String(e)}));",
            vec![json!(at), json!(text)],
        )
    })
    .await;
    app.screenshot("stock-after-seeks").await;
    app.close().await;

    // --- the table ------------------------------------------------------------------------
    println!();
    println!("| measure | Tapedeck | stock rrweb-player 2.1.6 | stock ÷ Tapedeck |");
    println!("|---|---|---|---|");
    row(
        "select → first frame, first open",
        tapedeck_first_open,
        stock_first_open,
    );
    row(
        &format!("select → first frame (median of {runs})"),
        median(&mut tapedeck_ff),
        median(&mut stock_ff),
    );
    for (i, (f, _, _)) in targets.iter().enumerate() {
        let pct = (f * 100.0).round();
        let (t_cold, mut t_warm) = (tapedeck_seeks[i].0, tapedeck_seeks[i].1.clone());
        let (s_cold, mut s_warm) = (stock_seeks[i].0, stock_seeks[i].1.clone());
        row(
            &format!("seek to {pct}%, cold (first seek there)"),
            t_cold,
            s_cold,
        );
        row(
            &format!("seek to {pct}%, warm (median of {seeks})"),
            median(&mut t_warm),
            median(&mut s_warm),
        );
        if seeks >= 10 {
            row(
                &format!("seek to {pct}%, warm p95"),
                p95(&mut t_warm),
                p95(&mut s_warm),
            );
        }
    }
    println!(
        "(Tapedeck streams the rest of the recording in after its first frame: everything was \
         loaded {:.0} ms after the click, median.)",
        median(&mut streamed)
    );
}

/// In the webview: `__bench.until(doc, ok)` resolves with `performance.now()` in the animation
/// frame that first paints `ok(doc())` holding: checked at once (a seek in rrweb is
/// synchronous) and then in every frame; when it already holds at once, the next frame's.
const HELPERS: &str = "window.__bench = { \
    tapedeckDoc: () => document.querySelector('[data-testid=\"replay\"] iframe')?.contentDocument, \
    stockDoc: () => document.querySelector('#bench-stock iframe')?.contentDocument, \
    until(doc, ok, limitMs = 300000) { \
      const start = performance.now(); \
      return new Promise((resolve, reject) => { \
        const check = (inFrame) => { \
          let d = null; try { d = doc(); } catch (e) {} \
          if (d && d.body && ok(d)) { \
            if (inFrame) resolve(performance.now()); \
            else requestAnimationFrame(() => resolve(performance.now())); \
            return; \
          } \
          if (performance.now() - start > limitMs) { reject(new Error('timed out')); return; } \
          requestAnimationFrame(() => check(true)); \
        }; \
        check(false); \
      }); \
    }, \
  }; return true;";

/// Injects rrweb-player's UMD bundle and stylesheet and an overlay to mount it in.
async fn install_stock_player(app: &App) {
    let dist = workspace_root().join("ui/node_modules/rrweb-player/dist");
    let read = |name: &str| {
        std::fs::read_to_string(dist.join(name)).unwrap_or_else(|e| {
            panic!(
                "read {}: {e} (run `npm --prefix ui install`)",
                dist.join(name).display()
            )
        })
    };
    let bundle = read("rrweb-player.umd.cjs");
    let css = read("style.css");
    let script =
        format!("(function () {{\n{bundle}\n}}).call(window); return typeof window.rrwebPlayer;");
    let kind = app.js(&script, vec![]).await;
    assert!(
        kind == "function" || kind == "object",
        "rrweb-player's bundle did not define window.rrwebPlayer ({kind})"
    );
    app.js(
        "const [css] = arguments; const s = document.createElement('style'); s.textContent = css; \
         document.head.appendChild(s); \
         const d = document.createElement('div'); d.id = 'bench-stock'; \
         d.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:#fff;overflow:hidden'; \
         document.body.appendChild(d); return true;",
        vec![json!(css)],
    )
    .await;
}

/// Runs an async script (its last argument is the callback) and returns what it reports;
/// panics on `{error}`.
async fn measure(app: &App, script: &str, args: Vec<Value>) -> Value {
    let out = app
        .client
        .execute_async(script, args)
        .await
        .unwrap_or_else(|e| panic!("benchmark script failed: {e}\n{script}"));
    if out.get("error").is_some() || out.get("ms").and_then(Value::as_f64).is_none() {
        match app.fail(&format!("benchmark script reported {out}")).await {}
    }
    out
}

/// Seeks to every target once (cold), then `warm` more rounds over all of them; returns per
/// target the cold time and the warm times.
async fn seek_all<F>(
    app: &App,
    targets: &[(f64, i64, String)],
    warm: usize,
    script: F,
) -> Vec<(f64, Vec<f64>)>
where
    F: Fn(&(f64, i64, String)) -> (&'static str, Vec<Value>),
{
    let mut out: Vec<(f64, Vec<f64>)> = targets.iter().map(|_| (0.0, Vec::new())).collect();
    for round in 0..=warm {
        for (i, t) in targets.iter().enumerate() {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let (js, args) = script(t);
            let ms = measure(app, js, args).await["ms"].as_f64().unwrap();
            if round == 0 {
                out[i].0 = ms;
            } else {
                out[i].1.push(ms);
            }
        }
    }
    out
}

fn import(library: &Path, file: &Path) -> String {
    let mut lib = Library::open(library).unwrap();
    lib.import_file(file, &ImportOptions::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("import {}: {e}", file.display()))
        .session()
        .id
        .clone()
}

/// Clicks a feed row and waits for that session's first frame (the app's own probe).
async fn select(app: &App, id: &str) {
    app.js(
        "document.querySelector(`[data-testid=\"session-row\"][data-session-id=\"${arguments[0]}\"]`).click()",
        vec![json!(id)],
    )
    .await;
    let script = format!(
        "const o = window.__tapedeck.lastOpen(); return o && o.id === '{id}' ? o.selectToFirstFrameMs : null"
    );
    app.wait_js_for("the first frame", &script, Duration::from_secs(120))
        .await;
}

fn row(name: &str, tapedeck: f64, stock: f64) {
    println!(
        "| {name} | {tapedeck:.0} ms | {stock:.0} ms | {:.2} |",
        stock / tapedeck.max(0.001)
    );
}

fn rounded(v: &[f64]) -> Vec<i64> {
    v.iter().map(|x| x.round() as i64).collect()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn p95(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = (v.len() as f64 * 0.95).ceil() as usize;
    v.get(i.max(1) - 1).copied().unwrap_or(f64::NAN)
}
