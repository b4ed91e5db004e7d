//! What users do to the library besides importing: tags, comments, saved searches, recent
//! files, deleting sessions, erasing a user, and retention.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::query::Clock;
use super::{now_ms, Library};
use crate::error::{Error, Result};
use crate::model::{
    EraseReport, LogKind, Marker, MarkerDetail, MarkerKind, RecentItem, SavedSearch, SessionComment,
};

/// Where the retention period lives in `library_meta`.
const RETENTION_KEY: &str = "retention_days";
const DAY_MS: i64 = 86_400_000;
/// Longest tag and comment accepted.
const MAX_TAG_CHARS: usize = 64;
const MAX_COMMENT_CHARS: usize = 4_000;
/// Entries of File › Open Recent.
const MAX_RECENT: i64 = 12;

impl Library {
    /// Replaces a session's tags; returns them as stored (trimmed, deduplicated, sorted).
    pub fn set_tags(&mut self, id: &str, tags: &[String]) -> Result<Vec<String>> {
        let (pk, _) = self.resolve(id)?;
        let tags = normalise_tags(tags)?;
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM session_tags WHERE session_pk = ?1", [pk])?;
        for t in &tags {
            tx.execute(
                "INSERT OR IGNORE INTO session_tags (session_pk, tag) VALUES (?1, ?2)",
                params![pk, t],
            )?;
        }
        index_notes(&tx, pk)?;
        tx.commit()?;
        self.tags_of(pk)
    }

    /// Adds and removes tags; returns the session's tags after.
    pub fn edit_tags(
        &mut self,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<Vec<String>> {
        let (pk, _) = self.resolve(id)?;
        let mut tags = self.tags_of(pk)?;
        let remove: Vec<String> = remove.iter().map(|t| t.trim().to_lowercase()).collect();
        tags.retain(|t| !remove.contains(&t.to_lowercase()));
        tags.extend(add.iter().cloned());
        self.set_tags(id, &tags)
    }

    pub fn tags(&self, id: &str) -> Result<Vec<String>> {
        let (pk, _) = self.resolve(id)?;
        self.tags_of(pk)
    }

    fn tags_of(&self, pk: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT tag FROM session_tags WHERE session_pk = ?1")?;
        let mut tags: Vec<String> = stmt
            .query_map([pk], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        tags.sort_by_key(|t| t.to_lowercase());
        Ok(tags)
    }

    /// Leaves a comment at moment `at` (epoch ms) of a session's window.
    pub fn add_comment(
        &mut self,
        id: &str,
        at: i64,
        window: u32,
        text: &str,
    ) -> Result<SessionComment> {
        let (pk, _) = self.resolve(id)?;
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::InvalidInput("a comment needs some text".into()));
        }
        if text.chars().count() > MAX_COMMENT_CHARS {
            return Err(Error::InvalidInput(format!(
                "a comment holds at most {MAX_COMMENT_CHARS} characters"
            )));
        }
        let (start, end): (i64, i64) = self.conn.query_row(
            "SELECT started_at, ended_at FROM sessions WHERE pk = ?1",
            [pk],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let at = at.clamp(start, end.max(start));
        let created_at = now_ms();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO session_comments (session_pk, at, window_idx, text, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![pk, at, window, text, created_at],
        )?;
        let comment_id = tx.last_insert_rowid();
        index_notes(&tx, pk)?;
        tx.commit()?;
        Ok(SessionComment {
            id: comment_id,
            at,
            window,
            text: text.to_string(),
            created_at,
        })
    }

    /// Deletes a comment; false when there was none with that id.
    pub fn delete_comment(&mut self, comment_id: i64) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let pk: Option<i64> = tx
            .query_row(
                "DELETE FROM session_comments WHERE id = ?1 RETURNING session_pk",
                [comment_id],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(pk) = pk {
            index_notes(&tx, pk)?;
        }
        tx.commit()?;
        Ok(pk.is_some())
    }

    pub fn comments(&self, id: &str) -> Result<Vec<SessionComment>> {
        let (pk, _) = self.resolve(id)?;
        comments(&self.conn, pk)
    }

    /// Deletes sessions (their events, analysis and index rows; the files stay). Returns how
    /// many were deleted; an id that matches nothing is an error and deletes nothing.
    pub fn delete_sessions(&mut self, ids: &[String]) -> Result<u32> {
        let pks: Vec<(i64, String)> = ids
            .iter()
            .map(|id| self.resolve(id))
            .collect::<Result<_>>()?;
        let mut pks_only: Vec<i64> = pks.iter().map(|(pk, _)| *pk).collect();
        pks_only.sort_unstable();
        pks_only.dedup();
        let n = self.delete_pks(&pks_only)?;
        if n > 0 {
            let mut named: Vec<&str> = pks.iter().map(|(_, id)| id.as_str()).collect();
            named.dedup();
            let shown = named.iter().take(5).copied().collect::<Vec<_>>().join(", ");
            let more = if named.len() > 5 {
                format!(" and {} more", named.len() - 5)
            } else {
                String::new()
            };
            self.log(
                LogKind::Delete,
                None,
                None,
                &format!("Deleted {}: {shown}{more}", plural(n, "session")),
            )?;
        }
        Ok(n)
    }

    /// How many sessions have this user id or email (exact; emails ignore case).
    pub fn count_user_sessions(&self, user: &str) -> Result<u32> {
        let user = user.trim();
        if user.is_empty() {
            return Ok(0);
        }
        Ok(self.conn.query_row(
            "SELECT count(*) FROM sessions WHERE user_id = ?1 OR user_email = ?1 COLLATE NOCASE",
            [user],
            |r| r.get(0),
        )?)
    }

    /// Deletes every session of a user id or email, and scrubs what is left of them from the
    /// file (freed pages are zeroed, the full-text indexes rebuilt, the WAL emptied), for a
    /// privacy request. The log says how many, not who.
    pub fn erase_user(&mut self, user: &str) -> Result<EraseReport> {
        let user = user.trim();
        if user.is_empty() {
            return Err(Error::InvalidInput("name the user by id or email".into()));
        }
        let before = self.count_user_sessions(user)?;
        let pks = self.pks(
            "SELECT pk FROM sessions WHERE user_id = ?1 OR user_email = ?1 COLLATE NOCASE",
            [user],
        )?;
        self.delete_pks(&pks)?;
        if before > 0 {
            self.scrub()?;
        }
        let after = self.count_user_sessions(user)?;
        self.log(
            LogKind::Erase,
            None,
            None,
            &format!(
                "Erased every session of a user: {}",
                plural(before, "session")
            ),
        )?;
        Ok(EraseReport { before, after })
    }

    /// Rewrites what deleted rows may leave behind: FTS segments still holding their terms,
    /// and WAL frames with old pages.
    fn scrub(&mut self) -> Result<()> {
        for table in [
            "session_meta",
            "session_meta_words",
            "session_text",
            "session_notes",
        ] {
            self.conn.execute(
                &format!("INSERT INTO {table} ({table}) VALUES ('optimize')"),
                [],
            )?;
        }
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    fn delete_pks(&mut self, pks: &[i64]) -> Result<u32> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut del = tx.prepare_cached("DELETE FROM sessions WHERE pk = ?1")?;
            for pk in pks {
                n += del.execute([pk])? as u32;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Days of sessions kept, or None to keep every session (the default).
    pub fn retention_days(&self) -> Result<Option<u32>> {
        Ok(self
            .meta(RETENTION_KEY)?
            .and_then(|v| v.parse().ok())
            .filter(|&d: &u32| d > 0))
    }

    pub fn set_retention_days(&self, days: Option<u32>) -> Result<()> {
        match days {
            Some(0) => Err(Error::InvalidInput(
                "retention must keep at least one day".into(),
            )),
            Some(d) => self.set_meta(RETENTION_KEY, &d.to_string()),
            None => {
                self.conn
                    .execute("DELETE FROM library_meta WHERE key = ?1", [RETENTION_KEY])?;
                Ok(())
            }
        }
    }

    /// Deletes sessions recorded more than the retention period before `now_ms`, if one is
    /// set, and logs it. Returns how many were deleted.
    pub fn apply_retention(&mut self, now_ms: i64) -> Result<u32> {
        let Some(days) = self.retention_days()? else {
            return Ok(0);
        };
        let cutoff = now_ms - i64::from(days) * DAY_MS;
        let pks = self.pks("SELECT pk FROM sessions WHERE started_at < ?1", [cutoff])?;
        let n = self.delete_pks(&pks)?;
        if n > 0 {
            self.log(
                LogKind::Retention,
                None,
                None,
                &format!(
                    "Deleted {} recorded more than {} ago",
                    plural(n, "session"),
                    plural(days, "day")
                ),
            )?;
        }
        Ok(n)
    }

    pub fn saved_searches(&self, clock: Clock) -> Result<Vec<SavedSearch>> {
        let rows: Vec<(i64, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT id, name, query FROM saved_searches ORDER BY name COLLATE NOCASE, id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(id, name, query)| {
                Ok(SavedSearch {
                    count: self.count_matching(&query, clock)?,
                    id,
                    name,
                    query,
                })
            })
            .collect()
    }

    /// Saves a search under a name; saving a name again replaces its query.
    pub fn save_search(&self, name: &str, query: &str, clock: Clock) -> Result<SavedSearch> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput("a saved search needs a name".into()));
        }
        let existing: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM saved_searches WHERE name = ?1 COLLATE NOCASE",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        let id = match existing {
            Some(id) => {
                self.conn.execute(
                    "UPDATE saved_searches SET query = ?2, name = ?3 WHERE id = ?1",
                    params![id, query.trim(), name],
                )?;
                id
            }
            None => {
                self.conn.execute(
                    "INSERT INTO saved_searches (name, query, created_at) VALUES (?1, ?2, ?3)",
                    params![name, query.trim(), now_ms()],
                )?;
                self.conn.last_insert_rowid()
            }
        };
        Ok(SavedSearch {
            id,
            name: name.to_string(),
            query: query.trim().to_string(),
            count: self.count_matching(query, clock)?,
        })
    }

    pub fn delete_saved_search(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .execute("DELETE FROM saved_searches WHERE id = ?1", [id])?
            > 0)
    }

    /// Remembers a file or URL the user opened, for File › Open Recent.
    pub fn note_recent(&self, target: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO recent_items (target, opened_at) VALUES (?1, ?2) \
             ON CONFLICT(target) DO UPDATE SET opened_at = excluded.opened_at",
            params![target, now_ms()],
        )?;
        self.conn.execute(
            "DELETE FROM recent_items WHERE target NOT IN \
             (SELECT target FROM recent_items ORDER BY opened_at DESC LIMIT ?1)",
            [MAX_RECENT],
        )?;
        Ok(())
    }

    /// Most recent first.
    pub fn recent_items(&self) -> Result<Vec<RecentItem>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT target, opened_at FROM recent_items ORDER BY opened_at DESC")?;
        let rows = stmt.query_map([], |r| {
            Ok(RecentItem {
                target: r.get(0)?,
                opened_at: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

pub(super) fn comments(conn: &Connection, pk: i64) -> Result<Vec<SessionComment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, window_idx, text, created_at FROM session_comments \
         WHERE session_pk = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([pk], |r| {
        Ok(SessionComment {
            id: r.get(0)?,
            at: r.get(1)?,
            window: r.get(2)?,
            text: r.get(3)?,
            created_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A comment as a timeline marker.
pub(super) fn comment_marker(c: &SessionComment) -> Marker {
    Marker {
        at: c.at,
        window: c.window,
        kind: MarkerKind::Comment,
        label: c.text.chars().take(120).collect(),
        detail: MarkerDetail {
            message: Some(c.text.clone()),
            ..Default::default()
        },
    }
}

/// Moves the tags and comments of the sessions imported before from `source` to `pk`, then
/// deletes those sessions: a watched file that changed is one session, in its latest form.
pub(super) fn replace_same_source(tx: &Transaction<'_>, pk: i64, source: &str) -> Result<()> {
    let old: Vec<i64> = tx
        .prepare_cached("SELECT pk FROM sessions WHERE source = ?1 AND pk <> ?2")?
        .query_map(params![source, pk], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if old.is_empty() {
        return Ok(());
    }
    for o in &old {
        tx.execute(
            "INSERT OR IGNORE INTO session_tags (session_pk, tag) \
             SELECT ?1, tag FROM session_tags WHERE session_pk = ?2",
            params![pk, o],
        )?;
        tx.execute(
            "UPDATE session_comments SET session_pk = ?1 WHERE session_pk = ?2",
            params![pk, o],
        )?;
        tx.execute(
            "UPDATE sessions SET remote_assets = max(remote_assets, \
             (SELECT remote_assets FROM sessions WHERE pk = ?2)) WHERE pk = ?1",
            params![pk, o],
        )?;
        tx.execute("DELETE FROM sessions WHERE pk = ?1", [o])?;
    }
    index_notes(tx, pk)
}

/// (Re)writes a session's row of the tags-and-comments index.
fn index_notes(tx: &Transaction<'_>, pk: i64) -> Result<()> {
    tx.execute("DELETE FROM session_notes WHERE rowid = ?1", [pk])?;
    tx.execute(
        "INSERT INTO session_notes (rowid, tags, comments) SELECT ?1, \
         (SELECT group_concat(tag, ' ') FROM session_tags WHERE session_pk = ?1), \
         (SELECT group_concat(text, char(10)) FROM session_comments WHERE session_pk = ?1)",
        [pk],
    )?;
    Ok(())
}

fn normalise_tags(tags: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!(
                "a tag is at most {MAX_TAG_CHARS} characters of text: {t:?}"
            )));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(t)) {
            out.push(t.to_string());
        }
    }
    out.sort_by_key(|t| t.to_lowercase());
    Ok(out)
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
