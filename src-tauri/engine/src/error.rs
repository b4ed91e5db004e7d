//! One error type for the engine. Every variant that concerns a file names it, and says why in
//! words a support person can act on; `code()` is the stable machine-readable part.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: cannot read the file: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: the file is empty", path.display())]
    Empty { path: PathBuf },

    #[error("{}: not JSON: {detail}", path.display())]
    NotJson { path: PathBuf, detail: String },

    #[error("{}: truncated: the file ends in the middle of {inside} (after {offset} bytes)", path.display())]
    Truncated {
        path: PathBuf,
        offset: u64,
        inside: String,
    },

    #[error("{}: not a recording: {detail}", path.display())]
    NotEvents { path: PathBuf, detail: String },

    #[error("{}: cannot be played: the recording has no full snapshot, so there is no page to rebuild", path.display())]
    NoFullSnapshot { path: PathBuf },

    #[error("{}: {compression} data is corrupt: {detail}", path.display())]
    Corrupt {
        path: PathBuf,
        compression: &'static str,
        detail: String,
    },

    #[error("{}: decompresses to more than {limit} bytes; refused (raise the limit with --max-decoded-bytes)", path.display())]
    TooLarge { path: PathBuf, limit: u64 },

    #[error("no session matches '{id}'")]
    SessionNotFound { id: String },

    #[error("'{id}' matches {count} sessions; give more of the id")]
    AmbiguousId { id: String, count: usize },

    #[error("session {id} has no window {window}")]
    WindowNotFound { id: String, window: u32 },

    #[error("session {id} has no request {index}")]
    RequestNotFound { id: String, index: u32 },

    #[error("the library at {} is from a newer Tapedeck (schema {found}, this build knows {known})", path.display())]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("library error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("stored events are damaged: {0}")]
    Storage(String),

    #[error("invalid analysis settings: {0}")]
    InvalidSettings(String),
}

impl From<rusqlite::types::FromSqlError> for Error {
    fn from(e: rusqlite::types::FromSqlError) -> Self {
        Self::Storage(e.to_string())
    }
}

impl Error {
    /// Stable, machine-readable name of the failure (the UI and scripts branch on it).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "io",
            Self::Empty { .. } => "empty_file",
            Self::NotJson { .. } => "not_json",
            Self::Truncated { .. } => "truncated",
            Self::NotEvents { .. } => "not_events",
            Self::NoFullSnapshot { .. } => "no_full_snapshot",
            Self::Corrupt { .. } => "corrupt_compression",
            Self::TooLarge { .. } => "too_large",
            Self::SessionNotFound { .. } => "session_not_found",
            Self::AmbiguousId { .. } => "ambiguous_id",
            Self::WindowNotFound { .. } => "window_not_found",
            Self::RequestNotFound { .. } => "request_not_found",
            Self::SchemaTooNew { .. } => "schema_too_new",
            Self::Sqlite(_) => "library",
            Self::Storage(_) => "storage",
            Self::InvalidSettings(_) => "invalid_settings",
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
