//! Import: one streaming pass from file to library, inside one transaction. Any failure rolls
//! the whole import back, so the library is exactly as before.

use std::path::Path;

use rusqlite::{params, Transaction};

use super::chunk::{ChunkBuilder, SealedChunk};
use super::keyframe_store::{self, BackgroundKeyframes, KEYFRAME_VERSION};
use super::reorder::{Ready, Reorder};
use super::{now_ms, Library};
use crate::analysis::window::{MAX_CONSOLE_BYTES, MAX_CONSOLE_ENTRIES, MAX_MARKERS, MAX_REQUESTS};
use crate::analysis::{merge_pages, BackgroundAnalysis, EventFacts, Stats};
use crate::error::{Error, Result};
use crate::formats::{read_recording, read_sentry_replay, ReadOptions, SourceEvent};
use crate::model::{ImportOutcome, ImportProgress};
use crate::sources::Recording;
use crate::windows::ByWindow;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub read: ReadOptions,
    /// Analyse while importing (always, except to measure what the analysis costs; a session
    /// imported without it is analysed by the next `reanalyze`).
    pub analyse: bool,
    /// Write keyframes while importing (always, except to measure what they cost; a session
    /// imported without them gets them in the background, as an older one does).
    pub keyframes: bool,
    pub origin: Origin,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            read: ReadOptions::default(),
            analyse: true,
            keyframes: true,
            origin: Origin::default(),
        }
    }
}

/// Where a recording came from, beyond its file.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Kept as the session's source instead of the file's path (a download's URL).
    pub source: Option<String>,
    /// The http(s) URL it was downloaded from.
    pub url: Option<String>,
    /// The watched folder its file is in (else the file's own folder is kept).
    pub folder: Option<String>,
    /// A new version of a file replaces the sessions imported from that file before (a
    /// watched recording that grew), which hand it their tags and comments.
    pub replace_same_source: bool,
}

/// One window's stream while it is being imported.
struct WindowState {
    idx: u32,
    key: Option<String>,
    order: Reorder,
    chunks: ChunkBuilder,
    next_seq: u32,
    stats: Stats,
}

impl WindowState {
    /// Chunks events that came out of the reorder buffer, in time order, and hands them to
    /// the analysis.
    fn accept(
        &mut self,
        ready: &mut Vec<Ready>,
        tx: &Transaction<'_>,
        pk: i64,
        analysis: Option<&mut BackgroundAnalysis<'_>>,
        keyframes: Option<&mut BackgroundKeyframes<'_>>,
    ) -> Result<u64> {
        let mut stored = 0;
        let mut analysis = analysis;
        let mut keyframes = keyframes;
        for e in ready.drain(..) {
            let f = &e.facts;
            if self.chunks.should_cut_before(f.kind, f.ts) {
                stored += self.seal(tx, pk, keyframes.as_deref_mut())?;
                if let Some(k) = keyframes.as_deref_mut() {
                    k.boundary(self.idx, self.next_seq, f.kind);
                }
            }
            self.chunks.push(f.kind, f.ts, &e.raw);
            self.stats.observe(f);
            if let Some(a) = analysis.as_deref_mut() {
                a.push(self.idx, e.raw);
            }
        }
        Ok(stored)
    }

    /// Stores the chunk being collected, and hands its events to the keyframes.
    fn seal(
        &mut self,
        tx: &Transaction<'_>,
        pk: i64,
        keyframes: Option<&mut BackgroundKeyframes<'_>>,
    ) -> Result<u64> {
        if self.chunks.is_empty() {
            return Ok(0);
        }
        let n = match keyframes {
            Some(k) => {
                let (sealed, events) = self.chunks.seal_with_events(k.spare_buffer())?;
                let n = store_chunk(tx, pk, self.idx, self.next_seq, &sealed)?;
                k.chunk(self.idx, events, sealed.event_index);
                n
            }
            None => {
                let sealed = self.chunks.seal()?;
                store_chunk(tx, pk, self.idx, self.next_seq, &sealed)?
            }
        };
        self.next_seq += 1;
        Ok(n)
    }
}

impl Library {
    /// Imports the recording at `path`. Re-importing content already in the library changes
    /// nothing and says so.
    pub fn import_file(
        &mut self,
        path: &Path,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportOutcome> {
        self.import(&Recording::File(path.to_path_buf()), opts, progress)
    }

    /// Imports one recording: a file, or the segment files of a Sentry replay.
    pub fn import(
        &mut self,
        recording: &Recording,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportOutcome> {
        let path = recording.path();
        // A pipe would block the read forever, a device never end: refuse them by name.
        for p in recording.files() {
            if std::fs::metadata(p).is_ok_and(|m| !m.is_file()) {
                return Err(Error::NotAFile {
                    path: p.to_path_buf(),
                });
            }
        }
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let origin = &opts.origin;
        let source = origin
            .source
            .clone()
            .unwrap_or_else(|| canonical.display().to_string());
        let folder = match (&origin.folder, &origin.url) {
            (Some(f), _) => Some(f.clone()),
            (None, Some(_)) => None,
            (None, None) => canonical.parent().map(|p| p.display().to_string()),
        };
        let bytes_total = match recording {
            Recording::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Recording::SentryReplay { segments, .. } => segments
                .iter()
                .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
                .sum(),
        };
        let settings = self.analysis_settings()?;
        let read = &opts.read;
        let tx = self.conn.transaction()?;
        // A placeholder row so chunks can reference the session while it streams in.
        let pending = format!("pending-{}", now_ms());
        tx.execute(
            "INSERT INTO sessions (id, content_hash, source, format, compression, started_at, \
             ended_at, event_count, dom_content_loaded_count, load_count, full_snapshot_count, \
             incremental_snapshot_count, meta_count, custom_count, plugin_count, click_count, \
             file_bytes, raw_bytes, stored_bytes, imported_at) \
             VALUES (?1, ?1, ?2, '', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
            params![pending, source],
        )?;
        let pk = tx.last_insert_rowid();

        // The analysis runs beside the import, on its own thread, fed in time order.
        let (mut report, windows, stored_bytes, results) = std::thread::scope(|scope| {
            let mut analysis = opts
                .analyse
                .then(|| BackgroundAnalysis::start(scope, &settings));
            let mut keyframes = opts.keyframes.then(|| BackgroundKeyframes::start(scope));
            let mut windows: ByWindow<WindowState> = ByWindow::default();
            let mut stored_bytes: u64 = 0;
            let mut ready = Vec::new();
            let report = {
                let mut on_event = |e: SourceEvent<'_>| -> Result<()> {
                    let w = windows.entry(e.window, |idx, key| WindowState {
                        idx,
                        key,
                        order: Reorder::default(),
                        chunks: ChunkBuilder::default(),
                        next_seq: 0,
                        stats: Stats::default(),
                    });
                    w.order.push(EventFacts::of(e.head), e.raw, &mut ready);
                    stored_bytes +=
                        w.accept(&mut ready, &tx, pk, analysis.as_mut(), keyframes.as_mut())?;
                    Ok(())
                };
                let mut on_progress = |bytes_read: u64, events: u64| {
                    progress(ImportProgress {
                        bytes_read,
                        bytes_total,
                        events: events as u32,
                    })
                };
                match recording {
                    Recording::File(p) => read_recording(p, read, &mut on_progress, &mut on_event),
                    Recording::SentryReplay {
                        segments,
                        replay_event,
                    } => read_sentry_replay(
                        segments,
                        replay_event.as_deref(),
                        read,
                        &mut on_progress,
                        &mut on_event,
                    ),
                }
            };
            let mut report = report?;
            for w in windows.iter_mut() {
                w.order.finish(&mut ready);
                stored_bytes +=
                    w.accept(&mut ready, &tx, pk, analysis.as_mut(), keyframes.as_mut())?;
                stored_bytes += w.seal(&tx, pk, keyframes.as_mut())?;
                report.warnings.extend(w.order.notes());
            }
            let results = analysis.map(BackgroundAnalysis::finish);
            for k in keyframes
                .map(BackgroundKeyframes::finish)
                .transpose()?
                .unwrap_or_default()
            {
                stored_bytes += keyframe_store::store(&tx, pk, &k)?;
            }
            Ok::<_, Error>((report, windows.into_vec(), stored_bytes, results))
        })?;
        let session = Stats::merged(windows.iter().map(|w| &w.stats));
        let analysis = results;
        if session.counts.full_snapshot == 0 {
            return Err(Error::NoFullSnapshot {
                path: path.to_path_buf(),
            });
        }
        if let Some(existing) = existing_session(&tx, &report.content_hash)? {
            drop(tx); // rolls back
                      // The same file is back where it was: its session is no longer missing.
            self.conn.execute(
                "UPDATE sessions SET missing = 0 WHERE id = ?1 AND source = ?2",
                params![existing, source],
            )?;
            return Ok(ImportOutcome::AlreadyImported {
                session: self.summary(&existing)?,
            });
        }

        for w in &windows {
            tx.execute(
                "INSERT INTO windows (session_pk, idx, key, started_at, ended_at, event_count, \
                 interaction_spans) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    pk,
                    w.idx,
                    w.key,
                    ms(w.stats.started_at),
                    ms(w.stats.ended_at),
                    w.stats.counts.total,
                    serde_json::to_string(&w.stats.interaction_spans).unwrap_or_default()
                ],
            )?;
        }
        let pages = merge_pages(windows.iter().map(|w| (w.idx, w.stats.urls.as_slice())));
        for (seq, visit) in pages.iter().enumerate() {
            tx.execute(
                "INSERT INTO session_urls (session_pk, seq, at, url, window_idx) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![pk, seq as i64, visit.at, visit.url, visit.window],
            )?;
        }
        let id = match report.metadata.vendor_id.as_deref() {
            Some(v) if usable_id(v) && !id_taken(&tx, v)? => v.to_string(),
            _ => session_id(&report.content_hash),
        };
        let c = &session.counts;
        tx.execute(
            "UPDATE sessions SET id = ?2, content_hash = ?3, format = ?4, compression = ?5, \
             started_at = ?6, ended_at = ?7, first_url = ?8, url_count = ?9, window_count = ?10, \
             viewport_width = ?11, viewport_height = ?12, event_count = ?13, \
             dom_content_loaded_count = ?14, load_count = ?15, full_snapshot_count = ?16, \
             incremental_snapshot_count = ?17, meta_count = ?18, custom_count = ?19, \
             plugin_count = ?20, click_count = ?21, file_bytes = ?22, raw_bytes = ?23, \
             stored_bytes = ?24, imported_at = ?25 WHERE pk = ?1",
            params![
                pk,
                id,
                report.content_hash,
                report.format.as_str(),
                report.compression.as_str(),
                ms(session.started_at),
                ms(session.ended_at),
                pages.first().map(|u| u.url.as_str()),
                pages.len() as u32,
                windows.len() as u32,
                session.viewport.map(|v| v.0),
                session.viewport.map(|v| v.1),
                c.total,
                c.dom_content_loaded,
                c.load,
                c.full_snapshot,
                c.incremental_snapshot,
                c.meta,
                c.custom,
                c.plugin,
                session.clicks,
                report.file_bytes as i64,
                report.decoded_bytes as i64,
                stored_bytes as i64,
                now_ms(),
            ],
        )?;
        let m = &report.metadata;
        tx.execute(
            "UPDATE sessions SET vendor_id = ?2, user_id = ?3, user_name = ?4, user_email = ?5, \
             browser = ?6, browser_version = ?7, os = ?8, device_type = ?9, country = ?10, \
             user_agent = ?11, sdk = ?12 WHERE pk = ?1",
            params![
                pk,
                m.vendor_id,
                m.user.id,
                m.user.name,
                m.user.email,
                m.client.browser,
                m.client.browser_version,
                m.client.os,
                m.client.device_type,
                m.client.country,
                m.client.user_agent,
                m.client.sdk
            ],
        )?;
        tx.execute(
            "UPDATE sessions SET source_url = ?2, source_folder = ?3, missing = 0, \
             keyframe_version = ?4 WHERE pk = ?1",
            params![
                pk,
                origin.url,
                folder,
                if opts.keyframes { KEYFRAME_VERSION } else { 0 }
            ],
        )?;
        super::search::index_session(&tx, pk)?;
        if origin.replace_same_source {
            super::manage::replace_same_source(&tx, pk, &source)?;
        }
        if let Some(a) = &analysis {
            super::analysis_store::store(&tx, pk, a)?;
            let spilled: u32 = a.spilled.iter().map(|(_, n)| n).sum();
            if spilled > 0 {
                report.warnings.push(format!(
                    "{spilled} markers past the first {MAX_MARKERS} of a window are counted \
                     in the figures but not kept"
                ));
            }
            if a.console_dropped > 0 {
                report.warnings.push(format!(
                    "{} console entries past the first {MAX_CONSOLE_ENTRIES} (or {} MiB) of a \
                     window are not kept",
                    a.console_dropped,
                    MAX_CONSOLE_BYTES >> 20
                ));
            }
            if a.requests_dropped > 0 {
                report.warnings.push(format!(
                    "{} network requests past the first {MAX_REQUESTS} of a window are not kept",
                    a.requests_dropped
                ));
            }
        }
        tx.commit()?;
        progress(ImportProgress {
            bytes_read: report.file_bytes,
            bytes_total: report.file_bytes,
            events: report.events as u32,
        });
        Ok(ImportOutcome::Imported {
            session: self.summary(&id)?,
            warnings: report.warnings,
        })
    }
}

fn store_chunk(
    tx: &Transaction<'_>,
    pk: i64,
    window: u32,
    seq: u32,
    c: &SealedChunk,
) -> Result<u64> {
    tx.prepare_cached(
        "INSERT INTO chunks (session_pk, window_idx, seq, start_ts, end_ts, event_count, \
         full_snapshot, raw_bytes, event_index, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        pk,
        window,
        seq,
        c.start_ts,
        c.end_ts,
        c.event_count,
        c.full_snapshot,
        c.raw_bytes,
        c.event_index,
        c.data
    ])?;
    Ok((c.data.len() + c.event_index.len()) as u64)
}

fn existing_session(tx: &Transaction<'_>, hash: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(tx
        .query_row(
            "SELECT id FROM sessions WHERE content_hash = ?1",
            [hash],
            |r| r.get(0),
        )
        .optional()?)
}

/// A vendor's session id is the session's id when it is safe in a URL and a file name.
fn usable_id(v: &str) -> bool {
    (8..=128).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn id_taken(tx: &Transaction<'_>, id: &str) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM sessions WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?)
}

/// Without a vendor id, session ids are the first 128 bits of the content hash: stable across re-imports and
/// machines, short enough to type a prefix of.
fn session_id(content_hash: &str) -> String {
    content_hash[..32].to_string()
}

fn ms(t: Option<f64>) -> i64 {
    t.unwrap_or(0.0).round() as i64
}
