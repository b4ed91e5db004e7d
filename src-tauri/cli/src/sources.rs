//! Subcommands that bring recordings in from elsewhere than a named file: watched folders
//! (`watch add|remove|list|run`) and downloads (`fetch URL`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tapedeck_engine::fetch::{fetch_and_import, FetchOptions, FetchProgress};
use tapedeck_engine::model::{LogKind, WatchedFolder};
use tapedeck_engine::watch::{scan_folder, FolderWatcher, ScanReport, WatchEvent, WatchOptions};
use tapedeck_engine::{ImportOptions, Library, Result};

use crate::output;
use crate::WatchAction;

pub fn watch(library: &mut Library, action: WatchAction) -> Result<ExitCode> {
    match action {
        WatchAction::Add { folder, json } => add(library, &folder, json),
        WatchAction::Remove { folder, json } => remove(library, &folder, json),
        WatchAction::List { json } => {
            let folders = library.watched_folders()?;
            if json {
                output::print_json(&folders);
            } else {
                print_folders(&folders);
            }
            Ok(ExitCode::SUCCESS)
        }
        WatchAction::Run { json } => run(library, json),
    }
}

/// `watch add --json`: the folder as the library now has it, and what its scan did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AddReport {
    folder: WatchedFolder,
    scan: ScanReport,
}

fn add(library: &mut Library, folder: &Path, json: bool) -> Result<ExitCode> {
    let added = library.add_watched_folder(folder)?;
    library.log(
        LogKind::Watch,
        Some(&added.path),
        None,
        &format!("watching {}", added.path),
    )?;
    // indicatif draws only when stderr is a terminal, so pipes and CI stay clean.
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("scanning [{bar:30}] {pos}/{len} recordings {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let report = scan_folder(
        library,
        Path::new(&added.path),
        &ImportOptions::default(),
        &mut |e| match e {
            WatchEvent::ScanProgress(p) => {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
                bar.set_message(format!("{} imported, {} failed", p.imported, p.failed));
            }
            WatchEvent::Failed { message, .. } => bar.suspend(|| eprintln!("error: {message}")),
            WatchEvent::Error { message, .. } => bar.suspend(|| eprintln!("warning: {message}")),
            _ => {}
        },
    )?;
    bar.finish_and_clear();
    let folder = library
        .watched_folders()?
        .into_iter()
        .find(|f| f.path == added.path)
        .unwrap_or(added);
    if json {
        output::print_json(&AddReport {
            folder,
            scan: report,
        });
    } else {
        println!("watching {}", folder.path);
        println!("  {}", scan_summary(&report));
    }
    // The folder is watched whatever some of its files hold; their failures are reported
    // above and kept in the library's log.
    Ok(ExitCode::SUCCESS)
}

fn scan_summary(r: &ScanReport) -> String {
    let mut parts = vec![
        format!("{} recordings", r.total),
        format!("{} imported", r.imported),
    ];
    if r.replaced > 0 {
        parts.push(format!("{} replacing a changed file", r.replaced));
    }
    parts.push(format!("{} already in the library", r.unchanged));
    if r.restored > 0 {
        parts.push(format!("{} back", r.restored));
    }
    parts.push(format!("{} failed", r.failures.len()));
    if r.missing > 0 {
        parts.push(format!("{} missing", r.missing));
    }
    parts.join(", ")
}

/// `watch remove --json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RemoveReport {
    path: String,
    removed: bool,
}

fn remove(library: &mut Library, folder: &Path, json: bool) -> Result<ExitCode> {
    let key = std::fs::canonicalize(folder)
        .unwrap_or_else(|_| std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf()))
        .display()
        .to_string();
    let sessions = library
        .watched_folders()?
        .into_iter()
        .find(|f| f.path == key)
        .map(|f| f.session_count);
    let removed = library.remove_watched_folder(folder)?;
    if removed {
        library.log(
            LogKind::Watch,
            Some(&key),
            None,
            &format!(
                "stopped watching {key}; its {} sessions stay in the library",
                sessions.unwrap_or(0)
            ),
        )?;
    }
    if json {
        output::print_json(&RemoveReport {
            path: key.clone(),
            removed,
        });
    } else if removed {
        println!(
            "stopped watching {key}; its {} sessions stay in the library",
            sessions.unwrap_or(0)
        );
    }
    if !removed {
        eprintln!("error: {key} is not a watched folder (see `tapedeck watch list`)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_folders(folders: &[WatchedFolder]) {
    if folders.is_empty() {
        println!("No watched folders. Add one with `tapedeck watch add FOLDER`.");
        return;
    }
    println!(
        "{:>8}  {:>7}  {:<19}  FOLDER",
        "SESSIONS", "MISSING", "ADDED (UTC)"
    );
    for f in folders {
        println!(
            "{:>8}  {:>7}  {:<19}  {}",
            f.session_count,
            f.missing_count,
            output::utc(f.added_at as f64),
            f.path
        );
    }
}

/// Watches every watched folder until the process is stopped (Ctrl-C): each file is its own
/// transaction, so stopping at any moment leaves the library consistent.
fn run(library: &mut Library, json: bool) -> Result<ExitCode> {
    let folders: Vec<_> = library
        .watched_folders()?
        .into_iter()
        .map(|f| std::path::PathBuf::from(f.path))
        .collect();
    if folders.is_empty() {
        eprintln!("error: no watched folders; add one with `tapedeck watch add FOLDER`");
        return Ok(ExitCode::FAILURE);
    }
    if !json {
        for f in &folders {
            eprintln!("watching {} (Ctrl-C to stop)", f.display());
        }
    }
    let _watcher = FolderWatcher::start(
        library.path(),
        &folders,
        WatchOptions::default(),
        move |e| print_event(&e, json),
    )?;
    loop {
        std::thread::park();
    }
}

fn print_event(e: &WatchEvent, json: bool) {
    if json {
        // One line per event; progress is left out (a scan ends with its report).
        if !matches!(e, WatchEvent::ScanProgress(_)) {
            println!(
                "{}",
                serde_json::to_string(e).expect("watch events serialise")
            );
        }
        return;
    }
    match e {
        WatchEvent::ScanProgress(_) => {}
        WatchEvent::Scanned(r) => println!("scanned {}: {}", r.folder, scan_summary(r)),
        WatchEvent::Imported {
            path,
            session,
            replaced,
            ..
        } => println!(
            "{} {}  {}  {} events",
            if *replaced { "replaced" } else { "imported" },
            short_id(&session.id),
            path,
            session.event_counts.total
        ),
        WatchEvent::Restored { path, session, .. } => {
            println!("back     {}  {}", short_id(&session.id), path)
        }
        WatchEvent::Missing { path, sessions, .. } => {
            println!("missing  {path}  ({sessions} sessions kept)")
        }
        WatchEvent::Failed { message, .. } => eprintln!("error: {message}"),
        WatchEvent::Error { message, .. } => eprintln!("warning: {message}"),
    }
}

fn short_id(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

pub fn fetch(
    library: &mut Library,
    url: &str,
    max_bytes: u64,
    timeout: u64,
    json: bool,
) -> Result<ExitCode> {
    let opts = FetchOptions {
        max_bytes,
        timeout: Duration::from_secs(timeout.max(1)),
        ..FetchOptions::default()
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template(
            "downloading [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let result = fetch_and_import(library, url, &opts, &mut |p: FetchProgress| {
        match p.bytes_total {
            Some(total) => bar.set_length(total),
            // Unknown size: the bar grows with what has come.
            None => bar.set_length(p.bytes_read),
        }
        bar.set_position(p.bytes_read);
    });
    bar.finish_and_clear();
    let name = Path::new(url);
    match result {
        Ok(outcome) => {
            if json {
                output::print_json(&[output::ImportReport::ok(name, outcome)]);
            } else {
                output::print_import(name, &outcome);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if json => {
            eprintln!("error: {e}");
            output::print_json(&[output::ImportReport::failed(name, &e)]);
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e),
    }
}
