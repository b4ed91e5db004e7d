//! `tapedeck keyframe`: a window's replay state at a time, as the events a player can start
//! from (Meta, a synthetic FullSnapshot, then the events restoring what it does not hold).

use std::io::Write;
use std::process::ExitCode;

use tapedeck_engine::keyframes::json::{parse_recorded, Json};
use tapedeck_engine::keyframes::{keyframe_at, Keyframe};
use tapedeck_engine::library::Reanalyze;
use tapedeck_engine::{Error, Library, Result};

/// Prints the keyframe's events as one JSON array; what it leaves out goes to stderr.
/// `at` is milliseconds from the session's start, or an epoch-ms timestamp (as `events`).
/// Folded from the stored keyframe last before `at` unless `from_start` (or before the first
/// full snapshot, which only the start gives).
pub fn run(
    library: &mut Library,
    id: &str,
    at: f64,
    window: u32,
    from_start: bool,
) -> Result<ExitCode> {
    let start = library.summary(id)?.started_at as f64;
    let t = if at >= start { at } else { start + at };
    let folded = if from_start {
        None
    } else {
        build_stale(library, id)?;
        library.keyframe_at(id, window, t)?
    };
    let kf = match folded {
        Some(kf) => kf,
        None => keyframe_from_start(library, id, window, t)?,
    };
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

/// The keyframe at `t` folded from every event of the window.
fn keyframe_from_start(library: &Library, id: &str, window: u32, t: f64) -> Result<Keyframe> {
    // All of them: before the first full snapshot, the keyframe is that snapshot's page.
    let bytes = library.events(id, window, None, None)?;
    let events = match parse_recorded(&bytes) {
        Ok(Json::Array(events)) => events,
        Ok(_) => return Err(Error::Storage("stored events are not an array".into())),
        Err(e) => return Err(Error::Storage(format!("stored events do not parse: {e}"))),
    };
    Ok(keyframe_at(events, t))
}

/// Writes the session's keyframes if they are from an older build (or it was imported before
/// them).
fn build_stale(library: &mut Library, id: &str) -> Result<()> {
    if library.stale_keyframe_count()? > 0 {
        library.build_keyframes(&Reanalyze::Sessions(vec![id.to_string()]), &mut |_| {})?;
    }
    Ok(())
}

/// Prints the events a seek to `at` loads, as one JSON array: the keyframe stored last before
/// it (or the full snapshot a chunk starts with), then every event of the chunks from there
/// through the one holding `at`. The seek range goes to stderr.
pub fn stored(library: &mut Library, id: &str, at: f64, window: u32) -> Result<ExitCode> {
    build_stale(library, id)?;
    let detail = library.session(id)?;
    let start = detail.summary.started_at as f64;
    let t = if at >= start { at } else { start + at };
    let w = detail
        .windows
        .iter()
        .find(|w| w.index == window)
        .ok_or_else(|| Error::WindowNotFound {
            id: detail.summary.id.clone(),
            window,
        })?;
    let Some(range) = tapedeck_engine::library::seek_range(&w.chunks, t) else {
        eprintln!("no chunk of this window starts with a full snapshot or has a keyframe");
        return Ok(ExitCode::FAILURE);
    };
    let bytes = library.chunk_events(
        &detail.summary.id,
        window,
        range.from_seq,
        range.to_seq,
        range.keyframe,
    )?;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&bytes);
    let _ = out.write_all(b"\n");
    if range.keyframe {
        for note in library.keyframe_notes(&detail.summary.id, window, range.from_seq)? {
            eprintln!("note: {note}");
        }
    }
    eprintln!(
        "chunks {}..={}{}",
        range.from_seq,
        range.to_seq,
        if range.keyframe {
            " after their keyframe"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}
