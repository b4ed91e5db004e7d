//! Watched folders: the list the library keeps, and what the watcher needs to know about the
//! sessions that came from files (which file, when imported, whether it is gone).

use std::collections::HashMap;
use std::path::{Path, PathBuf, MAIN_SEPARATOR};

use rusqlite::{params, OptionalExtension};

use super::{summary_from_row, Library, SUMMARY_COLUMNS};
use crate::error::{Error, Result};
use crate::model::{LogEntry, LogKind, SessionSummary, WatchedFolder};

impl Library {
    /// The watched folders, in path order, with how many sessions came from each.
    pub fn watched_folders(&self) -> Result<Vec<WatchedFolder>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{FOLDER_QUERY} ORDER BY w.path"))?;
        let rows = stmt.query_map([], folder_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Starts watching `path` (kept as its canonical absolute path). Adding a folder that is
    /// already watched returns it unchanged.
    pub fn add_watched_folder(&self, path: &Path) -> Result<WatchedFolder> {
        let canonical = canonical_folder(path)?;
        let key = canonical.display().to_string();
        self.conn.execute(
            "INSERT OR IGNORE INTO watched_folders (path, added_at) VALUES (?1, ?2)",
            params![key, super::now_ms()],
        )?;
        self.watched_folder(&key)?
            .ok_or_else(|| Error::Storage(format!("the watched folder {key} was not kept")))
    }

    /// Stops watching `path`. Its sessions stay in the library. False if it was not watched.
    pub fn remove_watched_folder(&self, path: &Path) -> Result<bool> {
        // A folder that is gone can still be removed from the list, by the name it had.
        let key = std::fs::canonicalize(path)
            .unwrap_or_else(|_| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
            .display()
            .to_string();
        let n = self
            .conn
            .execute("DELETE FROM watched_folders WHERE path = ?1", [&key])?;
        Ok(n > 0)
    }

    fn watched_folder(&self, key: &str) -> Result<Option<WatchedFolder>> {
        Ok(self
            .conn
            .query_row(
                &format!("{FOLDER_QUERY} WHERE w.path = ?1"),
                [key],
                folder_from_row,
            )
            .optional()?)
    }

    /// Marks the sessions of a file that is gone as missing: the file `source_path` itself,
    /// or every file under it when it was a folder. Their events stay. Returns how many
    /// sessions changed.
    pub fn mark_missing(&self, source_path: &str) -> Result<u32> {
        let (lower, upper) = prefix_range(source_path);
        let n = self.conn.execute(
            "UPDATE sessions SET missing = 1 WHERE missing = 0 AND source_url IS NULL \
             AND (source = ?1 OR (source > ?2 AND source < ?3))",
            params![source_path, lower, upper],
        )?;
        Ok(n as u32)
    }

    /// The sessions imported from the file `source` (usually one; more when it was imported
    /// again after a change without replacing), newest import first.
    pub fn sessions_by_source(&self, source: &str) -> Result<Vec<SessionSummary>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions WHERE source = ?1 ORDER BY imported_at DESC"
        ))?;
        let rows = stmt.query_map([source], summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The sessions imported from files anywhere under `folder` (whatever folder they were
    /// credited to), for a rescan to tell new, changed, unchanged and deleted files apart.
    pub fn sessions_under(&self, folder: &Path) -> Result<Vec<SessionSummary>> {
        let (lower, upper) = prefix_range(&folder.display().to_string());
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions WHERE source > ?1 AND source < ?2 \
             AND source_url IS NULL ORDER BY source, imported_at DESC"
        ))?;
        let rows = stmt.query_map(params![lower, upper], summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Points a session at the file it now lives in (a recording renamed or moved within a
    /// watched folder keeps its session, tags and comments) and clears its missing mark.
    pub fn relocate_session(&self, id: &str, source: &str, folder: Option<&str>) -> Result<()> {
        let (pk, _) = self.resolve(id)?;
        self.conn.execute(
            "UPDATE sessions SET source = ?2, source_folder = coalesce(?3, source_folder), \
             missing = 0 WHERE pk = ?1",
            params![pk, source, folder],
        )?;
        Ok(())
    }

    /// The newest import failure logged for each file under `folder`: a rescan does not try
    /// (and log) a file again until it changes.
    pub fn import_failures_under(&self, folder: &Path) -> Result<HashMap<String, LogEntry>> {
        let (lower, upper) = prefix_range(&folder.display().to_string());
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, path, code, message FROM library_log \
             WHERE kind = ?1 AND path > ?2 AND path < ?3 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![LogKind::ImportError.as_str(), lower, upper], |r| {
            Ok(LogEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                kind: LogKind::ImportError,
                path: r.get(2)?,
                code: r.get(3)?,
                message: r.get(4)?,
            })
        })?;
        let mut newest = HashMap::new();
        for entry in rows {
            let entry = entry?;
            if let Some(p) = entry.path.clone() {
                newest.insert(p, entry);
            }
        }
        Ok(newest)
    }

    /// Credits the sessions of these files to the watched folder `folder` (files imported by
    /// hand before the folder was watched), in one transaction.
    pub fn credit_to_folder(&mut self, sources: &[String], folder: &str) -> Result<u32> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE sessions SET source_folder = ?2 \
                 WHERE source = ?1 AND source_folder IS NOT ?2 AND source_url IS NULL",
            )?;
            for s in sources {
                n += stmt.execute(params![s, folder])? as u32;
            }
        }
        tx.commit()?;
        Ok(n)
    }
}

const FOLDER_QUERY: &str = "SELECT w.path, w.added_at, \
    (SELECT count(*) FROM sessions s WHERE s.source_folder = w.path), \
    (SELECT count(*) FROM sessions s WHERE s.source_folder = w.path AND s.missing) \
    FROM watched_folders w";

fn folder_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WatchedFolder> {
    Ok(WatchedFolder {
        path: r.get(0)?,
        added_at: r.get(1)?,
        session_count: r.get(2)?,
        missing_count: r.get(3)?,
    })
}

/// The folder as the library keeps it: absolute, symlinks resolved, and a folder.
fn canonical_folder(path: &Path) -> Result<PathBuf> {
    let canonical = std::fs::canonicalize(path).map_err(|e| Error::io(path, e))?;
    if !canonical.is_dir() {
        return Err(Error::NotAFolder {
            path: path.to_path_buf(),
        });
    }
    Ok(canonical)
}

/// Bounds of the paths strictly inside `dir` (`dir/` ≤ p < `dir0`, '0' following the
/// separator), so an indexed range replaces a LIKE that would need escaping.
fn prefix_range(dir: &str) -> (String, String) {
    let dir = dir.trim_end_matches(MAIN_SEPARATOR);
    let next = char::from_u32(MAIN_SEPARATOR as u32 + 1).unwrap_or(char::MAX);
    (format!("{dir}{MAIN_SEPARATOR}"), format!("{dir}{next}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_range_holds_only_what_is_inside() {
        let (lo, hi) = prefix_range("/a/b");
        let inside = |p: &str| p > lo.as_str() && p < hi.as_str();
        assert!(inside("/a/b/c.json"));
        assert!(inside("/a/b/d/e.json"));
        assert!(!inside("/a/b"));
        assert!(!inside("/a/bc/x.json"));
        assert!(!inside("/a/b-2/x.json"));
        assert!(!inside("/a/a/x.json"));
        assert_eq!(prefix_range("/a/b/"), (lo, hi));
    }
}
