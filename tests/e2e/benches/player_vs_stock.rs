//! The player benchmark: time to first frame, seek latency and webview memory on big, long
//! recordings, for Tapedeck's player and for stock rrweb-player, on the same file, in the same
//! run, in the same browser engine — the real app's webview (WebKitGTK under Xvfb, driven by
//! tauri-driver).
//!
//! `make bench-player` records the recordings first (`tools/long-recording/record.mjs`: 65 min
//! of a page that mutates its DOM all the time, recorded with the real rrweb recorder, one full
//! snapshot at the start and no checkouts; `--profile heavy`, ~130 MB, and `--profile huge`,
//! ~550 MB) and needs `make app`. Options after `--`:
//! `--recording FILE` (repeatable; default `target/bench/long-recording-heavy.json` and
//! `target/bench/long-recording-huge.json`, each with its `.meta.json`),
//! `--runs N` fresh opens per player after the first one (default 3),
//! `--seeks N` warm seeks per point (default 5),
//! `--steps N` steps of the play-through to 90 % (default 30),
//! `--settle SECS` idle time after the app starts (default 10),
//! `--only tapedeck|stock` one player only,
//! `--stock auto|whole|streamed|both` how stock gets the recording (default `auto`: whole,
//! and streamed when the whole one fails).
//!
//! Each player runs in its own launch of the app on the same library (so one's memory is not
//! the other's), and the library holds the recordings, imported once with the defaults. How
//! each figure is taken, the same way for both players, in the webview:
//! - **First frame.** Tapedeck: from the click on the session's feed row. Stock, whole: from the
//!   start of fetching the whole recording over the same IPC (`chunk_events` of every chunk,
//!   the bytes Tapedeck's player fetches) through `TextDecoder`, `JSON.parse` and
//!   `new rrwebPlayer(...)`. Both end at the first animation frame in which the replay iframe
//!   shows the recorded page (its `#clock`). The first open after the app starts is reported
//!   apart, then the median and p95 of `--runs` more, each in a fresh player (Tapedeck: another
//!   session is opened in between; stock: the player is destroyed and made again).
//!   Stock, streamed (when one string of the whole recording fails, e.g. past the engine's
//!   string length limit, or with `--stock streamed|both`): the player is made from the first
//!   chunk (Meta and full snapshot) and its first frame timed the same way; then every other
//!   chunk is fetched and its events given to `addEvent`, and the time until all are in is
//!   reported too. Its seeks start once all are in.
//! - **Seek.** From the call (Tapedeck's player `seek`, through the test probe, right after the
//!   first frame: its player holds a bounded window of events and seeks through keyframes, so
//!   nothing is waited for; stock's `goto`, paused) to the first animation frame in which the
//!   replay iframe's DOM shows the target moment: the recorded page has a clock (`#clock`,
//!   whole seconds since its `t0`) and each target lies half a second after a tick, so only the
//!   right moment matches. Targets near 10, 50, 90 and 99 %. Every timed seek starts from the
//!   player paused at 1 % (an untimed seek there first): rrweb's Replayer plays on from where it
//!   is when the target is ahead, so without it a seek to 99 % after one to 90 % would time a
//!   step of 9 %. "Cold" is the first seek to a point in a fresh player: one per open, so
//!   `--runs`+1 of them per point. "Warm" are the `--seeks` rounds over all points that follow
//!   in the last player. p50 and p95 are nearest-rank.
//! - **Memory after playing through 90 %.** In the last player: `--steps` steps from 0 to 90 %,
//!   each a seek to the next point and about a second of play at 8×; then pause, wait 2 s, and
//!   read the resident memory (VmRSS, and Pss from `smaps_rollup`) of the app's
//!   WebKitWebProcess (found under this process in `/proc`; the network process is not counted),
//!   an upper bound of the page's JS heap and DOM. The same at app start, before anything is
//!   opened. WebKitGTK has no `performance.memory`; where it exists it is reported too, and so is
//!   the number of events the player's rrweb Replayer holds (Tapedeck's probe `heldEvents()`
//!   when it has it; stock's Replayer context).
//!
//! Stock rrweb-player's UMD bundle (`ui/node_modules/rrweb-player`) is run in the app's page
//! through WebDriver `execute`, which the page's CSP (`script-src 'self'`) does not govern, in
//! an overlay above the app; no Tapedeck player is opened in that launch. Tapedeck's play, pause
//! and speed go through its probe (`play()`, `pause()`, `setSpeed(x)`) when it has them, else
//! through the player's buttons. A Markdown table per recording, both players side by side, is
//! printed at the end.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::wd::TimeoutConfiguration;
use serde_json::{json, Value};
use tapedeck_e2e::{target_dir, workspace_root, App, Launch};
use tapedeck_engine::{ImportOptions, Library};

const POINTS: [f64; 4] = [0.1, 0.5, 0.9, 0.99];
/// The play-through ends here.
const PLAY_TO: f64 = 0.9;
/// Each timed seek starts from the player paused here (a seek that is not timed), so a seek to
/// 99 % is one from the start, not a step on from the previous target: rrweb's Replayer plays
/// forward from where it is when the target is ahead.
const HOME: f64 = 0.01;

struct Opts {
    recordings: Vec<PathBuf>,
    runs: usize,
    seeks: usize,
    steps: usize,
    settle: u64,
    tapedeck: bool,
    stock: bool,
    stock_mode: String,
}

fn options() -> Opts {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let mut recordings: Vec<PathBuf> = args
        .windows(2)
        .filter(|w| w[0] == "--recording")
        .map(|w| {
            // cargo runs a bench in its package's folder: a relative path is the workspace's.
            let p = PathBuf::from(&w[1]);
            if p.is_relative() && !p.exists() {
                workspace_root().join(p)
            } else {
                p
            }
        })
        .collect();
    if recordings.is_empty() {
        recordings = ["long-recording-heavy.json", "long-recording-huge.json"]
            .iter()
            .map(|f| target_dir().join("bench").join(f))
            .collect();
    }
    let only = get("--only");
    assert!(
        matches!(only.as_deref(), None | Some("tapedeck") | Some("stock")),
        "--only tapedeck|stock"
    );
    let stock_mode = get("--stock").unwrap_or_else(|| "auto".into());
    assert!(
        matches!(stock_mode.as_str(), "auto" | "whole" | "streamed" | "both"),
        "--stock auto|whole|streamed|both"
    );
    Opts {
        recordings,
        runs: get("--runs").map_or(3, |v| v.parse().expect("--runs N")),
        seeks: get("--seeks").map_or(5, |v| v.parse().expect("--seeks N")),
        steps: get("--steps").map_or(30, |v| v.parse().expect("--steps N")),
        settle: get("--settle").map_or(10, |v| v.parse().expect("--settle SECS")),
        tapedeck: only.as_deref() != Some("stock"),
        stock: only.as_deref() != Some("tapedeck"),
        stock_mode,
    }
}

/// One recording, imported.
struct Recording {
    name: String,
    mb: f64,
    id: String,
    /// Tapedeck's time zero (the full snapshot's chunk start), epoch ms.
    zero: i64,
    /// The last event's time, epoch ms.
    end: i64,
    /// The chunks' sequence numbers, in order; the first holds the full snapshot.
    seqs: Vec<u32>,
    targets: Vec<Target>,
    /// Where every timed seek starts from: near the start (1 %).
    home: Target,
    play_steps: Vec<Target>,
}

/// A moment to seek to: half a second past a tick of the page's clock.
#[derive(Clone)]
struct Target {
    frac: f64,
    /// Epoch ms.
    at: i64,
    /// What the replayed page's `#clock` shows there.
    text: String,
    second: i64,
}

fn target(zero: i64, end: i64, page_t0: i64, frac: f64) -> Target {
    let at = zero + ((end - zero) as f64 * frac) as i64;
    let second = (at - page_t0) / 1000;
    Target {
        frac,
        at: page_t0 + second * 1000 + 500,
        text: format!("T+{second}"),
        second,
    }
}

/// What one player measured on one recording.
#[derive(Default)]
struct Figures {
    first_open: f64,
    first_frames: Vec<f64>,
    /// Per point: the cold seeks (one per open) and the warm ones.
    cold: Vec<Vec<f64>>,
    warm: Vec<Vec<f64>>,
    at_start: Option<Memory>,
    after_play: Option<Memory>,
    held_events: Option<f64>,
    /// Lines printed under the table.
    notes: Vec<String>,
}

#[derive(Clone, Copy)]
struct Memory {
    rss_kb: u64,
    pss_kb: Option<u64>,
    processes: usize,
    js_heap: Option<f64>,
}

#[tokio::main]
async fn main() {
    let opts = options();
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("bench.sqlite3");
    let other = import(&library, &workspace_root().join("samples/checkout.json"));
    let mut recordings = Vec::new();
    for path in &opts.recordings {
        recordings.push(prepare(&library, path, opts.steps));
    }
    let versions = format!(
        "stock = rrweb-player {} (its own bundled replayer); Tapedeck's player runs rrweb {}",
        package_version("rrweb-player"),
        package_version("rrweb")
    );

    let mut tables = Vec::new();
    for rec in &recordings {
        println!("\n=== {} ===", rec.name);
        let mut columns: Vec<(String, Figures)> = Vec::new();
        if opts.tapedeck {
            columns.push((
                "Tapedeck".into(),
                tapedeck(&library, rec, &other, &opts).await,
            ));
            if opts.stock {
                // Stock can take most of an hour on a big file: what is measured is kept
                // even if that run is stopped.
                println!("\n{}", table(rec, &opts, &versions, &columns));
            }
        }
        if opts.stock {
            for (mode, figures) in stock(&library, rec, &opts).await {
                columns.push((format!("stock, {mode}"), figures));
            }
        }
        let table = table(rec, &opts, &versions, &columns);
        println!("\n{table}");
        tables.push(table);
    }
    println!("\n=== all recordings ===");
    for t in tables {
        println!("\n{t}");
    }
}

/// Imports a recording and works out its targets.
fn prepare(library: &Path, path: &Path, steps: usize) -> Recording {
    let meta_path = path.with_extension("meta.json");
    let meta: Value = std::fs::read_to_string(&meta_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| {
            panic!(
                "{} is missing: record it first (`node tools/long-recording/record.mjs \
                 --profile heavy` or `--profile huge`, or `make bench-player`)",
                meta_path.display()
            )
        });
    let page_t0 = meta["t0"].as_i64().expect("t0 in the meta file");
    let started = Instant::now();
    let id = import(library, path);
    let import_s = started.elapsed().as_secs_f64();
    let window = Library::open(library)
        .unwrap()
        .session(&id)
        .unwrap()
        .windows[0]
        .clone();
    let first = window
        .chunks
        .iter()
        .find(|c| c.full_snapshot)
        .expect("a chunk with a full snapshot");
    let zero = first.start_ts;
    let end = window.chunks.iter().map(|c| c.end_ts).max().unwrap();
    let seqs: Vec<u32> = window
        .chunks
        .iter()
        .map(|c| c.seq)
        .filter(|&s| s >= first.seq)
        .collect();
    // Chunks with a keyframe, read through serde so this builds whatever the engine's fields.
    let keyframes = serde_json::to_value(&window.chunks)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .map(|cs| {
            cs.iter()
                .filter(|c| c.get("keyframe").is_some_and(|k| !k.is_null()))
                .count()
        });
    let mb = std::fs::metadata(path).unwrap().len() as f64 / 1e6;
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    println!(
        "recording: {name} ({mb:.1} MB, {} events, {:.1} min, {} chunks, {} with a keyframe; {}; \
         imported in {import_s:.1} s)",
        window.event_count,
        (end - zero) as f64 / 60_000.0,
        window.chunks.len(),
        keyframes.map_or("?".into(), |k| k.to_string()),
        meta["recorder"].as_str().unwrap_or("?"),
    );
    let targets = POINTS
        .iter()
        .map(|&f| target(zero, end, page_t0, f))
        .collect();
    let play_steps = (1..=steps)
        .map(|i| target(zero, end, page_t0, PLAY_TO * i as f64 / steps as f64))
        .collect();
    Recording {
        name,
        mb,
        id,
        zero,
        end,
        seqs,
        targets,
        home: target(zero, end, page_t0, HOME),
        play_steps,
    }
}

async fn launch(library: &Path, name: &str, settle: u64) -> App {
    let app = App::launch(
        name,
        Launch {
            library: Some(library.to_path_buf()),
            ..Launch::default()
        },
    )
    .await;
    app.client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(900)),
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
    app
}

// --- Tapedeck ---------------------------------------------------------------------------

async fn tapedeck(library: &Path, rec: &Recording, other: &str, opts: &Opts) -> Figures {
    let app = launch(library, "bench_player_tapedeck", opts.settle).await;
    let mut fig = Figures {
        at_start: read_memory(&app).await,
        cold: vec![Vec::new(); rec.targets.len()],
        ..Figures::default()
    };
    let probe = app
        .js(
            "const p = window.__tapedeck; \
             return ['play', 'pause', 'setSpeed', 'heldEvents'].filter(k => typeof p[k] === 'function')",
            vec![],
        )
        .await;
    fig.notes.push(format!(
        "Tapedeck's probe has {probe} (what it lacks is driven through the player's buttons)"
    ));
    let mut probe_ff = Vec::new();
    let mut open_steps = Vec::new();
    for _ in 0..=opts.runs {
        select(&app, other).await;
        let out = measure(
            &app,
            "const [id, done] = arguments; const t0 = performance.now(); \
             document.querySelector(`[data-testid=\"session-row\"][data-session-id=\"${id}\"]`).click(); \
             __bench.until(__bench.tapedeckDoc, d => /^T\\+/.test(d.getElementById('clock')?.textContent || '')) \
               .then(t => done({ms: t - t0})).catch(e => done({error: String(e)}));",
            vec![json!(rec.id)],
        )
        .await;
        fig.first_frames.push(ms(&out));
        let probe = app.js("return window.__tapedeck.lastOpen()", vec![]).await;
        probe_ff.push(probe["selectToFirstFrameMs"].as_f64().unwrap_or(f64::NAN));
        open_steps.push(steps_text(&probe["steps"]));
        // The cold seeks, at once after the first frame.
        for (i, t) in rec.targets.iter().enumerate() {
            fig.cold[i].push(tapedeck_seek(&app, rec, t, true).await);
        }
    }
    fig.first_open = fig.first_frames.remove(0);
    fig.notes.push(format!(
        "Tapedeck's own first-frame probe: {:?} ms",
        rounded(&probe_ff)
    ));
    fig.notes.push(format!(
        "Tapedeck's opens, when each step ended (ms from the click; the first open first): {}",
        open_steps.join("; ")
    ));
    fig.warm = warm_seeks(rec, opts.seeks, |t| tapedeck_seek(&app, rec, t, false)).await;
    fig.notes.extend(seek_breakdown());
    app.screenshot(&format!("{}-tapedeck-after-seeks", stem(rec)))
        .await;

    let started = Instant::now();
    app.js("__bench.tdSpeed(8); return true", vec![]).await;
    for t in &rec.play_steps {
        measure(
            &app,
            "const [ms, second, done] = arguments; __bench.tdPause(); \
             const t0 = performance.now(); window.__tapedeck.seek(ms); \
             __bench.until(__bench.tapedeckDoc, d => __bench.near(d, second)) \
               .then(t => { __bench.tdPlay(); setTimeout(() => done({ms: t - t0}), 1000); }) \
               .catch(e => done({error: String(e)}));",
            vec![json!(t.at - rec.zero), json!(t.second)],
        )
        .await;
    }
    let reached = app
        .js(
            "__bench.tdPause(); return window.__tapedeck.currentTime()",
            vec![],
        )
        .await
        .as_f64()
        .unwrap_or(f64::NAN);
    tokio::time::sleep(Duration::from_secs(2)).await;
    fig.after_play = read_memory(&app).await;
    fig.held_events = app
        .js(
            "const p = window.__tapedeck; return typeof p.heldEvents === 'function' ? p.heldEvents() : null",
            vec![],
        )
        .await
        .as_f64();
    fig.notes.push(format!(
        "Tapedeck's play-through: {} steps in {:.0} s, paused at {:.1} % of the recording",
        rec.play_steps.len(),
        started.elapsed().as_secs_f64(),
        reached / (rec.end - rec.zero) as f64 * 100.0
    ));
    app.screenshot(&format!("{}-tapedeck-after-play", stem(rec)))
        .await;
    app.close().await;
    fig
}

async fn tapedeck_seek(app: &App, rec: &Recording, t: &Target, cold: bool) -> f64 {
    tapedeck_seek_once(app, rec, &rec.home).await;
    let ms = tapedeck_seek_once(app, rec, t).await;
    let load = app
        .js(
            "return window.__tapedeck.segmentInfo?.()?.lastLoad ?? null",
            vec![],
        )
        .await;
    SEEK_LOADS.lock().unwrap().push((ms, load, cold));
    ms
}

/// Where each timed Tapedeck seek spent its time (the probe's `lastLoad`), and whether it was
/// a cold one, for the notes.
static SEEK_LOADS: std::sync::Mutex<Vec<(f64, Value, bool)>> = std::sync::Mutex::new(Vec::new());

/// The medians of the timed seeks' phases, cold and warm apart, and how many kept the page (no
/// new Replayer).
fn seek_breakdown() -> Vec<String> {
    let loads = std::mem::take(&mut *SEEK_LOADS.lock().unwrap());
    [(true, "cold"), (false, "warm")]
        .into_iter()
        .filter_map(|(cold, name)| {
            let some: Vec<_> = loads
                .iter()
                .filter(|(_, l, c)| l.is_object() && *c == cold)
                .map(|(ms, l, _)| (*ms, l.clone()))
                .collect();
            phases(name, some)
        })
        .collect()
}

fn phases(name: &str, loads: Vec<(f64, Value)>) -> Option<String> {
    if loads.is_empty() {
        return None;
    }
    let median = |f: &dyn Fn(&(f64, Value)) -> f64| {
        let mut v: Vec<f64> = loads.iter().map(f).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let field = |k: &'static str| move |(_, l): &(f64, Value)| l[k].as_f64().unwrap_or(f64::NAN);
    let work = |(_, l): &(f64, Value)| {
        ["fetchMs", "decodeMs", "buildMs", "showMs"]
            .iter()
            .map(|k| l[*k].as_f64().unwrap_or(0.0))
            .sum::<f64>()
    };
    let kept = loads.iter().filter(|(_, l)| l["kept"] == true).count();
    Some(format!(
        "Tapedeck's {name} seeks, medians (probe's lastLoad): fetch {:.0}, decode {:.0}, new Replayer {:.0}, \
         rebuild/diff and fast-forward {:.0}, then until the frame shows {:.0} ms; {kept} of {} kept the page",
        median(&field("fetchMs")),
        median(&field("decodeMs")),
        median(&field("buildMs")),
        median(&field("showMs")),
        median(&|x| x.0 - work(x)),
        loads.len(),
    ))
}

async fn tapedeck_seek_once(app: &App, rec: &Recording, t: &Target) -> f64 {
    ms(&measure(
        app,
        "const [ms, text, done] = arguments; __bench.tdPause(); const t0 = performance.now(); \
         window.__tapedeck.seek(ms); \
         __bench.until(__bench.tapedeckDoc, d => d.getElementById('clock')?.textContent === text) \
           .then(t => done({ms: t - t0})) \
           .catch(e => done({error: `${e} seeking to ${ms} ms (${text}): the replay shows \
             ${__bench.tapedeckDoc()?.getElementById('clock')?.textContent}, the player is at \
             ${window.__tapedeck.currentTime()} ms, playing: ${window.__tapedeck.playing()}`}));",
        vec![json!(t.at - rec.zero), json!(t.text)],
    )
    .await)
}

/// An open's steps (`OpenTiming.steps`), in the order they ended.
fn steps_text(steps: &Value) -> String {
    let mut v: Vec<(String, f64)> = steps
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, t)| Some((k.clone(), t.as_f64()?)))
                .collect()
        })
        .unwrap_or_default();
    v.sort_by(|a, b| a.1.total_cmp(&b.1));
    v.iter()
        .map(|(k, t)| format!("{k} {t:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
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

// --- stock rrweb-player -----------------------------------------------------------------

/// Runs stock rrweb-player in the modes `--stock` asks for; returns each mode's figures.
async fn stock(library: &Path, rec: &Recording, opts: &Opts) -> Vec<(String, Figures)> {
    let mut out = Vec::new();
    let mut whole_failed = None;
    if opts.stock_mode != "streamed" {
        match stock_run(library, rec, opts, false).await {
            Ok(f) => out.push(("whole recording".to_owned(), f)),
            Err(e) => {
                println!("stock, whole recording: FAILS: {e}");
                whole_failed = Some(e);
            }
        }
    }
    let streamed = match opts.stock_mode.as_str() {
        "streamed" | "both" => true,
        "auto" => whole_failed.is_some(),
        _ => false,
    };
    if streamed {
        match stock_run(library, rec, opts, true).await {
            Ok(mut f) => {
                if let Some(e) = &whole_failed {
                    f.notes.insert(
                        0,
                        format!(
                            "stock, the whole recording in one piece (fetch + TextDecoder + \
                             JSON.parse): fails: {e}"
                        ),
                    );
                }
                out.push(("streamed (addEvent chunk by chunk)".to_owned(), f));
            }
            Err(e) => println!("stock, streamed: FAILS: {e}"),
        }
    }
    if out.is_empty() {
        let mut f = Figures::default();
        f.notes.push(format!(
            "stock: no figures ({})",
            whole_failed.unwrap_or_else(|| "failed".into())
        ));
        out.push(("failed".into(), f));
    }
    out
}

/// One launch of the app with stock rrweb-player in it. An error while getting the whole
/// recording in (the script's or the webview's) is returned, not a panic.
async fn stock_run(
    library: &Path,
    rec: &Recording,
    opts: &Opts,
    streamed: bool,
) -> Result<Figures, String> {
    let name = if streamed {
        "bench_player_stock_streamed"
    } else {
        "bench_player_stock"
    };
    let app = launch(library, name, opts.settle).await;
    let mut fig = Figures {
        at_start: read_memory(&app).await,
        cold: vec![Vec::new(); rec.targets.len()],
        ..Figures::default()
    };
    assert!(
        app.js(
            "return document.querySelector('[data-testid=\"replay\"] iframe') === null",
            vec![]
        )
        .await
        .as_bool()
        .unwrap(),
        "a Tapedeck player is open; the stock player would share the page with it"
    );
    install_stock_player(&app).await;
    let (w, h) = {
        let r = app
            .js("return [window.innerWidth, window.innerHeight]", vec![])
            .await;
        (r[0].as_f64().unwrap(), r[1].as_f64().unwrap())
    };
    let mut loads = Vec::new();
    let mut all_in = Vec::new();
    for run in 0..=opts.runs {
        let args = vec![json!(rec.id), json!(rec.seqs), json!(w), json!(h)];
        let out = if streamed {
            try_measure(&app, STOCK_STREAMED, args).await
        } else {
            try_measure(&app, STOCK_WHOLE, args).await
        };
        let out = match out {
            Ok(v) => v,
            Err(e) => {
                app.screenshot(&format!("{}-stock-failed", stem(rec))).await;
                app.close().await;
                return Err(e);
            }
        };
        fig.first_frames.push(ms(&out));
        if streamed {
            all_in.push(out["all"].as_f64().unwrap_or(f64::NAN));
        } else {
            loads.push(out["parsed"].as_f64().unwrap_or(f64::NAN));
        }
        if run == 0 {
            let start = out["startTime"].as_i64().unwrap_or(rec.zero);
            println!(
                "stock rrweb-player: {} events, its time zero {} ms after Tapedeck's",
                out["events"],
                start - rec.zero
            );
        }
        for (i, t) in rec.targets.iter().enumerate() {
            fig.cold[i].push(stock_seek(&app, rec, t).await);
        }
    }
    fig.first_open = fig.first_frames.remove(0);
    if streamed {
        fig.notes.push(format!(
            "stock, streamed: every event added {:?} ms after the start of the first fetch \
             (the first after the app started, then {} runs)",
            rounded(&all_in),
            opts.runs
        ));
    } else {
        fig.notes.push(format!(
            "stock, whole: of its first frames {:?} ms, fetch + decode + parse took {:?} ms",
            rounded(
                &std::iter::once(fig.first_open)
                    .chain(fig.first_frames.iter().copied())
                    .collect::<Vec<_>>()
            ),
            rounded(&loads)
        ));
    }
    fig.warm = warm_seeks(rec, opts.seeks, |t| stock_seek(&app, rec, t)).await;
    app.screenshot(&format!("{}-stock-after-seeks", stem(rec)))
        .await;

    let started = Instant::now();
    app.js("window.__benchStock.setSpeed(8); return true", vec![])
        .await;
    for t in &rec.play_steps {
        measure(
            &app,
            "const [at, second, done] = arguments; const p = window.__benchStock; p.pause(); \
             const ms = at - p.getMetaData().startTime; const t0 = performance.now(); \
             p.goto(ms, true); \
             __bench.until(__bench.stockDoc, d => __bench.near(d, second)) \
               .then(t => setTimeout(() => done({ms: t - t0}), 1000)) \
               .catch(e => done({error: String(e)}));",
            vec![json!(t.at), json!(t.second)],
        )
        .await;
    }
    let reached = app
        .js(
            "const p = window.__benchStock; p.pause(); \
             return p.getReplayer().getCurrentTime() + p.getMetaData().startTime",
            vec![],
        )
        .await
        .as_f64()
        .unwrap_or(f64::NAN);
    tokio::time::sleep(Duration::from_secs(2)).await;
    fig.after_play = read_memory(&app).await;
    fig.held_events = app
        .js(
            "try { return window.__benchStock.getReplayer().service.state.context.events.length } \
             catch (e) { return null }",
            vec![],
        )
        .await
        .as_f64();
    fig.notes.push(format!(
        "stock's play-through: {} steps in {:.0} s, paused at {:.1} % of the recording",
        rec.play_steps.len(),
        started.elapsed().as_secs_f64(),
        (reached - rec.zero as f64) / (rec.end - rec.zero) as f64 * 100.0
    ));
    app.screenshot(&format!("{}-stock-after-play", stem(rec)))
        .await;
    app.close().await;
    Ok(fig)
}

/// The whole recording over the IPC, decoded and parsed, then a new player on it.
const STOCK_WHOLE: &str = "const [id, seqs, width, height, done] = arguments; \
     if (window.__benchStock) { window.__benchStock.$destroy(); window.__benchStock = null; } \
     const target = document.getElementById('bench-stock'); target.replaceChildren(); \
     const t0 = performance.now(); \
     window.__TAURI_INTERNALS__.invoke('chunk_events', \
         {id, window: 0, fromSeq: seqs[0], toSeq: seqs[seqs.length - 1]}) \
       .then(buf => { \
         const events = JSON.parse(new TextDecoder().decode(new Uint8Array(buf))); \
         buf = null; \
         const parsed = performance.now() - t0; \
         const Player = window.rrwebPlayer.default || window.rrwebPlayer; \
         const player = new Player({target, props: {events, width, height, autoPlay: false}}); \
         window.__benchStock = player; \
         return __bench.until(__bench.stockDoc, d => /^T\\+/.test(d.getElementById('clock')?.textContent || '')) \
           .then(t => done({ms: t - t0, parsed, events: events.length, \
                            startTime: player.getMetaData().startTime})); }) \
       .catch(e => done({error: String(e && e.message || e)}));";

/// The first chunk, a new player on it, its first frame; then every other chunk through
/// `addEvent`.
const STOCK_STREAMED: &str = "const [id, seqs, width, height, done] = arguments; \
     if (window.__benchStock) { window.__benchStock.$destroy(); window.__benchStock = null; } \
     const target = document.getElementById('bench-stock'); target.replaceChildren(); \
     const chunk = seq => window.__TAURI_INTERNALS__.invoke('chunk_events', \
         {id, window: 0, fromSeq: seq, toSeq: seq}) \
       .then(buf => JSON.parse(new TextDecoder().decode(new Uint8Array(buf)))); \
     const t0 = performance.now(); \
     chunk(seqs[0]).then(events => { \
         const Player = window.rrwebPlayer.default || window.rrwebPlayer; \
         const player = new Player({target, props: {events, width, height, autoPlay: false}}); \
         window.__benchStock = player; \
         let count = events.length; \
         return __bench.until(__bench.stockDoc, d => /^T\\+/.test(d.getElementById('clock')?.textContent || '')) \
           .then(async t => { \
             for (const seq of seqs.slice(1)) { \
               const more = await chunk(seq); \
               for (const e of more) player.addEvent(e); \
               count += more.length; \
             } \
             await new Promise(r => setTimeout(r, 0)); \
             done({ms: t - t0, all: performance.now() - t0, events: count, \
                   startTime: player.getMetaData().startTime}); \
           }); }) \
       .catch(e => done({error: String(e && e.message || e)}));";

async fn stock_seek(app: &App, rec: &Recording, t: &Target) -> f64 {
    stock_seek_once(app, &rec.home).await;
    stock_seek_once(app, t).await
}

async fn stock_seek_once(app: &App, t: &Target) -> f64 {
    ms(&measure(
        app,
        "const [at, text, done] = arguments; const p = window.__benchStock; \
         const ms = at - p.getMetaData().startTime; const t0 = performance.now(); \
         p.goto(ms, false); \
         __bench.until(__bench.stockDoc, d => d.getElementById('clock')?.textContent === text) \
           .then(t => done({ms: t - t0})) \
           .catch(e => done({error: `${e} seeking to ${ms} ms (${text}): the replay shows \
             ${__bench.stockDoc()?.getElementById('clock')?.textContent}`}));",
        vec![json!(t.at), json!(t.text)],
    )
    .await)
}

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

// --- shared -----------------------------------------------------------------------------

/// In the webview: `__bench.until(doc, ok)` resolves with `performance.now()` in the animation
/// frame that first paints `ok(doc())` holding: checked at once (a seek in rrweb is
/// synchronous) and then in every frame; when it already holds at once, the next frame's.
/// `near(doc, second)`: the replayed clock shows that second or one of the next three (for
/// the play-through, where the player may already play on). Tapedeck's play, pause and speed:
/// through its probe when it has them, else through the player's controls.
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
    near(d, second) { \
      const m = /^T\\+(\\d+)$/.exec(d.getElementById('clock')?.textContent || ''); \
      return !!m && Number(m[1]) >= second && Number(m[1]) <= second + 3; \
    }, \
    tdButton: () => document.querySelector('[data-testid=\"play-toggle\"]'), \
    tdPlay() { const p = window.__tapedeck; \
      if (typeof p.play === 'function') p.play(); else if (!p.playing()) this.tdButton().click(); }, \
    tdPause() { const p = window.__tapedeck; \
      if (typeof p.pause === 'function') p.pause(); else if (p.playing()) this.tdButton().click(); }, \
    tdSpeed(x) { const p = window.__tapedeck; \
      if (typeof p.setSpeed === 'function') { p.setSpeed(x); return; } \
      const s = document.querySelector('[data-testid=\"speed\"]'); \
      s.value = String(x); s.dispatchEvent(new Event('change', {bubbles: true})); }, \
  }; return true;";

/// Seeks `warm` rounds over all targets; returns per target the times.
async fn warm_seeks<'a, F, Fut>(rec: &'a Recording, warm: usize, seek: F) -> Vec<Vec<f64>>
where
    F: Fn(&'a Target) -> Fut,
    Fut: std::future::Future<Output = f64>,
{
    let mut out = vec![Vec::new(); rec.targets.len()];
    for _ in 0..warm {
        for (i, t) in rec.targets.iter().enumerate() {
            tokio::time::sleep(Duration::from_millis(300)).await;
            out[i].push(seek(t).await);
        }
    }
    out
}

/// Runs an async script (its last argument is the callback) and returns what it reports;
/// panics on `{error}`.
async fn measure(app: &App, script: &str, args: Vec<Value>) -> Value {
    match try_measure(app, script, args).await {
        Ok(v) => v,
        Err(e) => match app.fail(&format!("benchmark script: {e}")).await {},
    }
}

async fn try_measure(app: &App, script: &str, args: Vec<Value>) -> Result<Value, String> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let out = app
        .client
        .execute_async(script, args)
        .await
        .map_err(|e| format!("the script failed: {e}"))?;
    if let Some(e) = out.get("error") {
        return Err(format!("the script reported: {e}"));
    }
    if out.get("ms").and_then(Value::as_f64).is_none() {
        return Err(format!("the script reported {out}"));
    }
    Ok(out)
}

fn ms(v: &Value) -> f64 {
    v["ms"].as_f64().unwrap()
}

/// The resident memory of the app's WebKitWebProcess(es), and the page's
/// `performance.memory.usedJSHeapSize` where it exists.
async fn read_memory(app: &App) -> Option<Memory> {
    let js_heap = app
        .js(
            "return performance.memory ? performance.memory.usedJSHeapSize : null",
            vec![],
        )
        .await
        .as_f64();
    let pids = web_processes();
    if pids.is_empty() {
        println!("no WebKitWebProcess found under this process: no memory figure");
        return None;
    }
    let mut mem = Memory {
        rss_kb: 0,
        pss_kb: Some(0),
        processes: pids.len(),
        js_heap,
    };
    for pid in pids {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        mem.rss_kb += kb_field(&status, "VmRSS:").unwrap_or(0);
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        mem.pss_kb = match (mem.pss_kb, kb_field(&rollup, "Pss:")) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    Some(mem)
}

fn kb_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l[name.len()..].split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// The processes named WebKitWebProcess (the kernel keeps 15 characters of the name) that
/// descend from an app process named `tapedeck` that descends from this process (tauri-driver,
/// WebKitWebDriver, the app).
fn web_processes() -> Vec<u32> {
    let me = std::process::id();
    let comm = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let parent = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = &stat[stat.rfind(')')? + 1..];
        rest.split_whitespace().nth(1)?.parse().ok()
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for pid in entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()) {
        if !comm(pid).starts_with("WebKitWebProces") {
            continue;
        }
        let (mut at, mut under_app) = (pid, false);
        for _ in 0..64 {
            let Some(p) = parent(at) else { break };
            if p == me {
                if under_app {
                    out.push(pid);
                }
                break;
            }
            if comm(p) == "tapedeck" {
                under_app = true;
            }
            if p <= 1 {
                break;
            }
            at = p;
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

fn package_version(name: &str) -> String {
    let path = workspace_root().join(format!("ui/node_modules/{name}/package.json"));
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v["version"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn stem(rec: &Recording) -> String {
    rec.name.trim_end_matches(".json").to_owned()
}

// --- the table --------------------------------------------------------------------------

fn table(rec: &Recording, opts: &Opts, versions: &str, columns: &[(String, Figures)]) -> String {
    let mut t = String::new();
    let push = |t: &mut String, line: String| {
        t.push_str(&line);
        t.push('\n');
    };
    push(
        &mut t,
        format!(
            "**{}** ({:.0} MB, {:.0} min): {} opens per player, {} warm seeks per point; {versions}",
            rec.name,
            rec.mb,
            (rec.end - rec.zero) as f64 / 60_000.0,
            opts.runs + 1,
            opts.seeks
        ),
    );
    push(&mut t, String::new());
    let mut header = "| measure |".to_owned();
    let mut rule = "|---|".to_owned();
    for (i, (name, _)) in columns.iter().enumerate() {
        header.push_str(&format!(" {name} |"));
        rule.push_str("---|");
        if i > 0 {
            header.push_str(&format!(" ÷ {} |", columns[0].0));
            rule.push_str("---|");
        }
    }
    push(&mut t, header);
    push(&mut t, rule);

    // Each row: a label and per column (p50, optional p95), in ms or MB.
    let mut row = |label: String, unit: &str, cells: Vec<Option<(f64, Option<f64>)>>| {
        let mut line = format!("| {label} |");
        let base = cells.first().copied().flatten();
        for (i, c) in cells.iter().enumerate() {
            line.push_str(&match c {
                Some((a, Some(b))) => format!(" {a:.0} ({b:.0}) {unit} |"),
                Some((a, None)) => format!(" {a:.0} {unit} |"),
                None => " — |".to_owned(),
            });
            if i > 0 {
                line.push_str(&match (base, c) {
                    (Some((a, pa)), Some((b, pb))) => match (pa, pb) {
                        (Some(pa), Some(pb)) => {
                            format!(" {:.2} ({:.2}) |", b / a.max(0.001), pb / pa.max(0.001))
                        }
                        _ => format!(" {:.2} |", b / a.max(0.001)),
                    },
                    _ => " — |".to_owned(),
                });
            }
        }
        push(&mut t, line);
    };
    let non_empty = |v: &[f64]| (!v.is_empty()).then_some(());
    row(
        "time to first frame, first open after the app starts".into(),
        "ms",
        columns
            .iter()
            .map(|(_, f)| non_empty(&f.first_frames).map(|_| (f.first_open, None)))
            .collect(),
    );
    row(
        format!(
            "time to first frame, the next {} opens: p50 (p95)",
            opts.runs
        ),
        "ms",
        columns
            .iter()
            .map(|(_, f)| {
                non_empty(&f.first_frames)
                    .map(|_| (pct(&f.first_frames, 0.5), Some(pct(&f.first_frames, 0.95))))
            })
            .collect(),
    );
    for (i, target) in rec.targets.iter().enumerate() {
        let p = target.frac * 100.0;
        row(
            format!(
                "seek from 1 % to {p:.0} %, cold (first in a fresh player, n={}): p50 (p95)",
                opts.runs + 1
            ),
            "ms",
            columns
                .iter()
                .map(|(_, f)| {
                    f.cold
                        .get(i)
                        .filter(|v| !v.is_empty())
                        .map(|v| (pct(v, 0.5), Some(pct(v, 0.95))))
                })
                .collect(),
        );
        row(
            format!(
                "seek from 1 % to {p:.0} %, warm (n={}): p50 (p95)",
                opts.seeks
            ),
            "ms",
            columns
                .iter()
                .map(|(_, f)| {
                    f.warm
                        .get(i)
                        .filter(|v| !v.is_empty())
                        .map(|v| (pct(v, 0.5), Some(pct(v, 0.95))))
                })
                .collect(),
        );
    }
    let mb = |kb: u64| kb as f64 / 1024.0;
    for (label, pick) in [
        (
            "webview (WebKitWebProcess) resident memory at app start: RSS (Pss)",
            (|f: &Figures| f.at_start) as fn(&Figures) -> Option<Memory>,
        ),
        (
            "webview (WebKitWebProcess) resident memory after playing through 90 %: RSS (Pss)",
            |f: &Figures| f.after_play,
        ),
    ] {
        row(
            label.into(),
            "MB",
            columns
                .iter()
                .map(|(_, f)| pick(f).map(|m| (mb(m.rss_kb), m.pss_kb.map(mb))))
                .collect(),
        );
    }
    if columns
        .iter()
        .any(|(_, f)| f.after_play.is_some_and(|m| m.js_heap.is_some()))
    {
        row(
            "JS heap after playing through 90 % (performance.memory.usedJSHeapSize)".into(),
            "MB",
            columns
                .iter()
                .map(|(_, f)| {
                    f.after_play
                        .and_then(|m| m.js_heap)
                        .map(|b| (b / 1048576.0, None))
                })
                .collect(),
        );
    }
    row(
        "events the rrweb Replayer holds after playing through 90 %".into(),
        "",
        columns
            .iter()
            .map(|(_, f)| f.held_events.map(|n| (n, None)))
            .collect(),
    );
    push(&mut t, String::new());
    for (name, f) in columns {
        if let Some(m) = f.after_play.filter(|m| m.processes != 1) {
            push(
                &mut t,
                format!(
                    "- {name}: memory summed over {} WebKitWebProcess",
                    m.processes
                ),
            );
        }
        for n in &f.notes {
            push(&mut t, format!("- {n}"));
        }
    }
    t
}

fn rounded(v: &[f64]) -> Vec<i64> {
    v.iter().map(|x| x.round() as i64).collect()
}

/// Nearest-rank percentile.
fn pct(v: &[f64], q: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let i = (v.len() as f64 * q).ceil() as usize;
    v.get(i.max(1) - 1).copied().unwrap_or(f64::NAN)
}
