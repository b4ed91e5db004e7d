//! The library's log: what happened that a user may want to read back later (a file that
//! would not import, a folder scan, a deletion, retention).

use rusqlite::params;

use super::Library;
use crate::error::Result;
use crate::model::{LogEntry, LogKind};

/// Entries kept; older ones go as new ones come.
const MAX_ENTRIES: i64 = 10_000;

impl Library {
    pub fn log(
        &self,
        kind: LogKind,
        path: Option<&str>,
        code: Option<&str>,
        message: &str,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO library_log (at, kind, path, code, message) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![super::now_ms(), kind.as_str(), path, code, message],
        )?;
        let id = self.conn.last_insert_rowid();
        if id % 100 == 0 {
            self.conn
                .execute("DELETE FROM library_log WHERE id <= ?1", [id - MAX_ENTRIES])?;
        }
        Ok(())
    }

    /// The newest `limit` entries, newest first.
    pub fn log_entries(&self, limit: u32) -> Result<Vec<LogEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, kind, path, code, message FROM library_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            let kind: String = r.get(2)?;
            Ok(LogEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                kind: LogKind::parse(&kind).unwrap_or(LogKind::ImportError),
                path: r.get(3)?,
                code: r.get(4)?,
                message: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn clear_log(&self) -> Result<()> {
        self.conn.execute("DELETE FROM library_log", [])?;
        Ok(())
    }
}
