//! Chunks: blocks of consecutive events of one window, stored zstd-compressed. A chunk starts
//! at a Meta or full snapshot whenever one arrives, so the player can begin replay at any chunk
//! flagged `full_snapshot`, and is cut by size and time so seeks load little.

use crate::error::{Error, Result};
use crate::model::EventKind;

/// Cut a chunk once its events reach this many bytes of JSON…
pub const MAX_CHUNK_BYTES: usize = 512 * 1024;
/// …or span this much recorded time.
pub const MAX_CHUNK_SPAN_MS: f64 = 30_000.0;
/// zstd level 3: near the best ratio per CPU second for JSON.
const ZSTD_LEVEL: i32 = 3;
/// Bytes per event in the index: offset u32, length u32, timestamp f64.
const INDEX_ENTRY: usize = 16;

/// A chunk ready to be stored.
pub struct SealedChunk {
    pub start_ts: f64,
    pub end_ts: f64,
    pub event_count: u32,
    pub full_snapshot: bool,
    pub raw_bytes: u32,
    pub event_index: Vec<u8>,
    pub data: Vec<u8>,
}

/// Collects events into chunks.
#[derive(Default)]
pub struct ChunkBuilder {
    data: Vec<u8>,
    index: Vec<u8>,
    count: u32,
    start_ts: f64,
    end_ts: f64,
    /// Kind of the first event that is not Meta / DOMContentLoaded / Load.
    leading: Option<EventKind>,
    last_kind: Option<EventKind>,
    zstd: Zstd,
}

/// A zstd compressor made once, with its output buffer kept: a new one allocates (and the
/// kernel zeroes) megabytes of tables for every block, and so would a new buffer.
pub struct Zstd {
    level: i32,
    compressor: Option<zstd::bulk::Compressor<'static>>,
    out: Vec<u8>,
}

impl Zstd {
    pub fn new(level: i32) -> Self {
        Self {
            level,
            compressor: None,
            out: Vec::new(),
        }
    }

    /// `data` compressed.
    pub fn compress(&mut self, data: &[u8]) -> Result<Vec<u8>> {
        let zstd_error = |e: std::io::Error| Error::Storage(format!("zstd: {e}"));
        let compressor = match &mut self.compressor {
            Some(c) => c,
            None => self
                .compressor
                .insert(zstd::bulk::Compressor::new(self.level).map_err(zstd_error)?),
        };
        self.out.clear();
        self.out
            .reserve(zstd::zstd_safe::compress_bound(data.len()));
        compressor
            .compress_to_buffer(data, &mut self.out)
            .map_err(zstd_error)?;
        Ok(self.out.clone())
    }
}

impl Default for Zstd {
    fn default() -> Self {
        Self::new(ZSTD_LEVEL)
    }
}

impl ChunkBuilder {
    /// Whether `kind` at `ts` should open a new chunk before it is added.
    pub fn should_cut_before(&self, kind: EventKind, ts: f64) -> bool {
        if self.count == 0 {
            return false;
        }
        // A page starts at its Meta (or its snapshot when there is no Meta); the page-load
        // events before them, and a snapshot right after its Meta, belong with it.
        let restart = match kind {
            EventKind::Meta => self.leading.is_some(),
            EventKind::FullSnapshot => {
                self.leading.is_some() && self.last_kind != Some(EventKind::Meta)
            }
            _ => false,
        };
        restart || self.data.len() >= MAX_CHUNK_BYTES || ts - self.start_ts >= MAX_CHUNK_SPAN_MS
    }

    pub fn push(&mut self, kind: EventKind, ts: f64, raw: &[u8]) {
        if self.count == 0 {
            self.start_ts = ts;
            self.end_ts = ts;
        } else {
            self.data.push(b',');
            self.start_ts = self.start_ts.min(ts);
            self.end_ts = self.end_ts.max(ts);
        }
        let offset = self.data.len() as u32;
        self.data.extend_from_slice(raw);
        self.index.extend_from_slice(&offset.to_le_bytes());
        self.index
            .extend_from_slice(&(raw.len() as u32).to_le_bytes());
        self.index.extend_from_slice(&ts.to_le_bytes());
        self.count += 1;
        if self.leading.is_none()
            && !matches!(
                kind,
                EventKind::Meta | EventKind::DomContentLoaded | EventKind::Load
            )
        {
            self.leading = Some(kind);
        }
        self.last_kind = Some(kind);
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Compresses the collected events and resets the builder.
    pub fn seal(&mut self) -> Result<SealedChunk> {
        let sealed = self.compress()?;
        self.data.clear();
        Ok(sealed)
    }

    /// [`ChunkBuilder::seal`], also handing over the events' bytes as they were collected
    /// (comma-joined, where the index points), `next` (a spent buffer) taking their place.
    pub fn seal_with_events(&mut self, mut next: Vec<u8>) -> Result<(SealedChunk, Vec<u8>)> {
        let sealed = self.compress()?;
        next.clear();
        Ok((sealed, std::mem::replace(&mut self.data, next)))
    }

    fn compress(&mut self) -> Result<SealedChunk> {
        let data = self.zstd.compress(&self.data)?;
        let sealed = SealedChunk {
            start_ts: self.start_ts,
            end_ts: self.end_ts,
            event_count: self.count,
            full_snapshot: self.leading == Some(EventKind::FullSnapshot),
            raw_bytes: self.data.len() as u32,
            event_index: std::mem::take(&mut self.index),
            data,
        };
        self.count = 0;
        self.leading = None;
        self.last_kind = None;
        Ok(sealed)
    }
}

/// Decompresses a stored chunk's data (the comma-joined events).
pub fn decompress(data: &[u8], raw_bytes: usize) -> Result<Vec<u8>> {
    zstd::bulk::decompress(data, raw_bytes).map_err(|e| Error::Storage(format!("zstd: {e}")))
}

/// One entry of a chunk's event index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndexEntry {
    pub offset: usize,
    pub len: usize,
    pub ts: f64,
}

pub fn read_index(index: &[u8]) -> Result<Vec<IndexEntry>> {
    if !index.len().is_multiple_of(INDEX_ENTRY) {
        return Err(Error::Storage("event index has a partial entry".into()));
    }
    Ok(index
        .chunks_exact(INDEX_ENTRY)
        .map(|e| IndexEntry {
            offset: u32::from_le_bytes(e[0..4].try_into().unwrap()) as usize,
            len: u32::from_le_bytes(e[4..8].try_into().unwrap()) as usize,
            ts: f64::from_le_bytes(e[8..16].try_into().unwrap()),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_meta_and_keeps_snapshot_with_it() {
        let mut b = ChunkBuilder::default();
        b.push(EventKind::Load, 0.0, b"{}");
        assert!(!b.should_cut_before(EventKind::Meta, 1.0));
        b.push(EventKind::Meta, 1.0, b"{}");
        assert!(!b.should_cut_before(EventKind::FullSnapshot, 1.0));
        b.push(EventKind::FullSnapshot, 1.0, b"{}");
        assert!(!b.should_cut_before(EventKind::IncrementalSnapshot, 2.0));
        b.push(EventKind::IncrementalSnapshot, 2.0, b"{}");
        assert!(b.should_cut_before(EventKind::FullSnapshot, 3.0));
        assert!(b.should_cut_before(EventKind::IncrementalSnapshot, 1.0 + MAX_CHUNK_SPAN_MS));
        let c = b.seal().unwrap();
        assert!(c.full_snapshot);
        assert_eq!(c.event_count, 4);
        assert_eq!((c.start_ts, c.end_ts), (0.0, 2.0));
        // A new page's Meta after incremental events starts a new chunk.
        b.push(EventKind::Meta, 3.0, b"{}");
        b.push(EventKind::IncrementalSnapshot, 4.0, b"{}");
        assert!(b.should_cut_before(EventKind::Meta, 5.0));
    }

    #[test]
    fn round_trips_events_and_index() {
        let mut b = ChunkBuilder::default();
        b.push(EventKind::IncrementalSnapshot, 5.0, br#"{"a":1}"#);
        b.push(EventKind::IncrementalSnapshot, 4.0, br#"{"b":[2]}"#);
        let c = b.seal().unwrap();
        assert!(!c.full_snapshot);
        assert_eq!((c.start_ts, c.end_ts), (4.0, 5.0));
        let data = decompress(&c.data, c.raw_bytes as usize).unwrap();
        assert_eq!(data, br#"{"a":1},{"b":[2]}"#);
        let idx = read_index(&c.event_index).unwrap();
        assert_eq!(
            &data[idx[1].offset..idx[1].offset + idx[1].len],
            br#"{"b":[2]}"#
        );
        assert_eq!(idx[1].ts, 4.0);
    }
}
