//! Keyframes in the library. While a window's events are cut into chunks, a
//! [`KeyframeBuilder`] follows them, and at a chunk boundary far enough from the last place a
//! replay can start it writes the window's state there as a keyframe: the events a player
//! loads instead of everything before that chunk (see [`crate::keyframes`]).
//!
//! When one is written, by event bytes and by recorded time:
//! - A seek costs the rebuild of the page (the keyframe) plus the events from the keyframe to
//!   the target, which rrweb applies one by one. So a keyframe comes at the first boundary
//!   after [`EVERY_BYTES`] of events (2 MiB: about 20–60 ms of rrweb's fast-forward and 10 ms
//!   of JSON parsing in a webview), or after [`EVERY_MS`] of recorded time, so that a seek
//!   also fetches only a chunk or two of a slow but steady recording.
//! - Never before the events since the last one are at least as large as that keyframe (and
//!   [`MIN_BYTES`]): a keyframe is the size of the page, so this keeps keyframes from outgrowing
//!   the events they save (at most as many bytes as the events, in practice a fraction) and a
//!   seek's fast-forward within the size of the rebuild it pays for anyway.
//! - None where the recording already starts over: a chunk that opens with a Meta or a full
//!   snapshot is a starting point by itself.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

use rusqlite::{params, Connection, Transaction};

use super::chunk;
use crate::error::{Error, Result};
use crate::keyframes::json::{parse_recorded, Json};
use crate::keyframes::{Keyframe, KeyframeBuilder};
use crate::model::{ChunkInfo, EventKind};

/// Bumped when keyframes are built differently: older ones are rebuilt from the events.
pub const KEYFRAME_VERSION: i64 = 1;
/// Event bytes after which the next chunk boundary gets a keyframe.
pub const EVERY_BYTES: usize = 2 * 1024 * 1024;
/// Recorded time after which the next chunk boundary gets a keyframe…
pub const EVERY_MS: f64 = 30_000.0;
/// …once at least this many event bytes came since the last one.
pub const MIN_BYTES: usize = 256 * 1024;
/// zstd's fastest level: on keyframes (a page's JSON, mostly the same markup over and over)
/// it also compresses them a little better than level 3.
const ZSTD_LEVEL: i32 = 1;

/// What a seek loads: chunks `from_seq..=to_seq`, after the keyframe of `from_seq` when
/// `keyframe` (else `from_seq` starts with a full snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeekRange {
    pub from_seq: u32,
    pub to_seq: u32,
    pub keyframe: bool,
}

/// The chunks a seek to `t` (epoch ms) loads: from the last starting point (a keyframe or a
/// full snapshot) at or before the chunk holding `t`. Before the first full snapshot, that
/// snapshot's chunk: rrweb shows it at once. The player plans the same way
/// (`ui/src/player/plan.ts`).
pub fn seek_range(chunks: &[ChunkInfo], t: f64) -> Option<SeekRange> {
    let mut ordered: Vec<_> = chunks.iter().collect();
    ordered.sort_by_key(|c| c.seq);
    let first = ordered.iter().position(|c| c.full_snapshot)?;
    let ordered = &ordered[first..];
    let at = ordered
        .iter()
        .rposition(|c| c.start_ts as f64 <= t)
        .unwrap_or(0);
    let from = (0..=at)
        .rev()
        .find(|&i| ordered[i].full_snapshot || ordered[i].keyframe.is_some())
        .unwrap_or(0);
    Some(SeekRange {
        from_seq: ordered[from].seq,
        to_seq: ordered[at].seq,
        keyframe: !ordered[from].full_snapshot,
    })
}

/// A keyframe ready to be stored: the state after every event of chunks `< seq`.
#[derive(Debug, Clone)]
pub struct StoredKeyframe {
    pub window: u32,
    pub seq: u32,
    /// The recorded time of that state: the last event before chunk `seq`.
    pub ts: f64,
    pub event_count: u32,
    /// Recorded events carried forward as they were (what the mirror does not model).
    pub carried: u32,
    /// What it does not reproduce, in words (see [`crate::keyframes::Keyframe::notes`]).
    pub notes: Vec<String>,
    pub raw_bytes: u32,
    pub data: Vec<u8>,
}

/// Decides where one window's keyframes go and writes them.
pub struct WindowKeyframes {
    window: u32,
    builder: KeyframeBuilder,
    /// Event bytes since the last place a replay can start (a keyframe or a full snapshot).
    since_bytes: usize,
    since_ts: Option<f64>,
    last_ts: f64,
    last_keyframe_bytes: usize,
    /// Set when the builder panicked on this window's events: no more keyframes for it.
    failed: bool,
    zstd: chunk::Zstd,
    /// The last keyframe's JSON, a buffer kept for the next one (fresh memory of that size
    /// costs page faults every time).
    json: Vec<u8>,
}

impl WindowKeyframes {
    pub fn new(window: u32) -> Self {
        Self {
            window,
            builder: KeyframeBuilder::new(),
            since_bytes: 0,
            since_ts: None,
            last_ts: f64::NEG_INFINITY,
            last_keyframe_bytes: 0,
            failed: false,
            zstd: chunk::Zstd::new(ZSTD_LEVEL),
            json: Vec::new(),
        }
    }

    /// Follows one event (in the window's stored order).
    pub fn event(&mut self, raw: &[u8]) {
        if self.failed {
            return;
        }
        // Stored events parsed once already; one that does not parse here is left out, as
        // rrweb would fail on it too.
        let Ok(e) = parse_recorded(raw) else { return };
        let ts = e.get("timestamp").and_then(|t| t.as_f64());
        let full_snapshot = e.get("type").and_then(|t| t.as_i64()) == Some(2);
        let builder = &mut self.builder;
        if catch_unwind(AssertUnwindSafe(|| builder.push_owned(e))).is_err() {
            self.failed = true;
            return;
        }
        if let Some(ts) = ts {
            self.last_ts = self.last_ts.max(ts);
            self.since_ts.get_or_insert(ts);
        }
        if full_snapshot {
            self.since_bytes = 0;
            self.since_ts = ts;
        } else {
            self.since_bytes += raw.len();
        }
    }

    /// Chunk `seq` begins with an event of `opens`: a keyframe there if one is due.
    pub fn boundary(&mut self, seq: u32, opens: EventKind) -> Result<Option<StoredKeyframe>> {
        if self.failed || matches!(opens, EventKind::Meta | EventKind::FullSnapshot) {
            return Ok(None);
        }
        let span = self.since_ts.map_or(0.0, |s| self.last_ts - s);
        let due = self.since_bytes >= MIN_BYTES.max(self.last_keyframe_bytes)
            && (self.since_bytes >= EVERY_BYTES || span >= EVERY_MS);
        if !due || self.builder.mirror().root_id().is_none() {
            return Ok(None);
        }
        let t = self.last_ts;
        let builder = &self.builder;
        let json = &mut self.json;
        json.clear();
        let Ok(kf) = catch_unwind(AssertUnwindSafe(|| builder.write_keyframe(t, json))) else {
            self.failed = true;
            return Ok(None);
        };
        let kf = kf.map_err(|e| Error::Storage(format!("keyframe: {e}")))?;
        if kf.events == 0 {
            return Ok(None);
        }
        let json = &self.json;
        let data = self.zstd.compress(json)?;
        self.since_bytes = 0;
        self.since_ts = Some(t);
        self.last_keyframe_bytes = json.len();
        Ok(Some(StoredKeyframe {
            window: self.window,
            seq,
            ts: t,
            event_count: kf.events as u32,
            carried: kf.carried as u32,
            notes: kf.notes,
            raw_bytes: json.len() as u32,
            data,
        }))
    }
}

/// What the import thread hands the keyframe thread, in each window's stored order.
enum Item {
    /// A sealed chunk's events: `events` as the chunk collected them, `index` as stored.
    Chunk {
        window: u32,
        events: Vec<u8>,
        index: Vec<u8>,
    },
    /// The next chunk of `window` is `seq`, and begins with an event of `opens`.
    Boundary {
        window: u32,
        seq: u32,
        opens: EventKind,
    },
}

/// Items in flight (a boundary after each chunk): the import thread waits when the
/// keyframes fall 64 chunks (up to 32 MiB of events) behind, which they rarely do. Waiting
/// costs more than the memory: the analysis then waits too, and a core idles.
const IN_FLIGHT: usize = 128;
/// A chunk's buffer that grew past this (a huge snapshot) is freed rather than reused.
const KEEP_BUFFER_BYTES: usize = 4 * chunk::MAX_CHUNK_BYTES;

/// Builds keyframes on their own thread while the import thread reads and stores, as the
/// analysis does on another. It is handed each chunk's events as the chunk collected them,
/// once the chunk is stored, and hands the buffer back for the next chunk, so keyframes
/// copy nothing on the import thread. (Parsing on one more thread and folding on another
/// was tried: it costs more, as the trees are then freed by a thread other than the one
/// that made them.)
pub struct BackgroundKeyframes<'scope> {
    tx: SyncSender<Item>,
    /// Chunk buffers the worker is done with, to be reused here.
    done: Receiver<Vec<u8>>,
    worker: ScopedJoinHandle<'scope, Result<Vec<StoredKeyframe>>>,
}

impl<'scope> BackgroundKeyframes<'scope> {
    pub fn start<'env>(scope: &'scope Scope<'scope, 'env>) -> Self {
        let (tx, rx) = sync_channel::<Item>(IN_FLIGHT);
        let (done_tx, done) = channel::<Vec<u8>>();
        let worker = scope.spawn(move || {
            let mut windows: Vec<WindowKeyframes> = Vec::new();
            let mut out = Vec::new();
            let window = |windows: &mut Vec<WindowKeyframes>, w: u32| {
                while windows.len() <= w as usize {
                    windows.push(WindowKeyframes::new(windows.len() as u32));
                }
            };
            for item in rx {
                match item {
                    Item::Chunk {
                        window: w,
                        events,
                        index,
                    } => {
                        window(&mut windows, w);
                        let keyframes = &mut windows[w as usize];
                        for e in chunk::read_index(&index)? {
                            if let Some(raw) = events.get(e.offset..e.offset + e.len) {
                                keyframes.event(raw);
                            }
                        }
                        if events.capacity() <= KEEP_BUFFER_BYTES {
                            // The import thread may be gone after an error: then it is freed
                            // here.
                            let _ = done_tx.send(events);
                        }
                    }
                    Item::Boundary {
                        window: w,
                        seq,
                        opens,
                    } => {
                        window(&mut windows, w);
                        out.extend(windows[w as usize].boundary(seq, opens)?);
                    }
                }
            }
            Ok(out)
        });
        Self { tx, done, worker }
    }

    /// A buffer for the next chunk's events: one handed back, else a new one.
    pub fn spare_buffer(&mut self) -> Vec<u8> {
        self.done
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(2 * chunk::MAX_CHUNK_BYTES))
    }

    /// Hands over a stored chunk of window `window`: its events (from
    /// [`chunk::ChunkBuilder::seal_with_events`]) and its event index.
    pub fn chunk(&mut self, window: u32, events: Vec<u8>, index: Vec<u8>) {
        // Fails only when the worker is gone (an error): `finish` reports it.
        let _ = self.tx.send(Item::Chunk {
            window,
            events,
            index,
        });
    }

    /// The next chunk of window `window` is `seq` and begins with an event of `opens`.
    pub fn boundary(&mut self, window: u32, seq: u32, opens: EventKind) {
        let _ = self.tx.send(Item::Boundary { window, seq, opens });
    }

    /// Waits for every keyframe of what was handed over.
    pub fn finish(self) -> Result<Vec<StoredKeyframe>> {
        drop(self.tx);
        let result = self.worker.join();
        drop(self.done);
        match result {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

pub(super) fn store(tx: &Transaction<'_>, pk: i64, k: &StoredKeyframe) -> Result<u64> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO keyframes (session_pk, window_idx, seq, ts, event_count, \
         carried, notes, raw_bytes, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        pk,
        k.window,
        k.seq,
        k.ts,
        k.event_count,
        k.carried,
        serde_json::to_string(&k.notes).unwrap_or_else(|_| "[]".into()),
        k.raw_bytes,
        k.data
    ])?;
    Ok(k.data.len() as u64)
}

/// The keyframe before chunk `seq` of a window, as the JSON array of its events.
pub(super) fn read(conn: &Connection, pk: i64, window: u32, seq: u32) -> Result<Option<Vec<u8>>> {
    use rusqlite::OptionalExtension;
    let row: Option<(usize, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT raw_bytes, data FROM keyframes WHERE session_pk = ?1 AND window_idx = ?2 \
             AND seq = ?3",
        )?
        .query_row(params![pk, window, seq], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((raw_bytes, data)) = row else {
        return Ok(None);
    };
    let json = chunk::decompress(&data, raw_bytes)?;
    // Stored as an array: the player joins it with the chunks' events.
    match (json.first(), json.last()) {
        (Some(b'['), Some(b']')) => Ok(Some(json)),
        _ => Err(Error::Storage(
            "a stored keyframe is not a JSON array".into(),
        )),
    }
}

/// What the keyframe before chunk `seq` of a window does not reproduce, in words.
pub(super) fn notes(conn: &Connection, pk: i64, window: u32, seq: u32) -> Result<Vec<String>> {
    use rusqlite::OptionalExtension;
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT notes FROM keyframes WHERE session_pk = ?1 AND window_idx = ?2 AND seq = ?3",
        )?
        .query_row(params![pk, window, seq], |r| r.get(0))
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

/// Builds a session's keyframes from its stored events, window by window.
pub(super) fn build_stored(conn: &Connection, pk: i64) -> Result<Vec<StoredKeyframe>> {
    let windows: Vec<u32> = {
        let mut stmt =
            conn.prepare_cached("SELECT idx FROM windows WHERE session_pk = ?1 ORDER BY idx")?;
        let rows = stmt.query_map([pk], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, raw_bytes, event_index, data FROM chunks WHERE session_pk = ?1 \
         AND window_idx = ?2 ORDER BY seq",
    )?;
    for w in windows {
        let mut keyframes = WindowKeyframes::new(w);
        let mut rows = stmt.query(params![pk, w])?;
        let mut first = true;
        while let Some(r) = rows.next()? {
            let seq: u32 = r.get(0)?;
            let raw_bytes: usize = r.get(1)?;
            let index = chunk::read_index(r.get_ref(2)?.as_blob()?)?;
            let data = chunk::decompress(r.get_ref(3)?.as_blob()?, raw_bytes)?;
            let event = |i: usize| -> Result<&[u8]> {
                let e = &index[i];
                data.get(e.offset..e.offset + e.len)
                    .ok_or_else(|| Error::Storage("event index points outside its chunk".into()))
            };
            if !first && !index.is_empty() {
                let opens = crate::formats::parse_event(event(0)?)
                    .map_or(EventKind::IncrementalSnapshot, |h| h.kind);
                out.extend(keyframes.boundary(seq, opens)?);
            }
            first = false;
            for i in 0..index.len() {
                keyframes.event(event(i)?);
            }
        }
    }
    Ok(out)
}

/// Folds a window's events up to `t` (epoch ms) from the stored keyframe last before it,
/// rather than from the recording's start: one keyframe interval of events whatever the
/// recording's length, and the same state, notes included. None where only the start gives
/// that: no keyframe before `t` (the page comes from a full snapshot, and what came before it
/// counts in the notes), or one with notes about the page (they count from the start, which a
/// fold from the keyframe cannot see; its count of custom events carries on). The events after `t` of the chunks through the one holding it go to
/// `after`, comma-joined as stored.
pub(super) fn fold_to(
    conn: &Connection,
    pk: i64,
    window: u32,
    chunks: &[ChunkInfo],
    t: f64,
    mut after: Option<&mut Vec<u8>>,
) -> Result<Option<KeyframeBuilder>> {
    let Some(range) = seek_range(chunks, t).filter(|r| r.keyframe) else {
        return Ok(None);
    };
    let mut builder = KeyframeBuilder::new();
    for note in notes(conn, pk, window, range.from_seq)? {
        // Custom events (Sentry's breadcrumbs, PostHog's own) leave the page as it is: their
        // count carries on. Any other note is about the page, and counts from the start.
        let listener_events = note
            .strip_suffix(crate::keyframes::LISTENER_EVENTS_NOTE)
            .and_then(|n| n.trim().parse().ok());
        let Some(n) = listener_events else {
            return Ok(None);
        };
        builder.count_listener_events(n);
    }
    let fold = |builder: &mut KeyframeBuilder, raw: &[u8]| -> Result<()> {
        // Stored events parsed once already; one that does not parse here is left out, as
        // the keyframes written at import leave it out.
        let Ok(e) = parse_recorded(raw) else {
            return Ok(());
        };
        catch_unwind(AssertUnwindSafe(|| builder.push_owned(e)))
            .map_err(|_| Error::Storage("the events before this moment cannot be folded".into()))
    };
    let events = read(conn, pk, window, range.from_seq)?.ok_or_else(|| {
        Error::Storage(format!(
            "no keyframe before chunk {} of window {window}",
            range.from_seq
        ))
    })?;
    // A keyframe's events, in order, are a replay's start: folded, they give its state.
    let Ok(Json::Array(events)) = parse_recorded(&events) else {
        return Err(Error::Storage("a stored keyframe does not parse".into()));
    };
    for e in events {
        catch_unwind(AssertUnwindSafe(|| builder.push_owned(e)))
            .map_err(|_| Error::Storage("a stored keyframe cannot be folded".into()))?;
    }
    let mut stmt = conn.prepare_cached(
        "SELECT raw_bytes, event_index, data FROM chunks WHERE session_pk = ?1 \
         AND window_idx = ?2 AND seq BETWEEN ?3 AND ?4 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![pk, window, range.from_seq, range.to_seq])?;
    while let Some(r) = rows.next()? {
        let raw_bytes: usize = r.get(0)?;
        let index = chunk::read_index(r.get_ref(1)?.as_blob()?)?;
        let data = chunk::decompress(r.get_ref(2)?.as_blob()?, raw_bytes)?;
        for e in &index {
            let raw = data
                .get(e.offset..e.offset + e.len)
                .ok_or_else(|| Error::Storage("event index points outside its chunk".into()))?;
            if e.ts <= t {
                fold(&mut builder, raw)?;
            } else if let Some(after) = after.as_deref_mut() {
                if !after.is_empty() {
                    after.push(b',');
                }
                after.extend_from_slice(raw);
            }
        }
    }
    Ok(Some(builder))
}

impl super::Library {
    /// The keyframe of a window at `t` (epoch ms): its replay state then, folded from the
    /// stored keyframe last before it (see [`fold_to`]). None where only
    /// [`crate::keyframes::keyframe_at`] over the window's events from the start gives it.
    pub fn keyframe_at(&self, id: &str, window: u32, t: f64) -> Result<Option<Keyframe>> {
        let (pk, full_id) = self.resolve(id)?;
        self.check_window(pk, &full_id, window)?;
        let chunks = self.window_chunks(pk, window)?;
        let Some(builder) = fold_to(&self.conn, pk, window, &chunks, t, None)? else {
            return Ok(None);
        };
        catch_unwind(AssertUnwindSafe(|| builder.keyframe(t)))
            .map(Some)
            .map_err(|_| Error::Storage("the keyframe at this moment cannot be written".into()))
    }

    /// What a seek to `t` (epoch ms) loads when the engine does the fast-forward: one JSON
    /// array of the keyframe at `t` ([`super::Library::keyframe_at`]) then the events after
    /// `t` of the chunk holding it, so a replay shows `t` without applying an event of its own
    /// and plays on from there (the next chunks follow it). None where that keyframe cannot be
    /// made this way: then the seek loads [`super::Library::chunk_events`] from the stored
    /// starting point.
    pub fn seek_events(&self, id: &str, window: u32, t: f64) -> Result<Option<Vec<u8>>> {
        let (pk, full_id) = self.resolve(id)?;
        self.check_window(pk, &full_id, window)?;
        let chunks = self.window_chunks(pk, window)?;
        let mut after = Vec::new();
        let Some(builder) = fold_to(&self.conn, pk, window, &chunks, t, Some(&mut after))? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(256 * 1024 + after.len());
        let written = catch_unwind(AssertUnwindSafe(|| builder.write_keyframe(t, &mut out)))
            .map_err(|_| Error::Storage("the keyframe at this moment cannot be written".into()))?
            .map_err(|e| Error::Storage(format!("keyframe: {e}")))?;
        if written.events == 0 {
            return Ok(None);
        }
        if !after.is_empty() {
            // Into the array the keyframe closed.
            out.pop();
            out.push(b',');
            out.extend_from_slice(&after);
            out.push(b']');
        }
        Ok(Some(out))
    }

    /// The chunks of one window, in order, with their keyframes.
    fn window_chunks(&self, pk: i64, window: u32) -> Result<Vec<ChunkInfo>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {} WHERE c.session_pk = ?1 AND c.window_idx = ?2 ORDER BY c.seq",
            super::CHUNK_COLUMNS
        ))?;
        let rows = stmt.query_map(params![pk, window], |r| super::chunk_info(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What the keyframe before chunk `seq` of a window does not reproduce, in words (the
    /// recorded events it carries instead, what it could not place).
    pub fn keyframe_notes(&self, id: &str, window: u32, seq: u32) -> Result<Vec<String>> {
        let (pk, _) = self.resolve(id)?;
        notes(&self.conn, pk, window, seq)
    }

    /// How many sessions have no keyframes of this build (imported before them, or without).
    pub fn stale_keyframe_count(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM sessions WHERE keyframe_version <> ?1",
            [KEYFRAME_VERSION],
            |r| r.get(0),
        )?)
    }

    /// Rebuilds the keyframes of sessions from their stored events, one transaction per
    /// session. Returns how many sessions were done.
    pub fn build_keyframes(
        &mut self,
        which: &super::Reanalyze,
        progress: &mut dyn FnMut(super::ReanalyzeProgress),
    ) -> Result<u64> {
        let pks = self.sessions_to_redo(which, "keyframe_version", KEYFRAME_VERSION)?;
        let total = pks.len() as u64;
        for (n, pk) in pks.into_iter().enumerate() {
            let keyframes = build_stored(&self.conn, pk)?;
            let tx = self.conn.transaction()?;
            tx.execute("DELETE FROM keyframes WHERE session_pk = ?1", [pk])?;
            let mut bytes = 0;
            for k in &keyframes {
                bytes += store(&tx, pk, k)?;
            }
            tx.execute(
                "UPDATE sessions SET keyframe_version = ?2, stored_bytes = \
                 (SELECT coalesce(sum(length(data) + length(event_index)), 0) FROM chunks \
                  WHERE session_pk = ?1) + ?3 WHERE pk = ?1",
                params![pk, KEYFRAME_VERSION, bytes as i64],
            )?;
            tx.commit()?;
            progress(super::ReanalyzeProgress {
                done: n as u64 + 1,
                total,
            });
        }
        Ok(total)
    }
}
