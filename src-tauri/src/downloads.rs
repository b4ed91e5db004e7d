//! File › Open URL: download a recording over http(s) and import it, with progress events
//! and a cancel. The download itself is the engine's (`tapedeck_engine::fetch`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tapedeck_engine::fetch::{
    fetch_to_file, import_fetched, log_failure, FetchOptions, FetchProgress,
};
use tapedeck_engine::model::ImportOutcome;
use tapedeck_engine::Library;
use tauri::async_runtime::spawn_blocking;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::commands::{ImportReport, LibraryChanged};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// How far a download has got: at most 20 times a second, and once with `done` at the end
/// (whatever the outcome; the command's result says which).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct FetchProgressEvent {
    pub url: String,
    pub bytes_read: u64,
    /// What the server announced, when it did.
    pub bytes_total: Option<u64>,
    pub done: bool,
}

/// Downloads in progress, by URL, with their cancel flags. Managed by Tauri
/// (`.manage(Downloads::default())`).
#[derive(Default)]
pub struct Downloads {
    active: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl Downloads {
    fn begin(&self, url: &str) -> Option<Arc<AtomicBool>> {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        if active.contains_key(url) {
            return None;
        }
        let flag = Arc::new(AtomicBool::new(false));
        active.insert(url.to_string(), flag.clone());
        Some(flag)
    }

    fn end(&self, url: &str) {
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        active.remove(url);
    }
}

/// Progress events for one download, a few a second.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// Downloads `url` and imports it; the session keeps the URL as its source. A failure (404,
/// a timeout, not a recording…) comes back in the report's `error`, naming the URL and why,
/// and is written to the library's log.
#[tauri::command]
#[specta::specta]
pub async fn fetch_url(app: AppHandle, url: String) -> AppResult<ImportReport> {
    let url = url.trim().to_string();
    let Some(cancel) = app.state::<Downloads>().begin(&url) else {
        return Ok(failed(
            &url,
            tapedeck_engine::Error::Download {
                url: url.clone(),
                detail: "it is already being downloaded".into(),
            },
        ));
    };
    let state = app.state::<AppState>();
    let library_path = state.library_path.clone();
    let opts = FetchOptions {
        cancel,
        ..FetchOptions::default()
    };
    // The download needs no lock: other imports and the feed go on while it runs.
    let fetched = spawn_blocking({
        let (app, url, opts, library_path) =
            (app.clone(), url.clone(), opts.clone(), library_path.clone());
        move || {
            let mut last: Option<Instant> = None;
            fetch_to_file(&library_path, &url, &opts, &mut |p: FetchProgress| {
                let finished = p.bytes_total == Some(p.bytes_read);
                if finished || last.is_none_or(|at| at.elapsed() >= PROGRESS_INTERVAL) {
                    last = Some(Instant::now());
                    let _ = FetchProgressEvent {
                        url: url.clone(),
                        bytes_read: p.bytes_read,
                        bytes_total: p.bytes_total,
                        done: false,
                    }
                    .emit(&app);
                }
            })
        }
    })
    .await;
    // The import is one writer among the app's others.
    let result = match fetched {
        Ok(fetched) => {
            let _one_writer = state.import_lock.lock().await;
            let task_url = url.clone();
            spawn_blocking(move || -> AppResult<ImportOutcome> {
                let mut lib = Library::open(&library_path)?;
                let outcome = fetched.and_then(|f| import_fetched(&mut lib, f, &opts));
                if let Err(e) = &outcome {
                    log_failure(&lib, &task_url, e);
                }
                Ok(outcome?)
            })
            .await
        }
        Err(e) => Err(e),
    };
    app.state::<Downloads>().end(&url);
    let _ = FetchProgressEvent {
        url: url.clone(),
        bytes_read: 0,
        bytes_total: None,
        done: true,
    }
    .emit(&app);
    let report = match result {
        Ok(Ok(outcome)) => {
            if matches!(outcome, ImportOutcome::Imported { .. }) {
                let _ = LibraryChanged {}.emit(&app);
            }
            crate::commands::note_recent(&app, std::slice::from_ref(&url));
            ImportReport {
                path: url,
                outcome: Some(outcome),
                error: None,
            }
        }
        Ok(Err(e)) => ImportReport {
            path: url,
            outcome: None,
            error: Some(e.payload()),
        },
        Err(e) => ImportReport {
            path: url,
            outcome: None,
            error: Some(AppError::from(e).payload()),
        },
    };
    Ok(report)
}

/// Stops the download of `url`; false when it is not being downloaded.
#[tauri::command]
#[specta::specta]
pub async fn cancel_fetch(app: AppHandle, url: String) -> AppResult<bool> {
    let downloads = app.state::<Downloads>();
    let active = downloads.active.lock().unwrap_or_else(|e| e.into_inner());
    Ok(match active.get(url.trim()) {
        Some(flag) => {
            flag.store(true, Ordering::SeqCst);
            true
        }
        None => false,
    })
}

fn failed(url: &str, e: tapedeck_engine::Error) -> ImportReport {
    ImportReport {
        path: url.to_string(),
        outcome: None,
        error: Some(AppError::from(e).payload()),
    }
}
