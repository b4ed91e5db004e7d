//! The library: one SQLite file holding every imported session, its index and its events.
//! It is the single source of truth for the feed and the player.

mod analysis_store;
pub mod chunk;
mod folders;
mod import;
pub mod keyframe_store;
mod log;
mod manage;
pub mod query;
mod remote_assets;
pub(crate) mod reorder;
mod schema;
mod search;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::{Error, Result};
use crate::model::{
    ChunkInfo, ClientInfo, Compression, ConsoleLog, EventCounts, Format, KeyframeInfo, Marker,
    NetworkLog, NetworkRequestDetail, PageVisit, SessionDetail, SessionSort, SessionSummary,
    SessionUser, WindowInfo,
};
pub use analysis_store::{Reanalyze, ReanalyzeProgress};
pub use import::{ImportOptions, Origin};
pub use keyframe_store::{seek_range, SeekRange, KEYFRAME_VERSION};
pub use schema::SCHEMA_VERSION;

/// Environment variable that points the app and the CLI at another library file.
pub const LIBRARY_ENV: &str = "TAPEDECK_LIBRARY";

/// Where the library lives: an explicit path, else `$TAPEDECK_LIBRARY`, else the platform data
/// directory (`~/.local/share/tapedeck/library.sqlite3` on Linux).
pub fn resolve_path(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os(LIBRARY_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("tapedeck")
        .join("library.sqlite3")
}

pub struct Library {
    conn: Connection,
    path: PathBuf,
}

const SUMMARY_COLUMNS: &str = "id, source, format, compression, started_at, ended_at, \
    first_url, url_count, window_count, viewport_width, viewport_height, event_count, \
    dom_content_loaded_count, load_count, full_snapshot_count, incremental_snapshot_count, \
    meta_count, custom_count, plugin_count, click_count, file_bytes, raw_bytes, stored_bytes, \
    imported_at, vendor_id, user_id, user_name, user_email, browser, browser_version, os, \
    device_type, country, user_agent, sdk, page_count, click_count, error_count, \
    exception_count, warning_count, failed_request_count, rage_click_count, dead_click_count, \
    error_click_count, mouse_thrash_count, scroll_thrash_count, u_turn_count, \
    custom_event_count, active_ms, inactive_ms, frustration_score, source_url, source_folder, \
    missing, (SELECT group_concat(tag, char(31)) FROM session_tags t \
    WHERE t.session_pk = sessions.pk), \
    (SELECT count(*) FROM session_comments c WHERE c.session_pk = sessions.pk)";

impl Library {
    /// Opens (creating if needed) the library at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(10))?;
        // WAL: the feed keeps reading while an import writes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted sessions leave no readable trace in freed pages (erasing a user must
        // really erase them).
        conn.pragma_update(None, "secure_delete", "ON")?;
        schema::migrate(&mut conn, path)?;
        // Keeps the planner's statistics current (cheap: it analyses only what changed a lot).
        conn.execute_batch("PRAGMA optimize = 0x10002")?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Every session, newest first.
    pub fn list_sessions(&self) -> Result<Vec<SessionSummary>> {
        self.list_sessions_by(SessionSort::Recency)
    }

    /// Every session in the given order (ties: newest first).
    pub fn list_sessions_by(&self, sort: SessionSort) -> Result<Vec<SessionSummary>> {
        let order = search::order_by(sort);
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions ORDER BY {order}, pk DESC"
        ))?;
        let rows = stmt.query_map([], summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn session_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))?)
    }

    /// Resolves a full id or a unique prefix of one to the session's primary key and id.
    fn resolve(&self, id: &str) -> Result<(i64, String)> {
        let exact = self
            .conn
            .query_row("SELECT pk, id FROM sessions WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        if let Some(found) = exact {
            return Ok(found);
        }
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::SessionNotFound { id: id.into() });
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT pk, id FROM sessions WHERE id >= ?1 AND id < ?2 LIMIT 2")?;
        let upper = format!("{id}\u{10ffff}");
        let found: Vec<(i64, String)> = stmt
            .query_map(params![id, upper], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        match found.len() {
            0 => Err(Error::SessionNotFound { id: id.into() }),
            1 => Ok(found.into_iter().next().unwrap()),
            _ => {
                let count: usize = self.conn.query_row(
                    "SELECT count(*) FROM sessions WHERE id >= ?1 AND id < ?2",
                    params![id, upper],
                    |r| r.get(0),
                )?;
                Err(Error::AmbiguousId {
                    id: id.into(),
                    count,
                })
            }
        }
    }

    pub fn summary(&self, id: &str) -> Result<SessionSummary> {
        let (pk, _) = self.resolve(id)?;
        self.summary_by_pk(pk)
    }

    fn summary_by_pk(&self, pk: i64) -> Result<SessionSummary> {
        Ok(self.conn.query_row(
            &format!("SELECT {SUMMARY_COLUMNS} FROM sessions WHERE pk = ?1"),
            [pk],
            summary_from_row,
        )?)
    }

    /// A session with its pages, windows and chunk map: what the player opens.
    pub fn session(&self, id: &str) -> Result<SessionDetail> {
        let (pk, _) = self.resolve(id)?;
        let summary = self.summary_by_pk(pk)?;
        let content_hash: String = self.conn.query_row(
            "SELECT content_hash FROM sessions WHERE pk = ?1",
            [pk],
            |r| r.get(0),
        )?;
        let urls = self
            .conn
            .prepare_cached(
                "SELECT at, url, window_idx FROM session_urls WHERE session_pk = ?1 ORDER BY seq",
            )?
            .query_map([pk], |r| {
                Ok(PageVisit {
                    at: r.get(0)?,
                    url: r.get(1)?,
                    window: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut windows: Vec<WindowInfo> = self
            .conn
            .prepare_cached(
                "SELECT idx, key, started_at, ended_at, event_count, interaction_spans \
                 FROM windows WHERE session_pk = ?1 ORDER BY idx",
            )?
            .query_map([pk], |r| {
                Ok(WindowInfo {
                    index: r.get(0)?,
                    key: r.get(1)?,
                    started_at: r.get(2)?,
                    ended_at: r.get(3)?,
                    event_count: r.get(4)?,
                    chunks: Vec::new(),
                    interaction_spans: serde_json::from_str(&r.get::<_, String>(5)?)
                        .unwrap_or_default(),
                    segments: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT c.window_idx, {CHUNK_COLUMNS} WHERE c.session_pk = ?1 \
             ORDER BY c.window_idx, c.seq"
        ))?;
        let mut rows = stmt.query([pk])?;
        while let Some(r) = rows.next()? {
            let w: u32 = r.get(0)?;
            let chunk = chunk_info(r, 1)?;
            if let Some(win) = windows.iter_mut().find(|x| x.index == w) {
                win.chunks.push(chunk);
            }
        }
        let mut segments = Vec::new();
        for (w, s) in analysis_store::segments(&self.conn, pk)? {
            if analysis_store::is_session_window(w) {
                segments.push(s);
            } else if let Some(win) = windows.iter_mut().find(|x| i64::from(x.index) == w) {
                win.segments.push(s);
            }
        }
        let comments = manage::comments(&self.conn, pk)?;
        let mut markers = analysis_store::markers(&self.conn, pk)?;
        if !comments.is_empty() {
            markers.extend(comments.iter().map(manage::comment_marker));
            // Stable: a comment comes after what the analysis found at the same moment.
            markers.sort_by_key(|m| m.at);
        }
        Ok(SessionDetail {
            summary,
            urls,
            windows,
            content_hash,
            markers,
            segments,
            comments,
        })
    }

    /// A session's markers, in time order.
    pub fn markers(&self, id: &str) -> Result<Vec<Marker>> {
        let (pk, _) = self.resolve(id)?;
        analysis_store::markers(&self.conn, pk)
    }

    /// A session's console entries (every level), in time order.
    pub fn console_entries(&self, id: &str) -> Result<ConsoleLog> {
        let (pk, _) = self.resolve(id)?;
        analysis_store::console(&self.conn, pk)
    }

    /// A session's network requests, in time order (without headers and bodies).
    pub fn network_requests(&self, id: &str) -> Result<NetworkLog> {
        let (pk, _) = self.resolve(id)?;
        analysis_store::requests(&self.conn, pk)
    }

    /// Request `index` of a session's list, with its headers and bodies.
    pub fn network_request(&self, id: &str, index: u32) -> Result<NetworkRequestDetail> {
        let (pk, full_id) = self.resolve(id)?;
        analysis_store::request(&self.conn, pk, index)?
            .ok_or(Error::RequestNotFound { id: full_id, index })
    }

    /// The events of chunks `from_seq..=to_seq` of a window, as one JSON array, without
    /// re-serialising: the stored bytes are joined as they are. With `keyframe`, the events
    /// of the keyframe before `from_seq` come first, so a replay can begin there.
    pub fn chunk_events(
        &self,
        id: &str,
        window: u32,
        from_seq: u32,
        to_seq: u32,
        keyframe: bool,
    ) -> Result<Vec<u8>> {
        let (pk, full_id) = self.resolve(id)?;
        self.check_window(pk, &full_id, window)?;
        let mut out = Vec::with_capacity(64 * 1024);
        out.push(b'[');
        if keyframe {
            let events = keyframe_store::read(&self.conn, pk, window, from_seq)?.ok_or(
                Error::KeyframeNotFound {
                    id: full_id.clone(),
                    window,
                    seq: from_seq,
                },
            )?;
            // Its events, without the array's brackets: the chunks' follow in the same array.
            out.extend_from_slice(&events[1..events.len() - 1]);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT raw_bytes, data FROM chunks WHERE session_pk = ?1 AND window_idx = ?2 \
             AND seq BETWEEN ?3 AND ?4 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![pk, window, from_seq, to_seq])?;
        while let Some(r) = rows.next()? {
            let raw_bytes: usize = r.get(0)?;
            let data = r.get_ref(1)?.as_blob()?;
            if out.len() > 1 {
                out.push(b',');
            }
            out.extend_from_slice(&chunk::decompress(data, raw_bytes)?);
        }
        out.push(b']');
        Ok(out)
    }

    /// The events of a window with `from <= timestamp <= to` (epoch ms; either bound optional),
    /// in stored order, as one JSON array.
    pub fn events(
        &self,
        id: &str,
        window: u32,
        from: Option<f64>,
        to: Option<f64>,
    ) -> Result<Vec<u8>> {
        let (pk, full_id) = self.resolve(id)?;
        self.check_window(pk, &full_id, window)?;
        let from = from.unwrap_or(f64::NEG_INFINITY);
        let to = to.unwrap_or(f64::INFINITY);
        let mut stmt = self.conn.prepare_cached(
            "SELECT raw_bytes, event_index, data FROM chunks WHERE session_pk = ?1 \
             AND window_idx = ?2 AND end_ts >= ?3 AND start_ts <= ?4 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![pk, window, from.max(-1e300), to.min(1e300)])?;
        let mut out = Vec::with_capacity(64 * 1024);
        out.push(b'[');
        while let Some(r) = rows.next()? {
            let raw_bytes: usize = r.get(0)?;
            let index = chunk::read_index(r.get_ref(1)?.as_blob()?)?;
            let data = chunk::decompress(r.get_ref(2)?.as_blob()?, raw_bytes)?;
            for e in index.iter().filter(|e| e.ts >= from && e.ts <= to) {
                let bytes = data
                    .get(e.offset..e.offset + e.len)
                    .ok_or_else(|| Error::Storage("event index points outside its chunk".into()))?;
                if out.len() > 1 {
                    out.push(b',');
                }
                out.extend_from_slice(bytes);
            }
        }
        out.push(b']');
        Ok(out)
    }

    fn check_window(&self, pk: i64, id: &str, window: u32) -> Result<()> {
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM windows WHERE session_pk = ?1 AND idx = ?2)",
            params![pk, window],
            |r| r.get(0),
        )?;
        if exists {
            Ok(())
        } else {
            Err(Error::WindowNotFound {
                id: id.into(),
                window,
            })
        }
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM library_meta WHERE key = ?1",
                [key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO library_meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Row counts of every table, for tests that prove an operation changed nothing.
    pub fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for table in [
            "sessions",
            "session_urls",
            "windows",
            "chunks",
            "keyframes",
            "session_markers",
            "activity_segments",
            "session_console",
            "session_requests",
            "request_payloads",
        ] {
            let n: i64 =
                self.conn
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            out.push((table.to_string(), n));
        }
        Ok(out)
    }
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<SessionSummary> {
    let started: i64 = r.get(4)?;
    let ended: i64 = r.get(5)?;
    let vw: Option<u32> = r.get(9)?;
    let vh: Option<u32> = r.get(10)?;
    let format: String = r.get(2)?;
    let compression: String = r.get(3)?;
    Ok(SessionSummary {
        id: r.get(0)?,
        source: r.get(1)?,
        format: Format::parse(&format).unwrap_or(Format::RrwebArray),
        compression: Compression::parse(&compression).unwrap_or(Compression::None),
        started_at: started,
        duration_ms: ended - started,
        first_url: r.get(6)?,
        url_count: r.get(7)?,
        window_count: r.get(8)?,
        viewport_width: vw,
        viewport_height: vh,
        event_counts: EventCounts {
            total: r.get(11)?,
            dom_content_loaded: r.get(12)?,
            load: r.get(13)?,
            full_snapshot: r.get(14)?,
            incremental_snapshot: r.get(15)?,
            meta: r.get(16)?,
            custom: r.get(17)?,
            plugin: r.get(18)?,
        },
        click_count: r.get(19)?,
        file_bytes: r.get::<_, i64>(20)?.max(0) as u64,
        raw_bytes: r.get::<_, i64>(21)?.max(0) as u64,
        stored_bytes: r.get::<_, i64>(22)?.max(0) as u64,
        imported_at: r.get(23)?,
        vendor_id: r.get(24)?,
        user: SessionUser {
            id: r.get(25)?,
            name: r.get(26)?,
            email: r.get(27)?,
        },
        client: ClientInfo {
            browser: r.get(28)?,
            browser_version: r.get(29)?,
            os: r.get(30)?,
            device_type: r.get(31)?,
            country: r.get(32)?,
            user_agent: r.get(33)?,
            sdk: r.get(34)?,
        },
        insights: analysis_store::insights_from_row(r, 35)?,
        source_url: r.get(51)?,
        source_folder: r.get(52)?,
        missing: r.get(53)?,
        tags: r
            .get::<_, Option<String>>(54)?
            .map(|t| {
                let mut tags: Vec<String> = t.split('\u{1f}').map(str::to_string).collect();
                tags.sort_by_key(|t| t.to_lowercase());
                tags
            })
            .unwrap_or_default(),
        comment_count: r.get(55)?,
    })
}

/// Epoch milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The columns of a `ChunkInfo` with its keyframe's, and the tables they come from (`c`, `k`).
const CHUNK_COLUMNS: &str = "c.seq, c.start_ts, c.end_ts, c.event_count, c.full_snapshot, \
     c.raw_bytes, k.ts, k.event_count, k.raw_bytes FROM chunks c LEFT JOIN keyframes k \
     ON k.session_pk = c.session_pk AND k.window_idx = c.window_idx AND k.seq = c.seq";

/// A `ChunkInfo` from [`CHUNK_COLUMNS`], starting at column `first` of the row.
fn chunk_info(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<ChunkInfo> {
    let keyframe = match r.get::<_, Option<f64>>(first + 6)? {
        Some(ts) => Some(KeyframeInfo {
            ts: ts.floor() as i64,
            event_count: r.get(first + 7)?,
            raw_bytes: r.get(first + 8)?,
        }),
        None => None,
    };
    Ok(ChunkInfo {
        seq: r.get(first)?,
        start_ts: r.get::<_, f64>(first + 1)?.floor() as i64,
        end_ts: r.get::<_, f64>(first + 2)?.ceil() as i64,
        event_count: r.get(first + 3)?,
        full_snapshot: r.get(first + 4)?,
        raw_bytes: r.get(first + 5)?,
        keyframe,
    })
}
