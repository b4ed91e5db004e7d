//! Turning what a user points at (files, folders) into the list of files to import.

use std::path::{Path, PathBuf};

/// File name endings taken from a folder. An explicitly named file is imported whatever its
/// name: the format is sniffed from the content either way.
const FOLDER_EXTENSIONS: &[&str] = &[
    "json", "jsonl", "ndjson", "gz", "gzip", "zst", "zstd", "zlib", "bin", "rrweb",
];

/// Expands folders (recursively, in name order, skipping hidden entries) and keeps files.
/// Paths that do not exist are kept so the import reports them with a clear error.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        // Unreadable folders surface as an error when the user names them directly.
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, out);
        } else if has_recording_extension(&p) {
            out.push(p);
        }
    }
}

fn has_recording_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FOLDER_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_folders_recursively_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/nested")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for f in [
            "a.json",
            "b/nested/c.jsonl.gz",
            "b/notes.md",
            ".git/x.json",
            "z.zst",
        ] {
            std::fs::write(root.join(f), "[]").unwrap();
        }
        let explicit = root.join("b/notes.md");
        let got = expand_paths(&[root.to_path_buf(), explicit.clone()]);
        let names: Vec<_> = got
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["a.json", "b/nested/c.jsonl.gz", "z.zst", "b/notes.md"]
        );
    }
}
