//! The scan of a watched folder: what it holds is imported, what left it is marked missing.

use super::*;

/// Imports what `folder` holds (recursively) into the library, crediting its sessions to the
/// folder: new files are imported, changed ones replace their session, unchanged ones are
/// skipped without being read, and sessions whose file is gone are marked missing. A file
/// that fails is reported (and logged) and the rest goes on. The folder does not have to be
/// a watched one.
pub fn scan_folder(
    lib: &mut Library,
    folder: &Path,
    import: &ImportOptions,
    on_event: &mut dyn FnMut(WatchEvent),
) -> Result<ScanReport> {
    let root = std::fs::canonicalize(folder).map_err(|e| Error::io(folder, e))?;
    if !root.is_dir() {
        return Err(Error::NotAFolder {
            path: folder.to_path_buf(),
        });
    }
    let mut retry = Vec::new();
    scan(lib, &root, import, None, &|| true, &mut retry, on_event)
}

/// The scan behind [`scan_folder`] and the watcher. With `retry_window`, a file that fails
/// while it was modified within that window is put in `retry` instead of being reported (it
/// is probably still being written). `keep_going` is asked between files.
pub(super) fn scan(
    lib: &mut Library,
    root: &Path,
    import: &ImportOptions,
    retry_window: Option<Duration>,
    keep_going: &dyn Fn() -> bool,
    retry: &mut Vec<PathBuf>,
    on_event: &mut dyn FnMut(WatchEvent),
) -> Result<ScanReport> {
    let key = root.display().to_string();
    let mut report = ScanReport {
        folder: key.clone(),
        ..ScanReport::default()
    };
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    collect_files(root, &mut files, &mut unreadable);
    for (dir, e) in unreadable {
        let err = Error::io(&dir, e);
        lib.log(
            LogKind::ImportError,
            Some(&dir.display().to_string()),
            Some(err.code()),
            &format!("{err} (a folder inside the watched folder {key})"),
        )?;
        on_event(WatchEvent::Error {
            folder: Some(key.clone()),
            message: err.to_string(),
        });
    }
    let recordings = plan(files);
    report.total = recordings.len() as u32;

    // Files that left the folder since the last scan.
    let known = lib.sessions_under(root)?;
    let mut credit = Vec::new();
    let mut gone = HashSet::new();
    for s in &known {
        if Path::new(&s.source).exists() {
            if s.source_folder.as_deref() != Some(key.as_str()) {
                credit.push(s.source.clone());
            }
        } else if !s.missing && gone.insert(s.source.clone()) {
            let n = lib.mark_missing(&s.source)?;
            if n > 0 {
                report.missing += n;
                log_missing(lib, &s.source, n)?;
                on_event(WatchEvent::Missing {
                    folder: key.clone(),
                    path: s.source.clone(),
                    sessions: n,
                });
            }
        }
    }
    if !credit.is_empty() {
        lib.credit_to_folder(&credit, &key)?;
    }
    let failed_before = lib.import_failures_under(root)?;

    let mut progress = ScanProgress {
        folder: key.clone(),
        done: 0,
        total: report.total,
        imported: 0,
        failed: 0,
    };
    on_event(WatchEvent::ScanProgress(progress.clone()));
    for recording in &recordings {
        if !keep_going() {
            break;
        }
        let path = recording.path().display().to_string();
        let known_failure = failed_before.get(&path).filter(|f| {
            // Failed before, and has not changed since: say so again without a new log line.
            newest_mtime_ms(recording).is_some_and(|m| m <= f.at)
        });
        if let Some(f) = known_failure {
            report.failures.push(FileFailure {
                path: path.clone(),
                code: f.code.clone().unwrap_or_default(),
                message: f.message.clone(),
            });
            progress.failed += 1;
        } else {
            match import_one(lib, recording, &key, import, retry_window)? {
                Outcome::Imported { session, replaced } => {
                    report.imported += 1;
                    report.replaced += replaced as u32;
                    progress.imported += 1;
                    on_event(WatchEvent::Imported {
                        folder: key.clone(),
                        path,
                        session,
                        replaced,
                    });
                }
                Outcome::Restored(session) => {
                    report.restored += 1;
                    on_event(WatchEvent::Restored {
                        folder: key.clone(),
                        path,
                        session,
                    });
                }
                Outcome::Unchanged => report.unchanged += 1,
                Outcome::Failed(f) => {
                    progress.failed += 1;
                    on_event(WatchEvent::Failed {
                        folder: key.clone(),
                        path: f.path.clone(),
                        code: f.code.clone(),
                        message: f.message.clone(),
                    });
                    report.failures.push(f);
                }
                Outcome::Retry => retry.push(recording.path().to_path_buf()),
                Outcome::Gone => {}
            }
        }
        progress.done += 1;
        on_event(WatchEvent::ScanProgress(progress.clone()));
    }
    lib.log(
        LogKind::Watch,
        Some(&key),
        None,
        &format!(
            "scanned {key}: {} recordings, {} imported ({} replacing a changed file), {} \
             unchanged, {} failed, {} missing",
            report.total,
            report.imported,
            report.replaced,
            report.unchanged,
            report.failures.len(),
            report.missing
        ),
    )?;
    on_event(WatchEvent::Scanned(report.clone()));
    Ok(report)
}

pub(super) fn log_missing(lib: &Library, path: &str, sessions: u32) -> Result<()> {
    let what = if sessions == 1 {
        "its session is".to_string()
    } else {
        format!("its {sessions} sessions are")
    };
    lib.log(
        LogKind::Watch,
        Some(path),
        None,
        &format!("{path}: the file is gone; {what} kept in the library, marked missing"),
    )
}

/// What importing one recording of a watched folder came to.
pub(super) enum Outcome {
    Imported {
        session: Box<SessionSummary>,
        replaced: bool,
    },
    Restored(Box<SessionSummary>),
    Unchanged,
    Failed(FileFailure),
    /// Failed, but the file changed moments ago: probably still being written.
    Retry,
    /// The file went away while it was being read.
    Gone,
}

/// Imports one recording of the watched folder `folder`, unless the library already holds it
/// as it is now. A failure is logged (and returned as `Failed`), except as `Retry`/`Gone`.
pub(super) fn import_one(
    lib: &mut Library,
    recording: &Recording,
    folder: &str,
    import: &ImportOptions,
    retry_window: Option<Duration>,
) -> Result<Outcome> {
    let path = recording.path();
    let source = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let before = lib.sessions_by_source(&source)?;
    let mtime = newest_mtime_ms(recording);
    let len = recording_len(recording);
    // Imported after its last change, and the same size: nothing to read again. The size
    // guards against a write that landed while the import was reading.
    let up_to_date = before.first().is_some_and(|s| {
        !s.missing && mtime.is_some_and(|m| m < s.imported_at) && Some(s.file_bytes) == len
    });
    if up_to_date {
        return Ok(Outcome::Unchanged);
    }
    let opts = ImportOptions {
        origin: Origin {
            folder: Some(folder.to_string()),
            replace_same_source: true,
            ..Origin::default()
        },
        ..import.clone()
    };
    match lib.import(recording, &opts, &mut |_| {}) {
        Ok(ImportOutcome::Imported { session, .. }) => Ok(Outcome::Imported {
            session: Box::new(session),
            replaced: !before.is_empty(),
        }),
        Ok(ImportOutcome::AlreadyImported { session }) => {
            let moved = session.source != source
                && session.source_url.is_none()
                && !Path::new(&session.source).exists();
            if moved {
                lib.relocate_session(&session.id, &source, Some(folder))?;
                Ok(Outcome::Restored(Box::new(lib.summary(&session.id)?)))
            } else if before.iter().any(|s| s.missing && s.id == session.id) {
                Ok(Outcome::Restored(Box::new(session)))
            } else {
                Ok(Outcome::Unchanged)
            }
        }
        Err(e) if !path.exists() => {
            // Deleted while being read: the delete is handled as such, not as a failure.
            let _ = e;
            Ok(Outcome::Gone)
        }
        Err(e) if retry_window.is_some_and(|w| modified_within(recording, w)) => {
            let _ = e;
            Ok(Outcome::Retry)
        }
        Err(e) => {
            let failure = FileFailure {
                path: path.display().to_string(),
                code: e.code().to_string(),
                message: e.to_string(),
            };
            lib.log(
                LogKind::ImportError,
                Some(&failure.path),
                Some(&failure.code),
                &failure.message,
            )?;
            Ok(Outcome::Failed(failure))
        }
    }
}

pub(super) fn newest_mtime_ms(recording: &Recording) -> Option<i64> {
    recording
        .files()
        .into_iter()
        .map(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .ok()
                .map(epoch_ms)
        })
        .collect::<Option<Vec<i64>>>()
        .and_then(|v| v.into_iter().max())
}

/// Bytes the import reads (as `SessionSummary::file_bytes` counts them).
pub(super) fn recording_len(recording: &Recording) -> Option<u64> {
    let files = match recording {
        Recording::File(p) => vec![p.as_path()],
        Recording::SentryReplay { segments, .. } => segments.iter().map(PathBuf::as_path).collect(),
    };
    files
        .into_iter()
        .map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
        .sum()
}

pub(super) fn modified_within(recording: &Recording, window: Duration) -> bool {
    let now = epoch_ms(SystemTime::now());
    newest_mtime_ms(recording).is_some_and(|m| now - m < window.as_millis() as i64)
}

pub(super) fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Recordings from files: Sentry segments of one folder form one replay; a replay event
/// without segments beside it is left alone (it is not a recording).
pub(super) fn plan(files: Vec<PathBuf>) -> Vec<Recording> {
    plan_recordings(files)
        .into_iter()
        .filter(|r| match r {
            Recording::File(p) => !is_replay_event(p),
            Recording::SentryReplay { .. } => true,
        })
        .collect()
}

pub(super) fn is_replay_event(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| REPLAY_EVENT_NAMES.contains(&n))
}

/// The candidate files under `dir`, recursively, in name order. Hidden folders are skipped,
/// symbolic links to folders are not followed (a link back up would never end), and only
/// regular files are kept (opening a named pipe would block). Folders that cannot be read
/// are returned in `unreadable`.
pub(super) fn collect_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    unreadable: &mut Vec<(PathBuf, std::io::Error)>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            unreadable.push((dir.to_path_buf(), e));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let hidden = e.file_name().to_str().is_some_and(|n| n.starts_with('.'));
        let Ok(kind) = e.file_type() else { continue };
        if hidden {
            continue;
        }
        if kind.is_dir() {
            collect_files(&path, out, unreadable);
        } else if is_candidate(&path) && std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            out.push(path);
        }
    }
}
