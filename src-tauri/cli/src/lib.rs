//! The headless front end: everything the library does, from a terminal, with no display.
//! The desktop binary forwards these subcommands here too (`tapedeck list` works).

mod commands;
mod output;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// List the library's sessions, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one session: metadata, pages, windows and chunks.
    Show {
        /// Session id, or a unique prefix of one.
        id: String,
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
}

/// The subcommand names, so the desktop binary can tell a CLI call from a file to open.
pub const SUBCOMMANDS: &[&str] = &["import", "inspect", "list", "show", "events", "help"];

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
