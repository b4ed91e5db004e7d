//! Commands over the library as a feed: search, facets, tags, comments, saved searches,
//! deleting and erasing, retention, the log and recent files.

use serde::{Deserialize, Serialize};
use tapedeck_engine::library::query::Clock;
use tapedeck_engine::model::{
    EraseReport, Facets, LogEntry, RecentItem, SavedSearch, SearchPage, SessionComment, SessionSort,
};
use tapedeck_engine::Library;
use tauri::async_runtime::spawn_blocking;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use crate::commands::{with_library, LibraryChanged};
use crate::error::AppResult;
use crate::state::AppState;

/// One page of the feed.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// In the search box's language (`tapedeck search --help`).
    pub query: String,
    pub sort: SessionSort,
    pub offset: u32,
    pub limit: u32,
    /// Minutes east of UTC of the user's time zone, for `today` and `7d`.
    pub utc_offset_minutes: i32,
}

fn clock(utc_offset_minutes: i32) -> Clock {
    Clock {
        utc_offset_minutes,
        ..Clock::utc_now()
    }
}

/// Changes the library, then tells the feed.
async fn write<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&mut Library) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let task_app = app.clone();
    let out = spawn_blocking(move || task_app.state::<AppState>().with_library_mut(f)).await??;
    let _ = LibraryChanged {}.emit(&app);
    Ok(out)
}

/// The sessions a query matches, one page of them, and how many in all.
#[tauri::command]
#[specta::specta]
pub async fn search_sessions(app: AppHandle, request: SearchRequest) -> AppResult<SearchPage> {
    with_library(app, move |lib| {
        Ok(lib.search(
            &request.query,
            clock(request.utc_offset_minutes),
            request.sort,
            request.offset,
            request.limit,
        )?)
    })
    .await
}

/// The values the feed's filters offer.
#[tauri::command]
#[specta::specta]
pub async fn get_facets(app: AppHandle) -> AppResult<Facets> {
    with_library(app, |lib| Ok(lib.facets()?)).await
}

/// Deletes sessions (events and index rows; their files stay). Returns how many.
#[tauri::command]
#[specta::specta]
pub async fn delete_sessions(app: AppHandle, ids: Vec<String>) -> AppResult<u32> {
    write(app, move |lib| Ok(lib.delete_sessions(&ids)?)).await
}

/// How many sessions have this user id or email.
#[tauri::command]
#[specta::specta]
pub async fn count_user_sessions(app: AppHandle, user: String) -> AppResult<u32> {
    with_library(app, move |lib| Ok(lib.count_user_sessions(&user)?)).await
}

/// Deletes every session of a user id or email; the counts before and after.
#[tauri::command]
#[specta::specta]
pub async fn erase_user(app: AppHandle, user: String) -> AppResult<EraseReport> {
    write(app, move |lib| Ok(lib.erase_user(&user)?)).await
}

/// Replaces a session's tags; returns them as stored.
#[tauri::command]
#[specta::specta]
pub async fn set_tags(app: AppHandle, id: String, tags: Vec<String>) -> AppResult<Vec<String>> {
    write(app, move |lib| Ok(lib.set_tags(&id, &tags)?)).await
}

/// Leaves a comment at a moment (epoch ms) of a session's window.
#[tauri::command]
#[specta::specta]
pub async fn add_comment(
    app: AppHandle,
    id: String,
    at: i64,
    window: u32,
    text: String,
) -> AppResult<SessionComment> {
    write(app, move |lib| Ok(lib.add_comment(&id, at, window, &text)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_comment(app: AppHandle, comment_id: i64) -> AppResult<()> {
    write(app, move |lib| {
        lib.delete_comment(comment_id)?;
        Ok(())
    })
    .await
}

/// Saved searches, with how many sessions each matches now.
#[tauri::command]
#[specta::specta]
pub async fn list_saved_searches(
    app: AppHandle,
    utc_offset_minutes: i32,
) -> AppResult<Vec<SavedSearch>> {
    with_library(app, move |lib| {
        Ok(lib.saved_searches(clock(utc_offset_minutes))?)
    })
    .await
}

/// Saves a search under a name (the same name again replaces it).
#[tauri::command]
#[specta::specta]
pub async fn save_search(
    app: AppHandle,
    name: String,
    query: String,
    utc_offset_minutes: i32,
) -> AppResult<SavedSearch> {
    with_library(app, move |lib| {
        Ok(lib.save_search(&name, &query, clock(utc_offset_minutes))?)
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_saved_search(app: AppHandle, id: i64) -> AppResult<()> {
    with_library(app, move |lib| {
        lib.delete_saved_search(id)?;
        Ok(())
    })
    .await
}

/// The library's log, newest first.
#[tauri::command]
#[specta::specta]
pub async fn get_library_log(app: AppHandle, limit: u32) -> AppResult<Vec<LogEntry>> {
    with_library(app, move |lib| Ok(lib.log_entries(limit)?)).await
}

#[tauri::command]
#[specta::specta]
pub async fn clear_library_log(app: AppHandle) -> AppResult<()> {
    with_library(app, |lib| Ok(lib.clear_log()?)).await
}

/// Files and URLs opened lately, newest first.
#[tauri::command]
#[specta::specta]
pub async fn recent_items(app: AppHandle) -> AppResult<Vec<RecentItem>> {
    with_library(app, |lib| Ok(lib.recent_items()?)).await
}

/// Days of sessions kept, or null to keep them all.
#[tauri::command]
#[specta::specta]
pub async fn get_retention(app: AppHandle) -> AppResult<Option<u32>> {
    with_library(app, |lib| Ok(lib.retention_days()?)).await
}

/// Sets the retention period and applies it at once; returns how many sessions it deleted.
#[tauri::command]
#[specta::specta]
pub async fn set_retention(app: AppHandle, days: Option<u32>) -> AppResult<u32> {
    write(app, move |lib| {
        lib.set_retention_days(days)?;
        Ok(lib.apply_retention(tapedeck_engine::library::now_ms())?)
    })
    .await
}

/// Applies the retention period now and then once a day while the app runs.
pub fn start_retention(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let task_app = app.clone();
            let deleted = spawn_blocking(move || {
                task_app.state::<AppState>().with_library_mut(|lib| {
                    Ok(lib.apply_retention(tapedeck_engine::library::now_ms())?)
                })
            })
            .await;
            match deleted {
                Ok(Ok(n)) if n > 0 => {
                    let _ = LibraryChanged {}.emit(&app);
                }
                Ok(Err(e)) => eprintln!("tapedeck: retention failed: {}", e.payload().message),
                _ => {}
            }
            tokio::time::sleep(std::time::Duration::from_secs(24 * 3600)).await;
        }
    });
}
