//! A full mirror of one window's DOM as rrweb's replayer builds it: every node with its
//! serialized form, kept current through full snapshots and mutations, and written back as a
//! FullSnapshot with the same node ids.
//!
//! The rules are rrweb 2.x's replayer (`applyMutation`, `buildNodeWithSN`), including its
//! quirks, because a keyframe must rebuild the DOM a replay from the start would have:
//! removes first, then adds (queued while their parent or next sibling is missing), then
//! texts (the last per node), then attributes. An exception rrweb would hit (an insert
//! before a node of another parent) abandons the rest of that mutation, as there.
//!
//! Nodes rrweb keeps in the page but no longer maps to an id ("ghosts": a node re-added with
//! a different serialization is built anew, the old one stays) get ids below -1, which no
//! recording uses, so the snapshot can carry them. Nodes rrweb still maps but that are out of
//! the page (children a `<textarea>` value replaced, an old iframe document) cannot be in a
//! snapshot; they are dropped and counted.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::json::{Json, Key, Obj, RawNode};
use super::style_attr;

/// Hashes node ids (integers, mostly dense) with one multiplication, not SipHash: the mirror
/// looks nodes up all the time and ids come from the recording, not from an adversary.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(*b as u64);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }
}

pub(crate) type IdMap<V> = HashMap<i64, V, BuildHasherDefault<IdHasher>>;
pub(crate) type IdSet = HashSet<i64, BuildHasherDefault<IdHasher>>;

pub mod node_type {
    pub const DOCUMENT: u8 = 0;
    pub const DOCUMENT_TYPE: u8 = 1;
    pub const ELEMENT: u8 = 2;
    pub const TEXT: u8 = 3;
    pub const CDATA: u8 = 4;
    pub const COMMENT: u8 = 5;
}
use node_type::*;

/// Where a node hangs under its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Light,
    /// In the parent's shadow root.
    Shadow,
    /// The content document of an `<iframe>`.
    Content,
}

#[derive(Debug, Clone)]
struct Node {
    kind: u8,
    /// The serialized node without `id`, `type` and `childNodes`, keys in recorded order.
    fields: Fields,
    parent: Option<(i64, Slot)>,
    children: Vec<i64>,
    shadow: Vec<i64>,
    content: Option<i64>,
    has_shadow_root: bool,
    /// A `<style>` (or inlined `<link>`) holding the text node rrweb makes from `_cssText`
    /// when it has no serialized children; that text has no id.
    css_text_child: bool,
    /// What rrweb compares a re-added node with (`isNodeMetaEqual`): the node as built.
    /// `None` while `fields` are as built, or differ only by the changes kept with their
    /// text (see [`Fields::meta_source`]).
    meta: Option<Obj>,
    /// Whether the node was built from a serialization with children (rrweb's rebuild of a
    /// `<style>` on a `_cssText` change depends on it).
    meta_had_children: bool,
}

/// A node's fields, read from its recorded text the first time something asks for them.
#[derive(Debug, Clone, Default)]
struct Fields {
    obj: OnceCell<Obj>,
    /// Until it is read (and while the fields are as recorded, but for `changes`).
    raw: Option<Box<RawNode>>,
    /// Attribute changes made while unread, in order (a value, or `None` to remove it):
    /// applied when the fields are read, merged into the text when they are written.
    changes: Vec<(Key, Option<String>)>,
}

/// Attribute changes kept on a node still unread, at most: a node changed more often than
/// that is read once instead (its changes then cost nothing more).
const MAX_UNREAD_CHANGES: usize = 8;

impl Fields {
    fn built(obj: Obj) -> Self {
        Self {
            obj: OnceCell::from(obj),
            raw: None,
            changes: Vec::new(),
        }
    }

    fn get(&self) -> &Obj {
        self.obj.get_or_init(|| {
            let mut o = self.as_built();
            for (key, value) in &self.changes {
                set_attribute(attributes_of(&mut o), key.clone(), value.clone());
            }
            o
        })
    }

    /// The fields as recorded, without the changes since.
    fn as_built(&self) -> Obj {
        let mut o = self.raw.as_ref().map(|r| r.to_obj()).unwrap_or_default();
        o.0.retain(|(k, _)| !matches!(k.as_ref(), "id" | "type" | "childNodes"));
        o
    }

    fn get_mut(&mut self) -> &mut Obj {
        self.get();
        self.raw = None;
        self.changes = Vec::new();
        self.obj.get_mut().expect("read just now")
    }

    /// What the scan of the text noted, while the fields have not been read.
    fn unread(&self) -> Option<&RawNode> {
        self.raw.as_deref().filter(|_| self.obj.get().is_none())
    }

    /// What rrweb compares a re-added node with, when the node has no `meta` of its own.
    fn meta_source(&self) -> std::borrow::Cow<'_, Obj> {
        if self.changes.is_empty() {
            std::borrow::Cow::Borrowed(self.get())
        } else {
            std::borrow::Cow::Owned(self.as_built())
        }
    }
}

/// The `attributes` object of a node's fields, made (in place of anything else) if need be.
fn attributes_of(fields: &mut Obj) -> &mut Obj {
    if !matches!(fields.get("attributes"), Some(Json::Object(_))) {
        fields.insert("attributes", Json::Object(Obj::new()));
    }
    match fields.get_mut("attributes") {
        Some(Json::Object(a)) => a,
        _ => unreachable!("just set"),
    }
}

/// `setAttribute` (a value) or `removeAttribute` (`None`) on an attributes object.
fn set_attribute(attributes: &mut Obj, key: Key, value: Option<String>) {
    match value {
        Some(v) => attributes.insert(key, Json::String(v)),
        None => {
            attributes.remove(&key);
        }
    }
}

/// Why a mutation stopped where rrweb would have thrown.
#[derive(Debug)]
struct Abort;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MirrorStats {
    /// Mutations rrweb would abandon part-way (an exception in its `applyMutation`).
    pub aborted_mutations: u64,
    /// Adds dropped because their parent never appeared in the same mutation.
    pub dropped_adds: u64,
    /// Mapped nodes that left the page without a remove; not in any snapshot.
    pub detached_nodes: u64,
    /// Nodes rrweb keeps in the page without an id.
    pub ghost_nodes: u64,
    /// Text changes on elements (rrweb replaces their children with a text node that has
    /// no id); the children are dropped.
    pub element_text_changes: u64,
}

#[derive(Debug, Clone, Default)]
pub struct DomMirror {
    /// Boxed: nodes come and go all the time, and a table of small entries is cheap to grow
    /// and to clean of the places removed ones leave.
    nodes: IdMap<Box<Node>>,
    root: Option<i64>,
    initial_offset: Json,
    /// Iframe documents whose iframe is not there yet (rrweb's `newDocumentQueue`, which a
    /// full snapshot does not clear).
    pending_documents: Vec<Obj>,
    /// Nodes added with a sibling id of -1 (old recordings): built and mapped (they can get
    /// children) but not inserted, until a sibling's add places them (rrweb's
    /// `legacy_missingNodeRetryMap`). With the add that made each.
    legacy: Vec<(i64, Obj)>,
    next_ghost: i64,
    /// Ids rrweb still maps but that are out of the page.
    detached: IdSet,
    /// Ids built anew since [`DomMirror::take_fresh`] was last called.
    fresh: Vec<i64>,
    stats: MirrorStats,
}

impl DomMirror {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn has_document(&self) -> bool {
        self.root.is_some()
    }

    pub fn root_id(&self) -> Option<i64> {
        self.root
    }

    pub fn contains(&self, id: i64) -> bool {
        self.nodes.contains_key(&id)
    }

    /// Every id in the mirror (all of them are in the page and in the snapshot it writes).
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.nodes.keys().copied()
    }

    /// Ids rrweb would still resolve although their nodes left the page.
    pub fn is_detached(&self, id: i64) -> bool {
        self.detached.contains(&id)
    }

    /// Ids of nodes built anew (by a snapshot or an add) since the last call: state kept on
    /// an older node of the same id no longer applies.
    pub fn take_fresh(&mut self) -> Vec<i64> {
        std::mem::take(&mut self.fresh)
    }

    pub fn stats(&self) -> &MirrorStats {
        &self.stats
    }

    pub fn initial_offset(&self) -> &Json {
        &self.initial_offset
    }

    /// Nodes waiting for a sibling that a legacy (-1) add promised.
    pub fn legacy_pending(&self) -> usize {
        self.legacy.len()
    }

    pub fn pending_documents(&self) -> usize {
        self.pending_documents.len()
    }

    /// The element's tag as recorded (`tagName`), when `id` is an element.
    pub fn tag(&self, id: i64) -> Option<&str> {
        let n = self.nodes.get(&id)?;
        if n.kind != ELEMENT {
            return None;
        }
        match n.fields.unread() {
            Some(r) => r.tag(),
            None => n.fields.get().get("tagName")?.as_str(),
        }
    }

    pub fn attribute(&self, id: i64, name: &str) -> Option<&Json> {
        self.nodes
            .get(&id)?
            .fields
            .get()
            .get("attributes")?
            .get(name)
    }

    pub fn text(&self, id: i64) -> Option<&str> {
        self.nodes
            .get(&id)?
            .fields
            .get()
            .get("textContent")?
            .as_str()
    }

    pub fn parent(&self, id: i64) -> Option<i64> {
        self.nodes.get(&id)?.parent.map(|(p, _)| p)
    }

    /// Light-DOM children, in order.
    pub fn children(&self, id: i64) -> &[i64] {
        self.nodes.get(&id).map_or(&[], |n| &n.children)
    }

    /// Shadow-root children, in order.
    pub fn shadow_children(&self, id: i64) -> &[i64] {
        self.nodes.get(&id).map_or(&[], |n| &n.shadow)
    }

    /// An iframe element's content document.
    pub fn content_document(&self, id: i64) -> Option<i64> {
        self.nodes.get(&id)?.content
    }

    pub fn kind(&self, id: i64) -> Option<u8> {
        self.nodes.get(&id).map(|n| n.kind)
    }

    // ---- full snapshots ------------------------------------------------------------------

    /// A FullSnapshot's `data` (`{node, initialOffset}`) replaces the whole document.
    pub fn apply_full_snapshot(&mut self, data: &Json) {
        self.apply_full_snapshot_owned(data.clone());
    }

    /// [`DomMirror::apply_full_snapshot`], taking the nodes' fields from `data`.
    pub fn apply_full_snapshot_owned(&mut self, data: Json) {
        self.nodes.clear();
        self.detached.clear();
        self.legacy.clear();
        self.root = None;
        let Json::Object(mut data) = data else {
            self.initial_offset = Json::Null;
            return;
        };
        self.initial_offset = data.get("initialOffset").cloned().unwrap_or(Json::Null);
        let Some(Json::Object(node)) = data.get_mut("node").map(std::mem::take) else {
            return;
        };
        let mut iframes = Vec::new();
        self.root = self.build_tree(node, None, &mut iframes);
        self.attach_queued_documents(iframes);
    }

    /// Builds a serialized tree (children included) under `parent`, like `buildNodeWithSN`
    /// without `skipChild`. Returns the root's id.
    fn build_tree(
        &mut self,
        n: Obj,
        parent: Option<(i64, Slot)>,
        iframes: &mut Vec<i64>,
    ) -> Option<i64> {
        let (id, reused, children) = self.obtain(n).ok()?;
        if let Some((p, slot)) = parent {
            self.detach_from_parent(id);
            self.link_last(id, p, slot);
        }
        if reused {
            // rrweb returns the node it has, children and all, and builds none of these.
            return Some(id);
        }
        if self.is_iframe(id) {
            iframes.push(id);
        }
        let kind = self.nodes[&id].kind;
        if kind != DOCUMENT && kind != ELEMENT {
            return Some(id);
        }
        let mut children: Vec<Obj> = children
            .into_iter()
            .filter_map(|c| match c {
                Json::Object(o) => Some(o),
                _ => None,
            })
            .collect();
        // The attributes as recorded: the node was just built from them.
        let attrs = self.nodes[&id]
            .fields
            .get()
            .get("attributes")
            .and_then(Json::as_object);
        match self.dom_name(id) {
            // The value becomes a text node without an id; serialized children are ignored.
            Some("TEXTAREA") if attrs.and_then(|a| a.get("value")).is_some_and(is_string) => {
                children.clear();
            }
            Some("STYLE") => {
                if let Some(css) = attrs.and_then(|a| a.get("_cssText")).and_then(Json::as_str) {
                    if children.is_empty() {
                        self.node_mut(id).css_text_child = true;
                    } else {
                        apply_css_splits(&mut children, css);
                    }
                }
            }
            _ => {}
        }
        let host = self.nodes[&id].has_shadow_root;
        for c in children {
            let slot = if kind == ELEMENT && c.get("type").and_then(Json::as_i64) == Some(0) {
                Slot::Content
            } else if host && c.get("isShadow").is_some_and(Json::truthy) {
                Slot::Shadow
            } else {
                Slot::Light
            };
            if slot == Slot::Content {
                self.drop_content(id);
            }
            self.build_tree(c, Some((id, slot)), iframes);
        }
        Some(id)
    }

    /// rrweb's `buildNodeWithSN` identity rule: a node it already maps with an equal
    /// serialization is reused as it is; otherwise a new node is built, and an old one of
    /// that id stays in the page without an id.
    /// The node's fields are taken from `n`; its serialized children are returned.
    fn obtain(&mut self, n: Obj) -> Result<(i64, bool, Vec<Json>), Abort> {
        let id = n.get("id").and_then(Json::as_i64).ok_or(Abort)?;
        let kind = n
            .get("type")
            .and_then(Json::as_i64)
            .filter(|k| (0..=5).contains(k))
            .ok_or(Abort)? as u8;
        if let Some(old) = self.nodes.get(&id) {
            let same = match &old.meta {
                Some(meta) => meta_eq(kind, meta, &n),
                None => meta_eq(kind, &old.fields.meta_source(), &n),
            };
            if old.kind == kind && same {
                return Ok((id, true, Vec::new()));
            }
            self.ghost(id);
        }
        let mut fields = n;
        let mut children = Vec::new();
        fields.0.retain_mut(|(k, v)| match k.as_ref() {
            "childNodes" => {
                if let Json::Array(c) = v {
                    children = std::mem::take(c);
                }
                false
            }
            "id" | "type" => false,
            _ => true,
        });
        let meta_had_children = !children.is_empty();
        let has_shadow_root =
            kind == ELEMENT && fields.get("isShadowHost").is_some_and(Json::truthy);
        let fields = Fields::built(fields);
        self.put_new(id, kind, fields, has_shadow_root, meta_had_children);
        Ok((id, false, children))
    }

    /// [`DomMirror::obtain`] for a node kept as its text, which stays unread unless a node
    /// of its id is there to compare with.
    fn obtain_raw(&mut self, r: Box<RawNode>) -> Result<i64, Abort> {
        let id = r.id;
        if self.nodes.contains_key(&id) {
            return self.obtain(r.to_obj()).map(|(id, _, _)| id);
        }
        let (kind, has_shadow_root) = (r.kind, r.kind == ELEMENT && r.is_shadow_host);
        let fields = Fields {
            obj: OnceCell::new(),
            raw: Some(r),
            changes: Vec::new(),
        };
        self.put_new(id, kind, fields, has_shadow_root, false);
        Ok(id)
    }

    /// Maps a node built anew (with no place in the page yet).
    fn put_new(
        &mut self,
        id: i64,
        kind: u8,
        fields: Fields,
        has_shadow_root: bool,
        meta_had_children: bool,
    ) {
        self.detached.remove(&id);
        self.fresh.push(id);
        self.nodes.insert(
            id,
            Box::new(Node {
                kind,
                fields,
                parent: None,
                children: Vec::new(),
                shadow: Vec::new(),
                content: None,
                has_shadow_root,
                css_text_child: false,
                meta: None,
                meta_had_children,
            }),
        );
    }

    // ---- mutations -----------------------------------------------------------------------

    /// An IncrementalSnapshot Mutation's `data`.
    pub fn apply_mutation(&mut self, d: &Json) {
        self.apply_mutation_owned(d.clone());
    }

    /// [`DomMirror::apply_mutation`], taking the added nodes' fields from `d`.
    pub fn apply_mutation_owned(&mut self, mut d: Json) {
        if self.mutate(&mut d).is_err() {
            self.stats.aborted_mutations += 1;
        }
    }

    fn mutate(&mut self, d: &mut Json) -> Result<(), Abort> {
        // The adds and attribute changes are moved into the mirror; the rest is read where it
        // is.
        let mut take = |key: &str| -> Vec<Obj> {
            match d.as_object_mut().and_then(|o| o.get_mut(key)) {
                Some(Json::Array(list)) => std::mem::take(list)
                    .into_iter()
                    .filter_map(|v| match v {
                        Json::Object(o) => Some(o),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let adds = take("adds");
        let attributes = take("attributes");
        let d = &*d;
        let list = |key: &str| -> Vec<&Obj> {
            d.get(key)
                .and_then(Json::as_array)
                .unwrap_or(&[])
                .iter()
                .filter_map(|v| v.as_object())
                .collect()
        };
        let removes: Vec<&Obj> = list("removes")
            .into_iter()
            .filter(|r| self.exists(r.get("id")))
            .collect();
        for r in &removes {
            self.remove(r);
        }
        let removed: IdSet = removes
            .iter()
            .filter_map(|r| r.get("id").and_then(Json::as_i64))
            .collect();

        let mut queue: Vec<Obj> = Vec::new();
        for add in adds {
            self.append(add, &mut queue)?;
        }
        while !queue.is_empty() {
            let pending = queue.len();
            let mut trees = resolve_trees(std::mem::take(&mut queue));
            let mut order = Vec::new();
            for t in &trees.roots {
                if self.exists(trees.items[*t].add.get("parentId")) {
                    trees.walk(*t, &mut order);
                } else {
                    self.stats.dropped_adds += trees.size(*t) as u64;
                }
            }
            for i in order {
                self.append(std::mem::take(&mut trees.items[i].add), &mut queue)?;
            }
            // rrweb retries until a time limit; a round that places nothing never will.
            if queue.len() >= pending {
                self.stats.dropped_adds += queue.len() as u64;
                break;
            }
        }

        // The last text per node wins.
        let mut seen = IdSet::default();
        for t in list("texts").iter().rev() {
            let Some(id) = t.get("id").and_then(Json::as_i64) else {
                continue;
            };
            if seen.insert(id) && self.nodes.contains_key(&id) {
                self.set_text(id, t.get("value").unwrap_or(&Json::Null));
            }
        }

        for mut a in attributes {
            let Some(id) = a.get("id").and_then(Json::as_i64) else {
                continue;
            };
            if removed.contains(&id) || !self.nodes.contains_key(&id) {
                continue;
            }
            if let Some(Json::Object(changes)) = a.get_mut("attributes").map(std::mem::take) {
                self.set_attributes(id, changes);
            }
        }
        Ok(())
    }

    fn remove(&mut self, r: &Obj) {
        let Some(id) = r.get("id").and_then(Json::as_i64) else {
            return;
        };
        if !self.nodes.contains_key(&id) {
            return;
        }
        let Some(parent) = r.get("parentId").and_then(Json::as_i64) else {
            return;
        };
        let Some(p) = self.nodes.get(&parent) else {
            return;
        };
        let slot = if r.get("isShadow").is_some_and(Json::truthy) && p.has_shadow_root {
            Slot::Shadow
        } else {
            Slot::Light
        };
        if self.nodes[&id].parent == Some((parent, slot)) {
            self.drop_subtree(id, false);
        } else {
            // rrweb unmaps the subtree, then `removeChild` throws and is only logged: the
            // nodes stay in the page without ids.
            self.ghost_subtree(id);
        }
    }

    /// Places one add; its node's fields go into the mirror (an add that has to wait is kept
    /// whole).
    fn append(&mut self, mut add: Obj, queue: &mut Vec<Obj>) -> Result<(), Abort> {
        let (is_document, shadow, root_id) = match add.get("node") {
            Some(Json::Raw(r)) => (false, r.is_shadow, r.root_id.map(Some)),
            node => {
                let node = node.and_then(Json::as_object).ok_or(Abort)?;
                (
                    node.get("type").and_then(Json::as_i64) == Some(DOCUMENT as i64),
                    node.get("isShadow").is_some_and(Json::truthy),
                    node.get("rootId").filter(|r| r.truthy()).map(Json::as_i64),
                )
            }
        };
        let parent_id = add.get("parentId").and_then(Json::as_i64);
        let Some(parent) = parent_id.filter(|p| self.nodes.contains_key(p)) else {
            if is_document {
                self.pending_documents.push(add);
            } else {
                queue.push(add);
            }
            return Ok(());
        };
        let slot = if shadow {
            self.node_mut(parent).has_shadow_root = true;
            Slot::Shadow
        } else {
            Slot::Light
        };
        let previous_id = add.get("previousId");
        let next_id = add.get("nextId");
        let previous = previous_id
            .filter(|v| v.truthy())
            .and_then(Json::as_i64)
            .filter(|p| self.nodes.contains_key(p));
        let next = next_id
            .filter(|v| v.truthy())
            .and_then(Json::as_i64)
            .filter(|n| self.nodes.contains_key(n));
        let next_given = next_id.is_some_and(|v| !v.is_null() && v.as_i64() != Some(-1));
        let legacy_marker = |v: Option<&Json>| v.and_then(Json::as_i64) == Some(-1);
        let legacy = legacy_marker(previous_id) || legacy_marker(next_id);
        let sibling_given =
            previous_id.is_some_and(Json::truthy) || next_id.is_some_and(Json::truthy);
        if next_given && next.is_none() {
            queue.push(add);
            return Ok(());
        }
        if let Some(root) = root_id {
            if !root.is_some_and(|r| self.nodes.contains_key(&r)) {
                return Ok(());
            }
        }
        if self.is_iframe(parent) {
            if let Some(node) = add.get_mut("node") {
                node.parse_raw();
            }
            self.attach_document(add, parent);
            return Ok(());
        }
        // The node goes into the mirror; the add keeps its place (and its other keys).
        let target = match add.get_mut("node").map(std::mem::take) {
            Some(Json::Object(node)) => self.obtain(node)?.0,
            Some(Json::Raw(node)) => self.obtain_raw(node)?,
            _ => return Err(Abort),
        };
        if legacy {
            self.legacy.retain(|(id, _)| *id != target);
            self.legacy.push((target, add));
            return Ok(());
        }
        let target_kind = self.nodes[&target].kind;
        let parent_kind = self.nodes[&parent].kind;
        if slot == Slot::Light && parent_kind == ELEMENT && target_kind == TEXT {
            match self.tag(parent) {
                Some("textarea") => {
                    // Its text children (and the one its value made) give way to this one.
                    let texts: Vec<i64> = self.nodes[&parent]
                        .children
                        .iter()
                        .copied()
                        .filter(|c| self.nodes[c].kind == TEXT)
                        .collect();
                    for c in texts {
                        if c == target {
                            self.detach_from_parent(c);
                        } else {
                            self.drop_subtree(c, true);
                        }
                    }
                    self.attributes_mut(parent).remove("value");
                }
                Some("style") => {
                    let p = &self.nodes[&parent];
                    if p.css_text_child && p.children.is_empty() {
                        // The id-less text made from `_cssText` hands its text over.
                        let css = self
                            .attribute(parent, "_cssText")
                            .cloned()
                            .unwrap_or(Json::str(""));
                        self.fields_mut(target).insert("textContent", css);
                        self.node_mut(parent).css_text_child = false;
                    }
                }
                _ => {}
            }
        } else if parent_kind == DOCUMENT && slot == Slot::Light {
            // A reopened document: the new doctype or `<html>` replaces the old one.
            let first = self.nodes[&parent].children.first().copied();
            if target_kind == DOCUMENT_TYPE {
                if let Some(f) =
                    first.filter(|f| *f != target && self.nodes[f].kind == DOCUMENT_TYPE)
                {
                    self.drop_subtree(f, true);
                }
            }
            if self.dom_is(target, "HTML") {
                let html = self.nodes[&parent]
                    .children
                    .iter()
                    .copied()
                    .find(|c| *c != target && self.nodes[c].kind == ELEMENT);
                if let Some(h) = html {
                    self.drop_subtree(h, true);
                }
            }
        }

        let reference = match previous.and_then(|p| self.next_sibling(p)) {
            Some(sibling) => Some(sibling),
            None => match next.filter(|n| self.nodes[n].parent.is_some()) {
                Some(n) if self.contains_node((parent, slot), n) => Some(n),
                _ => None,
            },
        };
        self.insert_before(target, (parent, slot), reference)?;

        if self.is_iframe(target) {
            self.attach_queued_documents(vec![target]);
        }
        if !self.legacy.is_empty() && sibling_given {
            self.resolve_legacy((parent, slot), target, &add)?;
        }
        Ok(())
    }

    /// `parent.insertBefore(target, reference)` with the DOM's checks, which rrweb does not
    /// catch: a reference of another parent, an ancestor inserted into its descendant, a
    /// second element or doctype in a document.
    fn insert_before(
        &mut self,
        target: i64,
        (parent, slot): (i64, Slot),
        reference: Option<i64>,
    ) -> Result<(), Abort> {
        if let Some(r) = reference {
            if self.nodes[&r].parent != Some((parent, slot)) {
                return Err(Abort);
            }
        }
        if self.is_inclusive_ancestor(target, parent) {
            return Err(Abort);
        }
        let target_kind = self.nodes[&target].kind;
        if self.nodes[&parent].kind == DOCUMENT {
            let clash = self.nodes[&parent].children.iter().any(|c| {
                *c != target
                    && match target_kind {
                        ELEMENT | DOCUMENT_TYPE => self.nodes[c].kind == target_kind,
                        _ => false,
                    }
            });
            if clash || matches!(target_kind, TEXT | CDATA | DOCUMENT) {
                return Err(Abort);
            }
        } else if target_kind == DOCUMENT || target_kind == DOCUMENT_TYPE && slot != Slot::Light {
            return Err(Abort);
        }
        let reference = match reference {
            Some(r) if r == target => self.next_sibling(target),
            r => r,
        };
        self.detach_from_parent(target);
        let list = self.list_mut(parent, slot);
        let at = reference
            .and_then(|r| list.iter().position(|c| *c == r))
            .unwrap_or(list.len());
        list.insert(at, target);
        self.node_mut(target).parent = Some((parent, slot));
        Ok(())
    }

    /// rrweb's `legacy_resolveMissingNode`: a node waiting on this one as its sibling goes
    /// in next to it.
    fn resolve_legacy(
        &mut self,
        container: (i64, Slot),
        target: i64,
        add: &Obj,
    ) -> Result<(), Abort> {
        let sibling = |key: &str| add.get(key).filter(|v| v.truthy()).and_then(Json::as_i64);
        for (key, after) in [("previousId", false), ("nextId", true)] {
            let Some(sid) = sibling(key) else { continue };
            let Some(at) = self.legacy.iter().position(|(id, _)| *id == sid) else {
                continue;
            };
            let (id, its_add) = self.legacy.remove(at);
            if !self.nodes.contains_key(&id) {
                continue;
            }
            let reference = if after {
                self.next_sibling(target)
            } else {
                Some(target)
            };
            self.insert_before(id, container, reference)?;
            if its_add.get("previousId").is_some_and(Json::truthy)
                || its_add.get("nextId").is_some_and(Json::truthy)
            {
                self.resolve_legacy(container, id, &its_add)?;
            }
        }
        Ok(())
    }

    /// rrweb's `attachDocumentToIframe`: the iframe gets a new document, built whole.
    fn attach_document(&mut self, mut add: Obj, iframe: i64) {
        let Some(Json::Object(doc)) = add.get_mut("node").map(std::mem::take) else {
            return;
        };
        self.drop_content(iframe);
        let mut iframes = Vec::new();
        self.build_tree(doc, Some((iframe, Slot::Content)), &mut iframes);
        self.attach_queued_documents(iframes);
    }

    fn attach_queued_documents(&mut self, iframes: Vec<i64>) {
        let mut stack = iframes;
        while let Some(f) = stack.pop() {
            let Some(at) = self
                .pending_documents
                .iter()
                .position(|m| m.get("parentId").and_then(Json::as_i64) == Some(f))
            else {
                continue;
            };
            let mut add = self.pending_documents.remove(at);
            let Some(Json::Object(doc)) = add.get_mut("node").map(std::mem::take) else {
                continue;
            };
            self.drop_content(f);
            self.build_tree(doc, Some((f, Slot::Content)), &mut stack);
        }
    }

    fn set_text(&mut self, id: i64, value: &Json) {
        let text = value.as_str().unwrap_or("").to_string();
        let kind = self.nodes[&id].kind;
        match kind {
            TEXT | CDATA | COMMENT => {
                let under_style = self.nodes[&id]
                    .parent
                    .is_some_and(|(p, _)| self.dom_is(p, "STYLE"));
                let fields = self.fields_mut(id);
                // rrweb adapts style text for replay (hover rules); `isStyle` makes a rebuild
                // do the same.
                if under_style && value.truthy() {
                    fields.insert("isStyle", Json::Bool(true));
                }
                fields.insert("textContent", Json::String(text));
            }
            ELEMENT => {
                self.stats.element_text_changes += 1;
                for c in self.nodes[&id].children.clone() {
                    self.drop_subtree(c, true);
                }
                match self.dom_name(id) {
                    Some("TEXTAREA") => self.attributes_mut(id).insert("value", Json::String(text)),
                    Some("STYLE") => {
                        self.attributes_mut(id)
                            .insert("_cssText", Json::String(text));
                        self.node_mut(id).css_text_child = true;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn set_attributes(&mut self, id: i64, changes: Obj) {
        if self.nodes[&id].kind != ELEMENT {
            return;
        }
        let name = self.dom_name(id);
        let rebuilds = matches!(name, Some("LINK" | "STYLE"))
            && changes
                .iter()
                .any(|(k, v)| k == "_cssText" && matches!(v, Json::String(_)));
        if rebuilds {
            return self.set_attributes_until_rebuild(id, name, &changes);
        }
        // What `set_attributes_until_rebuild` does when nothing rebuilds, values moved in.
        for (key, value) in changes.0 {
            match value {
                Json::Null => self.change_attribute(id, key, None),
                Json::String(v) => {
                    if key == "value" && name == Some("TEXTAREA") {
                        for c in self.nodes[&id].children.clone() {
                            self.drop_subtree(c, true);
                        }
                    }
                    self.change_attribute(id, key, Some(v));
                }
                Json::Object(styles) if key == "style" => {
                    let current = self.attribute(id, "style").and_then(Json::as_str);
                    let text = style_attr::apply(current, &styles);
                    self.attributes_mut(id).insert("style", Json::String(text));
                }
                _ => {}
            }
        }
    }

    /// Sets attributes in order until a `_cssText` string rebuilds the element.
    fn set_attributes_until_rebuild(&mut self, id: i64, name: Option<&'static str>, changes: &Obj) {
        for (key, value) in changes.entries() {
            match value {
                Json::Null => {
                    self.attributes_mut(id).remove(key);
                }
                Json::String(v) => {
                    if key == "_cssText" && matches!(name, Some("LINK" | "STYLE")) {
                        self.rebuild_style(id, changes);
                        // rrweb breaks out of this node's attributes here.
                        return;
                    }
                    if key == "value" && name == Some("TEXTAREA") {
                        for c in self.nodes[&id].children.clone() {
                            self.drop_subtree(c, true);
                        }
                    }
                    self.attributes_mut(id)
                        .insert(key.clone(), Json::String(v.clone()));
                }
                Json::Object(styles) if key == "style" => {
                    let current = self.attribute(id, "style").and_then(Json::as_str);
                    let text = style_attr::apply(current, styles);
                    self.attributes_mut(id).insert("style", Json::String(text));
                }
                _ => {}
            }
        }
    }

    /// A `_cssText` change makes rrweb build the element again from its meta merged with the
    /// change, and put that in its place: attributes changed since it was built are lost,
    /// and its children go (a rebuild from a serialization without children gets the css as
    /// an id-less text node instead).
    fn rebuild_style(&mut self, id: i64, changes: &Obj) {
        self.fields_mut(id);
        let mut meta_attrs = self.nodes[&id]
            .meta
            .as_ref()
            .and_then(|m| m.get("attributes"))
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default();
        for (k, v) in changes.entries() {
            meta_attrs.insert(k.clone(), v.clone());
        }
        let attrs: Obj = meta_attrs
            .entries()
            .filter(|(_, v)| !v.is_null() && !matches!(v, Json::Object(_) | Json::Array(_)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for c in self.nodes[&id].children.clone() {
            self.drop_subtree(c, true);
        }
        let n = self.node_mut(id);
        n.css_text_child = !n.meta_had_children;
        if let Some(meta) = n.meta.as_mut() {
            meta.insert("attributes", Json::Object(meta_attrs));
        }
        n.fields.get_mut().insert("attributes", Json::Object(attrs));
    }

    // ---- writing a snapshot ---------------------------------------------------------------

    /// The document as a FullSnapshot event, same ids; iframe documents are not in it (rrweb
    /// attaches them with mutations, see [`DomMirror::iframe_documents`]).
    pub fn to_full_snapshot(&self, timestamp: f64) -> Json {
        let node = self
            .root
            .map(|r| self.serialize(r, true))
            .unwrap_or(Json::Null);
        let offset = match &self.initial_offset {
            Json::Object(o) => Json::Object(o.clone()),
            _ => Json::Object(Obj::from_iter([
                ("left", Json::int(0)),
                ("top", Json::int(0)),
            ])),
        };
        event(
            2,
            Obj::from_iter([("node", node), ("initialOffset", offset)]),
            timestamp,
        )
    }

    /// Like [`DomMirror::to_full_snapshot`] with another `initialOffset`.
    pub fn to_full_snapshot_at(&self, timestamp: f64, offset: Option<(f64, f64)>) -> Json {
        let mut e = self.to_full_snapshot(timestamp);
        if let (Some((left, top)), Json::Object(o)) = (offset, &mut e) {
            if let Some(Json::Object(data)) = o.get_mut("data") {
                data.insert(
                    "initialOffset",
                    Json::Object(Obj::from_iter([
                        ("left", Json::num(left)),
                        ("top", Json::num(top)),
                    ])),
                );
            }
        }
        e
    }

    /// [`DomMirror::to_full_snapshot_at`] written as JSON into `out`: the same bytes, written
    /// straight from the mirror instead of from a tree built for it (a node still unread
    /// from its recorded text). The iframes that have a document go to `frames` as they are
    /// written, in the order [`DomMirror::collect_frames`] finds them (what
    /// [`DomMirror::attach_events_from`] takes).
    pub(crate) fn write_full_snapshot(
        &self,
        timestamp: f64,
        offset: Option<(f64, f64)>,
        frames: &mut Vec<i64>,
        out: &mut Vec<u8>,
    ) -> serde_json::Result<()> {
        out.extend_from_slice(br#"{"type":2,"data":{"node":"#);
        match self.root {
            Some(root) => self.write_node(root, frames, out)?,
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(br#","initialOffset":"#);
        match (offset, &self.initial_offset) {
            (Some((left, top)), _) => serde_json::to_writer(
                &mut *out,
                &Obj::from_iter([("left", Json::num(left)), ("top", Json::num(top))]),
            )?,
            (None, Json::Object(o)) => serde_json::to_writer(&mut *out, o)?,
            (None, _) => out.extend_from_slice(br#"{"left":0,"top":0}"#),
        }
        out.extend_from_slice(br#"},"timestamp":"#);
        serde_json::to_writer(&mut *out, &Json::num(timestamp))?;
        out.push(b'}');
        Ok(())
    }

    /// A node and its descendants as [`DomMirror::serialize`] gives them (`deep`).
    fn write_node(
        &self,
        id: i64,
        frames: &mut Vec<i64>,
        out: &mut Vec<u8>,
    ) -> serde_json::Result<()> {
        let n = &self.nodes[&id];
        if n.content.is_some() {
            frames.push(id);
        }
        let element = n.kind == ELEMENT;
        let style = dom_tag(n).is_some_and(|(tag, svg)| name_is(tag, svg, "STYLE"));
        out.extend_from_slice(br#"{"type":"#);
        serde_json::to_writer(&mut *out, &n.kind)?;
        match n.fields.unread() {
            // Fields as recorded are copied from their text, left unread: the scan that kept
            // it checked that keys have no escapes (so need none) and that values are whole.
            // (A `<style>`'s may lose their `_cssText`.)
            Some(r) if !style => {
                let changes = &n.fields.changes;
                let mut attributes_written = false;
                r.for_each_entry(|k, v| {
                    if matches!(
                        k,
                        "id" | "type" | "childNodes" | "isShadow" | "isShadowHost"
                    ) {
                        return Ok(());
                    }
                    out.extend_from_slice(b",\"");
                    out.extend_from_slice(k.as_bytes());
                    out.extend_from_slice(b"\":");
                    if k == "attributes" && !changes.is_empty() {
                        attributes_written = true;
                        write_changed_attributes(v, changes, out)
                    } else {
                        out.extend_from_slice(v.as_bytes());
                        Ok(())
                    }
                })?;
                if !changes.is_empty() && !attributes_written {
                    // Made by the first change, after the recorded fields.
                    out.extend_from_slice(br#","attributes":"#);
                    write_changed_attributes("{}", changes, out)?;
                }
            }
            _ => {
                // Children carry a `<style>`'s text; `_cssText` would overwrite them on
                // rebuild.
                let keep_css = n.css_text_child && n.children.is_empty();
                let drop_css = element && !keep_css && style;
                for (k, v) in n.fields.get().entries() {
                    if matches!(k.as_ref(), "isShadow" | "isShadowHost") {
                        continue;
                    }
                    out.push(b',');
                    serde_json::to_writer(&mut *out, k.as_ref())?;
                    out.push(b':');
                    match (k.as_ref(), v) {
                        ("attributes", Json::Object(a)) if drop_css => {
                            serde_json::to_writer(&mut *out, &Without(a, "_cssText"))?
                        }
                        _ => serde_json::to_writer(&mut *out, v)?,
                    }
                }
            }
        }
        if element && n.has_shadow_root {
            out.extend_from_slice(br#","isShadowHost":true"#);
        }
        if matches!(n.parent, Some((_, Slot::Shadow))) {
            out.extend_from_slice(br#","isShadow":true"#);
        }
        out.extend_from_slice(br#","id":"#);
        serde_json::to_writer(&mut *out, &id)?;
        if element || n.kind == DOCUMENT {
            out.extend_from_slice(br#","childNodes":["#);
            for (i, &c) in n.children.iter().chain(&n.shadow).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                self.write_node(c, frames, out)?;
            }
            out.push(b']');
        }
        out.push(b'}');
        Ok(())
    }

    /// Mutations to follow the snapshot: one attaching each iframe's document (outer frames
    /// first), the way rrweb records them; the documents still waiting for their iframe; and
    /// the nodes still waiting for a legacy sibling, added again the way they came (with
    /// their -1) and their descendants after them, so rrweb holds them unplaced again.
    pub fn attach_events(&self, timestamp: f64) -> Vec<Json> {
        let mut frames: Vec<i64> = Vec::new();
        if let Some(r) = self.root {
            self.collect_frames(r, &mut frames);
        }
        self.attach_events_from(frames, timestamp)
    }

    /// [`DomMirror::attach_events`], given the iframes of the document that have a document
    /// of their own, in document order.
    pub(crate) fn attach_events_from(&self, mut frames: Vec<i64>, timestamp: f64) -> Vec<Json> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < frames.len() {
            let f = frames[i];
            i += 1;
            let Some(doc) = self.nodes[&f].content else {
                continue;
            };
            let add = Obj::from_iter([
                ("parentId", Json::int(f)),
                ("nextId", Json::Null),
                ("node", self.serialize(doc, true)),
            ]);
            out.push(mutation_event(vec![Json::Object(add)], timestamp, true));
            self.collect_frames(doc, &mut frames);
        }
        if !self.pending_documents.is_empty() {
            let adds = self
                .pending_documents
                .iter()
                .cloned()
                .map(Json::Object)
                .collect();
            out.push(mutation_event(adds, timestamp, false));
        }
        let mut adds = Vec::new();
        for (id, add) in &self.legacy {
            if self.nodes.get(id).is_none_or(|n| n.parent.is_some()) {
                continue;
            }
            let mut a = add.clone();
            if !self.exists(a.get("parentId")) {
                // Only its existence matters: a sibling's add decides where it goes.
                a.insert("parentId", self.root.map_or(Json::Null, Json::int));
            }
            a.insert("node", self.serialize(*id, false));
            adds.push(Json::Object(a));
            let mut stack: Vec<i64> = self.children_of(*id).into_iter().rev().collect();
            while let Some(c) = stack.pop() {
                let Some((p, _)) = self.nodes[&c].parent else {
                    continue;
                };
                adds.push(Json::Object(Obj::from_iter([
                    ("parentId", Json::int(p)),
                    ("nextId", Json::Null),
                    ("node", self.serialize(c, false)),
                ])));
                stack.extend(self.children_of(c).into_iter().rev());
            }
        }
        if !adds.is_empty() {
            out.push(mutation_event(adds, timestamp, false));
        }
        out
    }

    /// Light then shadow children, as serialized.
    fn children_of(&self, id: i64) -> Vec<i64> {
        let n = &self.nodes[&id];
        n.children.iter().chain(&n.shadow).copied().collect()
    }

    fn collect_frames(&self, root: i64, out: &mut Vec<i64>) {
        let mut stack = vec![root];
        let mut found = Vec::new();
        while let Some(id) = stack.pop() {
            let n = &self.nodes[&id];
            if n.content.is_some() {
                found.push(id);
            }
            stack.extend(n.shadow.iter().rev());
            stack.extend(n.children.iter().rev());
        }
        out.extend(found);
    }

    /// A node as rrweb serializes it; `deep`: with its children (else `childNodes` is empty,
    /// as in a mutation's adds).
    fn serialize(&self, id: i64, deep: bool) -> Json {
        let n = &self.nodes[&id];
        let mut o = Obj::new();
        o.insert("type", Json::int(n.kind as i64));
        for (k, v) in n.fields.get().entries() {
            if !matches!(k.as_ref(), "isShadow" | "isShadowHost") {
                o.insert(k.clone(), v.clone());
            }
        }
        if n.kind == ELEMENT {
            if n.has_shadow_root {
                o.insert("isShadowHost", Json::Bool(true));
            }
            let keep_css = n.css_text_child && n.children.is_empty();
            if !keep_css && self.dom_is(id, "STYLE") {
                // Children carry the text; `_cssText` would overwrite them on rebuild.
                if let Some(Json::Object(a)) = o.get_mut("attributes") {
                    a.remove("_cssText");
                }
            }
        }
        if matches!(n.parent, Some((_, Slot::Shadow))) {
            o.insert("isShadow", Json::Bool(true));
        }
        o.insert("id", Json::int(id));
        if n.kind == ELEMENT || n.kind == DOCUMENT {
            let children = if deep {
                self.children_of(id)
                    .into_iter()
                    .map(|c| self.serialize(c, true))
                    .collect()
            } else {
                Vec::new()
            };
            o.insert("childNodes", Json::Array(children));
        }
        Json::Object(o)
    }

    // ---- tree plumbing -------------------------------------------------------------------

    fn node_mut(&mut self, id: i64) -> &mut Node {
        self.nodes.get_mut(&id).expect("node in mirror")
    }

    fn exists(&self, id: Option<&Json>) -> bool {
        id.and_then(Json::as_i64)
            .is_some_and(|id| self.nodes.contains_key(&id))
    }

    /// The node's fields, to change them: the meta they were built with is kept aside first.
    fn fields_mut(&mut self, id: i64) -> &mut Obj {
        let n = self.node_mut(id);
        if n.meta.is_none() {
            n.meta = Some(meta_of(n.kind, &n.fields.meta_source()));
        }
        n.fields.get_mut()
    }

    fn attributes_mut(&mut self, id: i64) -> &mut Obj {
        attributes_of(self.fields_mut(id))
    }

    /// Sets (`Some`) or removes an attribute the way [`DomMirror::attributes_mut`] would,
    /// keeping the change with the node's text when the node is still unread and the change
    /// is one a write can merge (not `_cssText`, which decides what the node is).
    fn change_attribute(&mut self, id: i64, key: Key, value: Option<String>) {
        let n = self.node_mut(id);
        let keeps = key != "_cssText"
            && n.fields.changes.len() < MAX_UNREAD_CHANGES
            && n.fields.unread().is_some_and(|r| r.plain_attribute_names);
        if keeps {
            n.fields.changes.push((key, value));
            return;
        }
        set_attribute(self.attributes_mut(id), key, value);
    }

    /// The element's tag as the replayer's DOM has it, and whether it is SVG: its
    /// `nodeName` is then the tag as recorded, else the tag in upper case. rrweb maps tags
    /// (`script` is built as `noscript`, an inlined stylesheet `<link>` as `<style>`).
    fn dom_tag(&self, id: i64) -> Option<(&str, bool)> {
        dom_tag(self.nodes.get(&id)?)
    }

    /// Whether the element's `nodeName` is `upper` (an upper-case name).
    fn dom_is(&self, id: i64, upper: &str) -> bool {
        self.dom_tag(id)
            .is_some_and(|(tag, svg)| name_is(tag, svg, upper))
    }

    /// The element's `nodeName`, when it is one the mirror treats apart.
    fn dom_name(&self, id: i64) -> Option<&'static str> {
        const NAMES: [&str; 5] = ["STYLE", "TEXTAREA", "LINK", "IFRAME", "HTML"];
        let (tag, svg) = self.dom_tag(id)?;
        NAMES.into_iter().find(|name| name_is(tag, svg, name))
    }

    fn is_iframe(&self, id: i64) -> bool {
        self.dom_is(id, "IFRAME")
    }

    fn list_mut(&mut self, parent: i64, slot: Slot) -> &mut Vec<i64> {
        let p = self.node_mut(parent);
        match slot {
            Slot::Light => &mut p.children,
            Slot::Shadow => &mut p.shadow,
            Slot::Content => unreachable!("documents are not inserted into lists"),
        }
    }

    fn link_last(&mut self, id: i64, parent: i64, slot: Slot) {
        if slot == Slot::Content {
            self.node_mut(parent).content = Some(id);
        } else {
            self.list_mut(parent, slot).push(id);
        }
        self.node_mut(id).parent = Some((parent, slot));
    }

    fn detach_from_parent(&mut self, id: i64) {
        let Some((p, slot)) = self.nodes.get_mut(&id).and_then(|n| n.parent.take()) else {
            return;
        };
        let Some(parent) = self.nodes.get_mut(&p) else {
            return;
        };
        match slot {
            Slot::Light => parent.children.retain(|c| *c != id),
            Slot::Shadow => parent.shadow.retain(|c| *c != id),
            Slot::Content => {
                if parent.content == Some(id) {
                    parent.content = None;
                }
            }
        }
    }

    fn next_sibling(&self, id: i64) -> Option<i64> {
        let (p, slot) = self.nodes.get(&id)?.parent?;
        let parent = self.nodes.get(&p)?;
        let list = match slot {
            Slot::Light => &parent.children,
            Slot::Shadow => &parent.shadow,
            Slot::Content => return None,
        };
        let at = list.iter().position(|c| *c == id)?;
        list.get(at + 1).copied()
    }

    /// `container.contains(node)`: the walk up stops at a shadow root or a document.
    fn contains_node(&self, container: (i64, Slot), node: i64) -> bool {
        let mut cur = node;
        while let Some(link) = self.nodes.get(&cur).and_then(|n| n.parent) {
            if link == container {
                return true;
            }
            if link.1 != Slot::Light {
                return false;
            }
            cur = link.0;
        }
        false
    }

    /// Whether `node` is `of` or one of its ancestors, across shadow roots and frames.
    fn is_inclusive_ancestor(&self, node: i64, of: i64) -> bool {
        if node != of
            && self.nodes.get(&node).is_some_and(|n| {
                n.children.is_empty() && n.shadow.is_empty() && n.content.is_none()
            })
        {
            // A leaf (a node just built, most often) is no one's ancestor.
            return false;
        }
        let mut cur = Some(of);
        while let Some(c) = cur {
            if c == node {
                return true;
            }
            cur = self.nodes.get(&c).and_then(|n| n.parent).map(|(p, _)| p);
        }
        false
    }

    fn drop_content(&mut self, iframe: i64) {
        if let Some(doc) = self.nodes.get(&iframe).and_then(|n| n.content) {
            self.drop_subtree(doc, true);
        }
    }

    /// Takes a node and everything under it out of the mirror. `still_mapped`: rrweb keeps
    /// resolving their ids (they left the page without a remove). An iframe's document stays
    /// mapped in rrweb even when its iframe is removed.
    fn drop_subtree(&mut self, id: i64, still_mapped: bool) {
        self.detach_from_parent(id);
        let mut stack = vec![(id, still_mapped)];
        while let Some((c, mapped)) = stack.pop() {
            let Some(n) = self.nodes.remove(&c) else {
                continue;
            };
            if mapped {
                self.detached.insert(c);
                self.stats.detached_nodes += 1;
            }
            stack.extend(n.children.iter().chain(&n.shadow).map(|x| (*x, mapped)));
            if let Some(doc) = n.content {
                stack.push((doc, true));
            }
        }
        if self.root == Some(id) {
            self.root = None;
        }
    }

    fn fresh_ghost_id(&mut self) -> i64 {
        self.next_ghost = self.next_ghost.min(-1) - 1;
        self.stats.ghost_nodes += 1;
        self.next_ghost
    }

    /// Gives a node a ghost id, in place.
    fn ghost(&mut self, id: i64) -> i64 {
        let ghost = self.fresh_ghost_id();
        let Some(n) = self.nodes.remove(&id) else {
            return ghost;
        };
        if let Some((p, slot)) = n.parent {
            if let Some(parent) = self.nodes.get_mut(&p) {
                let list = match slot {
                    Slot::Light => Some(&mut parent.children),
                    Slot::Shadow => Some(&mut parent.shadow),
                    Slot::Content => {
                        parent.content = Some(ghost);
                        None
                    }
                };
                if let Some(c) = list.and_then(|l| l.iter_mut().find(|c| **c == id)) {
                    *c = ghost;
                }
            }
        }
        for c in n.children.iter().chain(&n.shadow).chain(&n.content) {
            if let Some(child) = self.nodes.get_mut(c) {
                if let Some(link) = child.parent.as_mut() {
                    link.0 = ghost;
                }
            }
        }
        if self.root == Some(id) {
            self.root = Some(ghost);
        }
        self.nodes.insert(ghost, n);
        ghost
    }

    /// Ghosts a node and its light and shadow descendants (rrweb's `removeNodeFromMap`).
    fn ghost_subtree(&mut self, id: i64) {
        let mut stack = vec![id];
        while let Some(c) = stack.pop() {
            let g = self.ghost(c);
            let n = &self.nodes[&g];
            stack.extend(n.children.iter().chain(&n.shadow));
        }
    }
}

/// The part of a serialized node `isNodeMetaEqual` compares, by type.
fn meta_of(kind: u8, n: &Obj) -> Obj {
    meta_keys(kind)
        .iter()
        .filter_map(|k| n.get(k).map(|v| (*k, v.clone())))
        .collect()
}

fn meta_keys(kind: u8) -> &'static [&'static str] {
    match kind {
        DOCUMENT => &["compatMode"],
        DOCUMENT_TYPE => &["name", "publicId", "systemId"],
        ELEMENT => &["tagName", "attributes", "isSVG", "needBlock"],
        _ => &["textContent"],
    }
}

/// `meta_of(kind, a) == meta_of(kind, b)`, without building either.
fn meta_eq(kind: u8, a: &Obj, b: &Obj) -> bool {
    meta_keys(kind).iter().all(|k| a.get(k) == b.get(k))
}

/// [`DomMirror::dom_tag`] of a node.
fn dom_tag(n: &Node) -> Option<(&str, bool)> {
    if n.kind != ELEMENT {
        return None;
    }
    if let Some(r) = n.fields.unread() {
        let tag = match r.tag()? {
            "script" => "noscript",
            "link" if r.css_text => "style",
            t => t,
        };
        return Some((tag, r.is_svg));
    }
    let fields = n.fields.get();
    let tag = fields.get("tagName")?.as_str()?;
    let attrs = fields.get("attributes");
    let tag = match tag {
        "script" => "noscript",
        "link"
            if attrs
                .and_then(|a| a.get("_cssText"))
                .is_some_and(Json::truthy) =>
        {
            "style"
        }
        t => t,
    };
    Some((tag, fields.get("isSVG").is_some_and(Json::truthy)))
}

/// Whether a tag (see `DomMirror::dom_tag`) makes the `nodeName` `upper`.
fn name_is(tag: &str, svg: bool, upper: &str) -> bool {
    if svg {
        tag == upper
    } else {
        tag.eq_ignore_ascii_case(upper)
    }
}

fn is_string(v: &Json) -> bool {
    matches!(v, Json::String(_))
}

/// rrweb-snapshot's `applyCssSplits` without the replay adaptation: a `<style>`'s text
/// children get their part of `_cssText`, cut at `/* rr_split */` marks (surplus parts
/// join the last).
fn apply_css_splits(children: &mut [Obj], css: &str) {
    let texts: Vec<usize> = children
        .iter()
        .enumerate()
        .filter(|(_, c)| c.get("type").and_then(Json::as_i64) == Some(TEXT as i64))
        .map(|(i, _)| i)
        .collect();
    let mut parts: Vec<String> = css.split("/* rr_split */").map(str::to_string).collect();
    while parts.len() > 1 && parts.len() > texts.len() {
        let last = parts.pop().unwrap_or_default();
        if let Some(prev) = parts.last_mut() {
            prev.push_str(&last);
        }
    }
    for (i, at) in texts.iter().enumerate() {
        let Some(part) = parts.get(i) else { break };
        children[*at].insert("textContent", Json::String(part.clone()));
        children[*at].insert("isStyle", Json::Bool(true));
    }
}

pub(crate) fn event(kind: i64, data: Obj, timestamp: f64) -> Json {
    Json::Object(Obj::from_iter([
        ("type", Json::int(kind)),
        ("data", Json::Object(data)),
        ("timestamp", Json::num(timestamp)),
    ]))
}

pub(crate) fn mutation_event(adds: Vec<Json>, timestamp: f64, attach_iframe: bool) -> Json {
    let mut data = Obj::from_iter([
        ("source", Json::int(0)),
        ("texts", Json::Array(Vec::new())),
        ("attributes", Json::Array(Vec::new())),
        ("removes", Json::Array(Vec::new())),
        ("adds", Json::Array(adds)),
    ]);
    if attach_iframe {
        data.insert("isAttachIframe", Json::Bool(true));
    }
    event(3, data, timestamp)
}

/// rrweb's `queueToResolveTrees`: queued adds arranged by parent, a node before its next
/// sibling, so they can be placed in an order that finds every parent and sibling.
struct ResolveTrees {
    items: Vec<TreeItem>,
    roots: Vec<usize>,
}

struct TreeItem {
    add: Obj,
    parent: Option<usize>,
    children: Vec<usize>,
}

fn resolve_trees(queue: Vec<Obj>) -> ResolveTrees {
    let mut t = ResolveTrees {
        items: Vec::with_capacity(queue.len()),
        roots: Vec::new(),
    };
    let mut by_id: HashMap<i64, usize> = HashMap::new();
    for add in queue {
        let id = match add.get("node") {
            Some(Json::Raw(n)) => Some(n.id),
            n => n.and_then(|n| n.get("id")).and_then(Json::as_i64),
        };
        let next = add
            .get("nextId")
            .filter(|v| v.truthy())
            .and_then(Json::as_i64);
        let parent = add.get("parentId").and_then(Json::as_i64);
        let me = t.items.len();
        if let Some(&n) = next.and_then(|n| by_id.get(&n)) {
            let up = t.items[n].parent;
            t.items.push(TreeItem {
                add,
                parent: up,
                children: Vec::new(),
            });
            let list = match up {
                Some(p) => &mut t.items[p].children,
                None => &mut t.roots,
            };
            let at = list.iter().position(|x| *x == n).unwrap_or(list.len());
            list.insert(at, me);
        } else if let Some(&p) = parent.and_then(|p| by_id.get(&p)) {
            t.items.push(TreeItem {
                add,
                parent: Some(p),
                children: Vec::new(),
            });
            t.items[p].children.push(me);
        } else {
            t.items.push(TreeItem {
                add,
                parent: None,
                children: Vec::new(),
            });
            t.roots.push(me);
        }
        if let Some(id) = id {
            by_id.insert(id, me);
        }
    }
    t
}

impl ResolveTrees {
    /// rrweb's `iterateResolveTree`: the node, then its children last to first (a next
    /// sibling must be in place before the node that goes in front of it).
    fn walk(&self, at: usize, out: &mut Vec<usize>) {
        let mut stack = vec![at];
        while let Some(i) = stack.pop() {
            out.push(i);
            stack.extend(self.items[i].children.iter());
        }
    }

    fn size(&self, at: usize) -> usize {
        let mut v = Vec::new();
        self.walk(at, &mut v);
        v.len()
    }
}

/// An unread node's attributes object, its text as recorded (names without escapes),
/// written with the changes kept since: a value set in place where its name is, else at
/// the end; a removal takes it out.
fn write_changed_attributes(
    text: &str,
    changes: &[(Key, Option<String>)],
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    enum Value<'a> {
        Recorded(&'a str),
        Set(&'a str),
    }
    let mut entries: Vec<(&str, Value)> = Vec::new();
    super::json::for_each_entry(text, |k, v| {
        entries.push((k, Value::Recorded(v)));
        Ok::<(), std::convert::Infallible>(())
    })
    .ok();
    for (key, value) in changes {
        let at = entries.iter().position(|(k, _)| k == key);
        match (value, at) {
            (Some(v), Some(i)) => entries[i].1 = Value::Set(v),
            (Some(v), None) => entries.push((key, Value::Set(v))),
            (None, Some(i)) => {
                entries.remove(i);
            }
            (None, None) => {}
        }
    }
    out.push(b'{');
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, key)?;
        out.push(b':');
        match value {
            Value::Recorded(v) => out.extend_from_slice(v.as_bytes()),
            Value::Set(v) => serde_json::to_writer(&mut *out, v)?,
        }
    }
    out.push(b'}');
    Ok(())
}

/// An object without one of its keys.
struct Without<'a>(&'a Obj, &'static str);

impl Serialize for Without<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (k, v) in self.0.entries().filter(|(k, _)| *k != self.1) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}
