//! `tapedeck keyframe`: a window's replay state at a time, as the events a player can start
//! from (Meta, a synthetic FullSnapshot, then the events restoring what it does not hold).

use std::io::Write;
use std::process::ExitCode;

use tapedeck_engine::keyframes::json::{parse, Json};
use tapedeck_engine::keyframes::keyframe_at;
use tapedeck_engine::{Error, Library, Result};

/// Prints the keyframe's events as one JSON array; what it leaves out goes to stderr.
/// `at` is milliseconds from the session's start, or an epoch-ms timestamp (as `events`).
pub fn run(library: &Library, id: &str, at: f64, window: u32) -> Result<ExitCode> {
    let start = library.summary(id)?.started_at as f64;
    let t = if at >= start { at } else { start + at };
    // All of them: before the first full snapshot, the keyframe is that snapshot's page.
    let bytes = library.events(id, window, None, None)?;
    let events = match parse(&bytes) {
        Ok(Json::Array(events)) => events,
        Ok(_) => return Err(Error::Storage("stored events are not an array".into())),
        Err(e) => return Err(Error::Storage(format!("stored events do not parse: {e}"))),
    };
    let kf = keyframe_at(events, t);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(kf.to_json().as_bytes());
    let _ = out.write_all(b"\n");
    for note in &kf.notes {
        eprintln!("note: {note}");
    }
    if kf.carried > 0 {
        eprintln!("{} recorded events carried forward", kf.carried);
    }
    // No snapshot yet means nothing a player could start from.
    Ok(if kf.events.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
