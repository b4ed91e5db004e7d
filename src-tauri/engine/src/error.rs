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

    #[error("{}: not a regular file (a folder, a pipe or a device cannot be imported as a recording)", path.display())]
    NotAFile { path: PathBuf },

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

    #[error("session {id} has no keyframe before chunk {seq} of window {window}")]
    KeyframeNotFound { id: String, window: u32, seq: u32 },

    #[error("session {id} has no request {index}")]
    RequestNotFound { id: String, index: u32 },

    #[error("the library at {} is from a newer Tapedeck (schema {found}, this build knows {known})", path.display())]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error("{}: not a folder", path.display())]
    NotAFolder { path: PathBuf },

    #[error("{}: cannot watch the folder: {detail}", path.display())]
    Watch { path: PathBuf, detail: String },

    #[error("{url}: not a URL Tapedeck can download: {detail}")]
    BadUrl { url: String, detail: String },

    #[error("{url}: the server answered {status}{}", reason_suffix(reason))]
    Http {
        url: String,
        status: u16,
        reason: String,
    },

    #[error("{url}: download failed: {detail}")]
    Download { url: String, detail: String },

    #[error("{url}: {}", too_large_detail(*limit, *size))]
    DownloadTooLarge {
        url: String,
        limit: u64,
        /// What the server announced, when it did.
        size: Option<u64>,
    },

    #[error("{url}: the download was cancelled")]
    Cancelled { url: String },

    #[error("{url}: timed out: the server sent nothing for {} s", secs)]
    Timeout { url: String, secs: u64 },

    #[error("library error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    #[error("stored events are damaged: {0}")]
    Storage(String),

    #[error("invalid analysis settings: {0}")]
    InvalidSettings(String),

    #[error("{0}")]
    InvalidInput(String),
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
            Self::NotAFile { .. } => "not_a_file",
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
            Self::KeyframeNotFound { .. } => "keyframe_not_found",
            Self::SchemaTooNew { .. } => "schema_too_new",
            Self::NotAFolder { .. } => "not_a_folder",
            Self::Watch { .. } => "watch_failed",
            Self::BadUrl { .. } => "bad_url",
            Self::Http { .. } => "http_status",
            Self::Download { .. } => "download_failed",
            Self::DownloadTooLarge { .. } => "download_too_large",
            Self::Cancelled { .. } => "cancelled",
            Self::Timeout { .. } => "timeout",
            Self::Sqlite(_) => "library",
            Self::Storage(_) => "storage",
            Self::InvalidSettings(_) => "invalid_settings",
            Self::InvalidInput(_) => "invalid_input",
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

fn reason_suffix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" {reason}")
    }
}

fn too_large_detail(limit: u64, size: Option<u64>) -> String {
    match size {
        Some(size) => format!(
            "the recording is {}, more than the download limit of {}; not downloaded",
            human_bytes(size),
            human_bytes(limit)
        ),
        None => format!(
            "the download went past the limit of {} and was stopped",
            human_bytes(limit)
        ),
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}
