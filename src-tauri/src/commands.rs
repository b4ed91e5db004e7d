//! The IPC surface. Every command is declared here once; `bindings.ts` in the UI is generated
//! from these signatures. Each runs its SQLite work on the blocking pool, never on the main
//! thread, so the window stays responsive.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tapedeck_engine::analysis::AnalysisSettings;
use tapedeck_engine::library::{Reanalyze, ReanalyzeProgress};
use tapedeck_engine::link::SessionLink;
use tapedeck_engine::model::{
    ConsoleLog, ImportOutcome, NetworkLog, NetworkRequestDetail, SessionDetail, SessionSort,
    SessionSummary,
};
use tapedeck_engine::sources::{expand_paths, plan_recordings, Recording};
use tapedeck_engine::{ImportOptions, Library};
use tauri::async_runtime::spawn_blocking;
use tauri::ipc::Response;
use tauri::{AppHandle, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_specta::Event;

use crate::error::{AppError, AppResult, ErrorPayload};
use crate::state::AppState;

/// Progress of the file being imported, a few times a second.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgressEvent {
    pub path: String,
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub events: u32,
}

/// The library's content changed; the feed should re-query.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct LibraryChanged {}

/// Progress of re-running the analysis over stored sessions.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisProgressEvent {
    pub done: u32,
    pub total: u32,
}

/// A native menu item was chosen.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct MenuAction {
    pub action: String,
    /// The file or URL of an `open-recent` action.
    pub target: Option<String>,
}

/// One file's result of an import request.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ImportReport {
    pub path: String,
    pub outcome: Option<ImportOutcome>,
    pub error: Option<ErrorPayload>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct LibraryInfo {
    pub path: String,
    pub session_count: u32,
    pub schema_version: u32,
}

/// Files and links the app was asked to open: on the command line at launch (returned by
/// `take_launch_request`), or later by another launch or the OS (sent as this event).
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct LaunchRequest {
    pub paths: Vec<String>,
    pub links: Vec<LinkRequest>,
}

/// One `tapedeck://` link as given, and what it names or why it names nothing.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct LinkRequest {
    pub url: String,
    pub link: Option<SessionLink>,
    pub error: Option<String>,
}

impl LaunchRequest {
    pub fn new(paths: &[PathBuf], links: &[String]) -> Self {
        Self {
            paths: paths.iter().map(|p| p.display().to_string()).collect(),
            links: links
                .iter()
                .map(|url| match SessionLink::parse(url) {
                    Ok(link) => LinkRequest {
                        url: url.clone(),
                        link: Some(link),
                        error: None,
                    },
                    Err(e) => LinkRequest {
                        url: url.clone(),
                        link: None,
                        error: Some(e.to_string()),
                    },
                })
                .collect(),
        }
    }
}

pub(crate) async fn with_library<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&Library) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    spawn_blocking(move || app.state::<AppState>().with_library(f)).await?
}

/// Every session, in the given order (newest first by default).
#[tauri::command]
#[specta::specta]
pub async fn list_sessions(
    app: AppHandle,
    sort: Option<SessionSort>,
) -> AppResult<Vec<SessionSummary>> {
    with_library(app, move |lib| {
        Ok(lib.list_sessions_by(sort.unwrap_or_default())?)
    })
    .await
}

/// The thresholds the analysis uses.
#[tauri::command]
#[specta::specta]
pub async fn get_analysis_settings(app: AppHandle) -> AppResult<AnalysisSettings> {
    with_library(app, |lib| Ok(lib.analysis_settings()?)).await
}

/// Saves new analysis settings and re-analyses every session with them (with progress
/// events). Returns how many sessions were analysed.
#[tauri::command]
#[specta::specta]
pub async fn set_analysis_settings(app: AppHandle, settings: AnalysisSettings) -> AppResult<u32> {
    with_library(app.clone(), {
        let settings = settings.clone();
        move |lib| Ok(lib.set_analysis_settings(&settings)?)
    })
    .await?;
    reanalyze(app, Reanalyze::All).await
}

/// Re-runs the analysis over stored sessions, one writer at a time with imports.
pub async fn reanalyze(app: AppHandle, which: Reanalyze) -> AppResult<u32> {
    let state = app.state::<AppState>();
    let _one_writer = state.import_lock.lock().await;
    let library_path = state.library_path.clone();
    let task_app = app.clone();
    let n = spawn_blocking(move || -> AppResult<u64> {
        let mut lib = Library::open(&library_path)?;
        Ok(lib.reanalyze(&which, &mut |p: ReanalyzeProgress| {
            let _ = AnalysisProgressEvent {
                done: p.done as u32,
                total: p.total as u32,
            }
            .emit(&task_app);
        })?)
    })
    .await??;
    if n > 0 {
        let _ = LibraryChanged {}.emit(&app);
    }
    Ok(n as u32)
}

/// Writes the keyframes of sessions that have none from this build (imported before them),
/// one writer at a time with imports. Returns how many sessions were done.
pub async fn build_keyframes(app: AppHandle, which: Reanalyze) -> AppResult<u32> {
    let state = app.state::<AppState>();
    let _one_writer = state.import_lock.lock().await;
    let library_path = state.library_path.clone();
    let n = spawn_blocking(move || -> AppResult<u64> {
        let mut lib = Library::open(&library_path)?;
        Ok(lib.build_keyframes(&which, &mut |_| {})?)
    })
    .await??;
    if n > 0 {
        let _ = LibraryChanged {}.emit(&app);
    }
    Ok(n as u32)
}

/// Whether the replay of a session may load the recorded page's remote assets, and while it
/// may, the grant its proxied URLs carry (`remote_assets.rs`).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAssetAccess {
    pub enabled: bool,
    pub grant: Option<String>,
}

/// "Load remote assets" for one session: off unless the user turned it on for it.
#[tauri::command]
#[specta::specta]
pub async fn get_remote_assets(app: AppHandle, id: String) -> AppResult<RemoteAssetAccess> {
    let session = id.clone();
    let enabled = with_library(app.clone(), move |lib| Ok(lib.remote_assets(&session)?)).await?;
    let grant = crate::remote_assets::grant_for(&app, &id, enabled);
    Ok(RemoteAssetAccess { enabled, grant })
}

/// Turns "Load remote assets" on or off for one session, and remembers it in the library.
#[tauri::command]
#[specta::specta]
pub async fn set_remote_assets(
    app: AppHandle,
    id: String,
    enabled: bool,
) -> AppResult<RemoteAssetAccess> {
    let session = id.clone();
    with_library(app.clone(), move |lib| {
        Ok(lib.set_remote_assets(&session, enabled)?)
    })
    .await?;
    let grant = crate::remote_assets::grant_for(&app, &id, enabled);
    Ok(RemoteAssetAccess { enabled, grant })
}

/// One session with its pages, windows and chunk map.
#[tauri::command]
#[specta::specta]
pub async fn get_session(app: AppHandle, id: String) -> AppResult<SessionDetail> {
    with_library(app, move |lib| Ok(lib.session(&id)?)).await
}

/// A session's console entries (every level), in time order.
#[tauri::command]
#[specta::specta]
pub async fn get_console(app: AppHandle, id: String) -> AppResult<ConsoleLog> {
    with_library(app, move |lib| Ok(lib.console_entries(&id)?)).await
}

/// A session's network requests, in time order, without headers and bodies.
#[tauri::command]
#[specta::specta]
pub async fn get_network(app: AppHandle, id: String) -> AppResult<NetworkLog> {
    with_library(app, move |lib| Ok(lib.network_requests(&id)?)).await
}

/// Request `index` of a session's list, with its headers and bodies.
#[tauri::command]
#[specta::specta]
pub async fn get_network_request(
    app: AppHandle,
    id: String,
    index: u32,
) -> AppResult<NetworkRequestDetail> {
    with_library(app, move |lib| Ok(lib.network_request(&id, index)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn library_info(app: AppHandle) -> AppResult<LibraryInfo> {
    with_library(app, |lib| {
        Ok(LibraryInfo {
            path: lib.path().display().to_string(),
            session_count: lib.session_count()? as u32,
            schema_version: lib.schema_version()? as u32,
        })
    })
    .await
}

/// The files and links given on the command line; returned once, then empty.
#[tauri::command]
#[specta::specta]
pub async fn take_launch_request(app: AppHandle) -> LaunchRequest {
    let (paths, links) = app.state::<AppState>().take_launch();
    LaunchRequest::new(&paths, &links)
}

/// The window fills the screen, without its menu bar, or goes back to a window with one.
#[tauri::command]
#[specta::specta]
pub async fn set_fullscreen(window: tauri::WebviewWindow, on: bool) -> AppResult<()> {
    window.set_fullscreen(on)?;
    if on {
        window.hide_menu()?;
    } else {
        window.show_menu()?;
    }
    Ok(())
}

/// Puts the link to a moment of a session on the clipboard and returns it.
#[tauri::command]
#[specta::specta]
pub async fn copy_session_link(app: AppHandle, link: SessionLink) -> AppResult<String> {
    let text = link.to_string();
    app.clipboard()
        .write_text(text.clone())
        .map_err(|e| AppError::Clipboard(e.to_string()))?;
    Ok(text)
}

/// Imports files and folders, one file at a time, reporting progress as events. A failed
/// file is reported and the rest go on.
#[tauri::command]
#[specta::specta]
pub async fn import_paths(app: AppHandle, paths: Vec<String>) -> AppResult<Vec<ImportReport>> {
    let state = app.state::<AppState>();
    let _one_at_a_time = state.import_lock.lock().await;
    let library_path = state.library_path.clone();
    note_recent(&app, &paths);
    let files = expand_paths(&paths.into_iter().map(PathBuf::from).collect::<Vec<_>>());
    let recordings = plan_recordings(files);
    let task_app = app.clone();
    let reports =
        spawn_blocking(move || import_recordings(&task_app, &library_path, &recordings)).await??;
    if reports
        .iter()
        .any(|r| matches!(r.outcome, Some(ImportOutcome::Imported { .. })))
    {
        let _ = LibraryChanged {}.emit(&app);
    }
    Ok(reports)
}

/// Files and URLs the user opened go to File › Open Recent (what a watched folder imports
/// does not).
pub fn note_recent(app: &AppHandle, targets: &[String]) {
    let noted = app.state::<AppState>().with_library(|lib| {
        for t in targets {
            let target = if t.starts_with("http://") || t.starts_with("https://") {
                t.clone()
            } else {
                std::fs::canonicalize(t)
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|_| t.clone())
            };
            lib.note_recent(&target)?;
        }
        Ok(())
    });
    if noted.is_ok() && !targets.is_empty() {
        crate::menu::refresh(app);
    }
}

fn import_recordings(
    app: &AppHandle,
    library_path: &std::path::Path,
    recordings: &[Recording],
) -> AppResult<Vec<ImportReport>> {
    let mut lib = Library::open(library_path)?;
    let opts = ImportOptions::default();
    Ok(recordings
        .iter()
        .map(|recording| {
            let path = recording.path().display().to_string();
            let mut last = Instant::now() - Duration::from_secs(1);
            let result = lib.import(recording, &opts, &mut |p| {
                // A few updates a second are smooth; thousands would flood the IPC channel.
                if last.elapsed() >= Duration::from_millis(50) || p.bytes_read >= p.bytes_total {
                    last = Instant::now();
                    let _ = ImportProgressEvent {
                        path: path.clone(),
                        bytes_read: p.bytes_read,
                        bytes_total: p.bytes_total,
                        events: p.events,
                    }
                    .emit(app);
                }
            });
            match result {
                Ok(outcome) => ImportReport {
                    path,
                    outcome: Some(outcome),
                    error: None,
                },
                Err(e) => ImportReport {
                    path,
                    outcome: None,
                    error: Some(crate::error::AppError::from(e).payload()),
                },
            }
        })
        .collect())
}

/// The events of chunks `from_seq..=to_seq` of one window as the bytes of one JSON array,
/// with `keyframe` after the events of the keyframe before `from_seq` (a seek's start).
/// Sent as raw bytes (an ArrayBuffer in the webview), not re-serialised JSON: this is the
/// player's hot path. Declared outside the generated bindings because raw responses have no
/// TypeScript type there; the UI's Tauri backend types it by hand.
#[tauri::command]
pub async fn chunk_events(
    app: AppHandle,
    id: String,
    window: u32,
    from_seq: u32,
    to_seq: u32,
    keyframe: Option<bool>,
) -> AppResult<Response> {
    with_library(app, move |lib| {
        Ok(Response::new(lib.chunk_events(
            &id,
            window,
            from_seq,
            to_seq,
            keyframe.unwrap_or(false),
        )?))
    })
    .await
}

/// What a seek to `at` (epoch ms) loads when the engine does the fast-forward: the bytes of one
/// JSON array, the keyframe at `at` then the rest of the chunk holding it; empty where that
/// keyframe cannot be made from a stored one (the player then loads `chunk_events`). Raw bytes,
/// outside the generated bindings, as `chunk_events`.
#[tauri::command]
pub async fn seek_events(app: AppHandle, id: String, window: u32, at: f64) -> AppResult<Response> {
    with_library(app, move |lib| {
        Ok(Response::new(
            lib.seek_events(&id, window, at)?.unwrap_or_default(),
        ))
    })
    .await
}
