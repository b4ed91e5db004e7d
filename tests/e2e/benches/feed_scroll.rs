//! Scrolling the feed in the real app (WebKitGTK under Xvfb) on a library of 100 000
//! sessions, beside the same scroll on a library of 1 000 in the same run: the frame times a
//! user feels while flinging through the feed, and how often a row still showed as a
//! placeholder (its page not yet fetched).
//!
//! `make bench-feed` (needs `make app` first; the 100 000-session library is the one
//! `make bench-library` makes in `target/bench/`, generated here if missing). Options after
//! `--`: `--sessions N` (default 100000), `--seconds S` per scroll (default 4).

use std::time::Duration;

use serde_json::Value;
use tapedeck_e2e::{App, Launch};
use tapedeck_engine::synth::{generated_library, sample_bases};

const USERS: u64 = 20_000;
const DAYS: u64 = 365;
const NOW: i64 = 1_796_126_400_000;

/// Scrolls the feed at `speed` px per frame for `seconds`, then reads the frame intervals
/// and how many frames showed placeholder rows.
const SCROLL: &str = r#"
const [speed, seconds, done] = arguments;
const list = document.querySelector('[data-testid="feed-list"]');
const frames = [];
let placeholderFrames = 0;
let last = performance.now();
const end = last + seconds * 1000;
function step(now) {
  frames.push(now - last);
  last = now;
  if (list.querySelector('[data-testid="session-placeholder"]')) placeholderFrames++;
  list.scrollTop += speed;
  if (list.scrollTop + list.clientHeight >= list.scrollHeight - 1) list.scrollTop = 0;
  if (now < end) requestAnimationFrame(step);
  else done({ frames: frames.slice(1), placeholderFrames, rows: list.scrollHeight });
}
requestAnimationFrame(step);
"#;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse::<u64>().expect("a number"))
    };
    let sessions = get("--sessions").unwrap_or(100_000);
    let seconds = get("--seconds").unwrap_or(4);
    let bases = sample_bases();
    let small = generated_library(&bases, 1_000, USERS, DAYS, NOW);
    let large = generated_library(&bases, sessions, USERS, DAYS, NOW);

    println!("feed scroll, {seconds} s per run, frame interval in ms (a 60 Hz display draws every 16.7):");
    println!(
        "  {:<16} {:>6} {:>8} {:>8} {:>8} {:>10} {:>13}",
        "library", "speed", "p50", "p95", "max", "> 25 ms", "placeholders"
    );
    let mut p95s = Vec::new();
    let large_name = format!("{sessions}");
    for (name, library) in [("1000", &small), (large_name.as_str(), &large)] {
        // The app writes to its library (statistics, the log): a copy keeps the cache clean.
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("library.sqlite3");
        std::fs::copy(library, &copy).unwrap();
        let app = App::launch(
            "bench_feed_scroll",
            Launch {
                library: Some(copy),
                ..Launch::default()
            },
        )
        .await;
        app.wait_for("session-row").await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        for speed in [60, 600] {
            let out = app
                .client
                .execute_async(SCROLL, vec![Value::from(speed), Value::from(seconds)])
                .await
                .expect("the scroll script runs");
            let mut frames: Vec<f64> = out["frames"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_f64)
                .collect();
            let n = frames.len();
            frames.sort_by(f64::total_cmp);
            let at = |p: f64| frames[((n - 1) as f64 * p).round() as usize];
            let slow = frames.iter().filter(|&&f| f > 25.0).count();
            let placeholders = out["placeholderFrames"].as_u64().unwrap_or(0);
            println!(
                "  {name:<16} {:>4}px {:>8.1} {:>8.1} {:>8.1} {:>9.1}% {:>12.1}%",
                speed,
                at(0.5),
                at(0.95),
                frames[n - 1],
                100.0 * slow as f64 / n as f64,
                100.0 * placeholders as f64 / n as f64
            );
            p95s.push(at(0.95));
        }
        app.close().await;
    }
    if p95s.len() == 4 {
        println!(
            "  p95 at {sessions} ÷ p95 at 1000: {:.2} (slow scroll), {:.2} (fling)",
            p95s[2] / p95s[0],
            p95s[3] / p95s[1]
        );
    }
}
