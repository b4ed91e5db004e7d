//! Vendor envelopes around single rrweb events. A value in an events stream may be an event
//! itself, or one of these, which hold events:
//!
//! - rrweb `pack()`ed event: a JSON string of latin1-encoded zlib bytes of the event;
//! - PostHog blob line: `{"window_id": W, "data": [events]}`;
//! - PostHog blob tuple: `["W", event]`;
//! - PostHog `$snapshot` analytics event: `{"event": "$snapshot", "properties":
//!   {"$snapshot_data": event | [events] | {"$snapshot_items": [events]}, "$window_id": W}}`.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Events found inside one envelope, each with the window it belongs to (if the envelope
/// says).
#[derive(Debug)]
pub struct Unwrapped {
    pub kind: EnvelopeKind,
    pub window: Option<String>,
    pub events: Vec<Cow<'static, [u8]>>,
    /// The envelope's own description of the session (a `$snapshot` event's properties
    /// other than the snapshot data), as a JSON object.
    pub meta: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeKind {
    Packed,
    BlobLine,
    BlobTuple,
    SnapshotEvent,
    /// Sentry's replay download: an array of segments, each an array of events.
    SegmentList,
}

/// Why an envelope could not be opened (the value is then reported as not an event).
pub type UnwrapError = String;

/// Recognises and opens an envelope; `None` if `raw` is not one.
pub fn unwrap(raw: &[u8], max_event_bytes: usize) -> Option<Result<Unwrapped, UnwrapError>> {
    match raw.first()? {
        b'"' => Some(unpack(raw, max_event_bytes)),
        b'[' => {
            if let Ok(events) = serde_json::from_slice::<Vec<&RawValue>>(raw) {
                if events.first().is_some_and(|e| e.get().starts_with('{')) {
                    return Some(Ok(Unwrapped {
                        kind: EnvelopeKind::SegmentList,
                        window: None,
                        events: owned(events),
                        meta: None,
                    }));
                }
            }
            let (window, event): (Id, &RawValue) = serde_json::from_slice(raw).ok()?;
            Some(Ok(Unwrapped {
                kind: EnvelopeKind::BlobTuple,
                window: Some(window.0),
                events: vec![Cow::Owned(event.get().as_bytes().to_vec())],
                meta: None,
            }))
        }
        b'{' => {
            let probe: Probe = serde_json::from_slice(raw).ok()?;
            if let (Some(window), Some(data)) = (probe.window_id, probe.data) {
                let events: Vec<&RawValue> = serde_json::from_str(data.get()).ok()?;
                return Some(Ok(Unwrapped {
                    kind: EnvelopeKind::BlobLine,
                    window: Some(window.0),
                    events: owned(events),
                    meta: None,
                }));
            }
            if probe.event.as_deref() == Some("$snapshot") {
                let raw_props = probe.properties?;
                let props: SnapshotProps = serde_json::from_str(raw_props.get()).ok()?;
                let data = props.snapshot_data?;
                let meta = snapshot_meta(raw_props, probe.distinct_id);
                return Some(snapshot_data(data).map(|events| Unwrapped {
                    kind: EnvelopeKind::SnapshotEvent,
                    window: props.window_id.map(|w| w.0),
                    events,
                    meta,
                }));
            }
            None
        }
        _ => None,
    }
}

fn owned(events: Vec<&RawValue>) -> Vec<Cow<'static, [u8]>> {
    events
        .into_iter()
        .map(|e| Cow::Owned(e.get().as_bytes().to_vec()))
        .collect()
}

/// The small properties of a `$snapshot` event (everything but the snapshot itself).
fn snapshot_meta(props: &RawValue, distinct_id: Option<Id>) -> Option<Vec<u8>> {
    let mut props: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(props.get()).ok()?;
    props.retain(|k, v| !k.starts_with("$snapshot") && !v.is_object() && !v.is_array());
    if let Some(id) = distinct_id {
        props
            .entry("distinct_id")
            .or_insert(serde_json::Value::String(id.0));
    }
    serde_json::to_vec(&props).ok()
}

/// `$snapshot_data` is one event, a list of them, or `{"$snapshot_items": [...]}`.
fn snapshot_data(data: &RawValue) -> Result<Vec<Cow<'static, [u8]>>, UnwrapError> {
    let text = data.get();
    if text.starts_with('[') {
        let events: Vec<&RawValue> =
            serde_json::from_str(text).map_err(|e| format!("bad $snapshot_data: {e}"))?;
        return Ok(owned(events));
    }
    #[derive(Deserialize)]
    struct Items<'a> {
        #[serde(rename = "$snapshot_items", borrow)]
        items: Option<Vec<&'a RawValue>>,
    }
    match serde_json::from_str::<Items>(text) {
        Ok(Items { items: Some(items) }) => Ok(owned(items)),
        _ => Ok(vec![Cow::Owned(text.as_bytes().to_vec())]),
    }
}

/// Reverses rrweb's `pack()`: a string whose chars are the bytes of a zlib stream.
fn unpack(raw: &[u8], max_event_bytes: usize) -> Result<Unwrapped, UnwrapError> {
    let s: Cow<str> = serde_json::from_slice(raw).map_err(|e| format!("bad packed string: {e}"))?;
    let out = super::compression::inflate_latin1(&s, max_event_bytes)
        .map_err(|why| format!("a packed event {why}"))?;
    Ok(Unwrapped {
        kind: EnvelopeKind::Packed,
        window: None,
        events: vec![Cow::Owned(out)],
        meta: None,
    })
}

/// A window id: PostHog writes them as strings or numbers.
pub struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            I(i64),
            F(f64),
        }
        Ok(Id(match Raw::deserialize(d)? {
            Raw::S(s) => s,
            Raw::I(i) => i.to_string(),
            Raw::F(f) => f.to_string(),
        }))
    }
}

#[derive(Deserialize)]
struct Probe<'a> {
    window_id: Option<Id>,
    distinct_id: Option<Id>,
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    event: Option<Cow<'a, str>>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct SnapshotProps<'a> {
    #[serde(rename = "$snapshot_data", borrow)]
    snapshot_data: Option<&'a RawValue>,
    #[serde(rename = "$window_id")]
    window_id: Option<Id>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// rrweb's pack(): zlib, then each byte as one char.
    pub fn pack(event: &str) -> String {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(event.as_bytes()).unwrap();
        let bytes = z.finish().unwrap();
        let s: String = bytes.iter().map(|&b| char::from(b)).collect();
        serde_json::to_string(&s).unwrap()
    }

    #[test]
    fn unpacks_rrweb_packed_events() {
        let ev = r#"{"type":4,"data":{"href":"https://x.test/"},"timestamp":5,"v":"v1"}"#;
        let u = unwrap(pack(ev).as_bytes(), 1 << 20).unwrap().unwrap();
        assert_eq!(u.kind, EnvelopeKind::Packed);
        assert_eq!(u.events[0].as_ref(), ev.as_bytes());
        let err = unwrap(br#""not zlib""#, 1 << 20).unwrap().unwrap_err();
        assert!(err.contains("does not inflate"), "{err}");
        assert!(unwrap(pack(ev).as_bytes(), 10).unwrap().is_err());
    }

    #[test]
    fn opens_posthog_blob_shapes() {
        let u = unwrap(
            br#"{"window_id":"w1","data":[{"type":2},{"type":3}]}"#,
            1 << 20,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (u.kind, u.window.as_deref(), u.events.len()),
            (EnvelopeKind::BlobLine, Some("w1"), 2)
        );
        let u = unwrap(br#"[7, {"type":3,"timestamp":1}]"#, 1 << 20)
            .unwrap()
            .unwrap();
        assert_eq!(
            (u.kind, u.window.as_deref()),
            (EnvelopeKind::BlobTuple, Some("7"))
        );
        assert_eq!(u.events[0].as_ref(), br#"{"type":3,"timestamp":1}"#);
    }

    #[test]
    fn opens_snapshot_events() {
        let one = br#"{"event":"$snapshot","properties":{"$window_id":"w","$snapshot_data":{"type":3,"timestamp":1}}}"#;
        let u = unwrap(one, 1 << 20).unwrap().unwrap();
        assert_eq!((u.kind, u.events.len()), (EnvelopeKind::SnapshotEvent, 1));
        let many =
            br#"{"event":"$snapshot","properties":{"$snapshot_data":[{"type":3},{"type":3}]}}"#;
        assert_eq!(unwrap(many, 1 << 20).unwrap().unwrap().events.len(), 2);
        let items = br#"{"event":"$snapshot","properties":{"$snapshot_data":{"$snapshot_items":[{"type":2}]}}}"#;
        assert_eq!(unwrap(items, 1 << 20).unwrap().unwrap().events.len(), 1);
    }

    #[test]
    fn opens_a_sentry_segment_list() {
        let u = unwrap(
            br#"[{"type":2,"timestamp":1},{"type":3,"timestamp":2}]"#,
            1 << 20,
        )
        .unwrap()
        .unwrap();
        assert_eq!((u.kind, u.events.len()), (EnvelopeKind::SegmentList, 2));
    }

    #[test]
    fn plain_events_and_other_values_are_not_envelopes() {
        assert!(unwrap(br#"{"type":3,"timestamp":1}"#, 1 << 20).is_none());
        assert!(unwrap(b"[1,2,3]", 1 << 20).is_none());
        assert!(unwrap(b"42", 1 << 20).is_none());
    }
}
