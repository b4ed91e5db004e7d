//! The public model: what the library knows about a recording. These types cross every
//! boundary (CLI `--json`, Tauri IPC, tests), so their serialized shape is part of the API.

use serde::{Deserialize, Serialize};

/// rrweb's `EventType`, the lingua franca of every vendor format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    DomContentLoaded = 0,
    Load = 1,
    FullSnapshot = 2,
    IncrementalSnapshot = 3,
    Meta = 4,
    Custom = 5,
    Plugin = 6,
}

impl EventKind {
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => Self::DomContentLoaded,
            1 => Self::Load,
            2 => Self::FullSnapshot,
            3 => Self::IncrementalSnapshot,
            4 => Self::Meta,
            5 => Self::Custom,
            6 => Self::Plugin,
            _ => return None,
        })
    }
}

/// How many events of each rrweb type a recording holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EventCounts {
    pub total: u32,
    pub dom_content_loaded: u32,
    pub load: u32,
    pub full_snapshot: u32,
    pub incremental_snapshot: u32,
    pub meta: u32,
    pub custom: u32,
    pub plugin: u32,
}

impl EventCounts {
    /// Adds another set of counts to these.
    pub fn add_counts(&mut self, o: &EventCounts) {
        self.total += o.total;
        self.dom_content_loaded += o.dom_content_loaded;
        self.load += o.load;
        self.full_snapshot += o.full_snapshot;
        self.incremental_snapshot += o.incremental_snapshot;
        self.meta += o.meta;
        self.custom += o.custom;
        self.plugin += o.plugin;
    }

    pub fn add(&mut self, kind: EventKind) {
        self.total += 1;
        let slot = match kind {
            EventKind::DomContentLoaded => &mut self.dom_content_loaded,
            EventKind::Load => &mut self.load,
            EventKind::FullSnapshot => &mut self.full_snapshot,
            EventKind::IncrementalSnapshot => &mut self.incremental_snapshot,
            EventKind::Meta => &mut self.meta,
            EventKind::Custom => &mut self.custom,
            EventKind::Plugin => &mut self.plugin,
        };
        *slot += 1;
    }
}

/// The container a recording came in, as sniffed from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A bare JSON array of rrweb events.
    RrwebArray,
    /// `{"events": [...]}`, other top-level keys kept as metadata.
    RrwebObject,
    /// One rrweb event per line (or concatenated JSON values).
    RrwebJsonl,
    /// An array of rrweb `pack()`ed events (strings), possibly mixed with plain ones.
    RrwebPacked,
    /// PostHog's snapshot blob: lines of `{"window_id", "data": [...]}` or `["window", event]`.
    PosthogBlobJsonl,
    /// A PostHog "export to file" recording (`data.snapshots` or `data.snapshotsByWindowId`).
    PosthogExport,
    /// Older PostHog API responses (`result.snapshots`, `snapshot_data_by_window_id`).
    PosthogApi,
    /// PostHog `$snapshot` analytics events.
    PosthogSnapshotEvents,
    /// A Highlight push payload (`events.events`).
    Highlight,
    /// A Sentry replay recording segment: `{"segment_id":N}` line, then events (maybe zlib).
    SentrySegment,
}

impl Format {
    const ALL: [Format; 10] = [
        Self::RrwebArray,
        Self::RrwebObject,
        Self::RrwebJsonl,
        Self::RrwebPacked,
        Self::PosthogBlobJsonl,
        Self::PosthogExport,
        Self::PosthogApi,
        Self::PosthogSnapshotEvents,
        Self::Highlight,
        Self::SentrySegment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RrwebArray => "rrweb-array",
            Self::RrwebObject => "rrweb-object",
            Self::RrwebJsonl => "rrweb-jsonl",
            Self::RrwebPacked => "rrweb-packed",
            Self::PosthogBlobJsonl => "posthog-blob-jsonl",
            Self::PosthogExport => "posthog-export",
            Self::PosthogApi => "posthog-api",
            Self::PosthogSnapshotEvents => "posthog-snapshot-events",
            Self::Highlight => "highlight",
            Self::SentrySegment => "sentry-segment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// The compression wrapped around a recording, sniffed from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zlib,
    Zstd,
}

impl Compression {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
            Self::Zlib => "zlib",
            Self::Zstd => "zstd",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::None, Self::Gzip, Self::Zlib, Self::Zstd]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// Who was recorded, as far as the recording says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionUser {
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// What the session was recorded on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClientInfo {
    pub browser: Option<String>,
    pub browser_version: Option<String>,
    pub os: Option<String>,
    pub device_type: Option<String>,
    pub country: Option<String>,
    pub user_agent: Option<String>,
    /// Recorder or SDK, with its version when known.
    pub sdk: Option<String>,
}

/// One row of the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionSummary {
    /// Stable id: derived from the content hash, so re-importing finds the same session.
    pub id: String,
    /// Where the recording came from: a file path (later also a URL).
    pub source: String,
    pub format: Format,
    pub compression: Compression,
    /// Epoch milliseconds of the first event.
    pub started_at: i64,
    pub duration_ms: i64,
    pub first_url: Option<String>,
    pub url_count: u32,
    pub viewport_width: Option<u32>,
    pub viewport_height: Option<u32>,
    pub event_counts: EventCounts,
    pub click_count: u32,
    /// Bytes of the file as read from disk.
    pub file_bytes: u64,
    /// Bytes of the decoded JSON.
    pub raw_bytes: u64,
    /// Bytes the compressed event chunks take in the library.
    pub stored_bytes: u64,
    /// Epoch milliseconds of the import.
    pub imported_at: i64,
    pub window_count: u32,
    /// The vendor's own session or replay id, when the format carries one.
    pub vendor_id: Option<String>,
    pub user: SessionUser,
    pub client: ClientInfo,
    /// What the analysis found.
    pub insights: Insights,
    /// The http(s) URL it was downloaded from.
    pub source_url: Option<String>,
    /// The watched folder it came from, else the folder of its file.
    pub source_folder: Option<String>,
    /// Its file was deleted from a watched folder; the events stay in the library.
    pub missing: bool,
    pub tags: Vec<String>,
    pub comment_count: u32,
}

/// A page the user was on, from a Meta event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PageVisit {
    pub at: i64,
    pub url: String,
    /// The window (tab) the page was in.
    pub window: u32,
}

/// A stored block of time-ordered events. The player plans its fetches from these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChunkInfo {
    pub seq: u32,
    pub start_ts: i64,
    pub end_ts: i64,
    pub event_count: u32,
    /// The chunk starts with a full snapshot (after an optional Meta), so replay can begin here.
    pub full_snapshot: bool,
    pub raw_bytes: u32,
    /// The keyframe stored before this chunk: replay can begin here from it.
    pub keyframe: Option<KeyframeInfo>,
}

/// A keyframe: the window's replay state after every chunk before the one it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct KeyframeInfo {
    /// The recorded time of that state (epoch ms, rounded down; its events carry it exactly).
    pub ts: i64,
    pub event_count: u32,
    pub raw_bytes: u32,
}

/// One tab of a recording: its own event stream with its own node ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct WindowInfo {
    pub index: u32,
    /// The recorder's window id, when the format carries one.
    pub key: Option<String>,
    pub started_at: i64,
    pub ended_at: i64,
    pub event_count: u32,
    pub chunks: Vec<ChunkInfo>,
    /// `[start, end]` epoch-ms spans in which the user interacted with this window.
    pub interaction_spans: Vec<(i64, i64)>,
    /// Active and inactive spans of this window.
    pub segments: Vec<ActivitySegment>,
}

/// Everything the player needs to open a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionDetail {
    pub summary: SessionSummary,
    pub urls: Vec<PageVisit>,
    pub windows: Vec<WindowInfo>,
    pub content_hash: String,
    /// Every window's markers, in time order.
    pub markers: Vec<Marker>,
    /// The session's active and inactive spans (active where any window is).
    pub segments: Vec<ActivitySegment>,
    /// Users' comments, in time order (also among `markers`, as `comment` markers).
    pub comments: Vec<SessionComment>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum ImportOutcome {
    /// A new session is in the library.
    Imported {
        session: SessionSummary,
        warnings: Vec<String>,
    },
    /// The same content was imported before; nothing changed.
    AlreadyImported { session: SessionSummary },
}

impl ImportOutcome {
    pub fn session(&self) -> &SessionSummary {
        match self {
            Self::Imported { session, .. } | Self::AlreadyImported { session } => session,
        }
    }
}

/// Progress of one import, reported while it streams.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ImportProgress {
    /// Bytes of the file consumed so far (compressed bytes for a compressed file).
    pub bytes_read: u64,
    pub bytes_total: u64,
    pub events: u32,
}

/// What a timeline marker stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    Click,
    RageClick,
    DeadClick,
    ErrorClick,
    Navigation,
    UTurn,
    ConsoleError,
    ConsoleWarning,
    Exception,
    FailedRequest,
    CustomEvent,
    ViewportResize,
    FullSnapshot,
    MouseThrash,
    ScrollThrash,
    /// A user's comment at that moment (not computed: written in the library).
    Comment,
}

impl MarkerKind {
    pub const ALL: [MarkerKind; 16] = [
        Self::Click,
        Self::RageClick,
        Self::DeadClick,
        Self::ErrorClick,
        Self::Navigation,
        Self::UTurn,
        Self::ConsoleError,
        Self::ConsoleWarning,
        Self::Exception,
        Self::FailedRequest,
        Self::CustomEvent,
        Self::ViewportResize,
        Self::FullSnapshot,
        Self::MouseThrash,
        Self::ScrollThrash,
        Self::Comment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Click => "click",
            Self::RageClick => "rage_click",
            Self::DeadClick => "dead_click",
            Self::ErrorClick => "error_click",
            Self::Navigation => "navigation",
            Self::UTurn => "u_turn",
            Self::ConsoleError => "console_error",
            Self::ConsoleWarning => "console_warning",
            Self::Exception => "exception",
            Self::FailedRequest => "failed_request",
            Self::CustomEvent => "custom_event",
            Self::ViewportResize => "viewport_resize",
            Self::FullSnapshot => "full_snapshot",
            Self::MouseThrash => "mouse_thrash",
            Self::ScrollThrash => "scroll_thrash",
            Self::Comment => "comment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A sign that the user struggled (rather than a plain fact about the session).
    pub fn is_frustration(self) -> bool {
        matches!(
            self,
            Self::RageClick
                | Self::DeadClick
                | Self::ErrorClick
                | Self::UTurn
                | Self::MouseThrash
                | Self::ScrollThrash
        )
    }
}

/// The element a click landed on, as the DOM mirror knew it at that moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ClickTarget {
    /// rrweb's node id.
    pub node: i64,
    /// Lower-case tag name.
    pub tag: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub element_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// The element's visible text (or its label, alt or title), shortened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A CSS selector naming the element, e.g. `button#buy.primary`.
    pub selector: String,
}

/// What a marker is about, beyond its label. Only the fields that apply are set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MarkerDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<ClickTarget>,
    /// Pointer position in page pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
    /// Clicks in a rage-click episode, reversals in a thrashing episode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Page, request or navigation URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The page left (navigations, U-turns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    /// Console level as recorded (`error`, `warn`, `assert`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The whole message (the label is shortened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Stack frames, one per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Custom event name or console plugin name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// For an error click: the error that followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A point of interest on the timeline, computed at import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Marker {
    /// Epoch milliseconds.
    pub at: i64,
    /// The window (tab) it happened in.
    pub window: u32,
    pub kind: MarkerKind,
    /// One short line for lists and tooltips.
    pub label: String,
    pub detail: MarkerDetail,
}

/// A span of a recording in which the user was active or not. Segments cover the recording
/// without gaps or overlaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActivitySegment {
    /// Epoch milliseconds.
    pub start: i64,
    pub end: i64,
    pub active: bool,
}

/// The analysis in figures: what the feed shows and sorts by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Insights {
    /// Page visits (full loads and in-app navigations).
    pub page_count: u32,
    pub clicks: u32,
    /// Console errors plus exceptions.
    pub errors: u32,
    pub exceptions: u32,
    pub warnings: u32,
    pub failed_requests: u32,
    pub rage_clicks: u32,
    pub dead_clicks: u32,
    pub error_clicks: u32,
    pub mouse_thrashes: u32,
    pub scroll_thrashes: u32,
    pub u_turns: u32,
    pub custom_events: u32,
    pub active_ms: i64,
    pub inactive_ms: i64,
    /// 0 (no sign of struggle) to 100; see docs/ANALYSIS.md.
    pub frustration_score: u32,
}

/// How the feed is ordered. Every order is descending (newest, longest, most first).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum SessionSort {
    #[default]
    Recency,
    Duration,
    ActiveTime,
    Errors,
    Frustration,
}

impl SessionSort {
    pub const ALL: [SessionSort; 5] = [
        Self::Recency,
        Self::Duration,
        Self::ActiveTime,
        Self::Errors,
        Self::Frustration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recency => "recency",
            Self::Duration => "duration",
            Self::ActiveTime => "active-time",
            Self::Errors => "errors",
            Self::Frustration => "frustration",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One console entry the page logged (every level), computed at import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConsoleEntry {
    /// Epoch milliseconds.
    pub at: i64,
    /// The window (tab) it was logged in.
    pub window: u32,
    /// As recorded, lower-case (`log`, `info`, `debug`, `warn`, `error`, `assert`, `trace`,
    /// `table`...); Sentry's `warning` is `warn`.
    pub level: String,
    /// The arguments as text, joined by spaces (at most 4 000 characters).
    pub message: String,
    /// Stack frames, one per line, where the recorder kept them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// An uncaught exception (or an error logged as an `Error` object, or a PostHog
    /// `$exception`) rather than plain output.
    #[serde(default)]
    pub exception: bool,
}

/// A session's console output, in time order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConsoleLog {
    pub entries: Vec<ConsoleEntry>,
    /// Entries recorded but not kept (past the per-window cap of a hostile recording).
    pub dropped: u32,
}

/// One network request the page made, computed at import. Its headers and bodies, where
/// recorded, are fetched on their own (`NetworkRequestDetail`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NetworkRequest {
    /// Position in the session's list (time order), to ask for its detail.
    pub index: u32,
    /// Epoch milliseconds when it started.
    pub at: i64,
    pub window: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Absolute where the recording gave a path (resolved against the page).
    pub url: String,
    /// HTTP status; 0 when the request did not complete (or the browser hid it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    /// Bytes transferred, else the body size, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// What made the request: `fetch`, `xhr`, `script`, `link`, `img`, `css`, `navigation`...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Status ≥ 400, or 0 for a fetch/XHR (docs/ANALYSIS.md).
    pub failed: bool,
    /// Headers or bodies were recorded and kept.
    pub has_detail: bool,
}

/// A session's network requests, in time order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NetworkLog {
    pub requests: Vec<NetworkRequest>,
    /// Requests recorded but not kept (past the per-window cap of a hostile recording).
    pub dropped: u32,
}

/// A request or response body as recorded, cut at `MAX_BODY_BYTES`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RecordedBody {
    pub text: String,
    /// Bytes of the body as recorded (more than `text` holds when truncated).
    pub bytes: u64,
    pub truncated: bool,
}

/// What was recorded about one request beyond its list row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RequestPayloads {
    /// Name and value, in recorded order.
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RecordedBody>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<RecordedBody>,
    /// What the recorder or Tapedeck says about what is missing (e.g. Sentry's
    /// `URL_SKIPPED`, or headers past the cap left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl RequestPayloads {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Bytes of text held, for the per-window budget.
    pub fn bytes(&self) -> usize {
        let h = |hs: &[(String, String)]| hs.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
        let b = |b: &Option<RecordedBody>| b.as_ref().map_or(0, |b| b.text.len());
        h(&self.request_headers)
            + h(&self.response_headers)
            + b(&self.request_body)
            + b(&self.response_body)
            + self.notes.iter().map(String::len).sum::<usize>()
    }
}

/// One request with its headers and bodies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NetworkRequestDetail {
    pub request: NetworkRequest,
    pub payloads: RequestPayloads,
}

mod library;
pub use library::*;
