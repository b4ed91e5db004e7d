//! Import throughput and memory on a large recording, beside a plain `serde_json` parse of the
//! same file in the same run, and the same import without keyframes and without the analysis
//! (what each costs), with the library size each leaves.
//!
//! `cargo bench -p tapedeck-engine --bench import [-- --mb 150 --source FILE --runs 3]`
//! `cargo bench -p tapedeck-engine --bench import -- --file RECORDING` (a recording as it is)
//!
//! The large recording is built from a real one (the repo's checkout sample by default): its
//! Meta and full snapshot, then its incremental events repeated with shifted timestamps until
//! the file reaches the target size. Each phase runs in a child process so its peak resident
//! memory (VmHWM) is its own.

mod common;

/// The allocator the app and the CLI use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use tapedeck_engine::synth::build_large_recording;
use tapedeck_engine::{ImportOptions, Library};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--phase") {
        let phase = args[i + 1].as_str();
        let file = PathBuf::from(&args[i + 2]);
        let cpu_before = cpu_seconds();
        let secs = match phase {
            "serde" => phase_serde(&file),
            "import" => phase_import(&file, &PathBuf::from(&args[i + 3]), true, true),
            "import-no-keyframes" => phase_import(&file, &PathBuf::from(&args[i + 3]), true, false),
            "import-bare" => phase_import(&file, &PathBuf::from(&args[i + 3]), false, false),
            other => panic!("unknown phase {other}"),
        };
        println!("{secs} {} {}", peak_rss_kib(), cpu_seconds() - cpu_before);
        return;
    }
    let get = |flag: &str| common::option(&args, flag);
    let target_mb: u64 = get("--mb").map_or(120, |v| v.parse().expect("--mb N"));
    let runs: usize = get("--runs").map_or(3, |v| v.parse().expect("--runs N"));
    let source = get("--source").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/checkout.json")
    });

    let dir = tempfile::tempdir().unwrap();
    let big = match get("--file") {
        Some(f) => {
            let f = PathBuf::from(f);
            println!(
                "recording: {} ({:.1} MB)",
                f.display(),
                std::fs::metadata(&f).unwrap().len() as f64 / 1e6
            );
            f
        }
        None => {
            let big = dir.path().join("large.json");
            let (bytes, events, span_ms) = build_large_recording(&source, &big, target_mb << 20);
            println!(
                "recording: {:.1} MB, {events} events, {:.1} min of recorded time (from {})",
                bytes as f64 / 1e6,
                span_ms / 60_000.0,
                source.file_name().unwrap().to_string_lossy()
            );
            big
        }
    };
    let bytes = std::fs::metadata(&big).unwrap().len();

    let exe = std::env::current_exe().unwrap();
    let run = |phase: &str, extra: Option<&Path>| -> Run {
        let mut cmd = Command::new(&exe);
        cmd.args(["--phase", phase]).arg(&big);
        if let Some(e) = extra {
            cmd.arg(e);
        }
        let out = cmd.output().expect("child runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut parts = text.split_whitespace();
        (
            parts.next().unwrap().parse().unwrap(),
            parts.next().unwrap().parse().unwrap(),
            parts.next().unwrap().parse().unwrap(),
        )
    };
    let mut serde = Vec::new();
    let mut import = Vec::new();
    let mut no_keyframes = Vec::new();
    let mut bare = Vec::new();
    // Library size after each kind of import (the same every run).
    let mut sizes = std::collections::HashMap::new();
    for i in 0..runs {
        serde.push(run("serde", None));
        for (phase, results) in [
            ("import", &mut import),
            ("import-no-keyframes", &mut no_keyframes),
            ("import-bare", &mut bare),
        ] {
            let lib = dir.path().join(format!("{phase}{i}.sqlite3"));
            results.push(run(phase, Some(&lib)));
            let size: u64 = ["", "-wal"]
                .iter()
                .filter_map(|s| std::fs::metadata(format!("{}{s}", lib.display())).ok())
                .map(|m| m.len())
                .sum();
            sizes.insert(phase, size);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", lib.display()));
            }
        }
    }
    let best = |v: &[Run]| v.iter().map(|r| r.0).fold(f64::MAX, f64::min);
    let peak = |v: &[Run]| v.iter().map(|r| r.1).max().unwrap();
    // CPU time of the fastest run: the analysis runs on a second thread, so it costs more CPU
    // than wall time.
    let cpu = |v: &[Run]| {
        v.iter()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|r| r.2)
            .unwrap()
    };
    let mb = bytes as f64 / 1e6;
    let (s, i, k, b) = (
        best(&serde),
        best(&import),
        best(&no_keyframes),
        best(&bare),
    );
    println!();
    println!("| phase (best of {runs}) | time | throughput | CPU time | peak RSS |");
    println!("|---|---|---|---|---|");
    for (name, t, v) in [
        ("serde_json::from_slice::<Value> (read + parse)", s, &serde),
        (
            "Tapedeck import without analysis (stream, index, zstd chunks, SQLite)",
            b,
            &bare,
        ),
        (
            "Tapedeck import with analysis (+ DOM mirror, markers, segments), no keyframes",
            k,
            &no_keyframes,
        ),
        (
            "Tapedeck import with analysis and keyframes (the default)",
            i,
            &import,
        ),
    ] {
        // (The baseline frees its 2 GB tree after the clock stops; its CPU time is not shown.)
        let cpu_time = if std::ptr::eq(v, &serde) {
            "—".to_string()
        } else {
            format!("{:.2} s", cpu(v))
        };
        println!(
            "| {name} | {t:.2} s | {:.0} MB/s | {cpu_time} | {:.0} MB |",
            mb / t,
            peak(v) as f64 / 1024.0
        );
    }
    println!();
    println!(
        "import throughput = {:.2}x the plain parse; import peak RSS = {:.2}x the file size",
        s / i,
        peak(&import) as f64 * 1024.0 / bytes as f64
    );
    println!(
        "analysis cost = {:.1} % of import time (import with analysis is {:.2}x the import without); \
         CPU time {:.2}x",
        (k - b) / k * 100.0,
        k / b,
        cpu(&no_keyframes) / cpu(&bare)
    );
    println!(
        "keyframe cost = {:.1} % of import time (import with keyframes is {:.2}x the import \
         without, both with the analysis); CPU time {:.2}x",
        (i - k) / i * 100.0,
        i / k,
        cpu(&import) / cpu(&no_keyframes)
    );
    // Each run times the two imports one after the other: on a machine whose speed drifts,
    // the cost within a run says more than bests taken from different runs.
    let mut paired: Vec<f64> = import
        .iter()
        .zip(&no_keyframes)
        .map(|(i, k)| (i.0 - k.0) / i.0 * 100.0)
        .collect();
    paired.sort_by(f64::total_cmp);
    println!(
        "keyframe cost within each run: median {:.1} %, from {:.1} to {:.1} % ({runs} runs)",
        paired[paired.len() / 2],
        paired[0],
        paired[paired.len() - 1]
    );
    let (with, without) = (sizes["import"], sizes["import-no-keyframes"]);
    println!(
        "library size: {:.1} MB with keyframes, {:.1} MB without: keyframes add {:.1} % \
         ({:.2}x the recording's size without them, {:.2}x with)",
        with as f64 / 1e6,
        without as f64 / 1e6,
        (with as f64 / without as f64 - 1.0) * 100.0,
        without as f64 / bytes as f64,
        with as f64 / bytes as f64
    );
}

/// Wall seconds, peak RSS (KiB) and CPU seconds of one phase.
type Run = (f64, u64, f64);

/// User + system CPU time of this process (all threads), from /proc (100 ticks a second).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// The baseline: what "just parse it" costs.
fn phase_serde(file: &Path) -> f64 {
    let t = Instant::now();
    let bytes = std::fs::read(file).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let n = v.as_array().map_or(0, Vec::len);
    let secs = t.elapsed().as_secs_f64();
    assert!(n > 0);
    secs
}

fn phase_import(file: &Path, lib: &Path, analyse: bool, keyframes: bool) -> f64 {
    let mut lib = Library::open(lib).unwrap();
    let opts = ImportOptions {
        analyse,
        keyframes,
        ..ImportOptions::default()
    };
    let t = Instant::now();
    let outcome = lib.import_file(file, &opts, &mut |_| {}).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let session = outcome.session();
    assert!(session.event_counts.total > 0);
    // The analysis really ran (or really did not).
    assert_eq!(session.insights.page_count > 0, analyse);
    // Keyframes were written (or not): a long recording always gets some.
    assert_eq!(lib.stale_keyframe_count().unwrap() == 0, keyframes);
    secs
}

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
