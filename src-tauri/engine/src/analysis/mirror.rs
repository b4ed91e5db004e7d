//! A light mirror of a window's DOM: just enough of every node (tag, naming attributes, text,
//! tree links) to say what a click landed on, kept current through snapshots and mutations.
//! Applied in rrweb's order: removes, adds, texts, attributes.

use std::collections::hash_map::Entry;

use crate::formats::event_detail::{node_type, MutationFacts, NamingAttrs, NodeFact};
use crate::keyframes::mirror::IdMap;
use crate::model::ClickTarget;

/// How far up from the clicked node a link or button is looked for.
const MAX_ANCESTORS: usize = 8;
/// Text gathered from an element's descendants, at most.
const MAX_TEXT_CHARS: usize = 80;
const MAX_TEXT_NODES: usize = 200;

#[derive(Debug, Clone, Default)]
struct Node {
    parent: Option<i64>,
    node_type: u8,
    tag: Option<Box<str>>,
    attrs: Option<Box<NamingAttrs>>,
    text: Option<Box<str>>,
    children: Vec<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct DomMirror {
    /// Keyed by node id with a multiply hash: SipHash was a tenth of the analysis on
    /// mutation-heavy pages.
    nodes: IdMap<Node>,
    /// `<title>` elements seen (an SVG has its own), to read the page title cheaply.
    titles: Vec<i64>,
}

/// `<title>` elements tracked at most (a hostile page may have thousands in its SVGs).
const MAX_TITLE_ELEMENTS: usize = 16;

impl DomMirror {
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// A full snapshot replaces the whole document (its nodes are moved in).
    pub fn apply_snapshot(&mut self, nodes: Vec<NodeFact>) {
        self.nodes.clear();
        self.titles.clear();
        self.insert(nodes);
    }

    /// The document's title: the text of the `<title>` in `<head>`, when there is one.
    pub fn title(&self) -> Option<&str> {
        self.titles.iter().find_map(|&id| {
            let n = self.nodes.get(&id)?;
            let parent = self.nodes.get(&n.parent?)?;
            if parent.tag.as_deref() != Some("head") {
                return None;
            }
            n.children
                .iter()
                .find_map(|c| self.nodes.get(c)?.text.as_deref())
                .map(str::trim)
                .filter(|t| !t.is_empty())
        })
    }

    /// Applies a mutation, moving its nodes and texts in.
    pub fn apply_mutation(&mut self, m: MutationFacts) {
        for &id in &m.removes {
            self.remove(id);
        }
        self.insert(m.adds);
        for (id, text) in m.texts {
            if let Some(n) = self.nodes.get_mut(&id) {
                n.text = Some(text);
            }
        }
        for change in &m.attributes {
            if let Some(n) = self.nodes.get_mut(&change.id) {
                n.attrs.get_or_insert_with(Default::default).apply(change);
            }
        }
    }

    /// Inserts nodes (children before parents, as flattened), linking each to its parent,
    /// before its `next` sibling when that is known.
    fn insert(&mut self, facts: Vec<NodeFact>) {
        let mut links = Vec::with_capacity(facts.len());
        for f in facts {
            if let Some(old) = self.nodes.get(&f.id).and_then(|n| n.parent) {
                // A move: rrweb sends it as an add of a node that exists.
                self.detach(f.id, old);
            }
            links.push((f.id, f.parent, f.next));
            if f.tag.as_deref() == Some("title") && !self.titles.contains(&f.id) {
                self.titles.retain(|t| self.nodes.contains_key(t));
                if self.titles.len() < MAX_TITLE_ELEMENTS {
                    self.titles.push(f.id);
                }
            }
            let node = Node {
                parent: f.parent,
                node_type: f.node_type,
                tag: f.tag,
                attrs: f.attrs,
                text: f.text,
                children: Vec::new(),
            };
            match self.nodes.entry(f.id) {
                // Re-added: it keeps the children it has.
                Entry::Occupied(mut o) => {
                    let children = std::mem::take(&mut o.get_mut().children);
                    *o.get_mut() = Node { children, ..node };
                }
                Entry::Vacant(v) => {
                    v.insert(node);
                }
            }
        }
        for (id, parent, next) in links {
            let Some(parent) = parent else { continue };
            let Some(p) = self.nodes.get_mut(&parent) else {
                continue;
            };
            let at = next
                .and_then(|n| p.children.iter().position(|&c| c == n))
                .unwrap_or(p.children.len());
            p.children.insert(at, id);
        }
    }

    fn detach(&mut self, id: i64, parent: i64) {
        if let Some(p) = self.nodes.get_mut(&parent) {
            p.children.retain(|&c| c != id);
        }
    }

    /// Removes a node and everything under it.
    fn remove(&mut self, id: i64) {
        let Some(node) = self.nodes.remove(&id) else {
            return;
        };
        if let Some(parent) = node.parent {
            self.detach(id, parent);
        }
        let mut stack = node.children;
        while let Some(c) = stack.pop() {
            if let Some(n) = self.nodes.remove(&c) {
                stack.extend(n.children);
            }
        }
    }

    /// The element a click on `id` was meant for: the nearest link or button around it, else
    /// the element itself (a text node's parent).
    pub fn click_target(&self, id: i64) -> Option<ClickTarget> {
        let element = self.element_at(id)?;
        let chosen = self.clickable_ancestor(element).unwrap_or(element);
        Some(self.describe(chosen))
    }

    /// Whether `id` is, or is inside, something made to be clicked.
    pub fn is_clickable(&self, id: i64) -> bool {
        self.element_at(id)
            .and_then(|e| self.clickable_ancestor(e))
            .is_some()
    }

    /// Whether `id` is a field one types into: several clicks there select text.
    pub fn is_text_field(&self, id: i64) -> bool {
        let Some(n) = self.element_at(id).and_then(|e| self.nodes.get(&e)) else {
            return false;
        };
        match n.tag.as_deref() {
            Some("textarea") => true,
            Some("input") => !n
                .attrs
                .as_deref()
                .and_then(|a| a.kind.as_deref())
                .is_some_and(|t| {
                    matches!(
                        t,
                        "button"
                            | "submit"
                            | "reset"
                            | "image"
                            | "checkbox"
                            | "radio"
                            | "file"
                            | "color"
                            | "range"
                    )
                }),
            _ => false,
        }
    }

    fn element_at(&self, id: i64) -> Option<i64> {
        let n = self.nodes.get(&id)?;
        if n.node_type == node_type::ELEMENT {
            Some(id)
        } else {
            n.parent.filter(|p| {
                self.nodes
                    .get(p)
                    .is_some_and(|n| n.node_type == node_type::ELEMENT)
            })
        }
    }

    fn clickable_ancestor(&self, mut id: i64) -> Option<i64> {
        for _ in 0..MAX_ANCESTORS {
            let n = self.nodes.get(&id)?;
            if is_clickable_element(n) {
                return Some(id);
            }
            id = n.parent?;
        }
        None
    }

    fn describe(&self, id: i64) -> ClickTarget {
        let n = &self.nodes[&id];
        let tag = n.tag.as_deref().unwrap_or("element").to_string();
        let attrs = n.attrs.as_deref();
        let element_id = attrs.and_then(|a| a.id.clone()).filter(|s| !s.is_empty());
        let classes: Vec<String> = attrs
            .and_then(|a| a.class.as_deref())
            .map(|c| c.split_whitespace().take(3).map(str::to_string).collect())
            .unwrap_or_default();
        let mut selector = tag.clone();
        if let Some(i) = &element_id {
            selector.push('#');
            selector.push_str(i);
        }
        for c in &classes {
            selector.push('.');
            selector.push_str(c);
        }
        let text = Some(self.text_of(id))
            .filter(|t| !t.is_empty())
            .or_else(|| {
                attrs.and_then(|a| {
                    [&a.aria_label, &a.value, &a.alt, &a.title, &a.placeholder]
                        .into_iter()
                        .flatten()
                        .find(|s| !s.trim().is_empty())
                        .map(|s| collapse(s, MAX_TEXT_CHARS))
                })
            });
        ClickTarget {
            node: id,
            tag,
            element_id,
            classes,
            text,
            selector,
        }
    }

    /// The visible text under an element, whitespace collapsed and shortened.
    fn text_of(&self, id: i64) -> String {
        let mut out = String::new();
        let mut stack = vec![id];
        let mut seen = 0;
        while let Some(i) = stack.pop() {
            seen += 1;
            if seen > MAX_TEXT_NODES || out.chars().count() > MAX_TEXT_CHARS {
                break;
            }
            let Some(n) = self.nodes.get(&i) else {
                continue;
            };
            if matches!(
                n.tag.as_deref(),
                Some("script" | "style" | "noscript" | "template")
            ) {
                continue;
            }
            if n.node_type == node_type::TEXT {
                if let Some(t) = &n.text {
                    out.push(' ');
                    out.push_str(t);
                }
            }
            stack.extend(n.children.iter().rev());
        }
        collapse(&out, MAX_TEXT_CHARS)
    }
}

/// Links, buttons and what is marked up to act like them.
fn is_clickable_element(n: &Node) -> bool {
    if n.node_type != node_type::ELEMENT {
        return false;
    }
    let attrs = n.attrs.as_deref();
    let role_clickable = attrs.and_then(|a| a.role.as_deref()).is_some_and(|r| {
        matches!(
            r,
            "button" | "link" | "menuitem" | "tab" | "checkbox" | "radio" | "switch" | "option"
        )
    });
    role_clickable
        || match n.tag.as_deref() {
            Some("a" | "button" | "summary") => true,
            Some("input") => attrs
                .and_then(|a| a.kind.as_deref())
                .is_some_and(|t| matches!(t, "button" | "submit" | "reset" | "image")),
            _ => false,
        }
}

/// Collapses whitespace and shortens to `max` characters with an ellipsis.
pub fn collapse(s: &str, max: usize) -> String {
    let tidy = !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !s.contains(|c: char| c.is_whitespace() && c != ' ');
    if tidy && s.len() <= max {
        return s.to_string();
    }
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &joined[..i]),
        None => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::event_detail::Detail;
    use crate::formats::parse_event;

    fn detail(raw: &str) -> Detail<'static> {
        parse_event(raw.as_bytes())
            .unwrap()
            .detail
            .unwrap()
            .into_owned()
    }

    fn snapshot() -> DomMirror {
        let mut m = DomMirror::default();
        let Detail::Snapshot(nodes) = detail(
            r#"{"type":2,"timestamp":1,"data":{"node":{"type":0,"childNodes":[
              {"type":2,"tagName":"HTML","attributes":{},"childNodes":[
                {"type":2,"tagName":"body","attributes":{"class":"page"},"childNodes":[
                  {"type":2,"tagName":"button","attributes":{"id":"buy","class":"btn primary","style":"x"},"childNodes":[
                    {"type":2,"tagName":"span","attributes":{},"childNodes":[{"type":3,"textContent":"  Buy\n now ","id":6}],"id":5}
                  ],"id":4},
                  {"type":2,"tagName":"style","attributes":{},"childNodes":[{"type":3,"textContent":"b{}","id":8}],"id":7},
                  {"type":2,"tagName":"div","attributes":{"id":"x"},"childNodes":[],"id":9}
                ],"id":3}
              ],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}}}"#,
        ) else {
            panic!("not a snapshot")
        };
        m.apply_snapshot(nodes);
        m
    }

    #[test]
    fn names_the_button_around_a_click() {
        let m = snapshot();
        assert_eq!(m.len(), 9);
        let t = m.click_target(6).unwrap();
        assert_eq!(t.tag, "button");
        assert_eq!(t.selector, "button#buy.btn.primary");
        assert_eq!(t.text.as_deref(), Some("Buy now"));
        assert!(m.is_clickable(5));
        assert!(!m.is_clickable(9));
        assert_eq!(m.click_target(9).unwrap().selector, "div#x");
        assert_eq!(
            m.click_target(3).unwrap().text.as_deref(),
            Some("Buy now"),
            "the body's text leaves out its style sheet"
        );
    }

    #[test]
    fn follows_adds_removes_texts_and_attributes() {
        let mut m = snapshot();
        let Detail::Mutation(mu) = detail(
            r#"{"type":3,"timestamp":2,"data":{"source":0,
              "removes":[{"parentId":3,"id":4}],
              "adds":[{"parentId":3,"nextId":9,"node":{"type":2,"tagName":"a","attributes":{"href":"/"},"childNodes":[],"id":10}},
                      {"parentId":10,"nextId":null,"node":{"type":3,"textContent":"Home","id":11}}],
              "texts":[{"id":11,"value":"Start"}],
              "attributes":[{"id":9,"attributes":{"role":"button","id":null}}]}}"#,
        ) else {
            panic!("not a mutation")
        };
        m.apply_mutation(*mu);
        assert!(m.click_target(6).is_none(), "removed with its button");
        assert_eq!(m.click_target(11).unwrap().text.as_deref(), Some("Start"));
        assert!(m.is_clickable(9), "role=button was added");
        assert_eq!(
            m.click_target(9).unwrap().selector,
            "div",
            "its id was removed"
        );
    }
}
