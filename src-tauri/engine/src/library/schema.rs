//! Versioned migrations, applied in order; `PRAGMA user_version` records how far a library is.
//! Never edit a released migration: add a new one.

use rusqlite::Connection;

use crate::error::{Error, Result};

const MIGRATIONS: &[&str] = &[
    // 1: sessions, their pages, windows and event chunks.
    r#"
    CREATE TABLE sessions (
        pk INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        content_hash TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        format TEXT NOT NULL,
        compression TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER NOT NULL,
        first_url TEXT,
        url_count INTEGER NOT NULL DEFAULT 0,
        window_count INTEGER NOT NULL DEFAULT 0,
        viewport_width INTEGER,
        viewport_height INTEGER,
        event_count INTEGER NOT NULL,
        dom_content_loaded_count INTEGER NOT NULL,
        load_count INTEGER NOT NULL,
        full_snapshot_count INTEGER NOT NULL,
        incremental_snapshot_count INTEGER NOT NULL,
        meta_count INTEGER NOT NULL,
        custom_count INTEGER NOT NULL,
        plugin_count INTEGER NOT NULL,
        click_count INTEGER NOT NULL,
        file_bytes INTEGER NOT NULL,
        raw_bytes INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        imported_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_start ON sessions(started_at DESC);

    CREATE TABLE session_urls (
        session_pk INTEGER NOT NULL REFERENCES sessions(pk) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        url TEXT NOT NULL,
        PRIMARY KEY (session_pk, seq)
    ) WITHOUT ROWID;

    CREATE TABLE windows (
        session_pk INTEGER NOT NULL REFERENCES sessions(pk) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        key TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER NOT NULL,
        event_count INTEGER NOT NULL,
        PRIMARY KEY (session_pk, idx)
    ) WITHOUT ROWID;

    -- Events, time-ordered within a window, in zstd blocks. `data` is the comma-joined JSON
    -- of the events; `event_index` holds (offset u32, length u32, timestamp f64) per event,
    -- little-endian, into the decompressed data.
    CREATE TABLE chunks (
        session_pk INTEGER NOT NULL REFERENCES sessions(pk) ON DELETE CASCADE,
        window_idx INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        start_ts REAL NOT NULL,
        end_ts REAL NOT NULL,
        event_count INTEGER NOT NULL,
        full_snapshot INTEGER NOT NULL,
        raw_bytes INTEGER NOT NULL,
        event_index BLOB NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (session_pk, window_idx, seq)
    );

    -- Small facts about the library itself (e.g. whether the sample library was installed).
    CREATE TABLE library_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 2: who was recorded, on what (normalised from each vendor's metadata).
    r#"
    ALTER TABLE sessions ADD COLUMN vendor_id TEXT;
    ALTER TABLE sessions ADD COLUMN user_id TEXT;
    ALTER TABLE sessions ADD COLUMN user_name TEXT;
    ALTER TABLE sessions ADD COLUMN user_email TEXT;
    ALTER TABLE sessions ADD COLUMN browser TEXT;
    ALTER TABLE sessions ADD COLUMN browser_version TEXT;
    ALTER TABLE sessions ADD COLUMN os TEXT;
    ALTER TABLE sessions ADD COLUMN device_type TEXT;
    ALTER TABLE sessions ADD COLUMN country TEXT;
    ALTER TABLE sessions ADD COLUMN user_agent TEXT;
    ALTER TABLE sessions ADD COLUMN sdk TEXT;
    CREATE INDEX sessions_by_user_id ON sessions(user_id);
    CREATE INDEX sessions_by_user_email ON sessions(user_email);
    "#,
    // 3: when the user interacted in each window, to follow them across tabs.
    r#"
    ALTER TABLE windows ADD COLUMN interaction_spans TEXT NOT NULL DEFAULT '[]';
    "#,
    // 4: which window each page was in.
    r#"
    ALTER TABLE session_urls ADD COLUMN window_idx INTEGER NOT NULL DEFAULT 0;
    "#,
    // 5: the analysis: markers, activity segments, and the figures the feed sorts by.
    // `analysis_version` 0 marks sessions imported before it, to be analysed again.
    r#"
    -- A session's markers: one zstd-compressed JSON array (the model's `Marker`s, in time
    -- order). They are always read whole, and a click-heavy session has tens of thousands.
    CREATE TABLE session_markers (
        session_pk INTEGER PRIMARY KEY REFERENCES sessions(pk) ON DELETE CASCADE,
        marker_count INTEGER NOT NULL,
        raw_bytes INTEGER NOT NULL,
        data BLOB NOT NULL
    );

    -- window_idx -1 holds the whole session's segments.
    CREATE TABLE activity_segments (
        session_pk INTEGER NOT NULL REFERENCES sessions(pk) ON DELETE CASCADE,
        window_idx INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        start_ts INTEGER NOT NULL,
        end_ts INTEGER NOT NULL,
        active INTEGER NOT NULL,
        PRIMARY KEY (session_pk, window_idx, seq)
    ) WITHOUT ROWID;

    ALTER TABLE sessions ADD COLUMN analysis_version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN page_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN exception_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN warning_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN failed_request_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN rage_click_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN dead_click_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN error_click_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN mouse_thrash_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN scroll_thrash_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN u_turn_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN custom_event_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN active_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN inactive_ms INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN frustration_score INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX sessions_by_duration ON sessions((ended_at - started_at) DESC);
    CREATE INDEX sessions_by_active ON sessions(active_ms DESC);
    CREATE INDEX sessions_by_errors ON sessions(error_count DESC);
    CREATE INDEX sessions_by_frustration ON sessions(frustration_score DESC);
    "#,
    // 6: every console entry and network request, for the player's Console and Network
    // panels. Sessions analysed before it are brought up to date by the analysis version
    // (2), which fills these tables.
    r#"
    -- One zstd-compressed JSON array each (the model's `ConsoleEntry`s and
    -- `NetworkRequest`s, in time order): always read whole, like the markers. `dropped`
    -- counts what was recorded past the per-window caps and not kept.
    CREATE TABLE session_console (
        session_pk INTEGER PRIMARY KEY REFERENCES sessions(pk) ON DELETE CASCADE,
        entry_count INTEGER NOT NULL,
        dropped INTEGER NOT NULL,
        raw_bytes INTEGER NOT NULL,
        data BLOB NOT NULL
    );
    CREATE TABLE session_requests (
        session_pk INTEGER PRIMARY KEY REFERENCES sessions(pk) ON DELETE CASCADE,
        request_count INTEGER NOT NULL,
        dropped INTEGER NOT NULL,
        raw_bytes INTEGER NOT NULL,
        data BLOB NOT NULL
    );
    -- The headers and bodies of one request (`RequestPayloads`, zstd JSON), read one at a
    -- time when the user opens it; `idx` is the request's position in the list.
    CREATE TABLE request_payloads (
        session_pk INTEGER NOT NULL REFERENCES sessions(pk) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        raw_bytes INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (session_pk, idx)
    );
    "#,
    // 7: whether the user let a session's replay load its page's remote assets (off unless
    // they said so, session by session).
    r#"
    ALTER TABLE sessions ADD COLUMN remote_assets INTEGER NOT NULL DEFAULT 0;
    "#,
    // 8: the library as a searchable feed: where sessions came from, tags and comments,
    // watched folders, saved searches, recent files, a log, and full-text indexes.
    r#"
    ALTER TABLE sessions ADD COLUMN source_url TEXT;
    ALTER TABLE sessions ADD COLUMN source_folder TEXT;
    -- 1 when the session's file left its watched folder (the events stay).
    ALTER TABLE sessions ADD COLUMN missing INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX sessions_by_source ON sessions(source);
    -- The feed's orders, each ending in pk so that a page is one backward walk of an index
    -- (the old DESC indexes could not end in pk DESC). `sessions_feed` also holds every cheap
    -- filter, so a filtered page or count reads the index, not the wide rows.
    DROP INDEX sessions_by_start;
    DROP INDEX sessions_by_duration;
    DROP INDEX sessions_by_active;
    DROP INDEX sessions_by_errors;
    DROP INDEX sessions_by_frustration;
    CREATE INDEX sessions_feed ON sessions(started_at, pk, ended_at, error_count,
        rage_click_count, dead_click_count, missing, browser, os, device_type, country,
        source_folder);
    CREATE INDEX sessions_by_duration ON sessions((ended_at - started_at), started_at);
    CREATE INDEX sessions_by_active ON sessions(active_ms, started_at);
    CREATE INDEX sessions_by_errors ON sessions(error_count, started_at);
    CREATE INDEX sessions_by_frustration ON sessions(frustration_score, started_at);
    CREATE INDEX sessions_by_folder ON sessions(source_folder);

    CREATE TABLE session_tags (
        session_pk INTEGER NOT NULL REFERENCES sessions(pk) ON DELETE CASCADE,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (session_pk, tag)
    ) WITHOUT ROWID;
    CREATE INDEX session_tags_by_tag ON session_tags(tag, session_pk);

    CREATE TABLE session_comments (
        id INTEGER PRIMARY KEY,
        session_pk INTEGER NOT NULL REFERENCES sessions(pk) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        window_idx INTEGER NOT NULL DEFAULT 0,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX session_comments_by_session ON session_comments(session_pk, at);

    CREATE TABLE watched_folders (
        path TEXT PRIMARY KEY,
        added_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE recent_items (
        target TEXT PRIMARY KEY,
        opened_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    -- What happened to the library that a user may want to read back: import failures,
    -- watched-folder events, deletions, erasures, retention.
    CREATE TABLE library_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        path TEXT,
        code TEXT,
        message TEXT NOT NULL
    );
    CREATE INDEX library_log_by_kind ON library_log(kind, id);

    -- Substring search over who and where: ids, user id/name/email, and every page URL
    -- (rowid = sessions.pk). Trigrams make `%x%` an index lookup instead of a scan.
    CREATE VIRTUAL TABLE session_meta USING fts5(ident, urls, tokenize = 'trigram');
    -- The same, as words with one- and two-letter prefixes indexed: a word shorter than a
    -- trigram (the first keystrokes in the search box) is a prefix lookup, not a scan.
    CREATE VIRTUAL TABLE session_meta_words USING fts5(
        ident, urls, prefix = '1 2',
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    -- Word search over what happened: console messages, custom event names, page titles
    -- (written by the analysis), and the users' tags and comments. Contentless: the text
    -- is already stored elsewhere, the index is all that is needed.
    CREATE VIRTUAL TABLE session_text USING fts5(
        console, events, titles,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE VIRTUAL TABLE session_notes USING fts5(
        tags, comments,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER sessions_forget_text AFTER DELETE ON sessions BEGIN
        DELETE FROM session_meta WHERE rowid = old.pk;
        DELETE FROM session_meta_words WHERE rowid = old.pk;
        DELETE FROM session_text WHERE rowid = old.pk;
        DELETE FROM session_notes WHERE rowid = old.pk;
    END;
    INSERT INTO session_meta (rowid, ident, urls)
        SELECT pk,
               concat_ws(char(10), id, vendor_id, user_id, user_name, user_email),
               (SELECT group_concat(url, char(10)) FROM session_urls WHERE session_pk = pk)
        FROM sessions;
    INSERT INTO session_meta_words (rowid, ident, urls)
        SELECT rowid, ident, urls FROM session_meta;
    "#,
    // 9: keyframes, the replay state at chunk boundaries, so a seek starts near its target.
    // Sessions imported before them get theirs in the background (keyframe_version 0).
    r#"
    CREATE TABLE keyframes (
        session_pk INTEGER NOT NULL REFERENCES sessions(pk) ON DELETE CASCADE,
        window_idx INTEGER NOT NULL,
        -- The state after every event of the window's chunks before this one.
        seq INTEGER NOT NULL,
        ts REAL NOT NULL,
        event_count INTEGER NOT NULL,
        carried INTEGER NOT NULL,
        -- What it does not reproduce, in words (a JSON array of strings).
        notes TEXT NOT NULL,
        raw_bytes INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (session_pk, window_idx, seq)
    );
    ALTER TABLE sessions ADD COLUMN keyframe_version INTEGER NOT NULL DEFAULT 0;
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection, path: &std::path::Path) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A library as schema `version` left it, holding one session (with `columns` set to
    /// `values` besides the ones every schema has).
    fn library_at(
        version: usize,
        columns: &str,
        values: &str,
    ) -> (tempfile::TempDir, std::path::PathBuf, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let conn = Connection::open(&path).unwrap();
        for sql in &MIGRATIONS[..version] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", version as i64)
            .unwrap();
        conn.execute_batch(&format!(
            "INSERT INTO sessions (id, content_hash, source, format, compression, started_at, \
             ended_at, event_count, dom_content_loaded_count, load_count, full_snapshot_count, \
             incremental_snapshot_count, meta_count, custom_count, plugin_count, click_count, \
             file_bytes, raw_bytes, stored_bytes, imported_at{columns}) \
             VALUES ('s1', 'h1', 'f.json', 'rrweb-array', 'none', 1, 2, 2, 0, 0, 1, 0, 1, 0, 0, \
             3, 10, 10, 5, 1{values})"
        ))
        .unwrap();
        (dir, path, conn)
    }

    #[test]
    fn a_schema_4_library_with_sessions_migrates_and_marks_them_for_analysis() {
        // The library as schema 4 left it, with one session.
        let (_dir, path, mut conn) = library_at(4, "", "");
        migrate(&mut conn, &path).unwrap();
        let (version, analysed, clicks, score): (i64, i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version), analysis_version, \
                 click_count, frustration_score FROM sessions",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(
            (analysed, clicks, score),
            (0, 3, 0),
            "kept, and due for analysis"
        );
    }

    #[test]
    fn a_schema_5_library_migrates_to_6_and_its_analysed_sessions_are_due_again() {
        // A session analysed by the build before console and network lists existed.
        let (_dir, path, mut conn) = library_at(5, ", analysis_version, error_count", ", 1, 4");
        migrate(&mut conn, &path).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        for table in ["session_console", "session_requests", "request_payloads"] {
            let n: i64 = conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 0, "{table} exists and is empty");
        }
        let (analysed, errors): (i64, i64) = conn
            .query_row(
                "SELECT analysis_version, error_count FROM sessions",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(errors, 4, "the old figures are kept until the new analysis");
        assert!(
            analysed < crate::analysis::ANALYSIS_VERSION,
            "analysed by an older build, so due for analysis again"
        );
    }

    #[test]
    fn a_schema_6_library_migrates_to_7_with_remote_assets_off_for_every_session() {
        let (_dir, path, mut conn) = library_at(6, "", "");
        migrate(&mut conn, &path).unwrap();
        let (version, remote, clicks): (i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT user_version FROM pragma_user_version), remote_assets, \
                 click_count FROM sessions",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!((remote, clicks), (0, 3), "kept, and off");
    }

    #[test]
    fn a_schema_7_library_migrates_to_8_with_its_sessions_searchable() {
        let (_dir, path, mut conn) = library_at(
            7,
            ", user_email, user_name",
            ", 'ada@example.com', 'Ada Lovelace'",
        );
        conn.execute(
            "INSERT INTO session_urls (session_pk, seq, at, url) VALUES (1, 0, 1, 'https://shop.test/cart')",
            [],
        )
        .unwrap();
        migrate(&mut conn, &path).unwrap();
        let found = |q: &str| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM session_meta WHERE session_meta MATCH ?1",
                [q],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(found("\"ple.com\""), 1);
        assert_eq!(found("\"love\""), 1);
        assert_eq!(found("\"p.test/ca\""), 1);
        assert_eq!(found("\"nobody\""), 0);
        let (missing, url): (i64, Option<String>) = conn
            .query_row("SELECT missing, source_url FROM sessions", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((missing, url), (0, None));
        // Deleting a session takes its index rows with it.
        conn.execute("DELETE FROM sessions", []).unwrap();
        assert_eq!(found("\"love\""), 0);
    }
}
