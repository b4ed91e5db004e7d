//! Recording formats: sniff the container, decode the compression, stream the events.
//!
//! `read_recording` makes one pass over a file and calls back with each event's raw bytes and
//! its indexed fields. It never holds more than one event (plus buffers) in memory.

pub mod compression;
pub mod event;
pub mod json_stream;

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::{Compression, Format};
use compression::{CountingReader, HashingReader};
pub use event::{parse_event, EventHead, EventProblem};
use json_stream::{describe_byte, ScanError, Scanner};

/// Limits that keep a hostile file from exhausting the machine.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Refuse a file whose decoded content exceeds this many bytes (decompression bombs).
    pub max_decoded_bytes: u64,
    /// Refuse a single event larger than this.
    pub max_event_bytes: usize,
}

/// Default decoded-size cap: 8 GiB, far above any real recording we have seen (545 MB).
pub const DEFAULT_MAX_DECODED_BYTES: u64 = 8 << 30;
/// Default per-event cap: a full snapshot with inlined images can reach tens of MB.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 512 << 20;

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_decoded_bytes: DEFAULT_MAX_DECODED_BYTES,
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
        }
    }
}

/// One event as it streams out of a file.
pub struct SourceEvent<'a> {
    /// The recorder's window id, for formats that carry several windows.
    pub window: Option<&'a str>,
    /// The event's JSON exactly as in the file.
    pub raw: &'a [u8],
    pub head: EventHead<'a>,
}

/// What a pass over a file found, besides the events themselves.
#[derive(Debug, Clone)]
pub struct ReadReport {
    pub format: Format,
    pub compression: Compression,
    pub file_bytes: u64,
    pub decoded_bytes: u64,
    /// blake3 of the decoded content, hex.
    pub content_hash: String,
    pub events: u64,
    /// Values that were not rrweb events and were left out.
    pub skipped: u64,
    /// Human-readable notes on what was left out.
    pub warnings: Vec<String>,
}

/// How often (in events) progress is reported.
const PROGRESS_EVERY: u64 = 2048;
/// Top-level object keys kept as metadata are capped at this size.
const MAX_FIELD_BYTES: usize = 1 << 20;
/// How many skipped values are described individually.
const MAX_DESCRIBED_SKIPS: usize = 3;

/// Streams the events of the recording at `path`.
///
/// `on_event` sees each valid event; an error it returns stops the read and is passed on.
/// `on_progress(file_bytes_read, events)` is called every few thousand events.
pub fn read_recording(
    path: &Path,
    opts: &ReadOptions,
    on_progress: &mut dyn FnMut(u64, u64),
    on_event: &mut dyn FnMut(SourceEvent<'_>) -> Result<()>,
) -> Result<ReadReport> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let file_bytes = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if file_bytes == 0 {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    }
    let file_read = Arc::new(AtomicU64::new(0));
    let counted_file = CountingReader::new(file, file_read.clone(), u64::MAX);
    let (decoded, compression) =
        compression::decode(counted_file).map_err(|e| Error::io(path, e))?;
    let decoded_count = Arc::new(AtomicU64::new(0));
    let limited = CountingReader::new(decoded, decoded_count.clone(), opts.max_decoded_bytes);
    let mut scanner = Scanner::new(HashingReader::new(limited), opts.max_event_bytes);

    let mut walk = Walk {
        path,
        events: 0,
        values: 0,
        skipped: 0,
        warnings: Vec::new(),
        on_event,
        on_progress: &mut |events| on_progress(file_read.load(Ordering::Relaxed), events),
    };
    let format = walk
        .run(&mut scanner)
        .map_err(|e| walk.scan_error(e, compression, scanner.offset()))??;

    if walk.events == 0 {
        let detail = if walk.skipped > 0 {
            format!(
                "none of its {} values is an rrweb event: {}",
                walk.values,
                walk.warnings.first().map(String::as_str).unwrap_or("")
            )
        } else {
            "it holds no events".to_string()
        };
        return Err(Error::NotEvents {
            path: path.to_path_buf(),
            detail,
        });
    }
    if walk.skipped as usize > MAX_DESCRIBED_SKIPS {
        walk.warnings.push(format!(
            "{} values in all were not rrweb events and were left out",
            walk.skipped
        ));
    }
    (walk.on_progress)(walk.events);
    let (events, skipped, warnings) = (walk.events, walk.skipped, walk.warnings);
    let hash = scanner.into_inner().hasher.finalize();
    Ok(ReadReport {
        format,
        compression,
        file_bytes,
        decoded_bytes: decoded_count.load(Ordering::Relaxed),
        content_hash: hash.to_hex().to_string(),
        events,
        skipped,
        warnings,
    })
}

struct Walk<'p, 'c> {
    path: &'p Path,
    events: u64,
    values: u64,
    skipped: u64,
    warnings: Vec<String>,
    on_event: &'c mut dyn FnMut(SourceEvent<'_>) -> Result<()>,
    on_progress: &'c mut dyn FnMut(u64),
}

impl Walk<'_, '_> {
    /// Walks the document. The outer error is the scanner's; the inner one comes from the
    /// shape of the content or from the callback.
    fn run<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<Result<Format>, ScanError> {
        let first = match s.peek_token()? {
            None => {
                return Ok(Err(Error::Empty {
                    path: self.path.to_path_buf(),
                }))
            }
            Some(b) => b,
        };
        let mut value = Vec::with_capacity(64 * 1024);
        match first {
            b'[' => {
                s.bump();
                if let Err(e) = self.stream_array(s, &mut value)? {
                    return Ok(Err(e));
                }
                Ok(Ok(Format::RrwebArray))
            }
            b'{' => self.walk_object(s, &mut value),
            b => {
                let what = if b.is_ascii() && !b.is_ascii_control() {
                    format!("it starts with {}", describe_byte(b))
                } else {
                    format!(
                        "it starts with {} (binary data, and not a compression Tapedeck knows)",
                        describe_byte(b)
                    )
                };
                Ok(Err(Error::NotJson {
                    path: self.path.to_path_buf(),
                    detail: what,
                }))
            }
        }
    }

    /// Streams the elements of an array whose `[` is consumed.
    fn stream_array<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
    ) -> Result<Result<()>, ScanError> {
        if s.peek_token()? == Some(b']') {
            s.bump();
            return Ok(Ok(()));
        }
        loop {
            value.clear();
            let at = s.offset();
            s.read_value(Some(value), "an event")?;
            if let Err(e) = self.event(value, at, None) {
                return Ok(Err(e));
            }
            match s.peek_token()? {
                Some(b',') => s.bump(),
                Some(b']') => {
                    s.bump();
                    return Ok(Ok(()));
                }
                Some(b) => {
                    return Err(s.syntax(format!(
                        "expected ',' or ']' after an event, found {}",
                        describe_byte(b)
                    )))
                }
                None => {
                    return Err(ScanError::Eof {
                        offset: s.offset(),
                        inside: "the events array",
                    })
                }
            }
        }
    }

    /// A top-level object is either `{"events": [...], ...}` or the first event of a
    /// JSON-lines file; which one is known once we see an `events` array or the object's end.
    fn walk_object<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
    ) -> Result<Result<Format>, ScanError> {
        let start = s.offset();
        s.bump();
        // The object's bytes, kept until it proves to be a wrapper rather than an event.
        let mut tee = Some(b"{".to_vec());
        let mut keys: Vec<String> = Vec::new();
        let mut key = Vec::new();
        let mut streamed = false;
        let mut first = true;
        loop {
            match s.peek_token()? {
                Some(b'}') => {
                    s.bump();
                    break;
                }
                Some(b',') if !first => {
                    s.bump();
                    if let Some(t) = tee.as_mut() {
                        t.push(b',');
                    }
                }
                _ if !first => {
                    return Err(s.syntax("expected ',' or '}' in the top-level object".into()))
                }
                _ => {}
            }
            first = false;
            s.read_key(&mut key)?;
            s.expect(b':', "after an object key")?;
            let name = String::from_utf8_lossy(&key).into_owned();
            if name == "events" && !streamed && s.peek_token()? == Some(b'[') {
                s.bump();
                streamed = true;
                tee = None;
                if let Err(e) = self.stream_array(s, value)? {
                    return Ok(Err(e));
                }
            } else {
                value.clear();
                s.read_value(Some(value), "a top-level field")?;
                if let Some(t) = tee.as_mut() {
                    t.push(b'"');
                    t.extend_from_slice(&key);
                    t.extend_from_slice(b"\":");
                    t.extend_from_slice(value);
                    if t.len() > MAX_FIELD_BYTES.max(s.max_value()) {
                        tee = None;
                    }
                }
            }
            keys.push(name);
        }
        if streamed {
            return Ok(Ok(Format::RrwebObject));
        }
        let Some(mut tee) = tee else {
            return Ok(Err(self.not_a_recording(&keys)));
        };
        tee.push(b'}');
        if parse_event(&tee).is_err() {
            return Ok(Err(self.not_a_recording(&keys)));
        }
        // JSON lines: this object was the first event; the rest follow, one value each.
        if let Err(e) = self.event(&tee, start, None) {
            return Ok(Err(e));
        }
        while s.peek_token()?.is_some() {
            value.clear();
            let at = s.offset();
            s.read_value(Some(value), "an event line")?;
            if let Err(e) = self.event(value, at, None) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(Format::RrwebJsonl))
    }

    fn not_a_recording(&self, keys: &[String]) -> Error {
        let mut listed: Vec<&str> = keys.iter().map(String::as_str).take(8).collect();
        if keys.len() > 8 {
            listed.push("…");
        }
        Error::NotEvents {
            path: self.path.to_path_buf(),
            detail: format!(
                "a JSON object with keys [{}]; expected an array of rrweb events, \
                 {{\"events\": [...]}}, or one event per line",
                listed.join(", ")
            ),
        }
    }

    /// Handles one value that should be an event.
    fn event(&mut self, raw: &[u8], at: u64, window: Option<&str>) -> Result<()> {
        self.values += 1;
        match parse_event(raw) {
            Ok(head) => {
                self.events += 1;
                if self.events % PROGRESS_EVERY == 0 {
                    (self.on_progress)(self.events);
                }
                (self.on_event)(SourceEvent { window, raw, head })
            }
            Err(problem) => {
                self.skipped += 1;
                if self.warnings.len() < MAX_DESCRIBED_SKIPS {
                    self.warnings
                        .push(format!("value #{} (byte {at}) {problem}", self.values));
                }
                Ok(())
            }
        }
    }

    /// Turns a scanner failure into the error a user can act on.
    fn scan_error(&self, e: ScanError, compression: Compression, decoded_offset: u64) -> Error {
        let path = self.path.to_path_buf();
        match e {
            ScanError::Io(io) => {
                if let Some(limit) = compression::limit_exceeded(&io) {
                    return Error::TooLarge { path, limit };
                }
                if compression == Compression::None {
                    return Error::Io { path, source: io };
                }
                if io.kind() == io::ErrorKind::UnexpectedEof {
                    return Error::Truncated {
                        path,
                        offset: decoded_offset,
                        inside: format!("the {} stream", compression.as_str()),
                    };
                }
                Error::Corrupt {
                    path,
                    compression: compression.as_str(),
                    detail: io.to_string(),
                }
            }
            ScanError::Eof { offset, inside } => Error::Truncated {
                path,
                offset,
                inside: inside.to_string(),
            },
            ScanError::Syntax { offset, message } => Error::NotJson {
                path,
                detail: format!("at byte {offset}: {message}"),
            },
            ScanError::ValueTooLarge { offset, limit } => Error::NotEvents {
                path,
                detail: format!(
                    "the value at byte {offset} is larger than the per-event limit of {limit} bytes"
                ),
            },
        }
    }
}
