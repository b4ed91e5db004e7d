//! A JSON value that keeps object keys in document order.
//!
//! `serde_json::Value` sorts keys, but the order of an element's attributes is what rrweb
//! replays them in (and what `JSON.stringify` compares when rrweb decides whether a re-added
//! node is the one it already has), so keyframes are built from, and written as, this.
//!
//! Keyframes parse every recorded event into this tree, so parsing is kept cheap: the keys
//! rrweb writes (and common attribute names) are static strings rather than a copy each,
//! every object and array is allocated once at its final size, and the nodes a mutation adds
//! are kept as their text ([`parse_recorded`], [`RawNode`]).

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};

#[derive(Debug, Clone, PartialEq, Default)]
#[repr(u64)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Json>),
    Object(Obj),
    /// A node of a mutation's adds as recorded, from [`parse_recorded`]: read as an object
    /// when something needs more of it than [`RawNode`] notes.
    Raw(Box<RawNode>),
}

/// A serialized node kept as its text: on a busy page most added nodes are removed before
/// a keyframe or a change reads them, so building their trees is work thrown away. What the
/// mirror reads of every node (identity, tag, placement) is noted by the scan that checked
/// the text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawNode {
    /// The node object, as recorded (`"childNodes"` empty or absent).
    pub text: Box<str>,
    pub kind: u8,
    pub id: i64,
    /// `tagName`, as a range of `text`.
    tag: Option<(u32, u32)>,
    pub is_svg: bool,
    pub is_shadow: bool,
    pub is_shadow_host: bool,
    /// A truthy `rootId`.
    pub root_id: Option<i64>,
    /// The attributes have a truthy `_cssText`.
    pub css_text: bool,
    /// No attribute name has an escape (each is its text).
    pub plain_attribute_names: bool,
}

impl RawNode {
    pub fn tag(&self) -> Option<&str> {
        self.tag
            .map(|(from, to)| &self.text[from as usize..to as usize])
    }

    /// The node's entries as key and value text, in recorded order (the scan checked the
    /// text: keys have no escapes, values are whole).
    pub fn for_each_entry<E>(&self, f: impl FnMut(&str, &str) -> Result<(), E>) -> Result<(), E> {
        for_each_entry(&self.text, f)
    }

    /// The node as an object (the scan checked the text: it parses).
    pub fn to_obj(&self) -> Obj {
        match parse(self.text.as_bytes()) {
            Ok(Json::Object(o)) => o,
            _ => Obj::new(),
        }
    }
}

/// The entries of an object's text as key and value text, in order: for text a scan
/// checked (a [`RawNode`]'s, or its attributes'), where keys need no unescaping and values
/// are whole. Text that is not such an object gives what it has up to where it is not.
pub fn for_each_entry<'a, E>(
    text: &'a str,
    mut f: impl FnMut(&'a str, &'a str) -> Result<(), E>,
) -> Result<(), E> {
    let mut scratch = Scratch::default();
    let mut p = Fast {
        text,
        b: text.as_bytes(),
        at: 0,
        depth: 128,
        scratch: &mut scratch,
        lazy_nodes: false,
        add_depth: 0,
    };
    p.skip_ws();
    let mut out = Ok(());
    p.scan_object(|p, from, to, _| {
        let start = p.at;
        p.skip_value()?;
        out = f(&text[from..to], &text[start..p.at]);
        out.is_ok().then_some(())
    });
    out
}

/// An object key: a static string for the keys that come up all the time, else its own.
pub type Key = Cow<'static, str>;

/// Object entries in order; keys are unique (a repeated key keeps its first place and its
/// last value, as `JSON.parse` does).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Obj(pub Vec<(Key, Json)>);

impl Obj {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key`, in place when it exists (like `setAttribute`), else at the end.
    pub fn insert(&mut self, key: impl Into<Key>, value: Json) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Json> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// Entries with their keys as stored (cloning a static key copies no text).
    pub fn entries(&self) -> impl Iterator<Item = (&Key, &Json)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<Key>> FromIterator<(K, Json)> for Obj {
    fn from_iter<T: IntoIterator<Item = (K, Json)>>(iter: T) -> Self {
        let mut o = Obj::new();
        for (k, v) in iter {
            o.insert(k, v);
        }
        o
    }
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(o) => o.get(key),
            _ => None,
        }
    }

    /// A [`Json::Raw`] node made an object; anything else stays as it is.
    pub fn parse_raw(&mut self) {
        if let Json::Raw(r) = self {
            *self = Json::Object(r.to_obj());
        }
    }

    pub fn as_object(&self) -> Option<&Obj> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Obj> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    /// An rrweb node id: an integer (a float with no fraction is accepted).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(n) => n.as_i64().or_else(|| {
                let f = n.as_f64()?;
                (f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64)
            }),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// JavaScript truthiness, for the places rrweb writes `if (x)`.
    pub fn truthy(&self) -> bool {
        match self {
            Json::Null => false,
            Json::Bool(b) => *b,
            Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
            Json::String(s) => !s.is_empty(),
            Json::Array(_) | Json::Object(_) | Json::Raw(_) => true,
        }
    }

    pub fn int(v: i64) -> Json {
        Json::Number(v.into())
    }

    /// A number, written as an integer when it is one (timestamps stay `1700000000000`).
    pub fn num(v: f64) -> Json {
        if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
            return Json::int(v as i64);
        }
        Number::from_f64(v).map_or(Json::Null, Json::Number)
    }

    pub fn str(s: impl Into<String>) -> Json {
        Json::String(s.into())
    }

    /// Compact JSON text, keys in order (what `JSON.stringify` gives for the same object).
    pub fn to_string_compact(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(a) => Value::Array(a.iter().map(Json::to_value).collect()),
            Json::Object(o) => Value::Object(
                o.0.iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
            Json::Raw(r) => Json::Object(r.to_obj()).to_value(),
        }
    }
}

impl From<Value> for Json {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Number(n),
            Value::String(s) => Json::String(s),
            Value::Array(a) => Json::Array(a.into_iter().map(Json::from).collect()),
            Value::Object(o) => Json::Object(Obj(o
                .into_iter()
                .map(|(k, v)| (intern_owned(k), v.into()))
                .collect())),
        }
    }
}

impl From<&Value> for Json {
    fn from(v: &Value) -> Self {
        v.clone().into()
    }
}

impl From<Obj> for Json {
    fn from(o: Obj) -> Self {
        Json::Object(o)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(v) => s.serialize_str(v),
            Json::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Json::Object(o) => o.serialize(s),
            Json::Raw(r) => r.to_obj().serialize(s),
        }
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        with_scratch(|scratch| JsonSeed(scratch).deserialize(d))
    }
}

/// Parses a JSON document keeping key order.
///
/// What `serde_json` accepts, with the same values: a parser of its own reads the common
/// case (keys and strings without escapes, integers) in one pass over the bytes and hands
/// the rest to `serde_json`, which also reads any document it does not take (to accept
/// what it accepts and give its error).
pub fn parse(bytes: &[u8]) -> Result<Json, de::value::Error> {
    parse_with(bytes, false)
}

/// [`parse`] for recorded events: each node of a mutation's `adds` that has no serialized
/// children is kept as a [`Json::Raw`], its text checked as [`parse`] would.
pub fn parse_recorded(bytes: &[u8]) -> Result<Json, de::value::Error> {
    parse_with(bytes, true)
}

fn parse_with(bytes: &[u8], lazy_nodes: bool) -> Result<Json, de::value::Error> {
    with_scratch(|scratch| {
        let fast = Fast::new(bytes, scratch).map(|mut f| {
            f.lazy_nodes = lazy_nodes;
            f
        });
        if let Some(v) = fast.and_then(Fast::document) {
            return Ok(v);
        }
        scratch.entries.clear();
        scratch.items.clear();
        parse_slow(bytes, scratch)
    })
    .map_err(de::Error::custom)
}

/// The same with `serde_json` alone.
fn parse_slow(bytes: &[u8], scratch: &mut Scratch) -> Result<Json, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let v = JsonSeed(scratch).deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// The parser of [`parse`]'s common case; `None` where it leaves a document to
/// `serde_json`.
struct Fast<'a, 's> {
    /// The document, UTF-8 checked once (a string's text is then a slice of it).
    text: &'a str,
    b: &'a [u8],
    at: usize,
    /// `serde_json`'s recursion limit: a document nested this deep is not taken.
    depth: u8,
    scratch: &'s mut Scratch,
    /// Keep the nodes of mutation adds as text ([`parse_recorded`]).
    lazy_nodes: bool,
    /// The `depth` inside the objects of an `adds` array being read, else 0.
    add_depth: u8,
}

/// Where [`Fast::value`] puts a value: an array's elements or an object's entries, in the
/// scratch.
trait Put {
    fn put(self, scratch: &mut Scratch, v: Json);
}

struct ToItems;

impl Put for ToItems {
    #[inline(always)]
    fn put(self, scratch: &mut Scratch, v: Json) {
        scratch.items.push(v);
    }
}

struct ToEntries(Key);

impl Put for ToEntries {
    #[inline(always)]
    fn put(self, scratch: &mut Scratch, v: Json) {
        scratch.entries.push((self.0, v));
    }
}

/// Bytes that end the plain run of a string: a quote, a backslash, a control character.
static STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// Where the plain run of a string that goes on at `i` ends: the first quote, backslash
/// or control character (or the end). Eight bytes at a time, as strings (attribute values,
/// text) are most of a recording's bytes.
#[inline(always)]
fn plain_run_end(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        // The high bit of each byte that is zero (after the xor) or below 0x20. A borrow can
        // also mark bytes above a marked one, never below it: the lowest mark is exact.
        let zero = |x: u64| x.wrapping_sub(ONES) & !x;
        let marks = (zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if marks != 0 {
            return i + (marks.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && !STRING_STOP[b[i] as usize] {
        i += 1;
    }
    i
}

impl<'a, 's> Fast<'a, 's> {
    /// `None` for a document that is not UTF-8 (`serde_json` then says where).
    fn new(b: &'a [u8], scratch: &'s mut Scratch) -> Option<Self> {
        Some(Self {
            text: std::str::from_utf8(b).ok()?,
            b,
            at: 0,
            depth: 128,
            scratch,
            lazy_nodes: false,
            add_depth: 0,
        })
    }

    fn document(mut self) -> Option<Json> {
        self.value(ToItems)?;
        self.skip_ws();
        (self.at == self.b.len()).then(|| self.scratch.items.pop().unwrap_or_default())
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.b.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.b.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.at += 1)
    }

    fn word(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.b.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// Reads a value and puts it in its container. Each kind of leaf is made where it is
    /// put, and containers are read by a call: a value handed back from a call or merged
    /// from several kinds and then moved costs more than reading it.
    #[inline(always)]
    fn value(&mut self, put: impl Put) -> Option<()> {
        match self.peek()? {
            b'"' => {
                let (start, end, escaped) = self.string()?;
                if escaped {
                    let v = self.escaped_string(start - 1..end + 1)?;
                    put.put(self.scratch, v);
                } else {
                    let s = self.text.get(start..end)?.to_owned();
                    put.put(self.scratch, Json::String(s));
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                match self.integer() {
                    Some((false, n)) => put.put(self.scratch, Json::Number(n.into())),
                    Some((true, n)) => {
                        // As `serde_json`: `-0` and what does not fit an i64 are floats.
                        let neg = (n as i64).wrapping_neg();
                        if neg >= 0 {
                            put.put(self.scratch, Json::num(-(n as f64)));
                        } else {
                            put.put(self.scratch, Json::Number(neg.into()));
                        }
                    }
                    None => {
                        let v = self.other_number(start..self.at)?;
                        put.put(self.scratch, v);
                    }
                }
            }
            b'{' => {
                let v = self.object()?;
                put.put(self.scratch, v);
            }
            b'[' => {
                let v = self.array()?;
                put.put(self.scratch, v);
            }
            b'n' => {
                self.word(b"null")?;
                put.put(self.scratch, Json::Null);
            }
            b't' => {
                self.word(b"true")?;
                put.put(self.scratch, Json::Bool(true));
            }
            b'f' => {
                self.word(b"false")?;
                put.put(self.scratch, Json::Bool(false));
            }
            _ => return None,
        }
        Some(())
    }

    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, quoted: std::ops::Range<usize>) -> Option<Json> {
        let mut de = serde_json::Deserializer::from_slice(&self.b[quoted]);
        JsonSeed(self.scratch).deserialize(&mut de).ok()
    }

    /// A string at the opening quote: where its text starts and ends, and whether it has
    /// escapes. Leaves `at` after the closing quote.
    #[inline(always)]
    fn string(&mut self) -> Option<(usize, usize, bool)> {
        let b = self.b;
        let start = self.at + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            i = plain_run_end(b, i);
            match b.get(i)? {
                b'"' => {
                    self.at = i + 1;
                    return Some((start, i, escaped));
                }
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                _ => return None,
            }
        }
    }

    /// A number token: its sign and value when it is a plain integer that fits (else
    /// `None`, for `serde_json` to read). Leaves `at` after it.
    #[inline(always)]
    fn integer(&mut self) -> Option<(bool, u64)> {
        let b = self.b;
        let start = self.at;
        let mut end = start;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = b.get(end) {
            end += 1;
        }
        self.at = end;
        let text = &b[start..end];
        let (negative, digits) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, text),
        };
        let plain = !digits.is_empty()
            && digits.len() <= 19
            && digits.iter().all(u8::is_ascii_digit)
            && (digits[0] != b'0' || digits.len() == 1);
        plain.then(|| {
            let n = digits
                .iter()
                .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            (negative, n)
        })
    }

    #[cold]
    #[inline(never)]
    fn other_number(&mut self, at: std::ops::Range<usize>) -> Option<Json> {
        let mut de = serde_json::Deserializer::from_slice(&self.b[at]);
        let v = JsonSeed(self.scratch).deserialize(&mut de).ok()?;
        de.end().ok().map(|_| v)
    }

    fn enter(&mut self) -> Option<()> {
        self.depth -= 1;
        (self.depth > 0).then_some(())
    }

    #[inline(never)]
    fn array(&mut self) -> Option<Json> {
        self.enter()?;
        self.at += 1;
        let start = self.scratch.items.len();
        if self.peek()? == b']' {
            self.at += 1;
        } else {
            loop {
                self.value(ToItems)?;
                match self.peek()? {
                    b',' => self.at += 1,
                    b']' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth += 1;
        Some(Json::Array(self.scratch.items.drain(start..).collect()))
    }

    #[inline(never)]
    fn object(&mut self) -> Option<Json> {
        self.enter()?;
        self.at += 1;
        let start = self.scratch.entries.len();
        if self.peek()? == b'}' {
            self.at += 1;
        } else {
            loop {
                if self.peek()? != b'"' {
                    return None;
                }
                let (from, to, escaped) = self.string()?;
                let key = if escaped {
                    let mut de = serde_json::Deserializer::from_slice(&self.b[from - 1..=to]);
                    KeySeed.deserialize(&mut de).ok()?
                } else {
                    intern(self.text.get(from..to)?)
                };
                self.eat(b':')?;
                if self.lazy_nodes && self.peek()? == b'[' && key == "adds" {
                    // The array's objects are entered two levels down.
                    let outer = std::mem::replace(&mut self.add_depth, self.depth - 2);
                    let read = self.value(ToEntries(key));
                    self.add_depth = outer;
                    read?;
                } else if self.add_depth == self.depth && key == "node" && self.peek()? == b'{' {
                    let v = match self.raw_node() {
                        Some(raw) => Json::Raw(Box::new(raw)),
                        None => self.object()?,
                    };
                    self.scratch.entries.push((key, v));
                } else {
                    self.value(ToEntries(key))?;
                }
                let entries = &mut self.scratch.entries;
                let (new, earlier) = entries[start..].split_last_mut()?;
                if let Some(slot) = earlier.iter_mut().find(|(k, _)| same_key(k, &new.0)) {
                    // A repeated key keeps its first place and takes the last value.
                    slot.1 = std::mem::take(&mut new.1);
                    entries.pop();
                }
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth += 1;
        Some(Json::Object(Obj(self
            .scratch
            .entries
            .drain(start..)
            .collect())))
    }
}

impl Fast<'_, '_> {
    /// A serialized node at its `{`, scanned and checked without building it; `None` (and
    /// nothing read) for one to build: a document, one with children, or one whose noted
    /// keys are not of the plain types rrweb writes.
    fn raw_node(&mut self) -> Option<RawNode> {
        let (start, depth) = (self.at, self.depth);
        let node = self.scan_node(start);
        if node.is_none() {
            self.at = start;
            self.depth = depth;
        }
        node
    }

    fn scan_node(&mut self, start: usize) -> Option<RawNode> {
        let mut node = RawNode {
            text: Box::default(),
            kind: u8::MAX,
            id: 0,
            tag: None,
            is_svg: false,
            is_shadow: false,
            is_shadow_host: false,
            root_id: None,
            css_text: false,
            plain_attribute_names: true,
        };
        let mut id = None;
        self.scan_object(|p, from, to, escaped| {
            if escaped {
                return None;
            }
            match &p.b[from..to] {
                b"type" => node.kind = p.plain_int()?.try_into().ok()?,
                b"id" => id = Some(p.plain_int()?),
                b"tagName" => {
                    let (from, to, escaped) = p.string_at()?;
                    if escaped {
                        return None;
                    }
                    node.tag = Some((
                        u32::try_from(from - start).ok()?,
                        u32::try_from(to - start).ok()?,
                    ));
                }
                b"isSVG" => node.is_svg = p.bool()?,
                b"isShadow" => node.is_shadow = p.bool()?,
                b"isShadowHost" => node.is_shadow_host = p.bool()?,
                b"rootId" => {
                    node.root_id = match p.b.get(p.at)? {
                        b'n' => p.word(b"null").map(|_| None)?,
                        _ => Some(p.plain_int()?).filter(|r| *r != 0),
                    }
                }
                b"childNodes" => {
                    p.eat(b'[')?;
                    p.eat(b']')?;
                }
                b"attributes" => {
                    (node.css_text, node.plain_attribute_names) = p.scan_attributes()?;
                }
                _ => p.skip_value()?,
            }
            Some(())
        })?;
        if !(1..=5).contains(&node.kind) {
            return None;
        }
        node.id = id?;
        node.text = self.text.get(start..self.at)?.into();
        Some(node)
    }

    /// An object at its `{`, checked, building nothing: `entry` reads each value, given
    /// its key's text range and whether the key has escapes.
    fn scan_object(
        &mut self,
        mut entry: impl FnMut(&mut Self, usize, usize, bool) -> Option<()>,
    ) -> Option<()> {
        if self.b.get(self.at)? != &b'{' {
            return None;
        }
        self.enter()?;
        self.at += 1;
        if self.peek()? == b'}' {
            self.at += 1;
        } else {
            loop {
                if self.peek()? != b'"' {
                    return None;
                }
                let (from, to, escaped) = self.string()?;
                self.eat(b':')?;
                self.skip_ws();
                entry(self, from, to, escaped)?;
                match self.peek()? {
                    b',' => self.at += 1,
                    b'}' => {
                        self.at += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth += 1;
        Some(())
    }

    /// A string at `at` (after its opening quote is checked).
    fn string_at(&mut self) -> Option<(usize, usize, bool)> {
        (self.b.get(self.at)? == &b'"').then_some(())?;
        self.string()
    }

    fn bool(&mut self) -> Option<bool> {
        match self.b.get(self.at)? {
            b't' => self.word(b"true").map(|_| true),
            b'f' => self.word(b"false").map(|_| false),
            _ => None,
        }
    }

    /// An integer as [`Fast::value`] reads it into an `i64`.
    fn plain_int(&mut self) -> Option<i64> {
        let (negative, n) = self.integer()?;
        let n = i64::try_from(n).ok()?;
        // `-0` is a float to `serde_json`: not a plain integer.
        (!(negative && n == 0)).then_some(if negative { -n } else { n })
    }

    /// An attributes object, checked; whether its `_cssText` is truthy (`None` when that
    /// is not a string), and whether no name has an escape.
    fn scan_attributes(&mut self) -> Option<(bool, bool)> {
        let (mut css, mut plain) = (false, true);
        self.scan_object(|p, from, to, escaped| {
            p.check_escapes(escaped, from, to)?;
            plain &= !escaped;
            if &p.b[from..to] != b"_cssText" {
                return p.skip_value();
            }
            let (from, to, escaped) = p.string_at()?;
            p.check_escapes(escaped, from, to)?;
            // Empty `""`: falsy; an escape makes it at least one character.
            css = to > from;
            Some(())
        })?;
        Some((css, plain))
    }

    /// A string with escapes, checked the way [`Fast::value`] reads it (by `serde_json`).
    fn check_escapes(&self, escaped: bool, from: usize, to: usize) -> Option<()> {
        if escaped {
            serde_json::from_slice::<de::IgnoredAny>(&self.b[from - 1..=to]).ok()?;
        }
        Some(())
    }

    /// Any value, checked as [`Fast::value`] would read it, building nothing.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => {
                let (from, to, escaped) = self.string()?;
                self.check_escapes(escaped, from, to)
            }
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                if self.integer().is_none() {
                    serde_json::from_slice::<de::IgnoredAny>(&self.b[start..self.at]).ok()?;
                }
                Some(())
            }
            b'{' => self.scan_object(|p, from, to, escaped| {
                p.check_escapes(escaped, from, to)?;
                p.skip_value()
            }),
            b'[' => {
                self.enter()?;
                self.at += 1;
                if self.peek()? == b']' {
                    self.at += 1;
                } else {
                    loop {
                        self.skip_value()?;
                        match self.peek()? {
                            b',' => self.at += 1,
                            b']' => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                self.depth += 1;
                Some(())
            }
            b'n' => self.word(b"null"),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            _ => None,
        }
    }
}

/// Entries and elements of the objects and arrays being parsed, the innermost last: each
/// is moved into a vector of its exact size when it ends. Kept per thread between parses.
#[derive(Default)]
struct Scratch {
    entries: Vec<(Key, Json)>,
    items: Vec<Json>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    // Taken out while in use, so a parse inside a parse gets a fresh one.
    let mut scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    let out = f(&mut scratch);
    scratch.entries.clear();
    scratch.items.clear();
    SCRATCH.with(|s| *s.borrow_mut() = scratch);
    out
}

struct JsonSeed<'s>(&'s mut Scratch);

impl<'de> DeserializeSeed<'de> for JsonSeed<'_> {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonSeed<'_> {
    type Value = Json;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::num(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let scratch = self.0;
        let start = scratch.items.len();
        while let Some(v) = seq.next_element_seed(JsonSeed(&mut *scratch))? {
            scratch.items.push(v);
        }
        Ok(Json::Array(scratch.items.drain(start..).collect()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let scratch = self.0;
        let start = scratch.entries.len();
        while let Some(k) = map.next_key_seed(KeySeed)? {
            let v = map.next_value_seed(JsonSeed(&mut *scratch))?;
            match scratch.entries[start..]
                .iter_mut()
                .find(|(key, _)| *key == k)
            {
                Some(slot) => slot.1 = v,
                None => scratch.entries.push((k, v)),
            }
        }
        Ok(Json::Object(Obj(scratch.entries.drain(start..).collect())))
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        Ok(intern(v))
    }
    fn visit_string<E>(self, v: String) -> Result<Key, E> {
        Ok(intern_owned(v))
    }
}

macro_rules! static_keys {
    ($($k:literal)*) => {
        /// The static string for a common key.
        fn static_key(s: &str) -> Option<&'static str> {
            match s {
                $($k => Some($k),)*
                _ => None,
            }
        }
    };
}

// rrweb's event, node and mutation keys, then common attribute names.
static_keys! {
    "type" "data" "timestamp" "source" "id" "parentId" "nextId" "previousId" "node"
    "attributes" "childNodes" "tagName" "textContent" "texts" "removes" "adds" "value"
    "isSVG" "needBlock" "rootId" "isShadow" "isShadowHost" "isStyle" "isAttachIframe"
    "name" "publicId" "systemId" "compatMode" "href" "width" "height" "initialOffset"
    "left" "top" "x" "y" "positions" "timeOffset" "text" "isChecked" "userTriggered"
    "pointerType" "styleId" "styleIds" "rule" "index" "set" "remove"
    "property" "priority" "currentTime" "volume" "muted" "loop" "playbackRate" "ranges"
    "start" "startOffset" "end" "endOffset" "commands" "args" "setter" "windowId"
    "class" "style" "title" "src" "alt" "rel" "lang" "dir" "role" "for" "action" "method"
    "content" "charset" "placeholder" "disabled" "checked" "selected" "hidden" "tabindex"
    "aria-label" "aria-hidden" "aria-expanded" "aria-selected" "aria-controls"
    "aria-labelledby" "aria-describedby" "data-testid" "target" "srcset" "sizes" "viewBox"
    "d" "fill" "stroke" "xmlns" "_cssText" "rr_width" "rr_height" "rr_dataURL"
    "rr_scrollLeft" "rr_scrollTop" "rr_mediaState" "rr_mediaCurrentTime"
}

/// Key equality for keys from [`intern`], which are static exactly when they are in the
/// table: a static key never equals one of its own.
fn same_key(a: &Key, b: &Key) -> bool {
    match (a, b) {
        (Cow::Borrowed(a), Cow::Borrowed(b)) => std::ptr::eq(*a, *b) || a == b,
        (Cow::Owned(a), Cow::Owned(b)) => a == b,
        _ => false,
    }
}

fn intern(s: &str) -> Key {
    match static_key(s) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s.to_owned()),
    }
}

fn intern_owned(s: String) -> Key {
    match static_key(&s) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_round_trips() {
        let text = r#"{"z":1,"a":[true,null,"x",1.5],"m":{"b":2,"a":3}}"#;
        let v = parse(text.as_bytes()).unwrap();
        assert_eq!(v.to_string_compact(), text);
        let keys: Vec<_> = v.as_object().unwrap().iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn nested_and_escaped_keys_parse_like_serde_json() {
        let text =
            r#"{"a":[{"b":[],"c":{}},[1,[2,{"type":"x"}]]],"\u0074ype":{"k\n":"v\"w"},"e":-1.5e3}"#;
        let v = parse(text.as_bytes()).unwrap();
        assert_eq!(
            v.to_string_compact(),
            r#"{"a":[{"b":[],"c":{}},[1,[2,{"type":"x"}]]],"type":{"k\n":"v\"w"},"e":-1500}"#
        );
        assert!(parse(br#"{"a":1} x"#).is_err());
        assert!(parse(br#"{"a":[1,{"b":}]}"#).is_err());
        // A failed parse leaves nothing behind for the next one.
        assert_eq!(parse(br#"[1,2]"#).unwrap().to_string_compact(), "[1,2]");
    }

    #[test]
    fn repeated_key_keeps_first_place_last_value() {
        let v = parse(br#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.to_string_compact(), r#"{"a":3,"b":2}"#);
    }

    /// What the fast parser takes, `serde_json` reads the same; what it leaves, `parse`
    /// still reads as `serde_json` does.
    fn same_as_serde(text: &[u8]) -> bool {
        let mut scratch = Scratch::default();
        let fast = Fast::new(text, &mut scratch).and_then(Fast::document);
        let mut scratch = Scratch::default();
        let slow = parse_slow(text, &mut scratch).ok();
        if let Some(f) = &fast {
            assert_eq!(Some(f), slow.as_ref(), "{}", String::from_utf8_lossy(text));
            assert_eq!(
                f.to_string_compact(),
                slow.as_ref().unwrap().to_string_compact()
            );
        }
        assert_eq!(parse(text).ok(), slow, "{}", String::from_utf8_lossy(text));
        fast.is_some()
    }

    #[test]
    fn the_fast_parser_agrees_with_serde_json() {
        let taken = [
            r#"{"type":3,"data":{"source":0,"adds":[{"parentId":1,"nextId":null,"node":{"type":2,"tagName":"div","attributes":{"class":"a b"},"childNodes":[],"id":5}}]},"timestamp":1768208410250}"#,
            " { \"a\" : [ 1 , 2 ,\t3 ]\r\n, \"b\" : { } , \"c\" : [ ] } ",
            r#"{"a":1,"b":2,"a":3}"#,
            r#"[0,-0,-1,9223372036854775807,-9223372036854775808,-9223372036854775809]"#,
            r#"[1234567890123456789,-1234567890123456789,true,false,null]"#,
            r#"["\u00e9t\u00e9 \"q\" \\ \n","","h\u00e9"]"#,
            r#"{"k\u0065y":"v","\n":1}"#,
            r#"[1.5,-2.25e3,0.1,12345678901234567890,99999999999999999999,1E2,1e-7]"#,
            "[\"\u{e9}\u{4e2d}\u{1f600}\"]",
        ];
        for t in taken {
            assert!(same_as_serde(t.as_bytes()), "{t}");
        }
        let left = [
            "",
            " ",
            "[1,]",
            "{\"a\":1,}",
            "[01]",
            "[-]",
            "[1.]",
            "[1e]",
            "[.5]",
            "[+1]",
            "{\"a\" 1}",
            "{1:2}",
            "[\"a\u{1}\"]",
            "[\"\\x\"]",
            "[\"\\ud800\"]",
            "nul",
            "[1] 2",
            "[1 2]",
            "[1e400]",
            "\u{feff}[1]",
            "[1-2]",
            "[1e5.5]",
            "{\"a\":}",
            "[tru]",
            "[\"a]",
        ];
        for t in left {
            assert!(!same_as_serde(t.as_bytes()), "{t}");
        }
        assert!(!same_as_serde(b"[\"\xff\"]"));
        // serde_json's recursion limit: 127 levels are read, 128 are not.
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(same_as_serde(nested(127).as_bytes()));
        assert!(!same_as_serde(nested(128).as_bytes()));
        let objects = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        assert!(same_as_serde(objects(127).as_bytes()));
        assert!(!same_as_serde(objects(128).as_bytes()));
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "[a-z\"\\\\\u{0}-\u{1f}é中😀]{0,20}".prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec(("[a-c\"\\\\é]{0,3}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn a_plain_run_ends_at_the_first_quote_backslash_or_control_character(
            b in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => 0x20u8..=0xff,
                    1 => proptest::sample::select(vec![b'"', b'\\', 0x00, 0x1f, 0x7f, 0x80]),
                ],
                0..40,
            ),
            from in 0usize..40,
        ) {
            let from = from.min(b.len());
            let naive = (from..b.len()).find(|&i| STRING_STOP[b[i] as usize]).unwrap_or(b.len());
            proptest::prop_assert_eq!(plain_run_end(&b, from), naive);
        }

        #[test]
        fn the_fast_parser_agrees_on_any_document(v in any_json(), pretty in proptest::bool::ANY) {
            let text = if pretty {
                serde_json::to_vec_pretty(&v).unwrap()
            } else {
                serde_json::to_vec(&v).unwrap()
            };
            proptest::prop_assert!(same_as_serde(&text));
        }
    }

    /// `v` with every [`Json::Raw`] read into its object.
    fn read_all(mut v: Json) -> Json {
        v.parse_raw();
        match v {
            Json::Array(a) => Json::Array(a.into_iter().map(read_all).collect()),
            Json::Object(o) => Json::Object(Obj(o
                .0
                .into_iter()
                .map(|(k, v)| (k, read_all(v)))
                .collect())),
            v => v,
        }
    }

    fn first_node(v: &Json) -> &Json {
        v.get("data")
            .and_then(|d| d.get("adds"))
            .and_then(|a| a.as_array())
            .and_then(|a| a.first())
            .and_then(|a| a.get("node"))
            .expect("an add")
    }

    fn mutation(node: &str) -> String {
        format!(
            r#"{{"type":3,"data":{{"source":0,"texts":[],"adds":[{{"parentId":1,"nextId":null,"node":{node}}}]}},"timestamp":5}}"#
        )
    }

    #[test]
    fn recorded_events_keep_plain_added_nodes_as_their_text() {
        let kept = [
            r#"{"type":2,"tagName":"li","attributes":{"class":"a","title":"x \u2192 y"},"childNodes":[],"id":238}"#,
            r#"{"type":3,"textContent":"00:01 \"q\"","id":-4,"rootId":12}"#,
            r#" { "type" : 2 , "tagName" : "link" , "attributes" : { "_cssText" : "a{}" } , "isSVG" : false , "isShadow" : true , "id" : 9 } "#,
            r#"{"type":2,"tagName":"svg","attributes":{"_cssText":""},"isSVG":true,"isShadowHost":true,"rootId":null,"x":[1,{"y":-2.5e3}],"id":3}"#,
        ];
        for node in kept {
            let text = mutation(node);
            let lazy = parse_recorded(text.as_bytes()).unwrap();
            let Json::Raw(r) = first_node(&lazy) else {
                panic!("not kept as text: {node}");
            };
            let eager = parse(text.as_bytes()).unwrap();
            let read = first_node(&eager).as_object().unwrap();
            assert_eq!(r.to_obj(), *read, "{node}");
            assert_eq!(Some(r.id), read.get("id").and_then(Json::as_i64));
            assert_eq!(Some(r.kind as i64), read.get("type").and_then(Json::as_i64));
            assert_eq!(r.tag(), read.get("tagName").and_then(Json::as_str));
            assert_eq!(r.is_svg, read.get("isSVG").is_some_and(Json::truthy));
            assert_eq!(r.is_shadow, read.get("isShadow").is_some_and(Json::truthy));
            assert_eq!(
                r.is_shadow_host,
                read.get("isShadowHost").is_some_and(Json::truthy)
            );
            assert_eq!(
                r.root_id,
                read.get("rootId")
                    .filter(|v| v.truthy())
                    .and_then(Json::as_i64)
            );
            let css = read
                .get("attributes")
                .and_then(|a| a.get("_cssText"))
                .is_some_and(Json::truthy);
            assert_eq!(r.css_text, css, "{node}");
            let mut entries = Vec::new();
            r.for_each_entry(|k, v| {
                entries.push((k.to_string(), parse(v.as_bytes()).unwrap()));
                Ok::<_, ()>(())
            })
            .unwrap();
            let want: Vec<_> = read
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            assert_eq!(entries, want, "{node}");
            assert_eq!(read_all(lazy), eager, "{node}");
        }
    }

    #[test]
    fn recorded_events_read_other_nodes_at_once_and_fail_as_parse_does() {
        let read_now = [
            r#"{"type":0,"childNodes":[],"id":1}"#,
            r#"{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"a","id":3}],"id":2}"#,
            r#"{"typ\u0065":2,"tagName":"p","attributes":{},"childNodes":[],"id":2}"#,
            r#"{"type":2,"tagName":"p","attributes":{},"isSVG":1,"childNodes":[],"id":2}"#,
            r#"{"type":2,"tagName":"link","attributes":{"_cssText":null},"id":2}"#,
            r#"{"type":2,"tagName":"p","rootId":"r","id":2}"#,
            r#"{"type":2,"tagName":"p","id":2.0}"#,
            r#"{"type":2,"tagName":"p"}"#,
            r#"{"type":9,"id":2}"#,
        ];
        for node in read_now {
            let text = mutation(node);
            let lazy = parse_recorded(text.as_bytes()).unwrap();
            assert!(
                first_node(&lazy).as_object().is_some(),
                "kept as text: {node}"
            );
            assert_eq!(lazy, parse(text.as_bytes()).unwrap(), "{node}");
        }
        let broken = [
            r#"{"type":2,"tagName":"p","attributes":{"a":"\x"},"id":2}"#,
            r#"{"type":2,"tagName":"p","attributes":{"a":01},"id":2}"#,
            r#"{"type":2,"tagName":"p","id":2,}"#,
            r#"{"type":2,"tagName":"p","id":2"#,
        ];
        for node in broken {
            let text = mutation(node);
            assert!(parse(text.as_bytes()).is_err(), "{node}");
            assert!(parse_recorded(text.as_bytes()).is_err(), "{node}");
        }
        // Only the nodes of `adds` are kept.
        let text = br#"{"type":5,"data":{"node":{"type":2,"tagName":"p","id":2}}}"#;
        assert_eq!(parse_recorded(text).unwrap(), parse(text).unwrap());
    }
}
