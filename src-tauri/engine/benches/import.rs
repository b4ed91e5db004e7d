//! Import throughput and memory on a large recording, beside a plain `serde_json` parse of the
//! same file in the same run.
//!
//! `cargo bench -p tapedeck-engine --bench import [-- --mb 150 --source FILE --runs 3]`
//!
//! The large recording is built from a real one (the repo's checkout sample by default): its
//! Meta and full snapshot, then its incremental events repeated with shifted timestamps until
//! the file reaches the target size. Each phase runs in a child process so its peak resident
//! memory (VmHWM) is its own.

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
        let secs = match phase {
            "serde" => phase_serde(&file),
            "import" => phase_import(&file, &PathBuf::from(&args[i + 3])),
            other => panic!("unknown phase {other}"),
        };
        println!("{secs} {}", peak_rss_kib());
        return;
    }
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let target_mb: u64 = get("--mb").map_or(120, |v| v.parse().expect("--mb N"));
    let runs: usize = get("--runs").map_or(3, |v| v.parse().expect("--runs N"));
    let source = get("--source").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/checkout.json")
    });

    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("large.json");
    let (bytes, events, span_ms) = build_large_recording(&source, &big, target_mb << 20);
    println!(
        "recording: {:.1} MB, {events} events, {:.1} min of recorded time (from {})",
        bytes as f64 / 1e6,
        span_ms / 60_000.0,
        source.file_name().unwrap().to_string_lossy()
    );

    let exe = std::env::current_exe().unwrap();
    let run = |phase: &str, extra: Option<&Path>| -> (f64, u64) {
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
        )
    };
    let mut serde = Vec::new();
    let mut import = Vec::new();
    for i in 0..runs {
        serde.push(run("serde", None));
        let lib = dir.path().join(format!("lib{i}.sqlite3"));
        import.push(run("import", Some(&lib)));
        let _ = std::fs::remove_file(&lib);
    }
    let best = |v: &[(f64, u64)]| v.iter().map(|r| r.0).fold(f64::MAX, f64::min);
    let peak = |v: &[(f64, u64)]| v.iter().map(|r| r.1).max().unwrap();
    let mb = bytes as f64 / 1e6;
    let (s, i) = (best(&serde), best(&import));
    println!();
    println!("| phase (best of {runs}) | time | throughput | peak RSS |");
    println!("|---|---|---|---|");
    println!(
        "| serde_json::from_slice::<Value> (read + parse) | {s:.2} s | {:.0} MB/s | {:.0} MB |",
        mb / s,
        peak(&serde) as f64 / 1024.0
    );
    println!(
        "| Tapedeck import (stream, index, zstd chunks, SQLite) | {i:.2} s | {:.0} MB/s | {:.0} MB |",
        mb / i,
        peak(&import) as f64 / 1024.0
    );
    println!();
    println!(
        "import throughput = {:.2}x the plain parse; import peak RSS = {:.2}x the file size",
        s / i,
        peak(&import) as f64 * 1024.0 / bytes as f64
    );
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

fn phase_import(file: &Path, lib: &Path) -> f64 {
    let mut lib = Library::open(lib).unwrap();
    let t = Instant::now();
    let outcome = lib
        .import_file(file, &ImportOptions::default(), &mut |_| {})
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert!(outcome.session().event_counts.total > 0);
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
