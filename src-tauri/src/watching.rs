//! Watched folders in the app: the commands that list, add and remove them, and the
//! watcher that runs for as long as the app does (started at launch over every watched
//! folder, rescanning each first so files added while the app was closed appear).
//!
//! The watcher writes through a connection of its own, one transaction per file, so the feed
//! keeps reading and an import from the UI only ever waits for one file (SQLite's busy
//! timeout). The feed is told to refresh at most every 250 ms however fast files land.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tapedeck_engine::model::{LogKind, WatchedFolder};
use tapedeck_engine::watch::{scan_folder, FolderWatcher, WatchEvent, WatchOptions};
use tapedeck_engine::{ImportOptions, Library};
use tauri::async_runtime::spawn_blocking;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::commands::LibraryChanged;
use crate::error::AppResult;
use crate::state::AppState;

/// How far the scan of a watched folder has got (a few times a second, and at its end).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct ScanProgressEvent {
    pub folder: String,
    pub done: u32,
    pub total: u32,
    pub imported: u32,
    pub failed: u32,
}

/// The running watcher, managed by Tauri (`.manage(Watching::default())`, then [`start`]).
#[derive(Default)]
pub struct Watching {
    watcher: Mutex<Option<FolderWatcher>>,
}

impl Watching {
    fn with<T>(&self, f: impl FnOnce(&FolderWatcher) -> T) -> Option<T> {
        let guard = self.watcher.lock().unwrap_or_else(|e| e.into_inner());
        guard.as_ref().map(f)
    }
}

/// Starts watching every watched folder (each is scanned first). Without a watcher (the
/// system's file watching unavailable) folders are still scanned when added.
pub fn start(app: &AppHandle) {
    let state = app.state::<AppState>();
    let folders: Vec<PathBuf> = state
        .with_library(|lib| Ok(lib.watched_folders()?))
        .unwrap_or_default()
        .into_iter()
        .map(|f| PathBuf::from(f.path))
        .collect();
    let reporter = Reporter::new(app.clone());
    match FolderWatcher::start(
        &state.library_path,
        &folders,
        WatchOptions::default(),
        move |e| reporter.event(e),
    ) {
        Ok(w) => {
            let watching = app.state::<Watching>();
            *watching.watcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(w);
        }
        Err(e) => eprintln!("tapedeck: watched folders will not be watched: {e}"),
    }
}

/// The watched folders, with how many sessions came from each and how many of those are
/// missing.
#[tauri::command]
#[specta::specta]
pub async fn list_watched_folders(app: AppHandle) -> AppResult<Vec<WatchedFolder>> {
    spawn_blocking(move || {
        app.state::<AppState>()
            .with_library(|lib| Ok(lib.watched_folders()?))
    })
    .await?
}

/// Watches a folder (recursively): what it holds now is imported in the background, with
/// `ScanProgressEvent`s, and what lands in it later as long as the app runs.
#[tauri::command]
#[specta::specta]
pub async fn add_watched_folder(app: AppHandle, path: String) -> AppResult<WatchedFolder> {
    let task_app = app.clone();
    let added = spawn_blocking(move || {
        task_app.state::<AppState>().with_library(|lib| {
            let added = lib.add_watched_folder(Path::new(&path))?;
            lib.log(
                LogKind::Watch,
                Some(&added.path),
                None,
                &format!("watching {}", added.path),
            )?;
            Ok(added)
        })
    })
    .await??;
    let folder = PathBuf::from(&added.path);
    let watched = app
        .state::<Watching>()
        .with(|w| w.add(&folder, true))
        .is_some();
    if !watched {
        scan_in_background(app.clone(), folder);
    }
    let _ = LibraryChanged {}.emit(&app);
    Ok(added)
}

/// Stops watching a folder. Its sessions stay in the library.
#[tauri::command]
#[specta::specta]
pub async fn remove_watched_folder(app: AppHandle, path: String) -> AppResult<()> {
    let task_app = app.clone();
    let folder = PathBuf::from(&path);
    let removed = spawn_blocking(move || {
        task_app.state::<AppState>().with_library(|lib| {
            let removed = lib.remove_watched_folder(Path::new(&path))?;
            if removed {
                lib.log(
                    LogKind::Watch,
                    Some(&path),
                    None,
                    &format!("stopped watching {path}; its sessions stay in the library"),
                )?;
            }
            Ok(removed)
        })
    })
    .await??;
    app.state::<Watching>().with(|w| w.remove(&folder));
    if removed {
        let _ = LibraryChanged {}.emit(&app);
    }
    Ok(())
}

/// A one-off scan, for when there is no watcher to do it.
fn scan_in_background(app: AppHandle, folder: PathBuf) {
    let library_path = app.state::<AppState>().library_path.clone();
    let reporter = Reporter::new(app);
    spawn_blocking(move || {
        let result = Library::open(&library_path).and_then(|mut lib| {
            scan_folder(&mut lib, &folder, &ImportOptions::default(), &mut |e| {
                reporter.event(e)
            })
        });
        if let Err(e) = result {
            eprintln!("tapedeck: could not scan {}: {e}", folder.display());
        }
    });
}

/// Turns watch events into the app's events: scan progress a few times a second, and
/// `LibraryChanged` at most every `CHANGE_INTERVAL`, always once after the last change.
#[derive(Clone)]
struct Reporter {
    app: AppHandle,
    inner: Arc<Mutex<Throttle>>,
}

struct Throttle {
    last_progress: Option<Instant>,
    last_change: Option<Instant>,
    /// A `LibraryChanged` is due after the interval.
    change_scheduled: bool,
}

const CHANGE_INTERVAL: Duration = Duration::from_millis(250);
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

impl Reporter {
    fn new(app: AppHandle) -> Self {
        Self {
            app,
            inner: Arc::new(Mutex::new(Throttle {
                last_progress: None,
                last_change: None,
                change_scheduled: false,
            })),
        }
    }

    fn event(&self, e: WatchEvent) {
        if e.changes_library() {
            self.changed();
        }
        match e {
            WatchEvent::ScanProgress(p) => {
                let due = {
                    let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
                    let due = p.done == 0
                        || p.done == p.total
                        || t.last_progress
                            .is_none_or(|at| at.elapsed() >= PROGRESS_INTERVAL);
                    if due {
                        t.last_progress = Some(Instant::now());
                    }
                    due
                };
                if due {
                    let _ = ScanProgressEvent {
                        folder: p.folder,
                        done: p.done,
                        total: p.total,
                        imported: p.imported,
                        failed: p.failed,
                    }
                    .emit(&self.app);
                }
            }
            WatchEvent::Error { message, .. } => eprintln!("tapedeck: {message}"),
            _ => {}
        }
    }

    fn changed(&self) {
        let wait = {
            let mut t = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if t.change_scheduled {
                return;
            }
            match t.last_change {
                Some(at) if at.elapsed() < CHANGE_INTERVAL => {
                    t.change_scheduled = true;
                    CHANGE_INTERVAL - at.elapsed()
                }
                _ => {
                    t.last_change = Some(Instant::now());
                    Duration::ZERO
                }
            }
        };
        if wait.is_zero() {
            let _ = LibraryChanged {}.emit(&self.app);
            return;
        }
        let this = self.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(wait).await;
            {
                let mut t = this.inner.lock().unwrap_or_else(|e| e.into_inner());
                t.change_scheduled = false;
                t.last_change = Some(Instant::now());
            }
            let _ = LibraryChanged {}.emit(&this.app);
        });
    }
}
