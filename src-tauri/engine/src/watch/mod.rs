//! Watched folders: a scan that imports what a folder holds (and notices what left it since
//! the last time), and a [`FolderWatcher`] that keeps doing so while it runs: new and changed
//! files are imported once they stop changing, deleted files' sessions are marked missing.
//!
//! A changed file replaces the session it had (which hands over its tags and comments); a
//! file that comes back unchanged is no longer missing; a file renamed or moved within a
//! watched folder keeps its session. Each file is its own transaction, so a failure in one
//! leaves the rest, and other writers (SQLite's busy timeout) only wait for one file.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::library::Origin;
use crate::model::{ImportOutcome, LogKind, SessionSummary};
use crate::sources::{plan_recordings, Recording, FOLDER_EXTENSIONS};
use crate::{ImportOptions, Library};

/// Names that are downloads or saves still in progress, whatever their extension.
const TEMP_SUFFIXES: &[&str] = &[".part", ".tmp", "~", ".crdownload", ".download", ".swp"];

/// The file next to Sentry segments that says who the user was; not a recording on its own.
const REPLAY_EVENT_NAMES: &[&str] = &["replay_event.json", "replay-event.json"];

/// How far a scan of a folder has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScanProgress {
    pub folder: String,
    /// Recordings looked at so far, of `total`.
    pub done: u32,
    pub total: u32,
    pub imported: u32,
    pub failed: u32,
}

/// One file that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FileFailure {
    pub path: String,
    pub code: String,
    pub message: String,
}

/// What a scan of a folder did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ScanReport {
    pub folder: String,
    /// Recordings found (a Sentry replay's segment files count once).
    pub total: u32,
    /// New sessions, including ones that replaced the session of a changed file.
    pub imported: u32,
    /// Of `imported`, those that replaced an older version of their file.
    pub replaced: u32,
    /// Files already in the library as they are now (or that failed before as they are now).
    pub unchanged: u32,
    /// Sessions whose file is back (unchanged, or moved within the folder).
    pub restored: u32,
    /// Sessions whose file is gone since they were imported.
    pub missing: u32,
    /// Files that could not be imported (each also in the library's log).
    pub failures: Vec<FileFailure>,
}

/// What the watcher (or a scan) did, as it happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum WatchEvent {
    ScanProgress(ScanProgress),
    /// A scan finished.
    Scanned(ScanReport),
    /// A file became a new session (`replaced`: it replaced the one of its previous version).
    Imported {
        folder: String,
        path: String,
        session: Box<SessionSummary>,
        replaced: bool,
    },
    /// A missing session's file is back (unchanged, or renamed or moved within a folder).
    Restored {
        folder: String,
        path: String,
        session: Box<SessionSummary>,
    },
    /// A file could not be imported; also written to the library's log.
    Failed {
        folder: String,
        path: String,
        code: String,
        message: String,
    },
    /// A file (or a folder of files) is gone; its `sessions` are marked missing.
    Missing {
        folder: String,
        path: String,
        sessions: u32,
    },
    /// The watcher itself ran into trouble (a folder could not be watched, the system's
    /// limit of watches was reached); importing goes on where it can.
    Error {
        folder: Option<String>,
        message: String,
    },
}

impl WatchEvent {
    /// Whether the library's sessions changed (the feed should refresh).
    pub fn changes_library(&self) -> bool {
        match self {
            Self::Imported { .. } | Self::Restored { .. } => true,
            Self::Missing { sessions, .. } => *sessions > 0,
            Self::Scanned(r) => r.imported + r.restored + r.missing > 0,
            Self::ScanProgress(_) | Self::Failed { .. } | Self::Error { .. } => false,
        }
    }
}

/// Whether a file found in a watched folder is taken as a recording: a recording's file
/// name ending, not hidden, not a download or save still in progress.
pub fn is_candidate(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if name.starts_with('.') || TEMP_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        return false;
    }
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FOLDER_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether any folder between `root` and `path` is hidden (`.git`, `.cache`…).
fn in_hidden_folder(root: &Path, path: &Path) -> bool {
    path.parent()
        .and_then(|p| p.strip_prefix(root).ok())
        .is_some_and(|rel| {
            rel.components()
                .any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with('.')))
        })
}

mod scan;
mod watcher;

pub use scan::scan_folder;
pub use watcher::{FolderWatcher, WatchOptions};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_recordings_not_partial_or_hidden_files() {
        for yes in ["a.json", "b.JSONL", "c.json.gz", "d.zst", "seg.bin"] {
            assert!(is_candidate(Path::new(yes)), "{yes}");
        }
        for no in [
            ".a.json",
            "a.json.part",
            "a.json.tmp",
            "a.json~",
            "a.json.crdownload",
            "notes.md",
            "library.sqlite3",
            "noext",
        ] {
            assert!(!is_candidate(Path::new(no)), "{no}");
        }
        assert!(in_hidden_folder(
            Path::new("/w"),
            Path::new("/w/.git/a.json")
        ));
        assert!(!in_hidden_folder(
            Path::new("/w"),
            Path::new("/w/sub/a.json")
        ));
        assert!(!in_hidden_folder(
            Path::new("/w/.x"),
            Path::new("/w/.x/a.json")
        ));
    }
}
