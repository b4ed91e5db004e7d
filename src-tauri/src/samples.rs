//! The sample library: on the first start with an empty library, the recordings bundled in
//! the app's `samples/` resources are imported so there is something to play at once.

use std::path::PathBuf;

use tapedeck_engine::{ImportOptions, Library};
use tauri::{AppHandle, Manager};

use crate::state::AppState;

/// Set once the samples were offered, so deleting them later does not bring them back.
const SAMPLES_INSTALLED: &str = "samples_installed";

/// Runs during setup, before the UI's first query, so the feed never shows an empty library
/// that is about to fill. The samples are a few small files: this takes milliseconds.
pub fn install_if_first_start(app: &AppHandle) {
    let library_path = app.state::<AppState>().library_path.clone();
    let Ok(dir) = app.path().resource_dir().map(|d| d.join("samples")) else {
        return;
    };
    if let Err(e) = install(&library_path, &dir) {
        eprintln!("tapedeck: could not install the sample library: {e}");
    }
}

/// Imports every `*.json` in `dir` into a library that never had samples and is empty.
/// Returns how many were imported.
pub fn install(
    library_path: &std::path::Path,
    dir: &std::path::Path,
) -> tapedeck_engine::Result<usize> {
    let mut lib = Library::open(library_path)?;
    if lib.meta(SAMPLES_INSTALLED)?.is_some() || lib.session_count()? > 0 {
        return Ok(0);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut imported = 0;
    for f in &files {
        match lib.import_file(f, &ImportOptions::default(), &mut |_| {}) {
            Ok(_) => imported += 1,
            Err(e) => eprintln!("tapedeck: sample {}: {e}", f.display()),
        }
    }
    lib.set_meta(SAMPLES_INSTALLED, "1")?;
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_once_into_an_empty_library() {
        let dir = tempfile::tempdir().unwrap();
        let samples = dir.path().join("samples");
        std::fs::create_dir(&samples).unwrap();
        let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
        let mut copied = 0;
        for e in std::fs::read_dir(&corpus).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                std::fs::copy(&p, samples.join(p.file_name().unwrap())).unwrap();
                copied += 1;
            }
        }
        assert!(copied >= 3, "the repo ships at least three samples");
        let lib = dir.path().join("lib.sqlite3");
        assert_eq!(install(&lib, &samples).unwrap(), copied);
        assert_eq!(
            Library::open(&lib).unwrap().session_count().unwrap(),
            copied as u64
        );
        // A second start, even after the user deleted everything, installs nothing.
        assert_eq!(install(&lib, &samples).unwrap(), 0);
    }
}
