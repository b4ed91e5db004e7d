//! The parts of an event the analysis reads beyond the indexed head: pointer positions, the
//! DOM nodes a snapshot or mutation brings (only what names an element), and custom or plugin
//! payloads. Read in the same serde pass as the head, as leniently: a field of the wrong type
//! is absent, never an error.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Implements the `visit_*` of every JSON kind a visitor does not want, as `$value`.
macro_rules! anything_else {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
}

/// Implements the scalar `visit_*` as `$value`, for visitors that want a map or a sequence.
macro_rules! scalars_are {
    ($value:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($value)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($value)
        }
    };
}

/// For visitors that want a map: every other JSON kind is `$value` (a sequence is drained).
macro_rules! wants_map {
    ($value:expr) => {
        scalars_are!($value);
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
}

/// For visitors that want a sequence: every other JSON kind is `$value` (a map is drained).
macro_rules! wants_seq {
    ($value:expr) => {
        scalars_are!($value);
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($value)
        }
    };
}

/// Node trees deeper than this are cut: serde_json allows 128 nested containers per value, and
/// a node takes two (its map and its `childNodes`). Deeper nodes stay out of the mirror, so a
/// click on one is described by its nearest known ancestor.
pub const MAX_NODE_DEPTH: usize = 48;
/// Longest text or attribute value kept for naming an element.
pub const MAX_LABEL_CHARS: usize = 160;

/// rrweb's serialized node types that matter here.
pub mod node_type {
    pub const ELEMENT: u8 = 2;
    pub const TEXT: u8 = 3;
}

/// Attributes that name an element in a label.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamingAttrs {
    pub id: Option<String>,
    pub class: Option<String>,
    pub role: Option<String>,
    pub kind: Option<String>,
    pub aria_label: Option<String>,
    pub title: Option<String>,
    pub alt: Option<String>,
    pub value: Option<String>,
    pub placeholder: Option<String>,
}

impl NamingAttrs {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Applies a mutation's attribute changes: a `null` value removes the attribute.
    pub fn apply(&mut self, change: &NamingAttrChange) {
        for (slot, value) in [
            (&mut self.id, &change.attrs.id),
            (&mut self.class, &change.attrs.class),
            (&mut self.role, &change.attrs.role),
            (&mut self.kind, &change.attrs.kind),
            (&mut self.aria_label, &change.attrs.aria_label),
            (&mut self.title, &change.attrs.title),
            (&mut self.alt, &change.attrs.alt),
            (&mut self.value, &change.attrs.value),
            (&mut self.placeholder, &change.attrs.placeholder),
        ] {
            if value.is_some() {
                slot.clone_from(value);
            }
        }
        for name in &change.removed {
            if let Some(slot) = self.slot(name) {
                *slot = None;
            }
        }
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "id" => &mut self.id,
            "class" => &mut self.class,
            "role" => &mut self.role,
            "type" => &mut self.kind,
            "aria-label" => &mut self.aria_label,
            "title" => &mut self.title,
            "alt" => &mut self.alt,
            "value" => &mut self.value,
            "placeholder" => &mut self.placeholder,
            _ => return None,
        })
    }
}

/// One node of a snapshot or a mutation's adds, flattened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NodeFact {
    pub id: i64,
    /// `None` for a snapshot's root.
    pub parent: Option<i64>,
    /// For adds: the sibling the node goes before.
    pub next: Option<i64>,
    pub node_type: u8,
    /// Lower-case tag of an element.
    pub tag: Option<Box<str>>,
    pub attrs: Option<Box<NamingAttrs>>,
    /// Text of a text node, shortened.
    pub text: Option<Box<str>>,
}

/// An attribute mutation, reduced to the naming attributes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NamingAttrChange {
    pub id: i64,
    pub attrs: NamingAttrs,
    /// Naming attributes set to `null` (removed).
    pub removed: Vec<&'static str>,
}

/// A mutation event's changes, as far as naming elements needs them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MutationFacts {
    pub adds: Vec<NodeFact>,
    pub removes: Vec<i64>,
    pub texts: Vec<(i64, Box<str>)>,
    pub attributes: Vec<NamingAttrChange>,
}

/// A pointer position of a MouseMove/TouchMove event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub x: f64,
    pub y: f64,
    /// Milliseconds relative to the event's timestamp (rrweb records negative offsets).
    pub time_offset: f64,
}

/// Shortens to `MAX_LABEL_CHARS` characters, on a character boundary.
pub fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_LABEL_CHARS) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

fn int(v: Option<f64>) -> Option<i64> {
    v.filter(|n| n.fract() == 0.0 && n.abs() < 9e15)
        .map(|n| n as i64)
}

/// Any JSON value, read only when it is a number (else `None`, consumed).
pub(crate) struct MaybeNumber(pub Option<f64>);

impl<'de> Deserialize<'de> for MaybeNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeNumber;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MaybeNumber, E> {
                Ok(MaybeNumber(Some(v as f64)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MaybeNumber, E> {
                Ok(MaybeNumber(Some(v as f64)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<MaybeNumber, E> {
                Ok(MaybeNumber(Some(v)))
            }
            anything_else!(MaybeNumber(None));
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value, read only when it is a string (shortened).
pub(crate) struct MaybeString(pub Option<String>);

impl<'de> Deserialize<'de> for MaybeString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybeString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MaybeString, E> {
                Ok(MaybeString(Some(shorten(v))))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<MaybeString, E> {
                Ok(MaybeString(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MaybeString, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MaybeString, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(MaybeString(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A sequence whose elements are read with `T`; anything but a sequence is empty.
pub(crate) struct LenientSeq<T>(pub Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for LenientSeq<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = LenientSeq<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            wants_seq!(LenientSeq(Vec::new()));
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<T>()? {
                    out.push(v);
                }
                Ok(LenientSeq(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Position;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a position")
            }
            wants_map!(Position {
                x: f64::NAN,
                y: f64::NAN,
                time_offset: 0.0
            });
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Position, A::Error> {
                let mut p = Position {
                    x: f64::NAN,
                    y: f64::NAN,
                    time_offset: 0.0,
                };
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::X => p.x = map.next_value::<MaybeNumber>()?.0.unwrap_or(f64::NAN),
                        Key::Y => p.y = map.next_value::<MaybeNumber>()?.0.unwrap_or(f64::NAN),
                        Key::TimeOffset => {
                            p.time_offset = map.next_value::<MaybeNumber>()?.0.unwrap_or(0.0)
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(p)
            }
        }
        d.deserialize_any(V)
    }
}

/// The map keys read here; every other key is skipped without allocating.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Id,
    Type,
    TagName,
    Attributes,
    TextContent,
    ChildNodes,
    ParentId,
    NextId,
    Node,
    Value,
    X,
    Y,
    TimeOffset,
    Class,
    Role,
    AriaLabel,
    Title,
    Alt,
    Placeholder,
    Other,
}

impl Key {
    /// The attribute this key names, when it is a naming attribute.
    fn attribute(self) -> Option<&'static str> {
        Some(match self {
            Self::Id => "id",
            Self::Class => "class",
            Self::Role => "role",
            Self::Type => "type",
            Self::AriaLabel => "aria-label",
            Self::Title => "title",
            Self::Alt => "alt",
            Self::Value => "value",
            Self::Placeholder => "placeholder",
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "id" => Key::Id,
                    "type" => Key::Type,
                    "tagName" => Key::TagName,
                    "attributes" => Key::Attributes,
                    "textContent" => Key::TextContent,
                    "childNodes" => Key::ChildNodes,
                    "parentId" => Key::ParentId,
                    "nextId" => Key::NextId,
                    "node" => Key::Node,
                    "value" => Key::Value,
                    "x" => Key::X,
                    "y" => Key::Y,
                    "timeOffset" => Key::TimeOffset,
                    "class" => Key::Class,
                    "role" => Key::Role,
                    "aria-label" => Key::AriaLabel,
                    "title" => Key::Title,
                    "alt" => Key::Alt,
                    "placeholder" => Key::Placeholder,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// Positions with valid coordinates.
pub(crate) fn positions(seq: LenientSeq<Position>) -> Vec<Position> {
    seq.0
        .into_iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect()
}

/// The naming attributes of an `attributes` map; other attributes are skipped unread.
struct AttrMap(NamingAttrs, Vec<&'static str>);

impl<'de> Deserialize<'de> for AttrMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AttrMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("attributes")
            }
            wants_map!(AttrMap(NamingAttrs::default(), Vec::new()));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AttrMap, A::Error> {
                let mut attrs = NamingAttrs::default();
                let mut removed = Vec::new();
                while let Some(key) = map.next_key::<Key>()? {
                    match key
                        .attribute()
                        .and_then(|name| Some((name, attrs.slot(name)?)))
                    {
                        Some((name, slot)) => match map.next_value::<NullOrString>()? {
                            NullOrString::Str(s) => *slot = Some(s),
                            NullOrString::Null => removed.push(name),
                            NullOrString::Other => {}
                        },
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(AttrMap(attrs, removed))
            }
        }
        d.deserialize_any(V)
    }
}

/// An attribute value: a string, `null` (removed), or something else (ignored).
enum NullOrString {
    Str(String),
    Null,
    Other,
}

impl<'de> Deserialize<'de> for NullOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NullOrString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NullOrString, E> {
                Ok(NullOrString::Str(shorten(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<NullOrString, E> {
                Ok(NullOrString::Null)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NullOrString, E> {
                Ok(NullOrString::Str(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NullOrString, E> {
                Ok(NullOrString::Str(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<NullOrString, E> {
                Ok(NullOrString::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<NullOrString, E> {
                Ok(NullOrString::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NullOrString, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(NullOrString::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NullOrString, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(NullOrString::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads one serialized node (and its children, down to `MAX_NODE_DEPTH`) into `out`,
/// children first. Returns the index of the node's own entry, if it was one.
struct NodeSeed<'v> {
    out: &'v mut Vec<NodeFact>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Option<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a serialized node")
    }
    wants_map!(None);
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<usize>, A::Error> {
        let mut node = NodeFact::default();
        let mut id = None;
        let mut children = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Id => id = int(map.next_value::<MaybeNumber>()?.0),
                Key::Type => {
                    node.node_type = int(map.next_value::<MaybeNumber>()?.0)
                        .filter(|t| (0..=255).contains(t))
                        .unwrap_or(255) as u8
                }
                Key::TagName => {
                    node.tag = map
                        .next_value::<MaybeString>()?
                        .0
                        .map(|t| t.to_ascii_lowercase().into_boxed_str())
                }
                Key::Attributes => {
                    let attrs = map.next_value::<AttrMap>()?.0;
                    if !attrs.is_empty() {
                        node.attrs = Some(Box::new(attrs));
                    }
                }
                Key::TextContent => {
                    node.text = map
                        .next_value::<MaybeString>()?
                        .0
                        .map(String::into_boxed_str)
                }
                Key::ChildNodes if self.depth < MAX_NODE_DEPTH => {
                    children = map.next_value_seed(ChildrenSeed {
                        out: self.out,
                        depth: self.depth + 1,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(id) = id else {
            return Ok(None);
        };
        node.id = id;
        for c in children {
            self.out[c].parent = Some(id);
        }
        self.out.push(node);
        Ok(Some(self.out.len() - 1))
    }
}

struct ChildrenSeed<'v> {
    out: &'v mut Vec<NodeFact>,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for ChildrenSeed<'_> {
    type Value = Vec<usize>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<usize>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ChildrenSeed<'_> {
    type Value = Vec<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("child nodes")
    }
    wants_seq!(Vec::new());
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<usize>, A::Error> {
        let mut idx = Vec::new();
        while let Some(i) = seq.next_element_seed(NodeSeed {
            out: &mut *self.out,
            depth: self.depth,
        })? {
            idx.extend(i);
        }
        Ok(idx)
    }
}

/// A full snapshot's `data.node`, flattened.
pub(crate) struct SnapshotNodes(pub Vec<NodeFact>);

impl<'de> Deserialize<'de> for SnapshotNodes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut out = Vec::new();
        NodeSeed {
            out: &mut out,
            depth: 0,
        }
        .deserialize(d)?;
        Ok(SnapshotNodes(out))
    }
}

/// A mutation's `adds`: `[{parentId, nextId, node}]`, flattened (a node may bring children).
pub(crate) struct Adds(pub Vec<NodeFact>);

impl<'de> Deserialize<'de> for Adds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Adds;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("added nodes")
            }
            wants_seq!(Adds(Vec::new()));
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Adds, A::Error> {
                let mut out = Vec::new();
                while seq.next_element_seed(AddSeed { out: &mut out })?.is_some() {}
                Ok(Adds(out))
            }
        }
        d.deserialize_any(V)
    }
}

struct AddSeed<'v> {
    out: &'v mut Vec<NodeFact>,
}

impl<'de> DeserializeSeed<'de> for AddSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AddSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an added node")
    }
    wants_map!(());
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut parent, mut next, mut own) = (None, None, None);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::ParentId => parent = int(map.next_value::<MaybeNumber>()?.0),
                Key::NextId => next = int(map.next_value::<MaybeNumber>()?.0),
                Key::Node => {
                    own = map.next_value_seed(NodeSeed {
                        out: &mut *self.out,
                        depth: 1,
                    })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(i) = own {
            self.out[i].parent = parent;
            self.out[i].next = next;
        }
        Ok(())
    }
}

/// A mutation's `removes` (`[{id, parentId}]`) or `texts` (`[{id, value}]`) entries.
pub(crate) struct IdValue(pub Option<i64>, pub Option<String>);

impl<'de> Deserialize<'de> for IdValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a node change")
            }
            wants_map!(IdValue(None, None));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IdValue, A::Error> {
                let mut out = IdValue(None, None);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Id => out.0 = int(map.next_value::<MaybeNumber>()?.0),
                        Key::Value => out.1 = map.next_value::<MaybeString>()?.0,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

/// A mutation's `attributes` entry: `{id, attributes: {...}}`.
pub(crate) struct AttrChangeEntry(pub Option<NamingAttrChange>);

impl<'de> Deserialize<'de> for AttrChangeEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AttrChangeEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute change")
            }
            wants_map!(AttrChangeEntry(None));
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let (mut id, mut attrs) = (None, None);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Id => id = int(map.next_value::<MaybeNumber>()?.0),
                        Key::Attributes => attrs = Some(map.next_value::<AttrMap>()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(AttrChangeEntry(match (id, attrs) {
                    (Some(id), Some(AttrMap(attrs, removed)))
                        if !attrs.is_empty() || !removed.is_empty() =>
                    {
                        Some(NamingAttrChange { id, attrs, removed })
                    }
                    _ => None,
                }))
            }
        }
        d.deserialize_any(V)
    }
}

/// What the analysis reads of one event beyond its head, by event kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail<'a> {
    /// MouseInteraction, Scroll and Input: the target node and position.
    Target {
        id: Option<i64>,
        x: Option<f64>,
        y: Option<f64>,
    },
    /// MouseMove and TouchMove.
    Positions(Vec<Position>),
    Mutation(Box<MutationFacts>),
    /// A full snapshot's nodes, children before parents.
    Snapshot(Vec<NodeFact>),
    Custom {
        tag: Option<String>,
        payload: Option<Payload<'a>>,
    },
    Plugin {
        plugin: Option<String>,
        payload: Option<Payload<'a>>,
    },
}

impl Detail<'_> {
    pub fn into_owned(self) -> Detail<'static> {
        match self {
            Self::Target { id, x, y } => Detail::Target { id, x, y },
            Self::Positions(p) => Detail::Positions(p),
            Self::Mutation(m) => Detail::Mutation(m),
            Self::Snapshot(n) => Detail::Snapshot(n),
            Self::Custom { tag, payload } => Detail::Custom {
                tag,
                payload: payload.map(Payload::into_owned),
            },
            Self::Plugin { plugin, payload } => Detail::Plugin {
                plugin,
                payload: payload.map(Payload::into_owned),
            },
        }
    }
}

/// A custom or plugin payload, kept raw: the analysis parses it only when it wants it.
#[derive(Debug, Clone)]
pub struct Payload<'a>(pub Cow<'a, RawValue>);

impl Payload<'_> {
    pub fn into_owned(self) -> Payload<'static> {
        Payload(Cow::Owned(self.0.into_owned()))
    }

    /// The payload as a JSON value; one too deep for serde_json is treated as absent.
    pub fn parse(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.0.get()).ok()
    }
}

impl PartialEq for Payload<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}
