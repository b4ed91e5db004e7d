//! "Load remote assets", remembered per session. Off by default: a recording is untrusted, and
//! fetching its page's stylesheets, images and fonts tells their servers that it was viewed.
//! The flag only records the user's choice; the app's shell decides every fetch by it.

use rusqlite::params;

use super::Library;
use crate::error::Result;

impl Library {
    /// Whether the user let the replay of session `id` load its page's remote assets.
    pub fn remote_assets(&self, id: &str) -> Result<bool> {
        let (pk, _) = self.resolve(id)?;
        Ok(self.conn.query_row(
            "SELECT remote_assets FROM sessions WHERE pk = ?1",
            [pk],
            |r| r.get(0),
        )?)
    }

    /// Remembers the choice for session `id` only.
    pub fn set_remote_assets(&self, id: &str, enabled: bool) -> Result<()> {
        let (pk, _) = self.resolve(id)?;
        self.conn.execute(
            "UPDATE sessions SET remote_assets = ?2 WHERE pk = ?1",
            params![pk, enabled],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::error::Error;
    use crate::library::Library;

    fn library_with(ids: &[&str]) -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(&dir.path().join("lib.sqlite3")).unwrap();
        for (i, id) in ids.iter().enumerate() {
            lib.conn
                .execute(
                    "INSERT INTO sessions (id, content_hash, source, format, compression, \
                     started_at, ended_at, event_count, dom_content_loaded_count, load_count, \
                     full_snapshot_count, incremental_snapshot_count, meta_count, custom_count, \
                     plugin_count, click_count, file_bytes, raw_bytes, stored_bytes, imported_at) \
                     VALUES (?1, ?2, 'f.json', 'rrweb-array', 'none', 1, 2, 2, 0, 0, 1, 0, 1, 0, \
                     0, 0, 10, 10, 5, 1)",
                    rusqlite::params![id, format!("hash{i}")],
                )
                .unwrap();
        }
        (dir, lib)
    }

    #[test]
    fn off_by_default_and_remembered_per_session() {
        let (dir, lib) = library_with(&["alpha", "beta"]);
        assert!(!lib.remote_assets("alpha").unwrap());
        assert!(!lib.remote_assets("beta").unwrap());

        lib.set_remote_assets("alpha", true).unwrap();
        assert!(lib.remote_assets("alpha").unwrap());
        assert!(
            !lib.remote_assets("beta").unwrap(),
            "only the session asked for"
        );

        // Kept in the file, not in the connection.
        let path = lib.path().to_path_buf();
        drop(lib);
        let lib = Library::open(&path).unwrap();
        assert!(lib.remote_assets("alpha").unwrap());
        assert!(!lib.remote_assets("beta").unwrap());

        lib.set_remote_assets("alpha", false).unwrap();
        assert!(!lib.remote_assets("alpha").unwrap());
        drop(dir);
    }

    #[test]
    fn a_unique_prefix_names_the_session_and_an_unknown_id_is_an_error() {
        let (_dir, lib) = library_with(&["alpha", "beta"]);
        lib.set_remote_assets("al", true).unwrap();
        assert!(lib.remote_assets("alpha").unwrap());
        assert!(matches!(
            lib.remote_assets("gamma"),
            Err(Error::SessionNotFound { .. })
        ));
        assert!(matches!(
            lib.set_remote_assets("gamma", true),
            Err(Error::SessionNotFound { .. })
        ));
    }
}
