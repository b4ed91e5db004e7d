//! Turning what a user points at (files, folders) into the recordings to import: mostly one
//! file each, but a Sentry replay is several segment files (plus, beside them, the
//! `replay_event` that says who the user was).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One recording to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recording {
    File(PathBuf),
    /// Segments of one Sentry replay, in segment order.
    SentryReplay {
        segments: Vec<PathBuf>,
        replay_event: Option<PathBuf>,
    },
}

impl Recording {
    /// Every file the recording is read from.
    pub fn files(&self) -> Vec<&Path> {
        match self {
            Self::File(p) => vec![p.as_path()],
            Self::SentryReplay {
                segments,
                replay_event,
            } => segments
                .iter()
                .map(PathBuf::as_path)
                .chain(replay_event.as_deref())
                .collect(),
        }
    }

    /// The path that names this recording in messages and in the library.
    pub fn path(&self) -> &Path {
        match self {
            Self::File(p) => p,
            Self::SentryReplay { segments, .. } => &segments[0],
        }
    }
}

/// Groups files into recordings: Sentry segment files of one folder become one replay.
pub fn plan_recordings(files: Vec<PathBuf>) -> Vec<Recording> {
    let mut out = Vec::new();
    let mut replays: BTreeMap<PathBuf, Vec<(u64, PathBuf)>> = BTreeMap::new();
    for f in files {
        match sentry_segment_id(&f) {
            Some(id) => {
                let dir = f.parent().map(Path::to_path_buf).unwrap_or_default();
                replays.entry(dir).or_default().push((id, f));
            }
            None => out.push(Recording::File(f)),
        }
    }
    for (dir, mut segments) in replays {
        segments.sort();
        let replay_event = ["replay_event.json", "replay-event.json"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file());
        // The replay_event now serves the replay; it is not a recording of its own.
        out.retain(|r| Some(r.path()) != replay_event.as_deref());
        out.push(Recording::SentryReplay {
            segments: segments.into_iter().map(|(_, p)| p).collect(),
            replay_event,
        });
    }
    out
}

/// The segment id, if the file starts with a Sentry segment header.
fn sentry_segment_id(path: &Path) -> Option<u64> {
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let mut r = &head[..n];
    crate::formats::sentry::read_segment_header(&mut r)
        .ok()
        .flatten()
}

/// File name endings taken from a folder. An explicitly named file is imported whatever its
/// name: the format is sniffed from the content either way.
pub const FOLDER_EXTENSIONS: &[&str] = &[
    "json", "jsonl", "ndjson", "gz", "gzip", "zst", "zstd", "zlib", "bin", "rrweb",
];

/// Expands folders (recursively, in name order, skipping hidden entries) and keeps files.
/// Paths that do not exist are kept so the import reports them with a clear error. Inside a
/// folder only regular files are taken (a named pipe would block the import, a device never
/// end), and a folder reached twice through links is walked once (a link loop would never
/// end either).
pub fn expand_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut seen, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, seen: &mut std::collections::HashSet<PathBuf>, out: &mut Vec<PathBuf>) {
    if !seen.insert(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())) {
        return;
    }
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
        // Follows links, so a linked file or folder counts as what it points to.
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            walk(&p, seen, out);
        } else if meta.is_file() && has_recording_extension(&p) {
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
    fn sentry_segments_of_a_folder_form_one_replay() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |name: &str, body: &[u8]| {
            std::fs::write(root.join(name), body).unwrap();
            root.join(name)
        };
        let s1 = write("segment-1.bin", b"{\"segment_id\":1}\n[]");
        let s0 = write("segment-0.bin", b"{\"segment_id\":0}\n[]");
        let s10 = write("later.bin", b"{\"segment_id\":10}\n[]");
        let ev = write("replay_event.json", b"{\"type\":\"replay_event\"}");
        let other = write("rec.json", b"[]");
        let plan = plan_recordings(expand_paths(&[root.to_path_buf()]));
        assert_eq!(
            plan,
            vec![
                Recording::File(other),
                Recording::SentryReplay {
                    segments: vec![s0, s1, s10],
                    replay_event: Some(ev),
                }
            ]
        );
    }

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

    #[cfg(unix)]
    #[test]
    fn link_loops_and_pipes_in_a_folder_are_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.json"), b"[]").unwrap();
        // A link back to the top: walking it would never end.
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        // A linked file is taken, as what it points to.
        std::os::unix::fs::symlink(root.join("sub/a.json"), root.join("b.json")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.json"))
            .status()
            .unwrap();
        assert!(made.success());
        let found = expand_paths(&[root.to_path_buf()]);
        assert_eq!(found, vec![root.join("b.json"), root.join("sub/a.json")]);
    }
}
