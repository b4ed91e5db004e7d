//! Tapedeck's domain core: recording formats, analysis and the SQLite library.
//!
//! Plain Rust with no Tauri in it, shared by the desktop app, the CLI and the tests.

pub mod analysis;
pub mod error;
pub mod fetch;
pub mod formats;
pub mod inspect;
pub mod keyframes;
pub mod library;
pub mod link;
pub mod model;
pub mod sources;
pub mod synth;
pub mod watch;
mod windows;

pub use error::{Error, Result};
pub use library::{ImportOptions, Library};
