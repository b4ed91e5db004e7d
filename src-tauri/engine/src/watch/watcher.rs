//! The watcher: notify events, debounced, then files imported once they have settled.

use super::scan::*;
use super::*;

/// How the watcher waits for files to settle.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time after a file's last event before it is looked at.
    pub debounce: Duration,
    /// Then its size and modification time must stay the same for this long: a file still
    /// being written is imported once, complete.
    pub stable_for: Duration,
    /// A file that fails to import while it was modified this recently is tried again later
    /// instead of being reported.
    pub retry_window: Duration,
    /// Scan every folder when the watcher starts (files added while nothing watched).
    pub scan_on_start: bool,
    pub import: ImportOptions,
}

impl Default for WatchOptions {
    fn default() -> Self {
        Self {
            debounce: Duration::from_millis(300),
            stable_for: Duration::from_millis(500),
            retry_window: Duration::from_secs(3),
            scan_on_start: true,
            import: ImportOptions::default(),
        }
    }
}

pub(super) enum Msg {
    Fs(notify::Result<notify::Event>),
    Add { folder: PathBuf, scan: bool },
    Remove(PathBuf),
    Rescan,
    Wake,
}

/// Watches folders on a thread of its own, with its own connection to the library, and
/// reports what it does through a callback. Stops when dropped.
pub struct FolderWatcher {
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
    roots: Arc<Mutex<Vec<PathBuf>>>,
    thread: Option<JoinHandle<()>>,
}

impl FolderWatcher {
    /// Starts watching `folders` (recursively), scanning each first when
    /// `opts.scan_on_start`. A folder that cannot be watched is reported as an
    /// [`WatchEvent::Error`]; the others go on.
    pub fn start(
        library: &Path,
        folders: &[PathBuf],
        opts: WatchOptions,
        on_event: impl FnMut(WatchEvent) + Send + 'static,
    ) -> Result<Self> {
        let lib = Library::open(library)?;
        let (tx, rx) = mpsc::channel();
        let fs_tx = tx.clone();
        let watcher = notify::recommended_watcher(move |e| {
            let _ = fs_tx.send(Msg::Fs(e));
        })
        .map_err(|e| Error::Watch {
            path: library.to_path_buf(),
            detail: format!("the system's file watching is unavailable: {e}"),
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        let roots = Arc::new(Mutex::new(Vec::new()));
        let mut state = WatchThread {
            lib,
            watcher,
            opts,
            on_event: Box::new(on_event),
            stop: stop.clone(),
            roots: roots.clone(),
            pending: HashMap::new(),
        };
        let initial: Vec<PathBuf> = folders.to_vec();
        let thread = std::thread::Builder::new()
            .name("tapedeck-watch".into())
            .spawn(move || state.run(initial, rx))
            .map_err(|e| Error::Watch {
                path: library.to_path_buf(),
                detail: format!("cannot start the watcher thread: {e}"),
            })?;
        Ok(Self {
            tx,
            stop,
            roots,
            thread: Some(thread),
        })
    }

    /// Starts watching another folder, scanning it first when `scan`.
    pub fn add(&self, folder: &Path, scan: bool) {
        let _ = self.tx.send(Msg::Add {
            folder: folder.to_path_buf(),
            scan,
        });
    }

    /// Stops watching a folder (a scan of it in progress stops after the current file).
    pub fn remove(&self, folder: &Path) {
        let folder = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
        if let Ok(mut roots) = self.roots.lock() {
            roots.retain(|r| r != &folder);
        }
        let _ = self.tx.send(Msg::Remove(folder));
    }

    /// Scans every watched folder again.
    pub fn rescan(&self) {
        let _ = self.tx.send(Msg::Rescan);
    }

    /// The folders being watched, canonical.
    pub fn folders(&self) -> Vec<PathBuf> {
        self.roots.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Stops the watcher after the file it is importing, and waits for it.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.tx.send(Msg::Wake);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for FolderWatcher {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// A path that had events, waiting to settle.
pub(super) struct Pending {
    last_event: Instant,
    /// Size and modification time when last looked at, and since when they have held.
    stat: Option<(u64, SystemTime)>,
    stable_since: Instant,
    /// Not looked at before then (a retry).
    not_before: Instant,
}

impl Pending {
    fn new(now: Instant) -> Self {
        Self {
            last_event: now,
            stat: None,
            stable_since: now,
            not_before: now,
        }
    }
}

pub(super) struct WatchThread {
    lib: Library,
    watcher: notify::RecommendedWatcher,
    opts: WatchOptions,
    on_event: Box<dyn FnMut(WatchEvent) + Send>,
    stop: Arc<AtomicBool>,
    roots: Arc<Mutex<Vec<PathBuf>>>,
    pending: HashMap<PathBuf, Pending>,
}

impl WatchThread {
    fn run(&mut self, initial: Vec<PathBuf>, rx: mpsc::Receiver<Msg>) {
        let mut to_scan = Vec::new();
        for f in initial {
            if let Some(root) = self.watch(&f) {
                to_scan.push(root);
            }
        }
        if self.opts.scan_on_start {
            for root in to_scan {
                self.scan(&root);
            }
        }
        while !self.stopped() {
            let timeout = if self.pending.is_empty() {
                Duration::from_secs(1)
            } else {
                Duration::from_millis(100)
            };
            match rx.recv_timeout(timeout) {
                Ok(msg) => {
                    self.handle(msg);
                    // Take everything queued before settling: a burst is one batch.
                    while let Ok(msg) = rx.try_recv() {
                        self.handle(msg);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if !self.stopped() {
                self.settle();
            }
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn emit(&mut self, e: WatchEvent) {
        (self.on_event)(e);
    }

    fn roots(&self) -> Vec<PathBuf> {
        self.roots.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// The watched folder `path` is in (the innermost, when folders are nested).
    fn owner(&self, path: &Path) -> Option<PathBuf> {
        self.roots()
            .into_iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.as_os_str().len())
    }

    /// Starts watching a folder; its canonical path, or None (reported) if it cannot be.
    fn watch(&mut self, folder: &Path) -> Option<PathBuf> {
        let root = match std::fs::canonicalize(folder) {
            Ok(r) if r.is_dir() => r,
            Ok(_) => {
                self.report_error(
                    folder,
                    &Error::NotAFolder {
                        path: folder.into(),
                    },
                );
                return None;
            }
            Err(e) => {
                self.report_error(folder, &Error::io(folder, e));
                return None;
            }
        };
        if let Err(e) = self.watcher.watch(&root, RecursiveMode::Recursive) {
            self.report_error(
                &root,
                &Error::Watch {
                    path: root.clone(),
                    detail: watch_error_detail(&e),
                },
            );
            // Partly watched (a watch limit reached deep inside) is still worth scanning.
            if !root.is_dir() {
                return None;
            }
        }
        if let Ok(mut roots) = self.roots.lock() {
            if !roots.contains(&root) {
                roots.push(root.clone());
            }
        }
        Some(root)
    }

    fn report_error(&mut self, folder: &Path, e: &Error) {
        let key = folder.display().to_string();
        let _ = self
            .lib
            .log(LogKind::Watch, Some(&key), Some(e.code()), &e.to_string());
        self.emit(WatchEvent::Error {
            folder: Some(key),
            message: e.to_string(),
        });
    }

    fn scan(&mut self, root: &Path) {
        let roots = self.roots.clone();
        let stop = self.stop.clone();
        let keep_going = || {
            !stop.load(Ordering::SeqCst)
                && roots
                    .lock()
                    .map(|r| r.iter().any(|x| x == root))
                    .unwrap_or(false)
        };
        let mut retry = Vec::new();
        let on_event = &mut self.on_event;
        let result = scan(
            &mut self.lib,
            root,
            &self.opts.import,
            Some(self.opts.retry_window),
            &keep_going,
            &mut retry,
            &mut |e| on_event(e),
        );
        if let Err(e) = result {
            self.report_error(root, &e);
        }
        let now = Instant::now();
        for p in retry {
            self.pending.insert(p, self.retry_entry(now));
        }
    }

    fn retry_entry(&self, now: Instant) -> Pending {
        Pending {
            not_before: now + self.opts.retry_window / 2,
            ..Pending::new(now - self.opts.debounce)
        }
    }

    fn handle(&mut self, msg: Msg) {
        match msg {
            Msg::Fs(Ok(event)) => {
                if event.need_rescan() {
                    // The system dropped events: only a scan can tell what happened.
                    for root in self.roots() {
                        self.scan(&root);
                    }
                    return;
                }
                let relevant = match event.kind {
                    EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
                    EventKind::Access(_) => false,
                    _ => true,
                };
                if !relevant {
                    return;
                }
                let now = Instant::now();
                for p in event.paths {
                    if self.owner(&p).is_some() {
                        let entry = self.pending.entry(p).or_insert_with(|| Pending::new(now));
                        entry.last_event = now;
                        entry.stat = None;
                    }
                }
            }
            Msg::Fs(Err(e)) => {
                let folder = e.paths.first().and_then(|p| self.owner(p));
                let message = match &folder {
                    Some(f) => Error::Watch {
                        path: f.clone(),
                        detail: watch_error_detail(&e),
                    }
                    .to_string(),
                    None => format!("watching folders: {}", watch_error_detail(&e)),
                };
                let _ = self
                    .lib
                    .log(LogKind::Watch, None, Some("watch_failed"), &message);
                self.emit(WatchEvent::Error {
                    folder: folder.map(|f| f.display().to_string()),
                    message,
                });
            }
            Msg::Add { folder, scan } => {
                if let Some(root) = self.watch(&folder) {
                    if scan {
                        self.scan(&root);
                    }
                }
            }
            Msg::Remove(root) => {
                let _ = self.watcher.unwatch(&root);
                // A folder nested in another watched folder is still seen through that one.
                let outer = self.roots();
                for r in &outer {
                    if root.starts_with(r) && r != &root {
                        let _ = self.watcher.watch(r, RecursiveMode::Recursive);
                    }
                }
                self.pending
                    .retain(|p, _| outer.iter().any(|r| p.starts_with(r)));
            }
            Msg::Rescan => {
                for root in self.roots() {
                    self.scan(&root);
                }
            }
            Msg::Wake => {}
        }
    }

    /// Looks at the paths whose events have quietened: imports files that stopped changing,
    /// marks gone ones missing, and looks into new folders.
    fn settle(&mut self) {
        let now = Instant::now();
        let mut gone = Vec::new();
        let mut ready = Vec::new();
        let mut new_dirs = Vec::new();
        let debounce = self.opts.debounce;
        let stable_for = self.opts.stable_for;
        let paths: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, e)| now >= e.not_before && now.duration_since(e.last_event) >= debounce)
            .map(|(p, _)| p.clone())
            .collect();
        for path in paths {
            let Some(root) = self.owner(&path) else {
                self.pending.remove(&path);
                continue;
            };
            match std::fs::metadata(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    self.pending.remove(&path);
                    gone.push((root, path));
                }
                Err(_) => {
                    // Unreadable metadata: the import would say why; try it once it settles.
                    self.pending.remove(&path);
                    if is_candidate(&path) && !in_hidden_folder(&root, &path) {
                        ready.push((root, path));
                    }
                }
                Ok(m) if m.is_dir() => {
                    self.pending.remove(&path);
                    let hidden = path
                        .strip_prefix(&root)
                        .ok()
                        .and_then(|rel| rel.components().next_back())
                        .is_some_and(|c| {
                            c.as_os_str().to_str().is_some_and(|s| s.starts_with('.'))
                        });
                    if !hidden && !in_hidden_folder(&root, &path) {
                        new_dirs.push(path);
                    }
                }
                Ok(m) if m.is_file() && is_candidate(&path) && !in_hidden_folder(&root, &path) => {
                    let stat = (m.len(), m.modified().unwrap_or(UNIX_EPOCH));
                    let entry = self.pending.get_mut(&path).expect("listed above");
                    if entry.stat != Some(stat) {
                        entry.stat = Some(stat);
                        entry.stable_since = now;
                    } else if now.duration_since(entry.stable_since) >= stable_for {
                        self.pending.remove(&path);
                        ready.push((root, path));
                    }
                }
                Ok(_) => {
                    self.pending.remove(&path);
                }
            }
        }
        // A folder that appeared (created, or moved in with its files): what is in it may
        // predate the watch on it, so its files are looked at as if they had events.
        for dir in new_dirs {
            let mut files = Vec::new();
            let mut unreadable = Vec::new();
            collect_files(&dir, &mut files, &mut unreadable);
            for f in files {
                self.pending
                    .entry(f)
                    .or_insert_with(|| Pending::new(now - debounce));
            }
        }
        for (root, path) in gone {
            self.gone(&root, &path);
        }
        if !ready.is_empty() {
            self.import_ready(ready);
        }
    }

    fn gone(&mut self, root: &Path, path: &Path) {
        let p = path.display().to_string();
        match self.lib.mark_missing(&p) {
            Ok(0) => {}
            Ok(n) => {
                let _ = log_missing(&self.lib, &p, n);
                self.emit(WatchEvent::Missing {
                    folder: root.display().to_string(),
                    path: p,
                    sessions: n,
                });
            }
            Err(e) => self.report_error(root, &e),
        }
    }

    fn import_ready(&mut self, ready: Vec<(PathBuf, PathBuf)>) {
        let mut by_root: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        for (root, path) in ready {
            by_root.entry(root).or_default().push(path);
        }
        for (root, mut files) in by_root {
            files.sort();
            let key = root.display().to_string();
            for recording in plan_with_replays(files) {
                if self.stopped() {
                    return;
                }
                let result = import_one(
                    &mut self.lib,
                    &recording,
                    &key,
                    &self.opts.import,
                    Some(self.opts.retry_window),
                );
                let path = recording.path().display().to_string();
                match result {
                    Ok(Outcome::Imported { session, replaced }) => {
                        self.emit(WatchEvent::Imported {
                            folder: key.clone(),
                            path,
                            session,
                            replaced,
                        })
                    }
                    Ok(Outcome::Restored(session)) => self.emit(WatchEvent::Restored {
                        folder: key.clone(),
                        path,
                        session,
                    }),
                    Ok(Outcome::Failed(f)) => self.emit(WatchEvent::Failed {
                        folder: key.clone(),
                        path: f.path,
                        code: f.code,
                        message: f.message,
                    }),
                    Ok(Outcome::Retry) => {
                        let entry = self.retry_entry(Instant::now());
                        self.pending.insert(recording.path().to_path_buf(), entry);
                    }
                    Ok(Outcome::Unchanged | Outcome::Gone) => {}
                    Err(e) => self.report_error(&root, &e),
                }
            }
        }
    }
}

/// Plans settled files; a Sentry segment or replay event brings in its whole folder's
/// segments, so a replay that gained a segment is imported whole (replacing the shorter one).
pub(super) fn plan_with_replays(files: Vec<PathBuf>) -> Vec<Recording> {
    let mut out = Vec::new();
    let mut replay_dirs = Vec::new();
    for r in plan_recordings(files) {
        match &r {
            Recording::File(p) if !is_replay_event(p) => out.push(r),
            _ => {
                if let Some(dir) = r.path().parent() {
                    if !replay_dirs.iter().any(|d: &PathBuf| d == dir) {
                        replay_dirs.push(dir.to_path_buf());
                    }
                }
            }
        }
    }
    for dir in replay_dirs {
        let siblings: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_candidate(p) && p.is_file())
            .collect();
        out.extend(
            plan_recordings(siblings)
                .into_iter()
                .filter(|r| matches!(r, Recording::SentryReplay { .. })),
        );
    }
    out
}

pub(super) fn watch_error_detail(e: &notify::Error) -> String {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => "the system's limit of watched folders is reached \
            (on Linux, raise fs.inotify.max_user_watches); files added to some subfolders will \
            only be found by the next scan"
            .to_string(),
        notify::ErrorKind::PathNotFound => "the folder does not exist".to_string(),
        notify::ErrorKind::Io(io) => io.to_string(),
        notify::ErrorKind::Generic(s) => s.clone(),
        _ => e.to_string(),
    }
}
