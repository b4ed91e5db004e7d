//! Recording formats: sniff the container, decode the compression, stream the events.
//!
//! `read_recording` makes one pass over a file and calls back with each event's raw bytes and
//! its indexed fields. It never holds more than one event (plus buffers) in memory.

pub mod compression;
pub mod envelope;
pub mod event;
pub mod event_detail;
pub mod json_stream;
pub mod metadata;
pub mod posthog;
pub mod sentry;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::{Compression, Format};
use compression::{CountingReader, HashingReader};
use envelope::EnvelopeKind;
pub use event::{parse_event, parse_event_with, EventHead, EventProblem};
use json_stream::{describe_byte, ScanError, Scanner};
pub use metadata::Metadata;

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
    /// Who and what recorded it, from the container's fields.
    pub metadata: Metadata,
}

/// How often (in events) progress is reported.
const PROGRESS_EVERY: u64 = 2048;
/// Container fields kept for metadata: at most this many, each at most this large.
const MAX_FIELDS: usize = 64;
const MAX_FIELD_BYTES: usize = 256 * 1024;
/// Deepest nesting accepted in one event. Deep DOMs nest two levels per element; real
/// recordings stay far below this.
const MAX_NESTING: usize = 2_000;
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
    let mut counted_file = BufReader::with_capacity(
        256 * 1024,
        CountingReader::new(file, file_read.clone(), u64::MAX),
    );
    let sentry_segment =
        sentry::read_segment_header(&mut counted_file).map_err(|e| Error::io(path, e))?;
    let (decoded, compression) =
        compression::decode(counted_file).map_err(|e| Error::io(path, e))?;
    let decoded_count = Arc::new(AtomicU64::new(0));
    let limited = CountingReader::new(decoded, decoded_count.clone(), opts.max_decoded_bytes);
    let mut scanner = Scanner::new(HashingReader::new(limited), opts.max_event_bytes);

    let mut walk = Walk {
        path,
        seconds_to_ms: sentry_segment.is_some(),
        max_event_bytes: opts.max_event_bytes,
        envelopes: Vec::new(),
        repaired_utf8: 0,
        fields: Vec::new(),
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
    let format = if sentry_segment.is_some() {
        Format::SentrySegment
    } else {
        format
    };

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
    if walk.repaired_utf8 > 0 {
        walk.warnings.push(format!(
            "{} values had invalid UTF-8; the bad bytes were replaced with U+FFFD",
            walk.repaired_utf8
        ));
    }
    if walk.skipped as usize > MAX_DESCRIBED_SKIPS {
        walk.warnings.push(format!(
            "{} values in all were not rrweb events and were left out",
            walk.skipped
        ));
    }
    (walk.on_progress)(walk.events);
    let metadata = metadata::from_fields(&walk.fields);
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
        metadata,
    })
}

/// Streams a Sentry replay from its segment files, in order, as one recording. The
/// `replay_event` beside them, when there is one, supplies the metadata.
pub fn read_sentry_replay(
    segments: &[std::path::PathBuf],
    replay_event: Option<&Path>,
    opts: &ReadOptions,
    on_progress: &mut dyn FnMut(u64, u64),
    on_event: &mut dyn FnMut(SourceEvent<'_>) -> Result<()>,
) -> Result<ReadReport> {
    let mut total: Option<ReadReport> = None;
    let mut hashes = blake3::Hasher::new();
    let mut bytes_before = 0;
    let mut events_before = 0;
    for segment in segments {
        let report = read_recording(
            segment,
            opts,
            &mut |bytes, events| on_progress(bytes_before + bytes, events_before + events),
            on_event,
        )?;
        hashes.update(report.content_hash.as_bytes());
        bytes_before += report.file_bytes;
        events_before += report.events;
        let name = segment.file_name().unwrap_or_default().to_string_lossy();
        let warnings = report.warnings.iter().map(|w| format!("{name}: {w}"));
        match total.as_mut() {
            None => {
                let mut first = report.clone();
                first.warnings = warnings.collect();
                total = Some(first);
            }
            Some(t) => {
                t.file_bytes += report.file_bytes;
                t.decoded_bytes += report.decoded_bytes;
                t.events += report.events;
                t.skipped += report.skipped;
                t.warnings.extend(warnings);
            }
        }
    }
    let mut total = total.ok_or_else(|| Error::NotEvents {
        path: std::path::PathBuf::new(),
        detail: "a replay with no segments".into(),
    })?;
    total.format = Format::SentrySegment;
    total.content_hash = hashes.finalize().to_hex().to_string();
    if let Some(path) = replay_event {
        match std::fs::read(path).ok().and_then(|b| {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&b).ok()
        }) {
            Some(obj) => {
                let fields: Vec<(String, Vec<u8>)> = obj
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::to_vec(&v).unwrap_or_default()))
                    .collect();
                total.metadata = metadata::from_fields(&fields);
            }
            None => total.warnings.push(format!(
                "{}: not a readable replay_event; the replay has no user details",
                path.display()
            )),
        }
    }
    Ok(total)
}

struct Walk<'p, 'c> {
    path: &'p Path,
    /// Sentry writes some timestamps in seconds; rrweb wants milliseconds.
    seconds_to_ms: bool,
    max_event_bytes: usize,
    events: u64,
    values: u64,
    skipped: u64,
    warnings: Vec<String>,
    /// Envelopes seen around events; they name the vendor format.
    envelopes: Vec<EnvelopeKind>,
    /// Values whose invalid UTF-8 was replaced.
    repaired_utf8: u64,
    /// Small non-event fields of the container (`data.person`…), for the metadata.
    fields: Vec<(String, Vec<u8>)>,
    on_event: &'c mut dyn FnMut(SourceEvent<'_>) -> Result<()>,
    on_progress: &'c mut dyn FnMut(u64),
}

/// What the value under an object key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// An array of events (or envelopes).
    Events(Format),
    /// An object of window id → array of events.
    WindowMap(Format),
    /// An object to look into.
    Descend,
    /// Anything else.
    Other,
}

/// Where events live inside the object formats. `path` is the keys above `key`.
fn route(path: &[String], key: &str, value_start: u8) -> Route {
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    let route = match (path.as_slice(), key) {
        ([], "events") if value_start == b'{' => Route::Descend,
        ([], "events") => Route::Events(Format::RrwebObject),
        (["events"], "events") => Route::Events(Format::Highlight),
        ([], "data") | ([], "result") => Route::Descend,
        ([], "snapshots") | (["data"], "snapshots") => Route::Events(Format::PosthogExport),
        (["data"], "snapshotsByWindowId") | ([], "snapshotsByWindowId") => {
            Route::WindowMap(Format::PosthogExport)
        }
        (["result"], "snapshots") => Route::Events(Format::PosthogApi),
        ([], "snapshot_data_by_window_id") => Route::WindowMap(Format::PosthogApi),
        _ => Route::Other,
    };
    let fits = match route {
        Route::Events(_) => value_start == b'[',
        Route::WindowMap(_) | Route::Descend => value_start == b'{',
        Route::Other => true,
    };
    if fits {
        route
    } else {
        Route::Other
    }
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
        let format = match first {
            b'[' => self.top_level_array(s, &mut value)?,
            b'{' => self.top_level_object(s, &mut value)?,
            b => {
                let what = if b.is_ascii() && !b.is_ascii_control() {
                    format!("it starts with {}", describe_byte(b))
                } else {
                    format!(
                        "it starts with {} (binary data, and not a compression Tapedeck knows)",
                        describe_byte(b)
                    )
                };
                Err(Error::NotJson {
                    path: self.path.to_path_buf(),
                    detail: what,
                })
            }
        };
        let format = match format {
            Ok(f) => f,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(b) = s.peek_token()? {
            return Err(s.syntax(format!(
                "unexpected {} after the end of the recording",
                describe_byte(b)
            )));
        }
        Ok(Ok(self.refine(format)))
    }

    /// The envelopes seen name the format more precisely than the container does.
    fn refine(&self, format: Format) -> Format {
        let saw = |k| self.envelopes.contains(&k);
        if saw(EnvelopeKind::SegmentList) {
            Format::SentrySegment
        } else if saw(EnvelopeKind::SnapshotEvent) {
            Format::PosthogSnapshotEvents
        } else if saw(EnvelopeKind::BlobLine) || saw(EnvelopeKind::BlobTuple) {
            Format::PosthogBlobJsonl
        } else if saw(EnvelopeKind::Packed) && format == Format::RrwebArray {
            Format::RrwebPacked
        } else {
            format
        }
    }

    /// `[...]`: an array of events; or, when it is `["window", {event}]` followed by more
    /// lines, the first line of PostHog's tuple JSON-lines.
    fn top_level_array<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
    ) -> Result<Result<Format>, ScanError> {
        let start = s.offset();
        s.bump();
        if s.peek_token()? != Some(b'"') {
            return Ok(self
                .stream_array(s, value, None)?
                .map(|_| Format::RrwebArray));
        }
        // Packed events are strings too; only the shape [string, object] is a tuple line.
        let mut prefix = vec![Vec::new()];
        s.read_value(Some(&mut prefix[0]), "an event")?;
        let mut comma_consumed = false;
        if s.peek_token()? == Some(b',') {
            s.bump();
            comma_consumed = true;
            if s.peek_token()? == Some(b'{') {
                let mut second = Vec::new();
                s.read_value(Some(&mut second), "an event")?;
                if s.peek_token()? == Some(b']') {
                    s.bump();
                    let line = [b"[".as_slice(), &prefix[0], b",", &second, b"]"].concat();
                    return self.lines(s, value, &line, start);
                }
                prefix.push(second);
                comma_consumed = false;
            }
        }
        for v in &prefix {
            if let Err(e) = self.value(v, start, None, 0) {
                return Ok(Err(e));
            }
        }
        Ok(self
            .rest_of_array(s, value, !comma_consumed)?
            .map(|_| Format::RrwebArray))
    }

    /// Streams the elements of an array whose `[` is consumed.
    fn stream_array<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
        window: Option<&str>,
    ) -> Result<Result<()>, ScanError> {
        if s.peek_token()? == Some(b']') {
            s.bump();
            return Ok(Ok(()));
        }
        loop {
            if let Err(e) = self.next_value(s, value, window, "an event")? {
                return Ok(Err(e));
            }
            if self.array_continues(s)? {
                continue;
            }
            return Ok(Ok(()));
        }
    }

    /// After the first element(s) of an array were handled: the remaining ones.
    fn rest_of_array<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
        need_separator: bool,
    ) -> Result<Result<()>, ScanError> {
        if need_separator && !self.array_continues(s)? {
            return Ok(Ok(()));
        }
        if s.peek_token()? == Some(b']') {
            s.bump();
            return Ok(Ok(()));
        }
        self.stream_array(s, value, None)
    }

    /// Consumes `,` (true: another element follows) or `]` (false).
    fn array_continues<R: Read>(&mut self, s: &mut Scanner<R>) -> Result<bool, ScanError> {
        match s.peek_token()? {
            Some(b',') => {
                s.bump();
                Ok(true)
            }
            Some(b']') => {
                s.bump();
                Ok(false)
            }
            Some(b) => Err(s.syntax(format!(
                "expected ',' or ']' after an event, found {}",
                describe_byte(b)
            ))),
            None => Err(ScanError::Eof {
                offset: s.offset(),
                inside: "the events array",
            }),
        }
    }

    /// A top-level object is a container (`{"events": [...]}`, PostHog exports, Highlight
    /// payloads…) or the first line of a JSON-lines file; which one is known once an events
    /// array turns up or the object ends.
    fn top_level_object<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
    ) -> Result<Result<Format>, ScanError> {
        let start = s.offset();
        let mut tee = Some(Vec::new());
        let mut keys = Vec::new();
        let found = match self.walk_object(s, value, &mut Vec::new(), &mut tee, &mut keys)? {
            Ok(found) => found,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(format) = found {
            return Ok(Ok(format));
        }
        let Some(line) = tee else {
            return Ok(Err(self.not_a_recording(&keys)));
        };
        let is_event = parse_event(&line).is_ok();
        if !is_event && envelope::unwrap(&line, self.max_event_bytes).is_none() {
            // The scanner only finds value boundaries; say so if the object was not JSON.
            if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&line) {
                return Ok(Err(Error::NotJson {
                    path: self.path.to_path_buf(),
                    detail: e.to_string(),
                }));
            }
            return Ok(Err(self.not_a_recording(&keys)));
        }
        self.lines(s, value, &line, start)
    }

    /// JSON lines: `first` was the first value; the rest follow, one value each.
    fn lines<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
        first: &[u8],
        start: u64,
    ) -> Result<Result<Format>, ScanError> {
        if let Err(e) = self.value(first, start, None, 0) {
            return Ok(Err(e));
        }
        while s.peek_token()?.is_some() {
            if let Err(e) = self.next_value(s, value, None, "an event line")? {
                return Ok(Err(e));
            }
        }
        Ok(Ok(Format::RrwebJsonl))
    }

    /// Walks an object whose `{` is next, streaming the event arrays its routes lead to.
    /// Returns the format when events were found. `tee` collects the object's bytes while it
    /// may still turn out to be a single JSON-lines value.
    fn walk_object<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
        path: &mut Vec<String>,
        tee: &mut Option<Vec<u8>>,
        keys: &mut Vec<String>,
    ) -> Result<Result<Option<Format>>, ScanError> {
        s.expect(b'{', "an object")?;
        push(tee, b"{");
        let mut found = None;
        let mut key = Vec::new();
        let mut first = true;
        loop {
            match s.peek_token()? {
                Some(b'}') => {
                    s.bump();
                    push(tee, b"}");
                    return Ok(Ok(found));
                }
                Some(b',') if !first => {
                    s.bump();
                    push(tee, b",");
                }
                _ if !first => return Err(s.syntax("expected ',' or '}' in an object".into())),
                _ => {}
            }
            first = false;
            s.read_key(&mut key)?;
            s.expect(b':', "after an object key")?;
            let name = String::from_utf8_lossy(&key).into_owned();
            if path.is_empty() {
                keys.push(name.clone());
            }
            let next = s.peek_token()?.unwrap_or(b' ');
            match route(path, &name, next) {
                Route::Events(format) => {
                    *tee = None;
                    s.bump();
                    if let Err(e) = self.stream_array(s, value, None)? {
                        return Ok(Err(e));
                    }
                    found = Some(format);
                }
                Route::WindowMap(format) => {
                    *tee = None;
                    if let Err(e) = self.window_map(s, value)? {
                        return Ok(Err(e));
                    }
                    found = Some(format);
                }
                Route::Descend => {
                    push(tee, b"\"");
                    push(tee, &key);
                    push(tee, b"\":");
                    path.push(name);
                    let inner = self.walk_object(s, value, path, tee, keys)?;
                    path.pop();
                    match inner {
                        Ok(Some(f)) => found = Some(f),
                        Ok(None) => {}
                        Err(e) => return Ok(Err(e)),
                    }
                }
                Route::Other => {
                    value.clear();
                    s.read_value(Some(value), "an object field")?;
                    if value.len() <= MAX_FIELD_BYTES && self.fields.len() < MAX_FIELDS {
                        let mut at = path.join(".");
                        if !at.is_empty() {
                            at.push('.');
                        }
                        at.push_str(&name);
                        self.fields.push((at, value.clone()));
                    }
                    if let Some(t) = tee.as_mut() {
                        t.push(b'"');
                        t.extend_from_slice(&key);
                        t.extend_from_slice(b"\":");
                        t.extend_from_slice(value);
                        if t.len() > self.max_event_bytes {
                            *tee = None;
                        }
                    }
                }
            }
        }
    }

    /// `{"<window id>": [events], ...}`.
    fn window_map<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
    ) -> Result<Result<()>, ScanError> {
        s.expect(b'{', "the windows object")?;
        let mut key = Vec::new();
        let mut first = true;
        loop {
            match s.peek_token()? {
                Some(b'}') => {
                    s.bump();
                    return Ok(Ok(()));
                }
                Some(b',') if !first => s.bump(),
                _ if !first => {
                    return Err(s.syntax("expected ',' or '}' in the windows object".into()))
                }
                _ => {}
            }
            first = false;
            s.read_key(&mut key)?;
            s.expect(b':', "after a window id")?;
            let window = String::from_utf8_lossy(&key).into_owned();
            s.expect(b'[', "(a window's events array)")?;
            if let Err(e) = self.stream_array(s, value, Some(&window))? {
                return Ok(Err(e));
            }
        }
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
                 {{\"events\": [...]}}, one event per line, or a PostHog, Sentry or \
                 Highlight recording",
                listed.join(", ")
            ),
        }
    }

    /// Reads the next value of a stream and handles it, unless it nests deeper than any
    /// recording does: such a value is left out, as the webview's JSON parser could not take it.
    fn next_value<R: Read>(
        &mut self,
        s: &mut Scanner<R>,
        value: &mut Vec<u8>,
        window: Option<&str>,
        what: &'static str,
    ) -> Result<Result<()>, ScanError> {
        value.clear();
        let at = s.offset();
        s.read_value(Some(value), what)?;
        let depth = s.last_depth();
        if depth > MAX_NESTING {
            self.values += 1;
            self.skip(
                format!("value #{} (byte {at})", self.values),
                format!("nests {depth} levels deep, past the limit of {MAX_NESTING}"),
            );
            return Ok(Ok(()));
        }
        let v = std::mem::take(value);
        let r = self.value(&v, at, window, 0);
        *value = v;
        Ok(r)
    }

    /// Counts a value left out, describing the first few.
    fn skip(&mut self, what: String, problem: String) {
        self.skipped += 1;
        if self.warnings.len() < MAX_DESCRIBED_SKIPS {
            self.warnings.push(format!("{what} {problem}"));
        }
    }

    /// Handles one value that should be an event, or an envelope holding events.
    fn value(&mut self, raw: &[u8], at: u64, window: Option<&str>, depth: u8) -> Result<()> {
        // Invalid UTF-8 would be stored as is and trip strict readers later; a replacement
        // character loses one glyph, dropping the event could lose the page.
        if std::str::from_utf8(raw).is_err() {
            self.repaired_utf8 += 1;
            let fixed = String::from_utf8_lossy(raw).into_owned();
            return self.value(fixed.as_bytes(), at, window, depth);
        }
        if depth == 0 {
            self.values += 1;
        }
        // The head only: the analysis reads its own fields from the stored bytes.
        let problem = match parse_event_with(raw, false) {
            Ok(head) if head.cv.is_some() => match head.cv.as_deref() {
                Some(posthog::COMPRESSED_V2024_10) => {
                    match posthog::decompress_event(raw, self.max_event_bytes) {
                        Ok(plain) => return self.value(&plain, at, window, depth.max(1)),
                        Err(why) => format!("was dropped: {why}"),
                    }
                }
                Some(other) => format!("uses an unknown compressed format `cv: {other}`"),
                None => unreachable!(),
            },
            Ok(head) if self.seconds_to_ms && sentry::in_seconds(head.timestamp) => {
                match sentry::timestamp_to_ms(raw) {
                    Some(fixed) => return self.value(&fixed, at, window, depth.max(1)),
                    None => "has a timestamp that cannot be rewritten".to_string(),
                }
            }
            Ok(head) => {
                self.events += 1;
                if self.events.is_multiple_of(PROGRESS_EVERY) {
                    (self.on_progress)(self.events);
                }
                let own = head.window_id.clone();
                let window = window.or(own.as_deref());
                return (self.on_event)(SourceEvent { window, raw, head });
            }
            Err(problem) => problem.to_string(),
        };
        let problem = match (depth, envelope::unwrap(raw, self.max_event_bytes)) {
            // One level of envelopes (packed events may sit inside PostHog lines).
            (0 | 1, Some(Ok(u))) if depth == 0 || u.kind == EnvelopeKind::Packed => {
                if !self.envelopes.contains(&u.kind) {
                    self.envelopes.push(u.kind);
                }
                if u.kind == EnvelopeKind::SegmentList {
                    self.seconds_to_ms = true;
                }
                if let Some(meta) = u.meta {
                    if !self
                        .fields
                        .iter()
                        .any(|(p, _)| p == metadata::SNAPSHOT_PROPERTIES)
                    {
                        self.fields
                            .push((metadata::SNAPSHOT_PROPERTIES.to_string(), meta));
                    }
                }
                let inner_window = u.window.as_deref().or(window);
                for e in &u.events {
                    self.value(e, at, inner_window, depth + 1)?;
                }
                return Ok(());
            }
            (_, Some(Err(why))) => why,
            _ => problem,
        };
        let what = if depth == 0 {
            format!("value #{} (byte {at})", self.values)
        } else {
            format!("an event inside value #{} (byte {at})", self.values)
        };
        self.skip(what, problem);
        Ok(())
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

/// Appends to the tee while it is still collecting.
fn push(tee: &mut Option<Vec<u8>>, bytes: &[u8]) {
    if let Some(t) = tee.as_mut() {
        t.extend_from_slice(bytes);
    }
}
