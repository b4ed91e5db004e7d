//! The library's own records: searches, tags, comments, watched folders, its log.

use serde::{Deserialize, Serialize};

use super::SessionSummary;

/// One page of a search: `total` sessions match, `sessions` are those from `offset` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    pub total: u32,
    pub offset: u32,
    pub sessions: Vec<SessionSummary>,
    /// Parts of the query that were not understood and so not applied, in words.
    pub notes: Vec<String>,
}

/// One value a filter can take, with how many sessions have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FacetValue {
    pub value: String,
    pub count: u32,
}

/// The values the feed's filters offer, each most common first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Facets {
    pub browsers: Vec<FacetValue>,
    pub oses: Vec<FacetValue>,
    pub devices: Vec<FacetValue>,
    pub countries: Vec<FacetValue>,
    pub folders: Vec<FacetValue>,
    pub tags: Vec<FacetValue>,
}

/// A search the user named and kept ("playlist").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SavedSearch {
    pub id: i64,
    pub name: String,
    /// In the search box's language.
    pub query: String,
    /// Sessions it matches now.
    pub count: u32,
}

/// A note a user left at a moment of a session; shown as a timeline marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionComment {
    pub id: i64,
    /// Epoch milliseconds of the moment it is about.
    pub at: i64,
    pub window: u32,
    pub text: String,
    /// Epoch milliseconds when it was written.
    pub created_at: i64,
}

/// A folder the library imports from, and keeps importing from while the app runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WatchedFolder {
    pub path: String,
    pub added_at: i64,
    /// Sessions imported from it.
    pub session_count: u32,
    /// Of those, the ones whose file is gone.
    pub missing_count: u32,
}

/// What a library log entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// A file could not be imported (the rest went on).
    ImportError,
    /// A watched folder was added, removed or scanned, or a file of one went missing.
    Watch,
    /// A download failed.
    Fetch,
    /// Sessions were deleted by hand.
    Delete,
    /// Every session of a user was erased.
    Erase,
    /// Sessions past the retention period were deleted.
    Retention,
}

impl LogKind {
    pub const ALL: [LogKind; 6] = [
        Self::ImportError,
        Self::Watch,
        Self::Fetch,
        Self::Delete,
        Self::Erase,
        Self::Retention,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ImportError => "import_error",
            Self::Watch => "watch",
            Self::Fetch => "fetch",
            Self::Delete => "delete",
            Self::Erase => "erase",
            Self::Retention => "retention",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One line of the library's log (the import log view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    pub id: i64,
    /// Epoch milliseconds.
    pub at: i64,
    pub kind: LogKind,
    /// The file or URL concerned.
    pub path: Option<String>,
    /// The error's stable code, for failures.
    pub code: Option<String>,
    pub message: String,
}

/// A file or URL the user opened, for File › Open Recent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RecentItem {
    /// A path or an http(s) URL.
    pub target: String,
    pub opened_at: i64,
}

/// How many sessions of a user the library holds, before and after erasing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EraseReport {
    pub before: u32,
    pub after: u32,
}
