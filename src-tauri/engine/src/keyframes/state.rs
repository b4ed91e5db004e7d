//! The replay state a FullSnapshot does not carry, kept from incremental events, and the
//! events (rrweb's own shapes) that put it back after a synthetic snapshot.
//!
//! Modelled as state: scroll positions, input values and checked states, media playback,
//! the selection, the focus and the caret it leaves, the viewport and the pointer.
//! Stylesheet rule changes (of `<style>` elements and of constructed sheets), adopted
//! stylesheets and fonts cannot be read back from the DOM, so the events that made them are
//! carried forward in order, dropped only when what they changed is gone. Canvas drawing is a command stream; the last
//! [`CANVAS_EVENTS_PER_NODE`] events of each canvas are carried and older ones counted.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::json::{Json, Obj};
use super::mirror::{event, DomMirror};

pub use crate::formats::event::source;

/// rrweb `MouseInteractions` that move the focus.
const FOCUS: i64 = 5;
const BLUR: i64 = 6;

/// Canvas events kept per canvas (each can be large; the oldest go first).
pub const CANVAS_EVENTS_PER_NODE: usize = 64;
/// Stylesheet events kept per `<style>` and for constructed sheets.
pub const SHEET_EVENTS_MAX: usize = 20_000;

/// What rrweb's media manager holds for an `<audio>`/`<video>`.
#[derive(Debug, Clone, PartialEq)]
struct Media {
    playing: bool,
    current_time: f64,
    /// When `current_time` was true (epoch ms).
    at: f64,
    rate: f64,
    volume: f64,
    muted: bool,
    looped: bool,
    /// The element's own `currentTime`: rrweb sets it when the element is built (from
    /// `rr_mediaCurrentTime`) and at every sync while paused; while playing it seeks only
    /// once the media's metadata is known, so a video that never loads keeps showing the
    /// time it was paused at.
    shown: f64,
}

#[derive(Debug, Clone, Default)]
pub struct ReplayState {
    meta: Option<Obj>,
    viewport: Option<(Json, Json)>,
    scroll: BTreeMap<i64, (Json, Json)>,
    input: BTreeMap<i64, Obj>,
    media: BTreeMap<i64, Media>,
    selection: Option<Obj>,
    pointer: Option<Obj>,
    /// The element a Focus interaction went to and no Blur left: rrweb focuses it on replay,
    /// which also puts the document's caret there.
    focused: Option<i64>,
    /// The last text field or editable element a Focus went to: focusing it put the caret
    /// in it, and the browser leaves the caret there when it is blurred or when something
    /// that takes no caret (a button, a checkbox, a link) is focused after it.
    caret: Option<i64>,
    /// Rule events of each `<style>`/`<link>` sheet, in order.
    sheet_rules: BTreeMap<i64, Vec<Obj>>,
    /// Constructed-sheet events (adoptions, and rule changes by `styleId`), in order.
    constructed: Vec<Obj>,
    fonts: Vec<Obj>,
    canvas: BTreeMap<i64, VecDeque<(u64, Obj)>>,
    seq: u64,
    pub canvas_dropped: u64,
    pub sheet_events_dropped: u64,
    /// Events the replayer acts on that are not DOM state (plugins, custom events).
    pub not_modelled: u64,
}

impl ReplayState {
    pub fn new() -> Self {
        Self::default()
    }

    /// A Meta event's data: the page and the viewport.
    pub fn apply_meta(&mut self, data: &Json) {
        if let Some(o) = data.as_object() {
            if let (Some(w), Some(h)) = (o.get("width"), o.get("height")) {
                self.viewport = Some((w.clone(), h.clone()));
            }
            self.meta = Some(o.clone());
        }
    }

    /// A full snapshot rebuilds every node: what lived on the old ones is gone, constructed
    /// sheets too (rrweb resets its style mirror and media manager); media elements start
    /// from their `rr_media*` attributes.
    pub fn apply_full_snapshot(&mut self, mirror: &DomMirror, timestamp: f64) {
        self.scroll.clear();
        self.input.clear();
        self.media.clear();
        self.selection = None;
        self.focused = None;
        self.caret = None;
        self.sheet_rules.clear();
        self.constructed.clear();
        self.canvas.clear();
        let ids: Vec<i64> = mirror.ids().collect();
        for id in ids {
            if let Some(m) = media_from_attributes(mirror, id, timestamp) {
                self.media.insert(id, m);
            }
        }
    }

    /// Nodes built anew by a mutation lose what the old node of that id had.
    pub fn forget(&mut self, ids: &[i64]) {
        fn forget_in<V>(map: &mut BTreeMap<i64, V>, ids: &[i64]) {
            // Most maps hold nothing or a few nodes, and most nodes built anew are new.
            if !map.is_empty() {
                for id in ids {
                    map.remove(id);
                }
            }
        }
        forget_in(&mut self.scroll, ids);
        forget_in(&mut self.input, ids);
        forget_in(&mut self.media, ids);
        forget_in(&mut self.sheet_rules, ids);
        forget_in(&mut self.canvas, ids);
        if self.caret.is_some_and(|c| ids.contains(&c)) {
            self.caret = None;
        }
    }

    /// A `<style>` whose text changed re-parses it: rules inserted before are gone.
    pub fn reset_sheet(&mut self, id: i64) {
        self.sheet_rules.remove(&id);
    }

    pub fn has_any_sheet_rules(&self) -> bool {
        !self.sheet_rules.is_empty()
    }

    pub fn has_sheet_rules(&self, id: i64) -> bool {
        self.sheet_rules.contains_key(&id)
    }

    pub fn sheet_ids(&self) -> Vec<i64> {
        self.sheet_rules.keys().copied().collect()
    }

    /// An incremental event other than a mutation.
    pub fn apply_incremental(&mut self, data: &Json, timestamp: f64, mirror: &DomMirror) {
        self.apply_incremental_owned(data.clone(), timestamp, mirror);
    }

    /// [`ReplayState::apply_incremental`], keeping what it keeps of `data` without a copy.
    pub fn apply_incremental_owned(&mut self, data: Json, timestamp: f64, mirror: &DomMirror) {
        let Json::Object(d) = data else { return };
        let id = d.get("id").and_then(Json::as_i64);
        self.seq += 1;
        match d.get("source").and_then(Json::as_i64) {
            Some(source::SCROLL) => {
                if let (Some(id), Some(x), Some(y)) = (id, d.get("x"), d.get("y")) {
                    self.scroll.insert(id, (x.clone(), y.clone()));
                }
            }
            Some(source::VIEWPORT_RESIZE) => {
                if let (Some(w), Some(h)) = (d.get("width"), d.get("height")) {
                    self.viewport = Some((w.clone(), h.clone()));
                }
            }
            Some(source::INPUT) => {
                if let Some(id) = id.filter(|i| *i != -1) {
                    self.input.insert(id, d);
                }
            }
            Some(source::MEDIA_INTERACTION) => {
                if let Some(id) = id.filter(|i| mirror.contains(*i)) {
                    let last = self.media.get(&id).cloned();
                    self.media
                        .insert(id, media_from_event(&d, last, mirror, id, timestamp));
                }
            }
            Some(source::MOUSE_MOVE | source::TOUCH_MOVE | source::DRAG) => {
                if let Some(p) = d
                    .get("positions")
                    .and_then(Json::as_array)
                    .and_then(|p| p.last())
                    .and_then(Json::as_object)
                {
                    self.pointer = Some(p.clone());
                }
            }
            Some(source::MOUSE_INTERACTION) => {
                match (d.get("type").and_then(Json::as_i64), id) {
                    (Some(FOCUS), Some(id)) => {
                        self.focused = Some(id);
                        if takes_caret(mirror, id) {
                            self.caret = Some(id);
                        }
                    }
                    (Some(BLUR), Some(id)) if self.focused == Some(id) => self.focused = None,
                    _ => {}
                }
                if let (Some(x), Some(y), Some(id)) = (d.get("x"), d.get("y"), id) {
                    self.pointer = Some(Obj::from_iter([
                        ("x", x.clone()),
                        ("y", y.clone()),
                        ("id", Json::int(id)),
                        ("timeOffset", Json::int(0)),
                    ]));
                }
            }
            Some(source::SELECTION) => self.selection = Some(d),
            Some(source::STYLE_SHEET_RULE | source::STYLE_DECLARATION) => {
                if d.get("styleId").is_some_and(Json::truthy) {
                    push_bounded(&mut self.constructed, d, &mut self.sheet_events_dropped);
                } else if let Some(id) = id {
                    let list = self.sheet_rules.entry(id).or_default();
                    push_bounded(list, d, &mut self.sheet_events_dropped);
                }
            }
            Some(source::ADOPTED_STYLE_SHEET) => {
                push_bounded(&mut self.constructed, d, &mut self.sheet_events_dropped);
            }
            Some(source::FONT) if !self.fonts.contains(&d) => self.fonts.push(d),
            Some(source::CANVAS_MUTATION) => {
                if let Some(id) = id {
                    let q = self.canvas.entry(id).or_default();
                    q.push_back((self.seq, d));
                    if q.len() > CANVAS_EVENTS_PER_NODE {
                        q.pop_front();
                        self.canvas_dropped += 1;
                    }
                }
            }
            // Logs and custom-element definitions change nothing in a replayed page.
            Some(source::LOG | source::CUSTOM_ELEMENT) => {}
            _ => {}
        }
    }

    /// The latest scroll of the top document, for the snapshot's `initialOffset`.
    pub fn document_scroll(&self, root: i64) -> Option<(f64, f64)> {
        let (x, y) = self.scroll.get(&root)?;
        Some((x.as_f64()?, y.as_f64()?))
    }

    /// The Meta event that starts a keyframe (page and viewport), when one was recorded.
    pub fn meta_event(&self, timestamp: f64) -> Option<Json> {
        let mut data = self.meta.clone().unwrap_or_default();
        let (w, h) = self.viewport.clone()?;
        data.insert("width", w);
        data.insert("height", h);
        if !data.contains_key("href") {
            data.insert("href", Json::str(""));
        }
        Some(event(4, data, timestamp))
    }

    /// Events restoring the state on the nodes the mirror holds, to follow the snapshot and
    /// its iframe documents. Returns them and how many are recorded events carried forward.
    pub fn restore_events(&self, mirror: &DomMirror, timestamp: f64) -> (Vec<Json>, usize) {
        let live = |id: &i64| mirror.contains(*id);
        let mut out = Vec::new();
        let mut carried = 0;
        let inc = |data: Obj| event(3, data, timestamp);

        // Sheets first: a scroll position may depend on the layout they give.
        for (id, rules) in self.sheet_rules.iter().filter(|(id, _)| live(id)) {
            let _ = id;
            for d in rules {
                out.push(inc(d.clone()));
                carried += 1;
            }
        }
        let mut redirected = false;
        let root = mirror.root_id();
        let mut last_root_adoption: Option<Json> = None;
        for d in &self.constructed {
            let mut d = d.clone();
            let adoption =
                d.get("source").and_then(Json::as_i64) == Some(source::ADOPTED_STYLE_SHEET);
            if adoption {
                let host = d.get("id").and_then(Json::as_i64);
                if host == root {
                    last_root_adoption = d.get("styleIds").cloned();
                }
                if !host.is_some_and(|h| mirror.contains(h)) {
                    // The host is gone but the sheets it brought still exist for later
                    // adoptions; create them on the document, whose own list is put back
                    // below.
                    let Some(root) = root else { continue };
                    d.insert("id", Json::int(root));
                    redirected = true;
                }
            }
            out.push(inc(d));
            carried += 1;
        }
        if redirected {
            if let Some(root) = root {
                out.push(inc(Obj::from_iter([
                    ("source", Json::int(source::ADOPTED_STYLE_SHEET)),
                    ("id", Json::int(root)),
                    (
                        "styleIds",
                        last_root_adoption.unwrap_or(Json::Array(Vec::new())),
                    ),
                ])));
            }
        }
        for f in &self.fonts {
            out.push(inc(f.clone()));
            carried += 1;
        }

        for (id, (x, y)) in self.scroll.iter().filter(|(id, _)| live(id)) {
            out.push(inc(Obj::from_iter([
                ("source", Json::int(source::SCROLL)),
                ("id", Json::int(*id)),
                ("x", x.clone()),
                ("y", y.clone()),
            ])));
        }
        for (id, d) in self.input.iter().filter(|(id, _)| live(id)) {
            let mut o =
                Obj::from_iter([("source", Json::int(source::INPUT)), ("id", Json::int(*id))]);
            for k in ["text", "isChecked", "userTriggered"] {
                if let Some(v) = d.get(k) {
                    o.insert(k, v.clone());
                }
            }
            out.push(inc(o));
        }
        for (id, m) in self.media.iter().filter(|(id, _)| live(id)) {
            let media_event = |playing: bool, time: f64| {
                inc(Obj::from_iter([
                    ("source", Json::int(source::MEDIA_INTERACTION)),
                    ("type", Json::int(if playing { 0 } else { 1 })),
                    ("id", Json::int(*id)),
                    ("currentTime", Json::num(time)),
                    ("volume", Json::num(m.volume)),
                    ("muted", Json::Bool(m.muted)),
                    ("loop", Json::Bool(m.looped)),
                    ("playbackRate", Json::num(m.rate)),
                ]))
            };
            if m.playing {
                // A play seeks only once the metadata is known: until then the element
                // shows the time it was last paused at, which the snapshot's rebuild
                // (`rr_mediaCurrentTime`) may not give. A pause there first puts it back.
                if m.shown != built_time(mirror, *id) {
                    out.push(media_event(false, m.shown));
                }
                let now = m.current_time + (timestamp - m.at) / 1000.0 * m.rate;
                out.push(media_event(true, now));
            } else {
                out.push(media_event(false, m.current_time));
            }
        }
        let mut canvas: Vec<&(u64, Obj)> = self
            .canvas
            .iter()
            .filter(|(id, _)| live(id))
            .flat_map(|(_, q)| q.iter())
            .collect();
        canvas.sort_by_key(|(seq, _)| *seq);
        for (_, d) in canvas {
            out.push(inc(d.clone()));
            carried += 1;
        }
        let interaction = |kind: i64, id: i64| {
            inc(Obj::from_iter([
                ("source", Json::int(source::MOUSE_INTERACTION)),
                ("type", Json::int(kind)),
                ("id", Json::int(id)),
            ]))
        };
        let focused = self.focused.filter(live);
        // The caret stays in the last text field focused after it lost the focus: focusing
        // and blurring it puts it there again, before the element that has the focus now.
        if let Some(id) = self.caret.filter(live).filter(|c| Some(*c) != focused) {
            out.push(interaction(FOCUS, id));
            out.push(interaction(BLUR, id));
        }
        if let Some(id) = focused {
            out.push(interaction(FOCUS, id));
        }
        if let Some(sel) = &self.selection {
            let ranges_live = sel.get("ranges").and_then(Json::as_array).is_some_and(|r| {
                r.iter().all(|r| {
                    ["start", "end"]
                        .iter()
                        .all(|k| r.get(k).and_then(Json::as_i64).is_some_and(|i| live(&i)))
                })
            });
            if ranges_live {
                out.push(inc(sel.clone()));
            }
        }
        if let Some(p) = self
            .pointer
            .as_ref()
            .filter(|p| p.get("id").and_then(Json::as_i64).is_some_and(|i| live(&i)))
        {
            let mut p = p.clone();
            p.insert("timeOffset", Json::int(0));
            out.push(inc(Obj::from_iter([
                ("source", Json::int(source::MOUSE_MOVE)),
                ("positions", Json::Array(vec![Json::Object(p)])),
            ])));
        }
        (out, carried)
    }

    /// State held for nodes the mirror no longer has (it is left out of keyframes).
    pub fn stale_ids(&self, mirror: &DomMirror) -> usize {
        let mut ids: HashSet<i64> = HashSet::new();
        ids.extend(self.scroll.keys());
        ids.extend(self.input.keys());
        ids.extend(self.media.keys());
        ids.extend(self.sheet_rules.keys());
        ids.extend(self.canvas.keys());
        ids.iter().filter(|i| !mirror.contains(**i)).count()
    }
}

fn push_bounded(list: &mut Vec<Obj>, d: Obj, dropped: &mut u64) {
    if list.len() >= SHEET_EVENTS_MAX {
        *dropped += 1;
        return;
    }
    list.push(d);
}

fn is_media(mirror: &DomMirror, id: i64) -> bool {
    matches!(mirror.tag(id), Some("audio" | "video"))
}

/// Whether focusing the element puts the document's caret in it, as Chromium does for text
/// fields, textareas and editing hosts (the attributes as they are when it is focused; a
/// disabled control does not take the focus).
fn takes_caret(mirror: &DomMirror, id: i64) -> bool {
    /// `<input>` types that are not text fields.
    const NOT_TEXT: [&str; 15] = [
        "hidden",
        "checkbox",
        "radio",
        "file",
        "submit",
        "image",
        "reset",
        "button",
        "color",
        "date",
        "datetime-local",
        "month",
        "time",
        "week",
        "range",
    ];
    let attr = |k: &str| mirror.attribute(id, k);
    let Some(tag) = mirror.tag(id) else {
        return false;
    };
    let enabled = attr("disabled").is_none_or(Json::is_null);
    if tag.eq_ignore_ascii_case("input") {
        let kind = attr("type").and_then(Json::as_str).unwrap_or("");
        return enabled && !NOT_TEXT.iter().any(|t| kind.eq_ignore_ascii_case(t));
    }
    if tag.eq_ignore_ascii_case("textarea") {
        return enabled;
    }
    attr("contenteditable")
        .and_then(Json::as_str)
        .is_some_and(|v| !v.eq_ignore_ascii_case("false"))
}

/// The `currentTime` the rebuild of a snapshot gives a media element: rrweb's `buildNode`
/// sets a numeric `rr_mediaCurrentTime`; without one it stays at 0.
fn built_time(mirror: &DomMirror, id: i64) -> f64 {
    mirror
        .attribute(id, "rr_mediaCurrentTime")
        .and_then(Json::as_f64)
        .unwrap_or(0.0)
}

/// rrweb's `addMediaElements`, run when a full snapshot is rebuilt.
fn media_from_attributes(mirror: &DomMirror, id: i64, timestamp: f64) -> Option<Media> {
    if !is_media(mirror, id) {
        return None;
    }
    let attr = |k: &str| mirror.attribute(id, k);
    let playing = match attr("rr_mediaState").filter(|v| v.truthy()) {
        Some(s) => s.as_str() == Some("played"),
        None => attr("autoplay").is_some(),
    };
    Some(Media {
        playing,
        current_time: built_time(mirror, id),
        shown: built_time(mirror, id),
        at: timestamp,
        rate: attr("rr_mediaPlaybackRate")
            .and_then(Json::as_f64)
            .unwrap_or(1.0),
        volume: attr("rr_mediaVolume").and_then(Json::as_f64).unwrap_or(1.0),
        muted: attr("rr_mediaMuted")
            .and_then(Json::as_bool)
            .unwrap_or_else(|| attr("muted").is_some()),
        looped: attr("rr_mediaLoop")
            .and_then(Json::as_bool)
            .unwrap_or_else(|| attr("loop").is_some()),
    })
}

/// rrweb's `getMediaStateFromMutation`, fallbacks included (its `muted`/`loop` fallbacks
/// read the attribute's absence).
fn media_from_event(
    d: &Obj,
    last: Option<Media>,
    mirror: &DomMirror,
    id: i64,
    timestamp: f64,
) -> Media {
    let kind = d.get("type").and_then(Json::as_i64);
    let attr = |k: &str| mirror.attribute(id, k);
    let playing = kind == Some(0)
        || kind != Some(1)
            && (last.as_ref().is_some_and(|l| l.playing) || attr("autoplay").is_some());
    let current_time = d
        .get("currentTime")
        .and_then(Json::as_f64)
        .or(last.as_ref().map(|l| l.current_time))
        .unwrap_or(0.0);
    // Paused, rrweb's sync sets the element's time; playing, it waits for the metadata.
    let shown = if playing {
        last.as_ref()
            .map_or_else(|| built_time(mirror, id), |l| l.shown)
    } else {
        current_time
    };
    Media {
        playing,
        current_time,
        shown,
        at: timestamp,
        rate: d
            .get("playbackRate")
            .and_then(Json::as_f64)
            .or(last.as_ref().map(|l| l.rate))
            .unwrap_or(1.0),
        volume: d
            .get("volume")
            .and_then(Json::as_f64)
            .or(last.as_ref().map(|l| l.volume))
            .unwrap_or(1.0),
        muted: d
            .get("muted")
            .and_then(Json::as_bool)
            .or(last.as_ref().map(|l| l.muted))
            .unwrap_or_else(|| attr("muted").is_none()),
        looped: d
            .get("loop")
            .and_then(Json::as_bool)
            .or(last.as_ref().map(|l| l.looped))
            .unwrap_or_else(|| attr("loop").is_none()),
    }
}

/// Ids in a mutation whose `<style>` text it changed (children added, removed or edited,
/// or `_cssText` set), so their earlier rule events no longer apply.
pub fn touched_sheets(
    d: &Json,
    mirror_before: &HashMap<i64, i64>,
    state: &ReplayState,
) -> Vec<i64> {
    let mut out = Vec::new();
    let ids = |key: &str, field: &str| -> Vec<i64> {
        d.get(key)
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|x| x.get(field).and_then(Json::as_i64))
            .collect()
    };
    for p in ids("adds", "parentId")
        .into_iter()
        .chain(ids("removes", "parentId"))
    {
        if state.has_sheet_rules(p) {
            out.push(p);
        }
    }
    for t in ids("texts", "id") {
        if let Some(p) = mirror_before.get(&t).filter(|p| state.has_sheet_rules(**p)) {
            out.push(*p);
        }
    }
    for a in d.get("attributes").and_then(Json::as_array).unwrap_or(&[]) {
        let id = a.get("id").and_then(Json::as_i64);
        let css = a
            .get("attributes")
            .and_then(|x| x.get("_cssText"))
            .is_some_and(|v| matches!(v, Json::String(_)));
        if let Some(id) = id.filter(|i| css && state.has_sheet_rules(*i)) {
            out.push(id);
        }
    }
    out
}
