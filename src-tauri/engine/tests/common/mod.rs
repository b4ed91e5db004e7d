//! Helpers shared by the engine's integration tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use tapedeck_engine::model::ImportOutcome;
use tapedeck_engine::{ImportOptions, Library, Result};

/// The shared corpus of real recordings, beside the repository (`../shared/corpus`), or
/// wherever `TAPEDECK_CORPUS` points.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("TAPEDECK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    assert!(
        dir.join("public").is_dir(),
        "the recording corpus is missing at {}; set TAPEDECK_CORPUS",
        dir.display()
    );
    dir
}

/// The repository's own sample recordings.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

pub struct TestLibrary {
    pub dir: tempfile::TempDir,
    pub lib: Library,
}

impl TestLibrary {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(&dir.path().join("library.sqlite3")).unwrap();
        Self { dir, lib }
    }

    pub fn import(&mut self, path: &Path) -> Result<ImportOutcome> {
        self.lib
            .import_file(path, &ImportOptions::default(), &mut |_| {})
    }

    pub fn import_with(&mut self, path: &Path, opts: &ImportOptions) -> Result<ImportOutcome> {
        self.lib.import_file(path, opts, &mut |_| {})
    }

    /// Writes `bytes` to a file in the library's temp dir.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// Timestamps and types of an rrweb event array, parsed independently of the engine.
pub fn reference(events: &[u8]) -> Vec<(i64, f64)> {
    let v: Vec<serde_json::Value> = serde_json::from_slice(events).unwrap();
    v.iter()
        .map(|e| {
            (
                e["type"].as_i64().unwrap(),
                e["timestamp"].as_f64().unwrap(),
            )
        })
        .collect()
}
