//! Stores and reads the analysis, and recomputes it from the stored events when the settings
//! or the analysis itself changed (`reanalyze`).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{chunk, Library};
use crate::analysis::settings::SETTINGS_KEY;
use crate::analysis::{
    AnalysisSettings, EventFacts, SessionAnalysis, WindowAnalyzer, ANALYSIS_VERSION,
};
use crate::error::{Error, Result};
use crate::formats::parse_event;
use crate::model::{
    ActivitySegment, ConsoleLog, Insights, Marker, NetworkLog, NetworkRequestDetail,
    RequestPayloads,
};

/// `window_idx` of the whole session's segments.
const SESSION_WINDOW: i64 = -1;

/// Reads the insight columns, in `Insights` field order, starting at column `at`.
pub(super) fn insights_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Insights> {
    Ok(Insights {
        page_count: r.get(at)?,
        clicks: r.get(at + 1)?,
        errors: r.get(at + 2)?,
        exceptions: r.get(at + 3)?,
        warnings: r.get(at + 4)?,
        failed_requests: r.get(at + 5)?,
        rage_clicks: r.get(at + 6)?,
        dead_clicks: r.get(at + 7)?,
        error_clicks: r.get(at + 8)?,
        mouse_thrashes: r.get(at + 9)?,
        scroll_thrashes: r.get(at + 10)?,
        u_turns: r.get(at + 11)?,
        custom_events: r.get(at + 12)?,
        active_ms: r.get(at + 13)?,
        inactive_ms: r.get(at + 14)?,
        frustration_score: r.get(at + 15)?,
    })
}

/// Replaces a session's stored analysis.
pub(super) fn store(tx: &Transaction<'_>, pk: i64, a: &SessionAnalysis) -> Result<()> {
    super::search::index_text(tx, pk, a)?;
    tx.execute(
        "INSERT OR REPLACE INTO session_markers (session_pk, marker_count, raw_bytes, data) \
         VALUES (?1, ?2, ?3, ?4)",
        params![
            pk,
            a.markers.len() as i64,
            a.encoded_markers.raw_bytes as i64,
            a.encoded_markers.data
        ],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO session_console (session_pk, entry_count, dropped, raw_bytes, \
         data) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            pk,
            a.console.len() as i64,
            a.console_dropped,
            a.encoded_console.raw_bytes as i64,
            a.encoded_console.data
        ],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO session_requests (session_pk, request_count, dropped, \
         raw_bytes, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            pk,
            a.requests.len() as i64,
            a.requests_dropped,
            a.encoded_requests.raw_bytes as i64,
            a.encoded_requests.data
        ],
    )?;
    tx.execute("DELETE FROM request_payloads WHERE session_pk = ?1", [pk])?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO request_payloads (session_pk, idx, raw_bytes, data) \
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (idx, e) in &a.encoded_payloads {
            insert.execute(params![pk, idx, e.raw_bytes as i64, e.data])?;
        }
    }
    tx.execute("DELETE FROM activity_segments WHERE session_pk = ?1", [pk])?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO activity_segments (session_pk, window_idx, seq, start_ts, end_ts, active) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let all = a
            .windows
            .iter()
            .map(|w| (i64::from(w.window), &w.segments))
            .chain([(SESSION_WINDOW, &a.segments)]);
        for (window, segments) in all {
            for (seq, s) in segments.iter().enumerate() {
                insert.execute(params![pk, window, seq as i64, s.start, s.end, s.active])?;
            }
        }
    }
    let i = &a.insights;
    tx.execute(
        "UPDATE sessions SET analysis_version = ?2, page_count = ?3, click_count = ?4, \
         error_count = ?5, exception_count = ?6, warning_count = ?7, failed_request_count = ?8, \
         rage_click_count = ?9, dead_click_count = ?10, error_click_count = ?11, \
         mouse_thrash_count = ?12, scroll_thrash_count = ?13, u_turn_count = ?14, \
         custom_event_count = ?15, active_ms = ?16, inactive_ms = ?17, frustration_score = ?18 \
         WHERE pk = ?1",
        params![
            pk,
            ANALYSIS_VERSION,
            i.page_count,
            i.clicks,
            i.errors,
            i.exceptions,
            i.warnings,
            i.failed_requests,
            i.rage_clicks,
            i.dead_clicks,
            i.error_clicks,
            i.mouse_thrashes,
            i.scroll_thrashes,
            i.u_turns,
            i.custom_events,
            i.active_ms,
            i.inactive_ms,
            i.frustration_score
        ],
    )?;
    Ok(())
}

pub(super) fn markers(conn: &Connection, pk: i64) -> Result<Vec<Marker>> {
    let stored = conn
        .query_row(
            "SELECT raw_bytes, data FROM session_markers WHERE session_pk = ?1",
            [pk],
            |r| Ok((r.get::<_, usize>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?;
    let Some((raw_bytes, data)) = stored else {
        return Ok(Vec::new());
    };
    let json = chunk::decompress(&data, raw_bytes)?;
    if let Ok(markers) = serde_json::from_slice::<Vec<Marker>>(&json) {
        return Ok(markers);
    }
    // Markers of a kind this build does not know (a newer build wrote them) are left out.
    let values: Vec<serde_json::Value> =
        serde_json::from_slice(&json).map_err(|e| Error::Storage(format!("markers: {e}")))?;
    Ok(values
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Marker>(v).ok())
        .collect())
}

/// Reads one zstd JSON blob of `table` (`count_col`, `dropped`, `raw_bytes`, `data`).
fn stored_list<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    table: &str,
    pk: i64,
) -> Result<(Vec<T>, u32)> {
    let stored = conn
        .query_row(
            &format!("SELECT dropped, raw_bytes, data FROM {table} WHERE session_pk = ?1"),
            [pk],
            |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, usize>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            },
        )
        .optional()?;
    let Some((dropped, raw_bytes, data)) = stored else {
        return Ok((Vec::new(), 0));
    };
    let json = chunk::decompress(&data, raw_bytes)?;
    let values: Vec<serde_json::Value> =
        serde_json::from_slice(&json).map_err(|e| Error::Storage(format!("{table}: {e}")))?;
    // An entry this build cannot read (a newer build wrote it) is left out.
    Ok((
        values
            .into_iter()
            .filter_map(|v| serde_json::from_value::<T>(v).ok())
            .collect(),
        dropped,
    ))
}

pub(super) fn console(conn: &Connection, pk: i64) -> Result<ConsoleLog> {
    let (entries, dropped) = stored_list(conn, "session_console", pk)?;
    Ok(ConsoleLog { entries, dropped })
}

pub(super) fn requests(conn: &Connection, pk: i64) -> Result<NetworkLog> {
    let (requests, dropped) = stored_list(conn, "session_requests", pk)?;
    Ok(NetworkLog { requests, dropped })
}

/// One request with its headers and bodies (none when nothing was recorded).
pub(super) fn request(
    conn: &Connection,
    pk: i64,
    index: u32,
) -> Result<Option<NetworkRequestDetail>> {
    let Some(request) = requests(conn, pk)?
        .requests
        .into_iter()
        .find(|r| r.index == index)
    else {
        return Ok(None);
    };
    let stored = conn
        .query_row(
            "SELECT raw_bytes, data FROM request_payloads WHERE session_pk = ?1 AND idx = ?2",
            params![pk, index],
            |r| Ok((r.get::<_, usize>(0)?, r.get::<_, Vec<u8>>(1)?)),
        )
        .optional()?;
    let payloads = match stored {
        Some((raw_bytes, data)) => {
            let json = chunk::decompress(&data, raw_bytes)?;
            serde_json::from_slice::<RequestPayloads>(&json).unwrap_or_default()
        }
        None => RequestPayloads::default(),
    };
    Ok(Some(NetworkRequestDetail { request, payloads }))
}

/// Segments per window index (`SESSION_WINDOW` for the session).
pub(super) fn segments(conn: &Connection, pk: i64) -> Result<Vec<(i64, ActivitySegment)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT window_idx, start_ts, end_ts, active FROM activity_segments \
         WHERE session_pk = ?1 ORDER BY window_idx, seq",
    )?;
    let rows = stmt.query_map([pk], |r| {
        Ok((
            r.get(0)?,
            ActivitySegment {
                start: r.get(1)?,
                end: r.get(2)?,
                active: r.get(3)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn is_session_window(w: i64) -> bool {
    w == SESSION_WINDOW
}

/// Which sessions `reanalyze` should take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reanalyze {
    /// Every session.
    All,
    /// Sessions analysed by an older build (or never).
    Stale,
    /// These sessions (ids or unique prefixes).
    Sessions(Vec<String>),
}

/// Progress of a reanalysis: sessions done out of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReanalyzeProgress {
    pub done: u64,
    pub total: u64,
}

impl Library {
    /// The analysis settings in force for this library.
    pub fn analysis_settings(&self) -> Result<AnalysisSettings> {
        Ok(match self.meta(SETTINGS_KEY)? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => AnalysisSettings::default(),
        })
    }

    /// Saves new settings. Sessions keep their analysis until `reanalyze` runs.
    pub fn set_analysis_settings(&self, s: &AnalysisSettings) -> Result<()> {
        s.validate().map_err(Error::InvalidSettings)?;
        let json =
            serde_json::to_string(s).map_err(|e| Error::Storage(format!("settings: {e}")))?;
        self.set_meta(SETTINGS_KEY, &json)
    }

    /// How many sessions were analysed by an older build (or never).
    pub fn stale_analysis_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM sessions WHERE analysis_version <> ?1",
            [ANALYSIS_VERSION],
            |r| r.get(0),
        )?)
    }

    /// Recomputes the analysis of sessions from their stored events with the current
    /// settings, one transaction per session. Returns how many sessions were analysed.
    pub fn reanalyze(
        &mut self,
        which: &Reanalyze,
        progress: &mut dyn FnMut(ReanalyzeProgress),
    ) -> Result<u64> {
        let pks = self.sessions_to_redo(which, "analysis_version", ANALYSIS_VERSION)?;
        let settings = self.analysis_settings()?;
        let total = pks.len() as u64;
        for (n, pk) in pks.into_iter().enumerate() {
            let analysis = self.analyse_stored(pk, &settings)?;
            let tx = self.conn.transaction()?;
            store(&tx, pk, &analysis)?;
            tx.commit()?;
            progress(ReanalyzeProgress {
                done: n as u64 + 1,
                total,
            });
        }
        Ok(total)
    }

    /// The sessions `which` names, in pk order; `Stale` ones have `column` other than `current`.
    pub(super) fn sessions_to_redo(
        &self,
        which: &Reanalyze,
        column: &str,
        current: i64,
    ) -> Result<Vec<i64>> {
        match which {
            Reanalyze::All => self.pks("SELECT pk FROM sessions ORDER BY pk", []),
            Reanalyze::Stale => self.pks(
                &format!("SELECT pk FROM sessions WHERE {column} <> ?1 ORDER BY pk"),
                [current],
            ),
            Reanalyze::Sessions(ids) => ids
                .iter()
                .map(|id| self.resolve(id).map(|(pk, _)| pk))
                .collect(),
        }
    }

    pub(super) fn pks<P: rusqlite::Params>(&self, sql: &str, p: P) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map(p, |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Runs the analysis over a session's stored events, window by window, chunk by chunk.
    fn analyse_stored(&self, pk: i64, settings: &AnalysisSettings) -> Result<SessionAnalysis> {
        let windows: Vec<u32> = self
            .pks(
                "SELECT idx FROM windows WHERE session_pk = ?1 ORDER BY idx",
                [pk],
            )?
            .into_iter()
            .map(|w| w as u32)
            .collect();
        let mut results = Vec::with_capacity(windows.len());
        let mut stmt = self.conn.prepare_cached(
            "SELECT raw_bytes, event_index, data FROM chunks WHERE session_pk = ?1 \
             AND window_idx = ?2 ORDER BY seq",
        )?;
        for w in windows {
            let mut analyzer = WindowAnalyzer::new(w, settings);
            let mut rows = stmt.query(params![pk, w])?;
            while let Some(r) = rows.next()? {
                let raw_bytes: usize = r.get(0)?;
                let index = chunk::read_index(r.get_ref(1)?.as_blob()?)?;
                let data = chunk::decompress(r.get_ref(2)?.as_blob()?, raw_bytes)?;
                for e in &index {
                    let Some(bytes) = data.get(e.offset..e.offset + e.len) else {
                        return Err(Error::Storage(
                            "event index points outside its chunk".into(),
                        ));
                    };
                    // Stored events were valid at import; one that no longer parses is skipped.
                    if let Ok(head) = parse_event(bytes) {
                        analyzer.observe(EventFacts::of(head));
                    }
                }
            }
            results.push(analyzer.finish());
        }
        Ok(SessionAnalysis::combine(
            results,
            settings.inactivity_threshold_ms,
        ))
    }
}
