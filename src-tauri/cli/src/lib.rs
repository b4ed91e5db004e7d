//! The headless front end: everything the library does, from a terminal, with no display.
//! The desktop binary forwards these subcommands here too (`tapedeck list` works).

mod commands;
mod keyframe;
mod manage;
mod output;
mod sources;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tapedeck_engine::model::{MarkerKind, SessionSort};

#[derive(Parser, Debug)]
#[command(
    name = "tapedeck",
    version,
    about = "Tapedeck: a local library of web session recordings",
    after_help = "The library is a SQLite file: --library PATH, else $TAPEDECK_LIBRARY, \
                  else the platform data directory.\n\
                  `tapedeck [FILE...]` with no subcommand opens the desktop app (and the files)."
)]
pub struct Cli {
    /// Library file to use.
    #[arg(long, global = true, env = "TAPEDECK_LIBRARY", value_name = "PATH")]
    pub library: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import recording files, or every recording file in folders (recursively).
    Import {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Print one JSON report per file instead of text.
        #[arg(long)]
        json: bool,
        /// Refuse files that decompress to more than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = tapedeck_engine::formats::DEFAULT_MAX_DECODED_BYTES)]
        max_decoded_bytes: u64,
    },
    /// Describe a recording file without importing it: format, windows, events, duration,
    /// metadata and warnings.
    Inspect {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        /// Refuse files that decompress to more than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = tapedeck_engine::formats::DEFAULT_MAX_DECODED_BYTES)]
        max_decoded_bytes: u64,
    },
    /// List the library's sessions, newest first (or --sort by another figure).
    List {
        #[arg(long)]
        json: bool,
        /// recency, duration, active-time, errors or frustration (all descending).
        #[arg(long, default_value = "recency", value_parser = parse_sort)]
        sort: SessionSort,
    },
    /// Show one session: metadata, pages, windows and chunks.
    Show {
        /// Session id, or a unique prefix of one.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// List a session's markers: clicks, errors, navigations, frustration signals...
    Markers {
        /// Session id, or a unique prefix of one.
        id: String,
        /// Only markers of these kinds (e.g. `--kind rage_click --kind exception`).
        #[arg(long, value_name = "KIND", value_parser = parse_kind)]
        kind: Vec<MarkerKind>,
        #[arg(long)]
        json: bool,
    },
    /// List a session's console output: every entry of every level, with its stack.
    Console {
        /// Session id, or a unique prefix of one.
        id: String,
        /// Only entries of these levels (e.g. `--level error --level warn`).
        #[arg(long, value_name = "LEVEL")]
        level: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List a session's network requests, or show one with its headers and bodies.
    Network {
        /// Session id, or a unique prefix of one.
        id: String,
        /// Only failed requests (status 400 or more, or a fetch/XHR that did not complete).
        #[arg(long)]
        failed: bool,
        /// Show this request (its `#` in the list) with its headers and bodies.
        #[arg(long, value_name = "N")]
        request: Option<u32>,
        #[arg(long)]
        json: bool,
    },
    /// Recompute the analysis (activity, markers, frustration signals) from the stored events,
    /// after changing its settings with the options below. The settings are saved in the
    /// library and apply to later imports too.
    Reanalyze {
        /// Sessions to analyse (ids or unique prefixes); every session when none is given.
        id: Vec<String>,
        /// Only sessions analysed by an older Tapedeck.
        #[arg(long, conflicts_with = "id")]
        stale: bool,
        /// Go back to the default settings first.
        #[arg(long)]
        defaults: bool,
        #[command(flatten)]
        settings: SettingsArgs,
        #[arg(long)]
        json: bool,
    },
    /// Print a session's events as one JSON array, exactly as recorded.
    Events {
        id: String,
        /// Start of the range: milliseconds from the session's start, or an epoch-ms timestamp.
        #[arg(long, value_name = "MS", allow_negative_numbers = true)]
        from: Option<f64>,
        /// End of the range (inclusive), in the same units as --from.
        #[arg(long, value_name = "MS", allow_negative_numbers = true)]
        to: Option<f64>,
        /// Which window (tab) of the session.
        #[arg(long, default_value_t = 0)]
        window: u32,
    },
    /// Print a window's replay state at a time as events a player can start from: Meta, a
    /// synthetic FullSnapshot, then the events restoring scroll, inputs, media, stylesheets...
    Keyframe {
        id: String,
        /// Milliseconds from the session's start, or an epoch-ms timestamp (as `events`).
        #[arg(long, value_name = "MS", allow_negative_numbers = true)]
        at: f64,
        /// Which window (tab) of the session.
        #[arg(long, default_value_t = 0)]
        window: u32,
        /// Print what the player loads to seek there instead: the stored keyframe (or full
        /// snapshot) last before that time and the events of the chunks from it through it.
        #[arg(long)]
        stored: bool,
        /// Fold every event from the recording's start rather than from the stored keyframe
        /// last before that time (slower on a long recording; the same state).
        #[arg(long, conflicts_with = "stored")]
        from_start: bool,
    },
    /// Search the library with the feed's query language (see `--help`).
    #[command(after_help = tapedeck_engine::library::query::HELP)]
    Search {
        /// Words and filters, e.g. `alice has:errors date:7d "payment failed"`.
        query: Vec<String>,
        /// recency, duration, active-time, errors or frustration (all descending).
        #[arg(long, default_value = "recency", value_parser = parse_sort)]
        sort: SessionSort,
        /// At most this many sessions (the total is always counted).
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Skip this many sessions first.
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long)]
        json: bool,
    },
    /// Delete sessions from the library: their events and index rows (the files stay).
    Delete {
        /// Session ids, or unique prefixes of them.
        #[arg(required = true)]
        ids: Vec<String>,
        /// Do not ask for confirmation (needed when input is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Delete every session of a user (by user id or email), e.g. for a privacy request.
    EraseUser {
        /// The user's id or email (exact, case-insensitive for emails).
        user: String,
        /// Only count the user's sessions.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation (needed when input is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show a session's tags, or add and remove some.
    Tag {
        /// Session id, or a unique prefix of one.
        id: String,
        /// Tags to add.
        tags: Vec<String>,
        /// Tags to remove.
        #[arg(long, value_name = "TAG")]
        remove: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Folders the library imports from: add (and import what is there), remove, list,
    /// or watch them in the foreground.
    Watch {
        #[command(subcommand)]
        action: WatchAction,
    },
    /// Download a recording over http(s) and import it.
    Fetch {
        url: String,
        /// Refuse downloads larger than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = tapedeck_engine::fetch::DEFAULT_MAX_BYTES)]
        max_bytes: u64,
        /// Give up when the server sends nothing for this many seconds.
        #[arg(long, value_name = "SECS", default_value_t = 30)]
        timeout: u64,
        #[arg(long)]
        json: bool,
    },
    /// Delete sessions recorded more than N days ago, now and at every start of the app.
    Retention {
        /// Keep this many days of sessions.
        #[arg(long, value_name = "N", conflicts_with = "off")]
        days: Option<u32>,
        /// Keep every session (the default).
        #[arg(long)]
        off: bool,
        #[arg(long)]
        json: bool,
    },
    /// The library's log: import failures, watched-folder events, deletions, retention.
    Log {
        /// At most this many entries, newest first.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum WatchAction {
    /// Watch a folder (recursively): import what it holds now, with progress.
    Add {
        folder: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Stop watching a folder; its sessions stay in the library.
    Remove {
        folder: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The watched folders, with how many sessions came from each.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Watch every watched folder until interrupted, importing files as they appear.
    Run {
        #[arg(long)]
        json: bool,
    },
}

/// Analysis settings to change; each one left out keeps its saved value.
#[derive(clap::Args, Debug, Default)]
pub struct SettingsArgs {
    /// Idle longer than this is an inactive segment.
    #[arg(long, value_name = "MS")]
    pub inactivity_threshold_ms: Option<i64>,
    /// Clicks that make a rage click.
    #[arg(long, value_name = "N")]
    pub rage_click_min_clicks: Option<u32>,
    /// Longest time between the clicks of a rage click.
    #[arg(long, value_name = "MS")]
    pub rage_click_interval_ms: Option<i64>,
    /// Furthest distance between the clicks of a rage click.
    #[arg(long, value_name = "PX")]
    pub rage_click_radius_px: Option<f64>,
    /// How long a click on a link or button may go without a response before it is dead.
    #[arg(long, value_name = "MS")]
    pub dead_click_timeout_ms: Option<i64>,
    /// How soon after a click an error makes it an error click.
    #[arg(long, value_name = "MS")]
    pub error_click_window_ms: Option<i64>,
    /// Time window in which thrashing reversals are counted.
    #[arg(long, value_name = "MS")]
    pub thrash_window_ms: Option<i64>,
    /// Shortest movement that counts as a leg of thrashing.
    #[arg(long, value_name = "PX")]
    pub thrash_min_leg_px: Option<f64>,
    /// Pointer reversals that make mouse thrashing.
    #[arg(long, value_name = "N")]
    pub mouse_thrash_reversals: Option<u32>,
    /// Scroll reversals that make scroll thrashing.
    #[arg(long, value_name = "N")]
    pub scroll_thrash_reversals: Option<u32>,
    /// Longest stay on a page that makes going back a U-turn.
    #[arg(long, value_name = "MS")]
    pub u_turn_ms: Option<i64>,
}

fn parse_sort(s: &str) -> Result<SessionSort, String> {
    SessionSort::parse(s).ok_or_else(|| {
        let all: Vec<&str> = SessionSort::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown order '{s}' (one of: {})", all.join(", "))
    })
}

fn parse_kind(s: &str) -> Result<MarkerKind, String> {
    MarkerKind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = MarkerKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown marker kind '{s}' (one of: {})", all.join(", "))
    })
}

/// The subcommand names, so the desktop binary can tell a CLI call from a file to open.
pub const SUBCOMMANDS: &[&str] = &[
    "import",
    "inspect",
    "list",
    "show",
    "markers",
    "console",
    "network",
    "reanalyze",
    "events",
    "keyframe",
    "search",
    "delete",
    "erase-user",
    "tag",
    "watch",
    "fetch",
    "retention",
    "log",
    "help",
];

/// Parses `args` (including the program name) and runs the command.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
