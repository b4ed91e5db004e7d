//! Watched folders: the list in the library, the scan, and the watcher on real files.
//!
//! Waits are generous (tens of seconds) so a loaded machine does not fail them; the latency
//! the product promises (a new file in the feed within 2 s) is printed, and measured for real
//! by the benchmark.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tapedeck_engine::model::{LogKind, SessionSummary};
use tapedeck_engine::watch::{scan_folder, FolderWatcher, WatchEvent, WatchOptions};
use tapedeck_engine::{ImportOptions, Library};

const WAIT: Duration = Duration::from_secs(30);

/// A small recording that differs for every `seed`: a Meta, a full snapshot and `moves`
/// mouse moves (so `moves + 2` events), as a JSON array.
fn recording(seed: u64, moves: usize) -> Vec<u8> {
    serde_json::to_vec(&events(seed, moves)).unwrap()
}

fn events(seed: u64, moves: usize) -> Vec<serde_json::Value> {
    let t0 = 1_700_000_000_000 + seed as i64 * 3_600_000;
    let mut ev = vec![
        serde_json::json!({"type": 4, "timestamp": t0,
            "data": {"href": format!("https://shop.test/p/{seed}"), "width": 1280, "height": 720}}),
        serde_json::json!({"type": 2, "timestamp": t0 + 1, "data": {"node": {"type": 0, "id": 1,
            "childNodes": [{"type": 2, "id": 2, "tagName": "html", "attributes": {},
            "childNodes": []}]}, "initialOffset": {"top": 0, "left": 0}}}),
    ];
    for i in 0..moves as i64 {
        ev.push(
            serde_json::json!({"type": 3, "timestamp": t0 + 100 + i * 50,
            "data": {"source": 1, "positions": [{"x": i, "y": seed, "id": 2, "timeOffset": 0}]}}),
        );
    }
    ev
}

fn canonical(p: &Path) -> String {
    std::fs::canonicalize(p).unwrap().display().to_string()
}

/// Polls until `f` gives something, or `WAIT` passes.
fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> (T, Duration) {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return (v, start.elapsed());
        }
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

struct Watched {
    _dir: tempfile::TempDir,
    library: PathBuf,
    folder: PathBuf,
    /// A connection of its own, as the app's feed has.
    reader: Library,
    events: Arc<Mutex<Vec<WatchEvent>>>,
    watcher: Option<FolderWatcher>,
}

impl Watched {
    /// A library and a folder, with `setup` run on the folder before the watcher starts.
    fn new(setup: impl FnOnce(&Path)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let library = dir.path().join("library.sqlite3");
        let folder = dir.path().join("recordings");
        std::fs::create_dir(&folder).unwrap();
        setup(&folder);
        let reader = Library::open(&library).unwrap();
        reader.add_watched_folder(&folder).unwrap();
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        let watcher = FolderWatcher::start(
            &library,
            std::slice::from_ref(&folder),
            WatchOptions::default(),
            move |e| sink.lock().unwrap().push(e),
        )
        .unwrap();
        let w = Self {
            _dir: dir,
            library,
            folder,
            reader,
            events,
            watcher: Some(watcher),
        };
        w.wait_event("the first scan", |e| matches!(e, WatchEvent::Scanned(_)));
        w
    }

    fn path(&self, name: &str) -> PathBuf {
        self.folder.join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn sessions_of(&self, path: &Path) -> Vec<SessionSummary> {
        let source = std::fs::canonicalize(path)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| {
                canonical(path.parent().unwrap())
                    + "/"
                    + path.file_name().unwrap().to_str().unwrap()
            });
        self.reader.sessions_by_source(&source).unwrap()
    }

    /// Waits for a session of `path` that `ok` accepts.
    fn wait_session(
        &self,
        path: &Path,
        ok: impl Fn(&SessionSummary) -> bool,
    ) -> (SessionSummary, Duration) {
        wait_for(&format!("a session of {}", path.display()), || {
            self.sessions_of(path).into_iter().find(|s| ok(s))
        })
    }

    fn wait_event(&self, what: &str, ok: impl Fn(&WatchEvent) -> bool) -> WatchEvent {
        wait_for(what, || {
            self.events.lock().unwrap().iter().find(|e| ok(e)).cloned()
        })
        .0
    }

    fn events(&self) -> Vec<WatchEvent> {
        self.events.lock().unwrap().clone()
    }

    fn failures(&self) -> Vec<(String, String)> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                WatchEvent::Failed { path, message, .. } => Some((path, message)),
                _ => None,
            })
            .collect()
    }

    fn import_errors_logged(&self) -> Vec<(Option<String>, Option<String>, String)> {
        self.reader
            .log_entries(1000)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == LogKind::ImportError)
            .map(|e| (e.path, e.code, e.message))
            .collect()
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Some(w) = self.watcher.take() {
            w.stop();
        }
    }
}

#[test]
fn a_new_file_is_imported_a_deleted_one_marked_missing_and_back_when_it_returns() {
    let w = Watched::new(|_| {});
    let body = recording(1, 10);
    let started = Instant::now();
    let file = w.write("first.json", &body);
    let (s, _) = w.wait_session(&file, |_| true);
    let latency = started.elapsed();
    println!("new file to library: {latency:?}");
    assert_eq!(s.event_counts.total, 12);
    assert!(!s.missing);
    assert_eq!(
        s.source_folder.as_deref(),
        Some(canonical(&w.folder).as_str())
    );
    w.wait_event("the import event", |e| {
        matches!(e, WatchEvent::Imported { session, replaced: false, .. } if session.id == s.id)
    });

    let mut tagger = Library::open(&w.library).unwrap();
    tagger.set_tags(&s.id, &["checked".to_string()]).unwrap();

    std::fs::remove_file(&file).unwrap();
    let (gone, _) = w.wait_session(&file, |s| s.missing);
    assert_eq!(gone.id, s.id, "the session stays, marked missing");
    assert_eq!(
        w.reader.session(&s.id).unwrap().summary.event_counts.total,
        12
    );
    w.wait_event("the missing event", |e| {
        matches!(e, WatchEvent::Missing { sessions: 1, .. })
    });
    let folder = &w.reader.watched_folders().unwrap()[0];
    assert_eq!((folder.session_count, folder.missing_count), (1, 1));

    // The same file back: the same session, no longer missing, its tags intact.
    std::fs::write(&file, &body).unwrap();
    let (back, _) = w.wait_session(&file, |s| !s.missing);
    assert_eq!(back.id, s.id);
    assert_eq!(back.tags, ["checked"]);
    assert_eq!(w.reader.session_count().unwrap(), 1);
    assert!(w.failures().is_empty(), "{:?}", w.failures());
}

#[test]
fn a_changed_file_replaces_its_session_which_keeps_its_tags() {
    let w = Watched::new(|_| {});
    let file = w.write("changing.json", &recording(2, 5));
    let (first, _) = w.wait_session(&file, |_| true);
    let mut tagger = Library::open(&w.library).unwrap();
    tagger
        .set_tags(&first.id, &["bug-123".to_string()])
        .unwrap();

    // Rewritten with more events.
    std::fs::write(&file, recording(2, 40)).unwrap();
    let (second, _) = w.wait_session(&file, |s| s.event_counts.total == 42);
    assert_ne!(second.id, first.id);
    assert_eq!(second.tags, ["bug-123"]);
    assert_eq!(w.sessions_of(&file).len(), 1, "the old version is replaced");
    assert!(w.reader.summary(&first.id).is_err());
    w.wait_event("a replacing import", |e| {
        matches!(e, WatchEvent::Imported { replaced: true, session, .. } if session.id == second.id)
    });

    // Appended to: one event per line, more lines at the end.
    let lines = |n: usize| -> Vec<u8> {
        events(3, n)
            .iter()
            .flat_map(|e| {
                let mut l = serde_json::to_vec(e).unwrap();
                l.push(b'\n');
                l
            })
            .collect()
    };
    let jsonl = w.write("growing.jsonl", &lines(3));
    let (short, _) = w.wait_session(&jsonl, |_| true);
    assert_eq!(short.event_counts.total, 5);
    let all = lines(30);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&jsonl)
        .unwrap();
    f.write_all(&all[lines(3).len()..]).unwrap();
    drop(f);
    let (long, _) = w.wait_session(&jsonl, |s| s.event_counts.total == 32);
    assert_eq!(w.sessions_of(&jsonl).len(), 1);
    assert_ne!(long.id, short.id);
    assert_eq!(w.reader.session_count().unwrap(), 2);
}

#[test]
fn a_file_written_in_pieces_is_imported_once_complete() {
    let w = Watched::new(|_| {});
    // One event per line, cut at line ends: every piece so far is a valid recording on its
    // own, so only waiting for the file to stop changing keeps a half from being imported.
    let lines: Vec<u8> = events(4, 400)
        .iter()
        .flat_map(|e| {
            let mut l = serde_json::to_vec(e).unwrap();
            l.push(b'\n');
            l
        })
        .collect();
    // A JSON array cut anywhere: a piece does not parse.
    let array = recording(5, 400);
    let folder = w.folder.clone();
    let write_in_pieces = |name: &str, body: &[u8], cut_at_lines: bool| {
        let mut f = std::fs::File::create(folder.join(name)).unwrap();
        let pieces = 5;
        let mut at = 0;
        for i in 1..=pieces {
            let mut end = body.len() * i / pieces;
            if cut_at_lines && i < pieces {
                end = at + body[at..end].iter().rposition(|b| *b == b'\n').unwrap() + 1;
            }
            f.write_all(&body[at..end]).unwrap();
            f.flush().unwrap();
            at = end;
            // About 1.5 s of writing in all, with pauses longer than the debounce.
            std::thread::sleep(Duration::from_millis(350));
        }
    };
    let writers = [("slow.jsonl", &lines, true), ("slow.json", &array, false)];
    std::thread::scope(|s| {
        for (name, body, cut) in writers {
            let write = &write_in_pieces;
            s.spawn(move || write(name, body, cut));
        }
    });
    for (name, _, _) in writers {
        let (s, _) = w.wait_session(&w.path(name), |_| true);
        assert_eq!(s.event_counts.total, 402, "{name} imported complete");
    }
    // Anything a half-written file could have caused would show by now.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(w.reader.session_count().unwrap(), 2);
    for (name, _, _) in writers {
        let imports = w
            .events()
            .into_iter()
            .filter(|e| matches!(e, WatchEvent::Imported { path, .. } if path.ends_with(name)))
            .count();
        assert_eq!(
            imports, 1,
            "{name} imported once, not a part and then the rest"
        );
    }
    assert!(w.failures().is_empty(), "{:?}", w.failures());
    assert!(w.import_errors_logged().is_empty());
}

#[test]
fn broken_files_are_logged_by_path_and_the_others_imported_nested_too() {
    let w = Watched::new(|_| {});
    let good = w.write("good.json", &recording(5, 3));
    let body = recording(6, 30);
    let truncated = w.write("truncated.json", &body[..body.len() / 2]);
    let not_json = w.write(
        "notes-not-json.json",
        b"these are my notes, not a recording",
    );
    // A folder with a recording's name is a folder: what is in it is imported.
    let inside = w.write("x.json/inside.json", &recording(7, 3));
    let deep = w.write("a/b/c/deep.json.gz", &gzip(&recording(8, 3)));
    // Left alone: not recordings by name, hidden, or still downloading.
    w.write("readme.md", b"# notes");
    w.write(".hidden.json", &recording(9, 3));
    w.write(".cache/cached.json", &recording(10, 3));
    w.write("download.json.part", &recording(11, 3));
    w.write("download.json.crdownload", &recording(12, 3));

    for f in [&good, &inside, &deep] {
        w.wait_session(f, |_| true);
    }
    for f in [&truncated, &not_json] {
        let name = f.display().to_string();
        w.wait_event(&format!("the failure of {name}"), |e| {
            matches!(e, WatchEvent::Failed { path, .. } if path.ends_with(f.file_name().unwrap().to_str().unwrap()))
        });
    }
    let logged = w.import_errors_logged();
    assert_eq!(logged.len(), 2, "{logged:?}");
    for (path, code, message) in &logged {
        let path = path.as_deref().unwrap();
        assert!(
            message.contains(path),
            "the message names the file: {message}"
        );
        if path.ends_with("truncated.json") {
            assert_eq!(code.as_deref(), Some("truncated"), "{message}");
        } else {
            assert!(path.ends_with("notes-not-json.json"), "{path}");
            assert_eq!(code.as_deref(), Some("not_json"), "{message}");
        }
    }
    // Give the ignored files time to be (wrongly) picked up.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(w.reader.session_count().unwrap(), 3);

    // A fixed file is imported; its old failure stays in the log only.
    std::fs::write(&truncated, &body).unwrap();
    let (fixed, _) = w.wait_session(&truncated, |_| true);
    assert_eq!(fixed.event_counts.total, 32);
}

#[test]
fn a_burst_of_500_files_is_all_imported() {
    let w = Watched::new(|_| {});
    let started = Instant::now();
    let mut files = Vec::new();
    for i in 0..500u64 {
        // New folders appear during the burst, with files in them before they are watched.
        files.push(w.write(
            &format!("batch-{}/rec-{i:03}.json", i / 50),
            &recording(100 + i, 2),
        ));
    }
    let (_, _) = wait_for("500 sessions", || {
        (w.reader.session_count().unwrap() == 500).then_some(())
    });
    println!("500 files to library: {:?}", started.elapsed());
    for f in files.iter().step_by(37) {
        assert_eq!(w.sessions_of(f).len(), 1, "{}", f.display());
    }
    assert!(w.failures().is_empty(), "{:?}", w.failures());
}

#[test]
fn a_renamed_file_keeps_its_session() {
    let w = Watched::new(|_| {});
    let before = w.write("before.json", &recording(13, 3));
    let (s, _) = w.wait_session(&before, |_| true);
    let after = w.path("renamed/after.json");
    std::fs::create_dir(after.parent().unwrap()).unwrap();
    std::fs::rename(&before, &after).unwrap();
    let (moved, _) = w.wait_session(&after, |s| !s.missing);
    assert_eq!(moved.id, s.id);
    assert_eq!(w.reader.session_count().unwrap(), 1);
}

#[test]
fn sentry_segments_arriving_one_by_one_form_one_replay() {
    let w = Watched::new(|_| {});
    let segment = |id: u32, events: &[serde_json::Value]| {
        let mut b = format!("{{\"segment_id\":{id}}}\n").into_bytes();
        b.extend(serde_json::to_vec(events).unwrap());
        b
    };
    let all = events(14, 20);
    let first = w.write("replay-1/0.bin", &segment(0, &all[..12]));
    let (one, _) = w.wait_session(&first, |_| true);
    assert_eq!(one.event_counts.total, 12);
    w.write("replay-1/1.bin", &segment(1, &all[12..]));
    let (both, _) = w.wait_session(&first, |s| s.event_counts.total == 22);
    assert_ne!(both.id, one.id);
    assert_eq!(
        w.reader.session_count().unwrap(),
        1,
        "one replay, not one per segment"
    );
}

#[test]
fn folders_can_be_added_and_removed_while_watching() {
    let w = Watched::new(|_| {});
    let other = w.folder.parent().unwrap().join("other");
    std::fs::create_dir(&other).unwrap();
    let already = other.join("already.json");
    std::fs::write(&already, recording(15, 3)).unwrap();
    let watcher = w.watcher.as_ref().unwrap();
    watcher.add(&other, true);
    w.wait_session(&already, |_| true);
    let later = other.join("later.json");
    std::fs::write(&later, recording(16, 3)).unwrap();
    w.wait_session(&later, |_| true);

    watcher.remove(&other);
    assert_eq!(
        watcher.folders(),
        vec![std::fs::canonicalize(&w.folder).unwrap()]
    );
    std::fs::write(other.join("unwatched.json"), recording(17, 3)).unwrap();
    // The original folder still works, and by the time it has, the other would have too.
    let still = w.write("still.json", &recording(18, 3));
    w.wait_session(&still, |_| true);
    std::thread::sleep(Duration::from_secs(2));
    assert!(w.sessions_of(&other.join("unwatched.json")).is_empty());
    assert_eq!(w.reader.session_count().unwrap(), 3);
}

#[test]
fn files_added_while_not_watching_are_found_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("library.sqlite3");
    let folder = dir.path().join("w");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("kept.json"), recording(19, 3)).unwrap();
    std::fs::write(folder.join("deleted.json"), recording(20, 3)).unwrap();
    let mut lib = Library::open(&library).unwrap();
    lib.add_watched_folder(&folder).unwrap();
    let first = scan_folder(&mut lib, &folder, &ImportOptions::default(), &mut |_| {}).unwrap();
    assert_eq!((first.total, first.imported), (2, 2));

    // While nothing watches: one deleted, one added.
    std::fs::remove_file(folder.join("deleted.json")).unwrap();
    std::fs::write(folder.join("added.json"), recording(21, 3)).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let watcher = FolderWatcher::start(
        &library,
        std::slice::from_ref(&folder),
        WatchOptions::default(),
        move |e| sink.lock().unwrap().push(e),
    )
    .unwrap();
    let (report, _) = wait_for("the scan at start", || {
        events.lock().unwrap().iter().find_map(|e| match e {
            WatchEvent::Scanned(r) => Some(r.clone()),
            _ => None,
        })
    });
    watcher.stop();
    assert_eq!(report.total, 2);
    assert_eq!(report.imported, 1, "only the new file is read");
    assert_eq!(report.unchanged, 1);
    assert_eq!(report.missing, 1);
    let missing: Vec<_> = lib
        .list_sessions()
        .unwrap()
        .into_iter()
        .filter(|s| s.missing)
        .map(|s| s.source)
        .collect();
    assert_eq!(missing.len(), 1);
    assert!(missing[0].ends_with("deleted.json"));
}

#[test]
fn a_scan_reports_progress_and_failures_and_a_rescan_reads_nothing_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut lib = Library::open(&dir.path().join("library.sqlite3")).unwrap();
    let folder = dir.path().join("many");
    for i in 0..500u64 {
        let sub = folder.join(format!("day-{}", i % 7));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("{i}.json")), recording(1000 + i, 2)).unwrap();
    }
    std::fs::write(folder.join("broken.json"), b"{\"not\": \"events\"").unwrap();
    #[cfg(unix)]
    {
        // A named pipe with a recording's name must not hang the scan.
        let fifo = folder.join("pipe.json");
        let _ = std::process::Command::new("mkfifo").arg(&fifo).status();
    }

    let mut progress = Vec::new();
    let report = scan_folder(&mut lib, &folder, &ImportOptions::default(), &mut |e| {
        if let WatchEvent::ScanProgress(p) = e {
            progress.push(p);
        }
    })
    .unwrap();
    assert_eq!(report.total, 501);
    assert_eq!(report.imported, 500);
    assert_eq!(report.failures.len(), 1);
    assert!(report.failures[0].path.ends_with("broken.json"));
    assert!(report.failures[0].message.contains("broken.json"));
    assert_eq!(lib.session_count().unwrap(), 500);
    assert_eq!(progress.first().unwrap().done, 0);
    let last = progress.last().unwrap();
    assert_eq!(
        (last.done, last.total, last.imported, last.failed),
        (501, 501, 500, 1)
    );
    assert!(progress.windows(2).all(|p| p[1].done >= p[0].done));
    let logged = |lib: &Library| {
        lib.log_entries(10_000)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == LogKind::ImportError)
            .count()
    };
    assert_eq!(logged(&lib), 1);

    let started = Instant::now();
    let again = scan_folder(&mut lib, &folder, &ImportOptions::default(), &mut |_| {}).unwrap();
    println!("rescan of 501 unchanged files: {:?}", started.elapsed());
    assert_eq!((again.imported, again.unchanged), (0, 500));
    assert_eq!(again.failures.len(), 1, "still failing, still reported");
    assert_eq!(logged(&lib), 1, "but not logged twice");
    let watched = lib.add_watched_folder(&folder).unwrap();
    assert_eq!(watched.session_count, 500);
}

#[test]
fn the_watched_folder_list() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::open(&dir.path().join("library.sqlite3")).unwrap();
    let a = dir.path().join("a");
    std::fs::create_dir(&a).unwrap();
    let added = lib.add_watched_folder(&a.join("..").join("a")).unwrap();
    assert_eq!(added.path, canonical(&a), "kept canonical");
    assert_eq!(added.session_count, 0);
    let again = lib.add_watched_folder(&a).unwrap();
    assert_eq!(again, added, "adding twice changes nothing");
    assert_eq!(lib.watched_folders().unwrap(), vec![added]);

    let file = dir.path().join("file.json");
    std::fs::write(&file, "[]").unwrap();
    let e = lib.add_watched_folder(&file).unwrap_err();
    assert_eq!(e.code(), "not_a_folder");
    assert!(e.to_string().contains("file.json"), "{e}");
    let e = lib
        .add_watched_folder(&dir.path().join("nope"))
        .unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");

    assert!(lib.remove_watched_folder(&a).unwrap());
    assert!(!lib.remove_watched_folder(&a).unwrap());
    assert!(lib.watched_folders().unwrap().is_empty());
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}
