//! What the engine does for a seek, beside what it did before in the same run: the keyframe at
//! the target folded from the stored one before it, with the rest of its chunk
//! (`Library::seek_events`, what the player loads now), against assembling the stored keyframe
//! and the chunks through the target (`Library::chunk_events`, what the player loaded before
//! and still loads where no keyframe can be folded), and against folding the keyframe from
//! the recording's first event (`keyframes::keyframe_at`, a few points only: it reads it all).
//!
//! `cargo bench -p tapedeck-engine --bench seek -- --file RECORDING [--points 40]`

mod common;

/// The allocator the app and the CLI use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use tapedeck_engine::keyframes::json::{parse_recorded, Json};
use tapedeck_engine::keyframes::keyframe_at;
use tapedeck_engine::library::seek_range;
use tapedeck_engine::{ImportOptions, Library};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| common::option(&args, flag);
    let Some(file) = get("--file") else {
        eprintln!("usage: seek -- --file RECORDING [--points N]");
        std::process::exit(2);
    };
    let points: usize = get("--points").map_or(40, |v| v.parse().expect("--points N"));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut lib = Library::open(&dir.path().join("library.sqlite3")).expect("a library");
    let id = lib
        .import_file(file.as_ref(), &ImportOptions::default(), &mut |_| {})
        .expect("the recording imports")
        .session()
        .id
        .clone();
    let detail = lib.session(&id).unwrap();
    let chunks = &detail.windows[0].chunks;
    let (start, end) = (
        chunks[0].start_ts as f64,
        chunks.last().unwrap().end_ts as f64,
    );
    println!(
        "recording: {file} ({:.0} min, {} chunks, {} keyframes)\n",
        (end - start) / 60_000.0,
        chunks.len(),
        chunks.iter().filter(|c| c.keyframe.is_some()).count()
    );

    let (mut folded, mut stored) = (Vec::new(), Vec::new());
    let (mut folded_bytes, mut stored_bytes) = (0, 0);
    for i in 0..points {
        // Evenly spread over the recording, past its first keyframe interval.
        let t = start + (end - start) * (0.05 + 0.95 * i as f64 / points as f64);
        let r = seek_range(chunks, t).unwrap();
        let began = Instant::now();
        let bytes = lib
            .chunk_events(&id, 0, r.from_seq, r.to_seq, r.keyframe)
            .unwrap();
        stored.push(began.elapsed().as_secs_f64() * 1e3);
        stored_bytes += bytes.len();
        let began = Instant::now();
        let bytes = lib
            .seek_events(&id, 0, t)
            .unwrap()
            .expect("a keyframe to fold from");
        folded.push(began.elapsed().as_secs_f64() * 1e3);
        folded_bytes += bytes.len();
    }
    let from_start: Vec<f64> = [0.25, 0.5, 0.95]
        .iter()
        .map(|f| {
            let t = start + (end - start) * f;
            let began = Instant::now();
            let bytes = lib.events(&id, 0, None, None).unwrap();
            let Ok(Json::Array(events)) = parse_recorded(&bytes) else {
                panic!("stored events parse");
            };
            std::hint::black_box(keyframe_at(events, t));
            began.elapsed().as_secs_f64() * 1e3
        })
        .collect();

    println!("| what a seek's bytes cost the engine ({points} points) | p50 | p95 | MB per seek |");
    println!("|---|---|---|---|");
    let row = |what: &str, v: &mut Vec<f64>, bytes: usize| {
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1];
        println!(
            "| {what} | {:.1} ms | {:.1} ms | {:.2} |",
            at(0.5),
            at(0.95),
            bytes as f64 / points as f64 / 1e6
        );
    };
    row(
        "stored keyframe and chunks through the target (`chunk_events`, before)",
        &mut stored,
        stored_bytes,
    );
    row(
        "keyframe at the target and the rest of its chunk (`seek_events`, now)",
        &mut folded,
        folded_bytes,
    );
    println!(
        "\nthe same keyframe folded from the first event instead (25, 50, 95 %): {} ms",
        from_start
            .iter()
            .map(|ms| format!("{ms:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "seek_events p50 = {:.1}x chunk_events p50; the player fetches {:.2}x the bytes",
        folded[points / 2] / stored[points / 2],
        folded_bytes as f64 / stored_bytes as f64
    );
}
