//! Reads the few fields of an rrweb event that indexing needs, in one pass over its bytes,
//! tolerating wrong types anywhere (a bad field makes the event invalid or the field absent,
//! never a panic or a failed import).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::model::EventKind;

/// rrweb `IncrementalSource` values the engine looks at.
pub mod source {
    pub const MUTATION: i64 = 0;
    pub const MOUSE_MOVE: i64 = 1;
    pub const MOUSE_INTERACTION: i64 = 2;
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

/// Why a value is not an rrweb event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventProblem {
    NotAnObject(&'static str),
    MissingType,
    TypeNotANumber(&'static str),
    UnknownType(f64),
    MissingTimestamp,
    TimestampNotANumber(&'static str),
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
            Self::Json(e) => write!(f, "is not valid JSON ({e})"),
        }
    }
}

/// Parses the indexed fields of one event from its raw JSON.
pub fn parse_event(bytes: &[u8]) -> Result<EventHead<'_>, EventProblem> {
    let raw: RawHead =
        serde_json::from_slice(bytes).map_err(|e| EventProblem::Json(e.to_string()))?;
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
        Some(Lenient::Number(n)) => n,
        Some(Lenient::Other(found)) => return Err(EventProblem::TimestampNotANumber(found)),
    };
    let data = data.unwrap_or_default();
    Ok(EventHead {
        kind,
        timestamp,
        source: data.source.and_then(Lenient::int),
        data_type: data.data_type.and_then(Lenient::int),
        href: data.href.and_then(LenientStr::into_option),
        width: data.width.and_then(Lenient::number),
        height: data.height.and_then(Lenient::number),
        window_id: window_id.and_then(|w| w.0),
        cv: cv.and_then(LenientStr::into_option),
    })
}

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

impl<'de: 'a, 'a> Deserialize<'de> for RawHead<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
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
                        Field::Data => data = Some(map.next_value()?),
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
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for DataHead<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = DataHead<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("event data")
            }
            other_kinds!(|_| DataHead::default());
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut data = DataHead::default();
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Source => data.source = Some(map.next_value()?),
                        Field::Type => data.data_type = Some(map.next_value()?),
                        Field::Href => data.href = Some(map.next_value()?),
                        Field::Width => data.width = Some(map.next_value()?),
                        Field::Height => data.height = Some(map.next_value()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(data)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
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
