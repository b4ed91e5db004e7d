//! Watched folders: a scan that imports what a folder holds (and notices what left it since
//! the last time), and a [`FolderWatcher`] that keeps doing so while it runs: new and changed
//! files are imported once they stop changing, deleted files' sessions are marked missing.
//!
//! A changed file replaces the session it had (which hands over its tags and comments); a
//! file that comes back unchanged is no longer missing; a file renamed or moved within a
//! watched folder keeps its session. Each file is its own transaction, so a failure in one
//! leaves the rest, and other writers (SQLite's busy timeout) only wait for one file.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::library::Origin;
use crate::model::{ImportOutcome, LogKind, SessionSummary};
use crate::sources::{plan_recordings, Recording, FOLDER_EXTENSIONS};
use crate::{ImportOptions, Library};

/// Names that are downloads or saves still in progress, whatever their extension.
const TEMP_SUFFIXES: &[&str] = &[".part", ".tmp", "~", ".crdownload", ".download", ".swp"];

/// The file next to Sentry segments that says who the user was; not a recording on its own.
const REPLAY_EVENT_NAMES: &[&str] = &["replay_event.json", "replay-event.json"];

/// How far a scan of a folder has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScanProgress {
    pub folder: String,
    /// Recordings looked at so far, of `total`.
    pub done: u32,
    pub total: u32,
    pub imported: u32,
    pub failed: u32,
}

/// One file that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FileFailure {
    pub path: String,
    pub code: String,
    pub message: String,
}

/// What a scan of a folder did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    pub folder: String,
    /// Recordings found (a Sentry replay's segment files count once).
    pub total: u32,
    /// New sessions, including ones that replaced the session of a changed file.
    pub imported: u32,
    /// Of `imported`, those that replaced an older version of their file.
    pub replaced: u32,
    /// Files already in the library as they are now (or that failed before as they are now).
    pub unchanged: u32,
    /// Sessions whose file is back (unchanged, or moved within the folder).
    pub restored: u32,
    /// Sessions whose file is gone since they were imported.
    pub missing: u32,
    /// Files that could not be imported (each also in the library's log).
    pub failures: Vec<FileFailure>,
}

/// What the watcher (or a scan) did, as it happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum WatchEvent {
    ScanProgress(ScanProgress),
    /// A scan finished.
    Scanned(ScanReport),
    /// A file became a new session (`replaced`: it replaced the one of its previous version).
    Imported {
        folder: String,
        path: String,
        session: Box<SessionSummary>,
        replaced: bool,
    },
    /// A missing session's file is back (unchanged, or renamed or moved within a folder).
    Restored {
        folder: String,
        path: String,
        session: Box<SessionSummary>,
    },
    /// A file could not be imported; also written to the library's log.
    Failed {
        folder: String,
        path: String,
        code: String,
        message: String,
    },
    /// A file (or a folder of files) is gone; its `sessions` are marked missing.
    Missing {
        folder: String,
        path: String,
        sessions: u32,
    },
    /// The watcher itself ran into trouble (a folder could not be watched, the system's
    /// limit of watches was reached); importing goes on where it can.
    Error {
        folder: Option<String>,
        message: String,
    },
}

impl WatchEvent {
    /// Whether the library's sessions changed (the feed should refresh).
    pub fn changes_library(&self) -> bool {
        match self {
            Self::Imported { .. } | Self::Restored { .. } => true,
            Self::Missing { sessions, .. } => *sessions > 0,
            Self::Scanned(r) => r.imported + r.restored + r.missing > 0,
            Self::ScanProgress(_) | Self::Failed { .. } | Self::Error { .. } => false,
        }
    }
}

/// Whether a file found in a watched folder is taken as a recording: a recording's file
/// name ending, not hidden, not a download or save still in progress.
pub fn is_candidate(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if name.starts_with('.') || TEMP_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return false;
    }
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FOLDER_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether any folder between `root` and `path` is hidden (`.git`, `.cache`…).
fn in_hidden_folder(root: &Path, path: &Path) -> bool {
    path.parent()
        .and_then(|p| p.strip_prefix(root).ok())
        .is_some_and(|rel| {
            rel.components()
                .any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with('.')))
        })
}

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
fn scan(
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

fn log_missing(lib: &Library, path: &str, sessions: u32) -> Result<()> {
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
enum Outcome {
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
fn import_one(
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

/// The files of a recording (a Sentry replay's segments and its replay event).
fn recording_files(recording: &Recording) -> Vec<&Path> {
    match recording {
        Recording::File(p) => vec![p.as_path()],
        Recording::SentryReplay {
            segments,
            replay_event,
        } => segments
            .iter()
            .map(PathBuf::as_path)
            .chain(replay_event.as_deref())
            .collect(),
    }
}

fn newest_mtime_ms(recording: &Recording) -> Option<i64> {
    recording_files(recording)
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
fn recording_len(recording: &Recording) -> Option<u64> {
    let files = match recording {
        Recording::File(p) => vec![p.as_path()],
        Recording::SentryReplay { segments, .. } => segments.iter().map(PathBuf::as_path).collect(),
    };
    files
        .into_iter()
        .map(|p| std::fs::metadata(p).ok().map(|m| m.len()))
        .sum()
}

fn modified_within(recording: &Recording, window: Duration) -> bool {
    let now = epoch_ms(SystemTime::now());
    newest_mtime_ms(recording).is_some_and(|m| now - m < window.as_millis() as i64)
}

fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Recordings from files: Sentry segments of one folder form one replay; a replay event
/// without segments beside it is left alone (it is not a recording).
fn plan(files: Vec<PathBuf>) -> Vec<Recording> {
    plan_recordings(files)
        .into_iter()
        .filter(|r| match r {
            Recording::File(p) => !is_replay_event(p),
            Recording::SentryReplay { .. } => true,
        })
        .collect()
}

fn is_replay_event(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| REPLAY_EVENT_NAMES.contains(&n))
}

/// The candidate files under `dir`, recursively, in name order. Hidden folders are skipped,
/// symbolic links to folders are not followed (a link back up would never end), and only
/// regular files are kept (opening a named pipe would block). Folders that cannot be read
/// are returned in `unreadable`.
fn collect_files(
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

/// How the watcher waits for files to settle.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time after a file's last event before it is looked at.
    pub debounce: Duration,
    /// Then its size and modification time must stay the same for this long: a file still
    /// being written is imported once, complete.
    pub stable_for: Duration,
    /// A file that fails to import while it was modified this recently is tried again later
    /// instead of being reported.
    pub retry_window: Duration,
    /// Scan every folder when the watcher starts (files added while nothing watched).
    pub scan_on_start: bool,
    pub import: ImportOptions,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            debounce: Duration::from_millis(300),
            stable_for: Duration::from_millis(500),
            retry_window: Duration::from_secs(3),
            scan_on_start: true,
            import: ImportOptions::default(),
        }
    }
}

enum Msg {
    Fs(notify::Result<notify::Event>),
    Add { folder: PathBuf, scan: bool },
    Remove(PathBuf),
    Rescan,
    Wake,
}

/// Watches folders on a thread of its own, with its own connection to the library, and
/// reports what it does through a callback. Stops when dropped.
pub struct FolderWatcher {
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
    roots: Arc<Mutex<Vec<PathBuf>>>,
    thread: Option<JoinHandle<()>>,
}

impl FolderWatcher {
    /// Starts watching `folders` (recursively), scanning each first when
    /// `opts.scan_on_start`. A folder that cannot be watched is reported as an
    /// [`WatchEvent::Error`]; the others go on.
    pub fn start(
        library: &Path,
        folders: &[PathBuf],
        opts: WatchOptions,
        on_event: impl FnMut(WatchEvent) + Send + 'static,
    ) -> Result<Self> {
        let lib = Library::open(library)?;
        let (tx, rx) = mpsc::channel();
        let fs_tx = tx.clone();
        let watcher = notify::recommended_watcher(move |e| {
            let _ = fs_tx.send(Msg::Fs(e));
        })
        .map_err(|e| Error::Watch {
            path: library.to_path_buf(),
            detail: format!("the system's file watching is unavailable: {e}"),
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        let roots = Arc::new(Mutex::new(Vec::new()));
        let mut state = WatchThread {
            lib,
            watcher,
            opts,
            on_event: Box::new(on_event),
            stop: stop.clone(),
            roots: roots.clone(),
            pending: HashMap::new(),
        };
        let initial: Vec<PathBuf> = folders.to_vec();
        let thread = std::thread::Builder::new()
            .name("tapedeck-watch".into())
            .spawn(move || state.run(initial, rx))
            .map_err(|e| Error::Watch {
                path: library.to_path_buf(),
                detail: format!("cannot start the watcher thread: {e}"),
            })?;
        Ok(Self {
            tx,
            stop,
            roots,
            thread: Some(thread),
        })
    }

    /// Starts watching another folder, scanning it first when `scan`.
    pub fn add(&self, folder: &Path, scan: bool) {
        let _ = self.tx.send(Msg::Add {
            folder: folder.to_path_buf(),
            scan,
        });
    }

    /// Stops watching a folder (a scan of it in progress stops after the current file).
    pub fn remove(&self, folder: &Path) {
        let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
        if let Ok(mut roots) = self.roots.lock() {
            roots.retain(|r| r != &folder);
        }
        let _ = self.tx.send(Msg::Remove(folder));
    }

    /// Scans every watched folder again.
    pub fn rescan(&self) {
        let _ = self.tx.send(Msg::Rescan);
    }

    /// The folders being watched, canonical.
    pub fn folders(&self) -> Vec<PathBuf> {
        self.roots.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Stops the watcher after the file it is importing, and waits for it.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.tx.send(Msg::Wake);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// A path that had events, waiting to settle.
struct Pending {
    last_event: Instant,
    /// Size and modification time when last looked at, and since when they have held.
    stat: Option<(u64, SystemTime)>,
    stable_since: Instant,
    /// Not looked at before then (a retry).
    not_before: Instant,
}

impl Pending {
    fn new(now: Instant) -> Self {
        Self {
            last_event: now,
            stat: None,
            stable_since: now,
            not_before: now,
        }
    }
}

struct WatchThread {
    lib: Library,
    watcher: notify::RecommendedWatcher,
    opts: WatchOptions,
    on_event: Box<dyn FnMut(WatchEvent) + Send>,
    stop: Arc<AtomicBool>,
    roots: Arc<Mutex<Vec<PathBuf>>>,
    pending: HashMap<PathBuf, Pending>,
}

impl WatchThread {
    fn run(&mut self, initial: Vec<PathBuf>, rx: mpsc::Receiver<Msg>) {
        let mut to_scan = Vec::new();
        for f in initial {
            if let Some(root) = self.watch(&f) {
                to_scan.push(root);
            }
        }
        if self.opts.scan_on_start {
            for root in to_scan {
                self.scan(&root);
            }
        }
        while !self.stopped() {
            let timeout = if self.pending.is_empty() {
                Duration::from_secs(1)
            } else {
                Duration::from_millis(100)
            };
            match rx.recv_timeout(timeout) {
                Ok(msg) => {
                    self.handle(msg);
                    // Take everything queued before settling: a burst is one batch.
                    while let Ok(msg) = rx.try_recv() {
                        self.handle(msg);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if !self.stopped() {
                self.settle();
            }
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn emit(&mut self, e: WatchEvent) {
        (self.on_event)(e);
    }

    fn roots(&self) -> Vec<PathBuf> {
        self.roots.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// The watched folder `path` is in (the innermost, when folders are nested).
    fn owner(&self, path: &Path) -> Option<PathBuf> {
        self.roots()
            .into_iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
    }

    /// Starts watching a folder; its canonical path, or None (reported) if it cannot be.
    fn watch(&mut self, folder: &Path) -> Option<PathBuf> {
        let root = match std::fs::canonicalize(folder) {
            Ok(r) if r.is_dir() => r,
            Ok(_) => {
                self.report_error(
                    folder,
                    &Error::NotAFolder {
                        path: folder.into(),
                    },
                );
                return None;
            }
            Err(e) => {
                self.report_error(folder, &Error::io(folder, e));
                return None;
            }
        };
        if let Err(e) = self.watcher.watch(&root, RecursiveMode::Recursive) {
            self.report_error(
                &root,
                &Error::Watch {
                    path: root.clone(),
                    detail: watch_error_detail(&e),
                },
            );
            // Partly watched (a watch limit reached deep inside) is still worth scanning.
            if !root.is_dir() {
                return None;
            }
        }
        if let Ok(mut roots) = self.roots.lock() {
            if !roots.contains(&root) {
                roots.push(root.clone());
            }
        }
        Some(root)
    }

    fn report_error(&mut self, folder: &Path, e: &Error) {
        let key = folder.display().to_string();
        let _ = self
            .lib
            .log(LogKind::Watch, Some(&key), Some(e.code()), &e.to_string());
        self.emit(WatchEvent::Error {
            folder: Some(key),
            message: e.to_string(),
        });
    }

    fn scan(&mut self, root: &Path) {
        let roots = self.roots.clone();
        let stop = self.stop.clone();
        let keep_going = || {
            !stop.load(Ordering::SeqCst)
                && roots
                    .lock()
                    .map(|r| r.iter().any(|x| x == root))
                    .unwrap_or(false)
        };
        let mut retry = Vec::new();
        let on_event = &mut self.on_event;
        let result = scan(
            &mut self.lib,
            root,
            &self.opts.import,
            Some(self.opts.retry_window),
            &keep_going,
            &mut retry,
            &mut |e| on_event(e),
        );
        if let Err(e) = result {
            self.report_error(root, &e);
        }
        let now = Instant::now();
        for p in retry {
            self.pending.insert(p, self.retry_entry(now));
        }
    }

    fn retry_entry(&self, now: Instant) -> Pending {
        Pending {
            not_before: now + self.opts.retry_window / 2,
            ..Pending::new(now - self.opts.debounce)
        }
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Fs(Ok(event)) => {
                if event.need_rescan() {
                    // The system dropped events: only a scan can tell what happened.
                    for root in self.roots() {
                        self.scan(&root);
                    }
                    return;
                }
                let relevant = match event.kind {
                    EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
                    EventKind::Access(_) => false,
                    _ => true,
                };
                if !relevant {
                    return;
                }
                let now = Instant::now();
                for p in event.paths {
                    if self.owner(&p).is_some() {
                        let entry = self.pending.entry(p).or_insert_with(|| Pending::new(now));
                        entry.last_event = now;
                        entry.stat = None;
                    }
                }
            }
            Msg::Fs(Err(e)) => {
                let folder = e.paths.first().and_then(|p| self.owner(p));
                let message = match &folder {
                    Some(f) => Error::Watch {
                        path: f.clone(),
                        detail: watch_error_detail(&e),
                    }
                    .to_string(),
                    None => format!("watching folders: {}", watch_error_detail(&e)),
                };
                let _ = self
                    .lib
                    .log(LogKind::Watch, None, Some("watch_failed"), &message);
                self.emit(WatchEvent::Error {
                    folder: folder.map(|f| f.display().to_string()),
                    message,
                });
            }
            Msg::Add { folder, scan } => {
                if let Some(root) = self.watch(&folder) {
                    if scan {
                        self.scan(&root);
                    }
                }
            }
            Msg::Remove(root) => {
                let _ = self.watcher.unwatch(&root);
                // A folder nested in another watched folder is still seen through that one.
                let outer = self.roots();
                for r in &outer {
                    if root.starts_with(r) && r != &root {
                        let _ = self.watcher.watch(r, RecursiveMode::Recursive);
                    }
                }
                self.pending
                    .retain(|p, _| outer.iter().any(|r| p.starts_with(r)));
            }
            Msg::Rescan => {
                for root in self.roots() {
                    self.scan(&root);
                }
            }
            Msg::Wake => {}
        }
    }

    /// Looks at the paths whose events have quietened: imports files that stopped changing,
    /// marks gone ones missing, and looks into new folders.
    fn settle(&mut self) {
        let now = Instant::now();
        let mut gone = Vec::new();
        let mut ready = Vec::new();
        let mut new_dirs = Vec::new();
        let debounce = self.opts.debounce;
        let stable_for = self.opts.stable_for;
        let paths: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, e)| now >= e.not_before && now.duration_since(e.last_event) >= debounce)
            .map(|(p, _)| p.clone())
            .collect();
        for path in paths {
            let Some(root) = self.owner(&path) else {
                self.pending.remove(&path);
                continue;
            };
            match std::fs::metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    self.pending.remove(&path);
                    gone.push((root, path));
                }
                Err(_) => {
                    // Unreadable metadata: the import would say why; try it once it settles.
                    self.pending.remove(&path);
                    if is_candidate(&path) && !in_hidden_folder(&root, &path) {
                        ready.push((root, path));
                    }
                }
                Ok(m) if m.is_dir() => {
                    self.pending.remove(&path);
                    let hidden = path
                        .strip_prefix(&root)
                        .ok()
                        .and_then(|rel| rel.components().next_back())
                        .is_some_and(|c| {
                            c.as_os_str().to_str().is_some_and(|s| s.starts_with('.'))
                        });
                    if !hidden && !in_hidden_folder(&root, &path) {
                        new_dirs.push(path);
                    }
                }
                Ok(m) if m.is_file() && is_candidate(&path) && !in_hidden_folder(&root, &path) => {
                    let stat = (m.len(), m.modified().unwrap_or(UNIX_EPOCH));
                    let entry = self.pending.get_mut(&path).expect("listed above");
                    if entry.stat != Some(stat) {
                        entry.stat = Some(stat);
                        entry.stable_since = now;
                    } else if now.duration_since(entry.stable_since) >= stable_for {
                        self.pending.remove(&path);
                        ready.push((root, path));
                    }
                }
                Ok(_) => {
                    self.pending.remove(&path);
                }
            }
        }
        // A folder that appeared (created, or moved in with its files): what is in it may
        // predate the watch on it, so its files are looked at as if they had events.
        for dir in new_dirs {
            let mut files = Vec::new();
            let mut unreadable = Vec::new();
            collect_files(&dir, &mut files, &mut unreadable);
            for f in files {
                self.pending
                    .entry(f)
                    .or_insert_with(|| Pending::new(now - debounce));
            }
        }
        for (root, path) in gone {
            self.gone(&root, &path);
        }
        if !ready.is_empty() {
            self.import_ready(ready);
        }
    }

    fn gone(&mut self, root: &Path, path: &Path) {
        let p = path.display().to_string();
        match self.lib.mark_missing(&p) {
            Ok(0) => {}
            Ok(n) => {
                let _ = log_missing(&self.lib, &p, n);
                self.emit(WatchEvent::Missing {
                    folder: root.display().to_string(),
                    path: p,
                    sessions: n,
                });
            }
            Err(e) => self.report_error(root, &e),
        }
    }

    fn import_ready(&mut self, ready: Vec<(PathBuf, PathBuf)>) {
        let mut by_root: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        for (root, path) in ready {
            by_root.entry(root).or_default().push(path);
        }
        for (root, mut files) in by_root {
            files.sort();
            let key = root.display().to_string();
            for recording in plan_with_replays(files) {
                if self.stopped() {
                    return;
                }
                let result = import_one(
                    &mut self.lib,
                    &recording,
                    &key,
                    &self.opts.import,
                    Some(self.opts.retry_window),
                );
                let path = recording.path().display().to_string();
                match result {
                    Ok(Outcome::Imported { session, replaced }) => {
                        self.emit(WatchEvent::Imported {
                            folder: key.clone(),
                            path,
                            session,
                            replaced,
                        })
                    }
                    Ok(Outcome::Restored(session)) => self.emit(WatchEvent::Restored {
                        folder: key.clone(),
                        path,
                        session,
                    }),
                    Ok(Outcome::Failed(f)) => self.emit(WatchEvent::Failed {
                        folder: key.clone(),
                        path: f.path,
                        code: f.code,
                        message: f.message,
                    }),
                    Ok(Outcome::Retry) => {
                        let entry = self.retry_entry(Instant::now());
                        self.pending.insert(recording.path().to_path_buf(), entry);
                    }
                    Ok(Outcome::Unchanged | Outcome::Gone) => {}
                    Err(e) => self.report_error(&root, &e),
                }
            }
        }
    }
}

/// Plans settled files; a Sentry segment or replay event brings in its whole folder's
/// segments, so a replay that gained a segment is imported whole (replacing the shorter one).
fn plan_with_replays(files: Vec<PathBuf>) -> Vec<Recording> {
    let mut out = Vec::new();
    let mut replay_dirs = Vec::new();
    for r in plan_recordings(files) {
        match &r {
            Recording::File(p) if !is_replay_event(p) => out.push(r),
            _ => {
                if let Some(dir) = r.path().parent() {
                    if !replay_dirs.iter().any(|d: &PathBuf| d == dir) {
                        replay_dirs.push(dir.to_path_buf());
                    }
                }
            }
        }
    }
    for dir in replay_dirs {
        let siblings: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_candidate(p) && p.is_file())
            .collect();
        out.extend(
            plan_recordings(siblings)
                .into_iter()
                .filter(|r| matches!(r, Recording::SentryReplay { .. })),
        );
    }
    out
}

fn watch_error_detail(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => "the system's limit of watched folders is reached \
            (on Linux, raise fs.inotify.max_user_watches); files added to some subfolders will \
            only be found by the next scan"
            .to_string(),
        notify::ErrorKind::PathNotFound => "the folder does not exist".to_string(),
        notify::ErrorKind::Io(io) => io.to_string(),
        notify::ErrorKind::Generic(s) => s.clone(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_recordings_not_partial_or_hidden_files() {
        for yes in ["a.json", "b.JSONL", "c.json.gz", "d.zst", "seg.bin"] {
            assert!(is_candidate(Path::new(yes)), "{yes}");
        }
        for no in [
            ".a.json",
            "a.json.part",
            "a.json.tmp",
            "a.json~",
            "a.json.crdownload",
            "notes.md",
            "library.sqlite3",
            "noext",
        ] {
            assert!(!is_candidate(Path::new(no)), "{no}");
        }
        assert!(in_hidden_folder(
            Path::new("/w"),
            Path::new("/w/.git/a.json")
        ));
        assert!(!in_hidden_folder(
            Path::new("/w"),
            Path::new("/w/sub/a.json")
        ));
        assert!(!in_hidden_folder(
            Path::new("/w/.x"),
            Path::new("/w/.x/a.json")
        ));
    }
}
