//! Reads the few fields of an rrweb event that indexing needs, in one pass over its bytes,
//! tolerating wrong types anywhere (a bad field makes the event invalid or the field absent,
//! never a panic or a failed import).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::event_detail::{
    positions, Adds, AttrChangeEntry, Detail, IdValue, LenientSeq, MaybeNumber, MaybeString,
    MutationFacts, Payload, Position, SnapshotNodes,
};
use crate::model::EventKind;

/// rrweb's `IncrementalSource` values.
pub mod source {
    pub const MUTATION: i64 = 0;
    pub const MOUSE_MOVE: i64 = 1;
    pub const MOUSE_INTERACTION: i64 = 2;
    pub const SCROLL: i64 = 3;
    pub const VIEWPORT_RESIZE: i64 = 4;
    pub const INPUT: i64 = 5;
    pub const TOUCH_MOVE: i64 = 6;
    pub const MEDIA_INTERACTION: i64 = 7;
    pub const STYLE_SHEET_RULE: i64 = 8;
    pub const CANVAS_MUTATION: i64 = 9;
    pub const FONT: i64 = 10;
    pub const LOG: i64 = 11;
    pub const DRAG: i64 = 12;
    pub const STYLE_DECLARATION: i64 = 13;
    pub const SELECTION: i64 = 14;
    pub const ADOPTED_STYLE_SHEET: i64 = 15;
    pub const CUSTOM_ELEMENT: i64 = 16;
}

/// rrweb `MouseInteractions.Click`.
pub const INTERACTION_CLICK: i64 = 2;

/// The indexed fields of one event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventHead<'a> {
    pub kind: EventKind,
    /// Milliseconds since the epoch, as recorded.
    pub timestamp: f64,
    /// `data.source` of incremental snapshots.
    pub source: Option<i64>,
    /// `data.type`: the mouse interaction kind, among others.
    pub data_type: Option<i64>,
    /// `data.href` of Meta events.
    pub href: Option<Cow<'a, str>>,
    pub width: Option<f64>,
    pub height: Option<f64>,
    /// `windowId` on the event itself (PostHog exports put it there), string or number.
    pub window_id: Option<String>,
    /// posthog-js's compressed-event version (`cv`), when fields are compressed.
    pub cv: Option<Cow<'a, str>>,
    /// What the analysis reads beyond the head, for the event kinds it looks into.
    pub detail: Option<Detail<'a>>,
}

impl EventHead<'_> {
    /// Pointer, scroll, input, touch, media or drag: something the user did.
    pub fn is_interaction(&self) -> bool {
        self.kind == EventKind::IncrementalSnapshot
            && matches!(self.source, Some(1 | 2 | 3 | 5 | 6 | 7 | 12))
    }

    pub fn is_click(&self) -> bool {
        self.kind == EventKind::IncrementalSnapshot
            && self.source == Some(source::MOUSE_INTERACTION)
            && self.data_type == Some(INTERACTION_CLICK)
    }
}

/// The largest time a JavaScript `Date` holds (ECMA-262 § 21.4.1.22), in ms either side of the
/// epoch: recorders write `Date.now()`, so anything further out is corruption.
pub const MAX_TIMESTAMP_MS: f64 = 8.64e15;

/// Why a value is not an rrweb event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventProblem {
    NotAnObject(&'static str),
    MissingType,
    TypeNotANumber(&'static str),
    UnknownType(f64),
    MissingTimestamp,
    TimestampNotANumber(&'static str),
    /// Beyond what a JavaScript `Date` can hold, so no player could place it in time.
    TimestampOutOfRange(f64),
    Json(String),
}

impl fmt::Display for EventProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject(found) => write!(f, "is {found}, not an event object"),
            Self::MissingType => write!(f, "has no `type`"),
            Self::TypeNotANumber(found) => write!(f, "has a `type` that is {found}"),
            Self::UnknownType(t) => write!(f, "has an unknown event `type` {t}"),
            Self::MissingTimestamp => write!(f, "has no `timestamp`"),
            Self::TimestampNotANumber(found) => write!(f, "has a `timestamp` that is {found}"),
            Self::TimestampOutOfRange(t) => {
                write!(
                    f,
                    "has a `timestamp` {t:e} beyond any date (±{MAX_TIMESTAMP_MS:e} ms)"
                )
            }
            Self::Json(e) => write!(f, "is not valid JSON ({e})"),
        }
    }
}

/// Parses the indexed fields of one event from its raw JSON, with what the analysis reads.
pub fn parse_event(bytes: &[u8]) -> Result<EventHead<'_>, EventProblem> {
    parse_event_with(bytes, true)
}

/// Parses one event; `detail` false leaves out what only the analysis reads (the head alone
/// is what an import without analysis costs).
pub fn parse_event_with(bytes: &[u8], detail: bool) -> Result<EventHead<'_>, EventProblem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let raw = RawHeadSeed { detail }
        .deserialize(&mut de)
        .and_then(|raw| de.end().map(|_| raw))
        .map_err(|e| EventProblem::Json(e.to_string()))?;
    let RawHead::Object {
        kind,
        timestamp,
        data,
        window_id,
        cv,
    } = raw
    else {
        let RawHead::Other(found) = raw else {
            unreachable!()
        };
        return Err(EventProblem::NotAnObject(found));
    };
    let kind = match kind {
        None => return Err(EventProblem::MissingType),
        Some(Lenient::Number(n)) => EventKind::from_code(n as i64)
            .filter(|_| n.fract() == 0.0)
            .ok_or(EventProblem::UnknownType(n))?,
        Some(Lenient::Other(found)) => return Err(EventProblem::TypeNotANumber(found)),
    };
    let timestamp = match timestamp {
        None => return Err(EventProblem::MissingTimestamp),
        Some(Lenient::Number(n)) if n.abs() <= MAX_TIMESTAMP_MS => n,
        Some(Lenient::Number(n)) => return Err(EventProblem::TimestampOutOfRange(n)),
        Some(Lenient::Other(found)) => return Err(EventProblem::TimestampNotANumber(found)),
    };
    let mut data = data.unwrap_or_default();
    let source = data.source.take().and_then(Lenient::int);
    let detail = data.detail(kind, source);
    Ok(EventHead {
        kind,
        timestamp,
        source,
        detail,
        data_type: data.data_type.and_then(Lenient::int),
        href: data.href.and_then(LenientStr::into_option),
        width: data.width.and_then(Lenient::number),
        height: data.height.and_then(Lenient::number),
        window_id: window_id.and_then(|w| w.0),
        cv: cv.and_then(LenientStr::into_option),
    })
}

// Lives on the stack for one parse; boxing the big variant would allocate once per event.
#[allow(clippy::large_enum_variant)]
enum RawHead<'a> {
    Object {
        kind: Option<Lenient>,
        timestamp: Option<Lenient>,
        data: Option<DataHead<'a>>,
        window_id: Option<LenientId>,
        cv: Option<LenientStr<'a>>,
    },
    Other(&'static str),
}

#[derive(Default)]
struct DataHead<'a> {
    source: Option<Lenient>,
    data_type: Option<Lenient>,
    href: Option<LenientStr<'a>>,
    width: Option<Lenient>,
    height: Option<Lenient>,
    /// What the analysis reads. Boxed, and only when the event has any of it: the head is
    /// moved several times per event, and a small one keeps those moves cheap.
    fields: Option<Box<DetailFields<'a>>>,
}

/// The analysis's fields of `data`; which of these an event has depends on its kind.
#[derive(Default)]
struct DetailFields<'a> {
    id: Option<f64>,
    x: Option<f64>,
    y: Option<f64>,
    positions: Vec<Position>,
    mutation: MutationFacts,
    nodes: Option<SnapshotNodes>,
    tag: Option<String>,
    plugin: Option<String>,
    payload: Option<&'a RawValue>,
}

impl<'a> DataHead<'a> {
    fn fields(&mut self) -> &mut DetailFields<'a> {
        self.fields.get_or_insert_with(Default::default)
    }

    fn detail(&mut self, kind: EventKind, source: Option<i64>) -> Option<Detail<'a>> {
        use source::*;
        let f = self.fields.as_deref_mut()?;
        Some(match kind {
            EventKind::IncrementalSnapshot => match source? {
                MUTATION => {
                    let m = std::mem::take(&mut f.mutation);
                    if m == MutationFacts::default() {
                        return None;
                    }
                    Detail::Mutation(Box::new(m))
                }
                MOUSE_MOVE | TOUCH_MOVE => Detail::Positions(std::mem::take(&mut f.positions)),
                MOUSE_INTERACTION | SCROLL | INPUT => Detail::Target {
                    id: f.id.filter(|n| n.fract() == 0.0).map(|n| n as i64),
                    x: f.x,
                    y: f.y,
                },
                _ => return None,
            },
            EventKind::FullSnapshot => Detail::Snapshot(f.nodes.take()?.0),
            EventKind::Custom => Detail::Custom {
                tag: f.tag.take(),
                payload: f.payload.map(|p| Payload(Cow::Borrowed(p))),
            },
            EventKind::Plugin => Detail::Plugin {
                plugin: f.plugin.take(),
                payload: f.payload.map(|p| Payload(Cow::Borrowed(p))),
            },
            _ => return None,
        })
    }
}

/// A JSON value expected to be a number; anything else is remembered by its kind only.
enum Lenient {
    Number(f64),
    Other(&'static str),
}

impl Lenient {
    fn number(self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(n),
            Self::Other(_) => None,
        }
    }

    fn int(self) -> Option<i64> {
        self.number()
            .filter(|n| n.fract() == 0.0 && n.abs() < 9e15)
            .map(|n| n as i64)
    }
}

/// A JSON value expected to be a string.
enum LenientStr<'a> {
    Str(Cow<'a, str>),
    Other,
}

impl<'a> LenientStr<'a> {
    fn into_option(self) -> Option<Cow<'a, str>> {
        match self {
            Self::Str(s) => Some(s),
            Self::Other => None,
        }
    }
}

/// Which known key a map key is.
enum Field {
    Type,
    Timestamp,
    Data,
    Source,
    Href,
    Width,
    Height,
    WindowId,
    Cv,
    Id,
    X,
    Y,
    Positions,
    Adds,
    Removes,
    Texts,
    Attributes,
    Node,
    Tag,
    Plugin,
    Payload,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                Ok(match v {
                    "type" => Field::Type,
                    "timestamp" => Field::Timestamp,
                    "data" => Field::Data,
                    "source" => Field::Source,
                    "href" => Field::Href,
                    "width" => Field::Width,
                    "height" => Field::Height,
                    "windowId" => Field::WindowId,
                    "cv" => Field::Cv,
                    "id" => Field::Id,
                    "x" => Field::X,
                    "y" => Field::Y,
                    "positions" => Field::Positions,
                    "adds" => Field::Adds,
                    "removes" => Field::Removes,
                    "texts" => Field::Texts,
                    "attributes" => Field::Attributes,
                    "node" => Field::Node,
                    "tag" => Field::Tag,
                    "plugin" => Field::Plugin,
                    "payload" => Field::Payload,
                    _ => Field::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// Drains a sequence or map so the parser can move on.
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements every non-map `visit_*` as "some other kind of value".
macro_rules! other_kinds {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value("a boolean"))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value("a number"))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value("a number"))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value("a number"))
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value("a string"))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value("null"))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            drain_seq(seq)?;
            Ok($value("an array"))
        }
    };
}

/// Reads an event; `detail` says whether to read what only the analysis needs.
struct RawHeadSeed {
    detail: bool,
}

impl<'de> DeserializeSeed<'de> for RawHeadSeed {
    type Value = RawHead<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawHead<'de>, D::Error> {
        struct V<'a>(bool, std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawHead<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an rrweb event")
            }
            other_kinds!(RawHead::Other);
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut kind, mut timestamp, mut data) = (None, None, None);
                let (mut window_id, mut cv) = (None, None);
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Type => kind = Some(map.next_value()?),
                        Field::Timestamp => timestamp = Some(map.next_value()?),
                        Field::Data => {
                            data = Some(map.next_value_seed(DataSeed { detail: self.0 })?)
                        }
                        Field::WindowId => window_id = Some(map.next_value()?),
                        Field::Cv => cv = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(RawHead::Object {
                    kind,
                    timestamp,
                    data,
                    window_id,
                    cv,
                })
            }
        }
        d.deserialize_any(V(self.detail, std::marker::PhantomData))
    }
}

struct DataSeed {
    detail: bool,
}

impl<'de> DeserializeSeed<'de> for DataSeed {
    type Value = DataHead<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<DataHead<'de>, D::Error> {
        struct V<'a>(bool, std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = DataHead<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("event data")
            }
            other_kinds!(|_| DataHead::default());
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut data = DataHead::default();
                while let Some(key) = map.next_key::<Field>()? {
                    let key = match key {
                        // Without the analysis, its fields are skipped unread.
                        Field::Id
                        | Field::X
                        | Field::Y
                        | Field::Positions
                        | Field::Adds
                        | Field::Removes
                        | Field::Texts
                        | Field::Attributes
                        | Field::Node
                        | Field::Tag
                        | Field::Plugin
                        | Field::Payload
                            if !self.0 =>
                        {
                            Field::Other
                        }
                        key => key,
                    };
                    match key {
                        Field::Source => data.source = Some(map.next_value()?),
                        Field::Type => data.data_type = Some(map.next_value()?),
                        Field::Href => data.href = Some(map.next_value()?),
                        Field::Width => data.width = Some(map.next_value()?),
                        Field::Height => data.height = Some(map.next_value()?),
                        Field::Id => data.fields().id = map.next_value::<MaybeNumber>()?.0,
                        Field::X => data.fields().x = map.next_value::<MaybeNumber>()?.0,
                        Field::Y => data.fields().y = map.next_value::<MaybeNumber>()?.0,
                        Field::Positions => {
                            data.fields().positions =
                                positions(map.next_value::<LenientSeq<Position>>()?)
                        }
                        Field::Adds => data.fields().mutation.adds = map.next_value::<Adds>()?.0,
                        Field::Removes => {
                            data.fields().mutation.removes = map
                                .next_value::<LenientSeq<IdValue>>()?
                                .0
                                .into_iter()
                                .filter_map(|r| r.0)
                                .collect()
                        }
                        Field::Texts => {
                            data.fields().mutation.texts = map
                                .next_value::<LenientSeq<IdValue>>()?
                                .0
                                .into_iter()
                                .filter_map(|t| Some((t.0?, t.1.unwrap_or_default().into())))
                                .collect()
                        }
                        Field::Attributes => {
                            data.fields().mutation.attributes = map
                                .next_value::<LenientSeq<AttrChangeEntry>>()?
                                .0
                                .into_iter()
                                .flat_map(|a| a.0)
                                .collect()
                        }
                        Field::Node => data.fields().nodes = Some(map.next_value()?),
                        Field::Tag => data.fields().tag = map.next_value::<MaybeString>()?.0,
                        Field::Plugin => data.fields().plugin = map.next_value::<MaybeString>()?.0,
                        Field::Payload => data.fields().payload = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(data)
            }
        }
        d.deserialize_any(V(self.detail, std::marker::PhantomData))
    }
}

/// A window id: a string or a number; anything else is no id.
struct LenientId(Option<String>);

impl<'de> Deserialize<'de> for LenientId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a window id")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientId, E> {
                Ok(LenientId(Some(v.to_owned())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientId, E> {
                Ok(LenientId(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientId, E> {
                Ok(LenientId(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientId, E> {
                Ok(LenientId(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<LenientId, E> {
                Ok(LenientId(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientId, E> {
                Ok(LenientId(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<LenientId, A::Error> {
                drain_seq(seq)?;
                Ok(LenientId(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<LenientId, A::Error> {
                drain_map(map)?;
                Ok(LenientId(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Lenient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Lenient;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Lenient, E> {
                Ok(Lenient::Other("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Lenient, E> {
                Ok(Lenient::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Lenient, E> {
                Ok(Lenient::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Lenient, E> {
                Ok(Lenient::Number(v))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Lenient, E> {
                Ok(Lenient::Other("a string"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Lenient, E> {
                Ok(Lenient::Other("null"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Lenient, A::Error> {
                drain_seq(seq)?;
                Ok(Lenient::Other("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Lenient, A::Error> {
                drain_map(map)?;
                Ok(Lenient::Other("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for LenientStr<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = LenientStr<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(LenientStr::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LenientStr::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(LenientStr::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(LenientStr::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(LenientStr::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(LenientStr::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(LenientStr::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq)?;
                Ok(LenientStr::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                drain_map(map)?;
                Ok(LenientStr::Other)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_meta() {
        let e = parse_event(
            br#"{"type":4,"data":{"href":"https://a.test/x","width":1280,"height":720},"timestamp":1700000000100}"#,
        )
        .unwrap();
        assert_eq!(e.kind, EventKind::Meta);
        assert_eq!(e.timestamp, 1_700_000_000_100.0);
        assert_eq!(e.href.as_deref(), Some("https://a.test/x"));
        assert_eq!((e.width, e.height), (Some(1280.0), Some(720.0)));
    }

    #[test]
    fn reads_click_with_extra_fields() {
        let e = parse_event(
            br#"{"sessionId":"s","type":3,"data":{"source":2,"type":2,"id":5,"x":1,"y":2,"nested":{"type":"no"}},"timestamp":5.5}"#,
        )
        .unwrap();
        assert!(e.is_click());
        assert_eq!(e.timestamp, 5.5);
    }

    #[test]
    fn explains_non_events() {
        assert_eq!(
            parse_event(b"[1,2]"),
            Err(EventProblem::NotAnObject("an array"))
        );
        assert_eq!(
            parse_event(b"\"s\""),
            Err(EventProblem::NotAnObject("a string"))
        );
        assert_eq!(
            parse_event(br#"{"type":2,"data":{}}"#),
            Err(EventProblem::MissingTimestamp)
        );
        assert_eq!(
            parse_event(br#"{"timestamp":1}"#),
            Err(EventProblem::MissingType)
        );
        assert_eq!(
            parse_event(br#"{"type":"2","timestamp":1}"#),
            Err(EventProblem::TypeNotANumber("a string"))
        );
        assert_eq!(
            parse_event(br#"{"type":9,"timestamp":1}"#),
            Err(EventProblem::UnknownType(9.0))
        );
        assert!(matches!(
            parse_event(br#"{"type":3,"timestamp":17E0000000300}"#),
            Err(EventProblem::TimestampOutOfRange(t)) if t > 1e301
        ));
        assert_eq!(
            parse_event(br#"{"type":3,"timestamp":-8640000000000001}"#),
            Err(EventProblem::TimestampOutOfRange(-8.640000000000001e15))
        );
        // The last millisecond a Date holds is still a time.
        assert!(parse_event(br#"{"type":3,"timestamp":8640000000000000}"#).is_ok());
        assert!(matches!(
            parse_event(b"{\"type\":"),
            Err(EventProblem::Json(_))
        ));
    }

    #[test]
    fn wrong_types_in_data_are_ignored() {
        let e =
            parse_event(br#"{"type":4,"data":{"href":7,"width":"wide"},"timestamp":1}"#).unwrap();
        assert_eq!(e.href, None);
        assert_eq!(e.width, None);
        let e = parse_event(br#"{"type":3,"data":"packed","timestamp":1}"#).unwrap();
        assert_eq!(e.source, None);
    }

    #[test]
    fn escaped_href_is_unescaped() {
        let e = parse_event(
            br#"{"type":4,"data":{"href":"https://a.test/\u00e9?q=\"x\""},"timestamp":1}"#,
        )
        .unwrap();
        assert_eq!(e.href.as_deref(), Some("https://a.test/\u{e9}?q=\"x\""));
    }
}
