//! The keyframe mirror: rrweb's mutation rules on hand-written sequences, snapshots that
//! rebuild the mirror they came from, and on real recordings, keyframes that a replay can
//! continue from exactly as from the start.

mod common;

use std::collections::{BTreeSet, HashSet};

use tapedeck_engine::keyframes::json::{parse, parse_recorded};
use tapedeck_engine::keyframes::{keyframe_at, DomMirror, Json, KeyframeBuilder, Obj};

/// As the import reads events: added nodes kept as their text until read.
fn j(text: &str) -> Json {
    parse_recorded(text.as_bytes()).unwrap_or_else(|e| panic!("bad JSON in test: {e}\n{text}"))
}

const PAGE: &str = r#"{"type":0,"childNodes":[
  {"type":1,"name":"html","publicId":"","systemId":"","id":2},
  {"type":2,"tagName":"html","attributes":{"lang":"en"},"childNodes":[
    {"type":2,"tagName":"head","attributes":{},"childNodes":[],"id":4},
    {"type":2,"tagName":"body","attributes":{"class":"b","data-x":"1"},"childNodes":[
      {"type":2,"tagName":"div","attributes":{"id":"a"},"childNodes":[
        {"type":3,"textContent":"hello","id":7}],"id":6},
      {"type":2,"tagName":"div","attributes":{"id":"b"},"childNodes":[],"id":8}
    ],"id":5}
  ],"id":3}
],"id":1}"#;

fn snapshot_event(node: &str, ts: f64) -> Json {
    j(&format!(
        r#"{{"type":2,"data":{{"node":{node},"initialOffset":{{"left":0,"top":0}}}},"timestamp":{ts}}}"#
    ))
}

fn mutation_event(data: &str, ts: f64) -> Json {
    let mut d = j(data);
    if let Json::Object(o) = &mut d {
        o.insert("source", Json::int(0));
        for k in ["texts", "attributes", "removes", "adds"] {
            if !o.contains_key(k) {
                o.insert(k, Json::Array(Vec::new()));
            }
        }
    }
    j(&format!(
        r#"{{"type":3,"data":{},"timestamp":{ts}}}"#,
        d.to_string_compact()
    ))
}

fn page() -> DomMirror {
    let mut m = DomMirror::new();
    m.apply_full_snapshot(snapshot_event(PAGE, 1.0).get("data").unwrap());
    m
}

fn mutate(m: &mut DomMirror, data: &str) {
    let e = mutation_event(data, 2.0);
    m.apply_mutation(e.get("data").unwrap());
}

fn ids_of_tree(node: &Json, out: &mut Vec<i64>) {
    if let Some(id) = node.get("id").and_then(Json::as_i64) {
        out.push(id);
    }
    for c in node
        .get("childNodes")
        .and_then(Json::as_array)
        .unwrap_or(&[])
    {
        ids_of_tree(c, out);
    }
}

fn snapshot_node(m: &DomMirror) -> Json {
    m.to_full_snapshot(0.0)
        .get("data")
        .unwrap()
        .get("node")
        .unwrap()
        .clone()
}

/// A mirror rebuilt from the snapshot (and iframe documents) this one writes.
fn reparsed(m: &DomMirror) -> DomMirror {
    let mut b = KeyframeBuilder::new();
    b.push(&m.to_full_snapshot(5.0));
    for e in m.attach_events(5.0) {
        b.push(&e);
    }
    b.mirror().clone()
}

fn assert_idempotent(m: &DomMirror) {
    let again = reparsed(m);
    assert_eq!(
        m.to_full_snapshot(0.0).to_string_compact(),
        again.to_full_snapshot(0.0).to_string_compact()
    );
    let docs = |m: &DomMirror| -> Vec<String> {
        m.attach_events(0.0)
            .iter()
            .map(Json::to_string_compact)
            .collect()
    };
    assert_eq!(docs(m), docs(&again));
    let mut ids: Vec<i64> = m.ids().collect();
    let mut seen: Vec<i64> = Vec::new();
    ids_of_tree(&snapshot_node(m), &mut seen);
    for e in m.attach_events(0.0) {
        for a in e
            .get("data")
            .unwrap()
            .get("adds")
            .unwrap()
            .as_array()
            .unwrap()
        {
            ids_of_tree(a.get("node").unwrap(), &mut seen);
        }
    }
    ids.sort();
    seen.sort();
    assert_eq!(ids, seen, "the snapshot holds exactly the mirror's nodes");
}

fn text_node(id: i64, text: &str) -> String {
    format!(r#"{{"type":3,"textContent":"{text}","id":{id}}}"#)
}

fn el(id: i64, tag: &str, attrs: &str) -> String {
    format!(r#"{{"type":2,"tagName":"{tag}","attributes":{attrs},"childNodes":[],"id":{id}}}"#)
}

fn add(parent: i64, next: Option<i64>, node: &str) -> String {
    let next = next.map_or("null".to_string(), |n| n.to_string());
    format!(r#"{{"parentId":{parent},"nextId":{next},"node":{node}}}"#)
}

#[test]
fn a_snapshot_comes_back_as_it_went_in() {
    let m = page();
    assert_eq!(m.len(), 8);
    assert_eq!(
        m.to_full_snapshot(1.0).get("data").unwrap().to_value(),
        snapshot_event(PAGE, 1.0).get("data").unwrap().to_value()
    );
    // Attribute order is the recording's, not sorted.
    let body = snapshot_node(&m).to_string_compact();
    assert!(
        body.contains(r#""attributes":{"class":"b","data-x":"1"}"#),
        "{body}"
    );
    assert_idempotent(&m);
}

#[test]
fn adds_are_placed_by_next_then_previous_sibling() {
    let mut m = page();
    // Before its next sibling, after a previous one, at the end without either.
    let after_6 = format!(
        r#"{{"parentId":5,"previousId":6,"nextId":null,"node":{}}}"#,
        el(12, "i", "{}")
    );
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{},{},{after_6}]}}"#,
            add(5, Some(8), &el(10, "p", "{}")),
            add(5, None, &el(11, "span", "{}")),
        ),
    );
    assert_eq!(m.children(5), [6, 12, 10, 8, 11]);
    assert_idempotent(&m);
}

#[test]
fn adds_wait_for_their_parent_and_next_sibling_within_a_mutation() {
    let mut m = page();
    // A node before the sibling it goes in front of, its child queued behind it.
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{},{},{},{}]}}"#,
            add(5, Some(22), &el(20, "section", "{}")),
            add(20, None, &text_node(21, "inner")),
            add(5, None, &el(22, "footer", "{}")),
            add(99, None, &el(23, "lost", "{}")),
        ),
    );
    assert_eq!(m.children(5), [6, 8, 20, 22]);
    assert_eq!(m.children(20), [21]);
    assert!(
        !m.contains(23),
        "an add whose parent never comes is dropped"
    );
    assert_eq!(m.stats().dropped_adds, 1);
    assert_idempotent(&m);
}

#[test]
fn a_queued_child_listed_before_its_queued_parent_is_dropped_as_rrweb_does() {
    let mut m = page();
    // rrweb's resolve trees only nest a node under a parent queued before it; this child
    // becomes a root whose parent is still missing when the queue is walked.
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{},{},{}]}}"#,
            add(20, None, &text_node(21, "inner")),
            add(5, Some(22), &el(20, "section", "{}")),
            add(5, None, &el(22, "footer", "{}")),
        ),
    );
    assert_eq!(m.children(5), [6, 8, 20, 22]);
    assert!(m.children(20).is_empty());
    assert_eq!(m.stats().dropped_adds, 1);
}

#[test]
fn a_queued_document_waits_for_its_iframe_across_mutations() {
    let mut m = page();
    let doc = r#"{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[
        {"type":2,"tagName":"body","attributes":{},"childNodes":[{"type":3,"textContent":"in frame","id":33,"rootId":30}],"id":32,"rootId":30}
      ],"id":31,"rootId":30}],"id":30}"#;
    mutate(&mut m, &format!(r#"{{"adds":[{}]}}"#, add(40, None, doc)));
    assert_eq!(m.pending_documents(), 1);
    assert!(!m.contains(30));
    mutate(
        &mut m,
        &format!(r#"{{"adds":[{}]}}"#, add(5, None, &el(40, "iframe", "{}"))),
    );
    assert_eq!(m.pending_documents(), 0);
    assert_eq!(m.content_document(40), Some(30));
    assert_eq!(m.text(33), Some("in frame"));
    // The snapshot leaves the frame empty; a mutation attaches the document, as rrweb does.
    let snap = snapshot_node(&m).to_string_compact();
    assert!(!snap.contains("in frame"));
    let docs = m.attach_events(9.0);
    assert_eq!(docs.len(), 1);
    let data = docs[0].get("data").unwrap();
    assert_eq!(data.get("isAttachIframe"), Some(&Json::Bool(true)));
    assert_eq!(
        data.get("adds").unwrap().as_array().unwrap()[0].get("parentId"),
        Some(&Json::int(40))
    );
    assert_idempotent(&m);
    // A new document replaces the old; the old one's nodes are gone.
    let doc2 = r#"{"type":0,"childNodes":[],"id":50}"#;
    mutate(&mut m, &format!(r#"{{"adds":[{}]}}"#, add(40, None, doc2)));
    assert_eq!(m.content_document(40), Some(50));
    assert!(!m.contains(33));
    assert!(m.is_detached(33));
    // Removing the iframe takes its document too.
    mutate(&mut m, r#"{"removes":[{"parentId":5,"id":40}]}"#);
    assert!(!m.contains(40) && !m.contains(50));
    assert_idempotent(&m);
}

#[test]
fn a_move_is_a_remove_then_an_add_and_children_come_back_with_their_own_adds() {
    let mut m = page();
    mutate(
        &mut m,
        &format!(
            r#"{{"removes":[{{"parentId":5,"id":6}}],"adds":[{},{}]}}"#,
            add(
                8,
                None,
                r#"{"type":2,"tagName":"div","attributes":{"id":"a"},"childNodes":[],"id":6}"#
            ),
            add(6, None, &text_node(7, "hello")),
        ),
    );
    assert_eq!(m.children(5), [8]);
    assert_eq!(m.children(8), [6]);
    assert_eq!(m.children(6), [7]);
    assert_idempotent(&m);
}

#[test]
fn a_readd_with_the_same_serialization_moves_the_node_with_its_children() {
    let mut m = page();
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{}]}}"#,
            add(
                8,
                None,
                r#"{"type":2,"tagName":"div","attributes":{"id":"a"},"childNodes":[],"id":6}"#
            )
        ),
    );
    assert_eq!(m.children(5), [8]);
    assert_eq!(m.children(6), [7], "rrweb reuses the node it has");
    assert_eq!(m.stats().ghost_nodes, 0);
    assert_idempotent(&m);
}

#[test]
fn a_readd_with_another_serialization_leaves_the_old_node_in_the_page_without_its_id() {
    let mut m = page();
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{}]}}"#,
            add(
                8,
                None,
                r#"{"type":2,"tagName":"div","attributes":{"id":"changed"},"childNodes":[],"id":6}"#
            )
        ),
    );
    // The new node 6 is empty under 8; the old one keeps its place and its child, id-less.
    assert_eq!(m.children(8), [6]);
    assert!(m.children(6).is_empty());
    let kids = m.children(5).to_vec();
    assert_eq!(kids.len(), 2);
    assert!(kids[0] < -1, "ghost id: {kids:?}");
    assert_eq!(m.children(kids[0]), [7]);
    assert_eq!(m.parent(7), Some(kids[0]));
    assert_idempotent(&m);
}

#[test]
fn removes_take_the_whole_subtree_and_skip_unknown_nodes() {
    let mut m = page();
    mutate(
        &mut m,
        r#"{"removes":[{"parentId":5,"id":6},{"parentId":5,"id":77},{"parentId":6,"id":7}]}"#,
    );
    assert!(!m.contains(6) && !m.contains(7));
    assert_eq!(m.children(5), [8]);
    assert_eq!(m.len(), 6);
    assert_idempotent(&m);
}

#[test]
fn a_remove_naming_the_wrong_parent_unmaps_but_leaves_the_node() {
    let mut m = page();
    mutate(&mut m, r#"{"removes":[{"parentId":8,"id":6}]}"#);
    assert!(!m.contains(6) && !m.contains(7));
    let kids = m.children(5).to_vec();
    assert_eq!(kids.len(), 2);
    assert!(kids[0] < -1 && m.children(kids[0])[0] < -1);
    assert_idempotent(&m);
}

#[test]
fn texts_then_attributes_with_null_style_objects_and_order() {
    let mut m = page();
    mutate(
        &mut m,
        r#"{"texts":[{"id":7,"value":"first"},{"id":7,"value":"last"},{"id":99,"value":"x"}],
            "attributes":[
              {"id":5,"attributes":{"class":null,"zeta":"z","data-x":"2"}},
              {"id":6,"attributes":{"style":"color: red; width: 1px"}},
              {"id":6,"attributes":{"style":{"width":"2px","top":["0px","important"],"color":false}}},
              {"id":8,"attributes":{"style":{"left":"3px"}}},
              {"id":99,"attributes":{"a":"b"}}
            ]}"#,
    );
    assert_eq!(m.text(7), Some("last"));
    let body = snapshot_node(&m).to_string_compact();
    assert!(
        body.contains(r#""attributes":{"data-x":"2","zeta":"z"}"#),
        "{body}"
    );
    assert_eq!(
        m.attribute(6, "style").and_then(Json::as_str),
        Some("width: 2px; top: 0px !important;")
    );
    assert_eq!(
        m.attribute(8, "style").and_then(Json::as_str),
        Some("left: 3px;")
    );
    assert_idempotent(&m);
}

#[test]
fn attributes_of_a_node_removed_in_the_same_mutation_are_ignored() {
    let mut m = page();
    mutate(
        &mut m,
        r#"{"removes":[{"parentId":5,"id":8}],"attributes":[{"id":8,"attributes":{"a":"b"}}]}"#,
    );
    assert!(!m.contains(8));
}

#[test]
fn shadow_roots_hold_their_children_apart() {
    let mut m = page();
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{},{},{}]}}"#,
            add(
                8,
                None,
                r#"{"type":2,"tagName":"span","attributes":{},"childNodes":[],"id":60,"isShadow":true}"#
            ),
            add(
                8,
                None,
                r#"{"type":2,"tagName":"em","attributes":{},"childNodes":[],"id":61}"#
            ),
            add(60, None, &text_node(62, "shadow text")),
        ),
    );
    assert_eq!(m.shadow_children(8), [60]);
    assert_eq!(m.children(8), [61]);
    let snap = snapshot_node(&m).to_string_compact();
    assert!(snap.contains(r#""isShadowHost":true"#), "{snap}");
    assert!(snap.contains(r#""isShadow":true,"id":60"#), "{snap}");
    assert_idempotent(&m);
    // A remove without isShadow names the light tree, where the node is not.
    let mut n = m.clone();
    mutate(
        &mut n,
        r#"{"removes":[{"parentId":8,"id":60,"isShadow":true}]}"#,
    );
    assert!(n.shadow_children(8).is_empty() && !n.contains(62));
    assert_eq!(n.stats().ghost_nodes, 0);
}

#[test]
fn a_snapshot_with_a_shadow_host_and_iframe_in_it() {
    let node = r#"{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[
        {"type":2,"tagName":"body","attributes":{},"childNodes":[
          {"type":2,"tagName":"x-card","attributes":{},"isShadowHost":true,"childNodes":[
             {"type":3,"textContent":"light","id":5},
             {"type":2,"tagName":"b","attributes":{},"childNodes":[],"id":6,"isShadow":true}],"id":4},
          {"type":2,"tagName":"iframe","attributes":{"src":"about:blank"},"childNodes":[],"id":7}
        ],"id":3}],"id":2}],"id":1}"#;
    let doc = r#"{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[],"id":9,"rootId":8}],"id":8}"#;
    let mut b = KeyframeBuilder::new();
    b.push(&snapshot_event(node, 1.0));
    b.push(&mutation_event(
        &format!(
            r#"{{"adds":[{}],"isAttachIframe":true}}"#,
            add(7, None, doc)
        ),
        2.0,
    ));
    let m = b.mirror();
    assert_eq!(m.children(4), [5]);
    assert_eq!(m.shadow_children(4), [6]);
    assert_eq!(m.content_document(7), Some(8));
    assert_idempotent(m);
}

#[test]
fn rr_attributes_are_kept() {
    let node = r#"{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[
        {"type":2,"tagName":"body","attributes":{"rr_scrollLeft":10,"rr_scrollTop":20},"childNodes":[
          {"type":2,"tagName":"canvas","attributes":{"rr_dataURL":"data:image/png;base64,AAAA"},"childNodes":[],"id":4},
          {"type":2,"tagName":"img","attributes":{"src":"a.png","rr_dataURL":"data:image/png;base64,BBBB"},"childNodes":[],"id":5},
          {"type":2,"tagName":"video","attributes":{"rr_mediaState":"played","rr_mediaCurrentTime":3.5},"childNodes":[],"id":6}
        ],"id":3}],"id":2}],"id":1}"#;
    let mut m = DomMirror::new();
    m.apply_full_snapshot(snapshot_event(node, 1.0).get("data").unwrap());
    let snap = snapshot_node(&m).to_string_compact();
    for needle in [
        r#""rr_scrollLeft":10"#,
        r#""rr_scrollTop":20"#,
        r#""rr_dataURL":"data:image/png;base64,AAAA""#,
        r#""rr_dataURL":"data:image/png;base64,BBBB""#,
        r#""rr_mediaCurrentTime":3.5"#,
    ] {
        assert!(snap.contains(needle), "{needle} in {snap}");
    }
    assert_idempotent(&m);
}

#[test]
fn style_text_comes_from_css_text_split_across_its_text_nodes() {
    let node = r#"{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[
        {"type":2,"tagName":"head","attributes":{},"childNodes":[
          {"type":2,"tagName":"style","attributes":{"_cssText":"a { color: red; }/* rr_split */b { color: blue; }"},"childNodes":[
             {"type":3,"textContent":"","isStyle":true,"id":5},
             {"type":3,"textContent":"","isStyle":true,"id":6}],"id":4},
          {"type":2,"tagName":"style","attributes":{"_cssText":"i { x: y; }"},"childNodes":[],"id":7}
        ],"id":3}],"id":2}],"id":1}"#;
    let mut m = DomMirror::new();
    m.apply_full_snapshot(snapshot_event(node, 1.0).get("data").unwrap());
    assert_eq!(m.text(5), Some("a { color: red; }"));
    assert_eq!(m.text(6), Some("b { color: blue; }"));
    let snap = snapshot_node(&m).to_string_compact();
    // The text nodes carry it now; a childless style keeps its `_cssText`.
    assert!(!snap.contains("rr_split"), "{snap}");
    assert!(snap.contains(r#""_cssText":"i { x: y; }""#), "{snap}");
    assert_idempotent(&m);
    // A text node added to the childless style takes over the text rrweb made.
    mutate(
        &mut m,
        &format!(r#"{{"adds":[{}]}}"#, add(7, None, &text_node(8, ""))),
    );
    assert_eq!(m.text(8), Some("i { x: y; }"));
    assert_idempotent(&m);
}

#[test]
fn textarea_value_replaces_its_text() {
    let mut m = page();
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{},{}]}}"#,
            add(8, None, &el(70, "textarea", "{}")),
            add(70, None, &text_node(71, "typed")),
        ),
    );
    assert_eq!(m.children(70), [71]);
    mutate(
        &mut m,
        r#"{"attributes":[{"id":70,"attributes":{"value":"set"}}]}"#,
    );
    assert!(m.children(70).is_empty());
    assert!(m.is_detached(71));
    assert_eq!(m.attribute(70, "value").and_then(Json::as_str), Some("set"));
    assert_idempotent(&m);
}

#[test]
fn an_insert_rrweb_cannot_do_stops_the_rest_of_the_mutation() {
    let mut m = page();
    // Previous sibling 7 is in div 6; its next sibling (none) ... use 6, whose next (8) is
    // a child of 5, while the parent is 8: insertBefore throws.
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{{"parentId":8,"previousId":6,"nextId":null,"node":{}}}],
                "texts":[{{"id":7,"value":"never"}}]}}"#,
            el(80, "b", "{}")
        ),
    );
    assert_eq!(m.stats().aborted_mutations, 1);
    assert_eq!(m.text(7), Some("hello"));
    assert!(m.contains(80), "built, then the insert threw");
}

#[test]
fn keyframe_restores_scroll_input_media_viewport_and_drops_state_of_removed_nodes() {
    let mut events = vec![
        j(r#"{"type":4,"data":{"href":"http://x.test/","width":800,"height":600},"timestamp":1}"#),
        snapshot_event(PAGE, 2.0),
    ];
    events.push(mutation_event(
        &format!(
            r#"{{"adds":[{},{}]}}"#,
            add(8, None, &el(90, "input", r#"{"type":"checkbox"}"#)),
            add(8, None, &el(91, "video", r#"{"src":"v.mp4"}"#)),
        ),
        3.0,
    ));
    events.extend([
        j(r#"{"type":3,"data":{"source":3,"id":1,"x":0,"y":450},"timestamp":4}"#),
        j(r#"{"type":3,"data":{"source":3,"id":6,"x":5,"y":6},"timestamp":4}"#),
        j(r#"{"type":3,"data":{"source":5,"id":90,"text":"on","isChecked":true},"timestamp":5}"#),
        j(r#"{"type":3,"data":{"source":7,"type":0,"id":91,"currentTime":1.0},"timestamp":1000}"#),
        j(r#"{"type":3,"data":{"source":4,"width":1024,"height":700},"timestamp":1500}"#),
        j(r#"{"type":3,"data":{"source":9,"id":91,"type":0,"commands":[]},"timestamp":1600}"#),
    ]);
    events.push(mutation_event(
        r#"{"removes":[{"parentId":5,"id":6}]}"#,
        1700.0,
    ));
    let kf = keyframe_at(events.clone(), 3000.0);
    let kinds: Vec<(i64, Option<i64>)> = kf
        .events
        .iter()
        .map(|e| {
            (
                e.get("type").and_then(Json::as_i64).unwrap(),
                e.get("data")
                    .and_then(|d| d.get("source"))
                    .and_then(Json::as_i64),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (4, None),
            (2, None),
            (3, Some(3)),
            (3, Some(5)),
            (3, Some(7)),
            (3, Some(9))
        ],
        "{}",
        kf.to_json()
    );
    assert!(kf
        .events
        .iter()
        .all(|e| e.get("timestamp") == Some(&Json::num(3000.0))));
    let meta = kf.events[0].get("data").unwrap();
    assert_eq!(meta.get("width"), Some(&Json::int(1024)));
    assert_eq!(
        meta.get("href").and_then(Json::as_str),
        Some("http://x.test/")
    );
    let offset = kf.events[1]
        .get("data")
        .unwrap()
        .get("initialOffset")
        .unwrap();
    assert_eq!(offset.get("top").and_then(Json::as_f64), Some(450.0));
    // Node 6 was removed: its scroll is not restored; the document's is.
    assert_eq!(
        kf.events[2].get("data").unwrap().get("id"),
        Some(&Json::int(1))
    );
    let media = kf.events[4].get("data").unwrap();
    assert_eq!(media.get("type"), Some(&Json::int(0)));
    // Playing since t=1000 at 1.0s: two seconds later it is at 3.0s.
    assert_eq!(media.get("currentTime").and_then(Json::as_f64), Some(3.0));
    assert_eq!(kf.carried, 1, "the canvas event is carried");
    // Before the snapshot, a replay shows the snapshot (rrweb draws it at once).
    let first = events
        .iter()
        .find(|e| e.get("type").and_then(Json::as_i64) == Some(2))
        .and_then(|e| e.get("timestamp").and_then(Json::as_f64))
        .unwrap();
    assert!(first > 1.5);
    let early = keyframe_at(events.clone(), 1.5);
    let at_first = keyframe_at(events, first);
    assert_eq!(
        early
            .events
            .iter()
            .filter(|e| e.get("type").and_then(Json::as_i64) == Some(2))
            .count(),
        1
    );
    assert_eq!(early.events.len(), at_first.events.len());
    for (a, b) in early.events.iter().zip(&at_first.events) {
        assert_eq!(
            (a.get("type"), a.get("data")),
            (b.get("type"), b.get("data"))
        );
    }
}

#[test]
fn style_rules_are_carried_until_their_sheet_is_rewritten() {
    let node = r#"{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[
        {"type":2,"tagName":"head","attributes":{},"childNodes":[
          {"type":2,"tagName":"style","attributes":{},"childNodes":[{"type":3,"textContent":"a{}","isStyle":true,"id":5}],"id":4}
        ],"id":3}],"id":2}],"id":1}"#;
    let rule = |ts: f64| {
        j(&format!(
            r#"{{"type":3,"data":{{"source":8,"id":4,"adds":[{{"rule":"b {{ color: red; }}","index":1}}]}},"timestamp":{ts}}}"#
        ))
    };
    let adopted = j(
        r#"{"type":3,"data":{"source":15,"id":1,"styleIds":[1],"styles":[{"styleId":1,"rules":[{"rule":"c{}"}]}]},"timestamp":3}"#,
    );
    let events = vec![
        j(r#"{"type":4,"data":{"href":"","width":1,"height":1},"timestamp":1}"#),
        snapshot_event(node, 1.0),
        rule(2.0),
        adopted,
        j(
            r#"{"type":3,"data":{"source":13,"styleId":1,"index":[0],"set":{"property":"color","value":"red"}},"timestamp":4}"#,
        ),
    ];
    let kf = keyframe_at(events.clone(), 10.0);
    let sources: Vec<i64> = kf.events[2..]
        .iter()
        .map(|e| {
            e.get("data")
                .unwrap()
                .get("source")
                .and_then(Json::as_i64)
                .unwrap()
        })
        .collect();
    assert_eq!(sources, [8, 15, 13]);
    assert_eq!(kf.carried, 3);
    let mut later = events;
    later.push(mutation_event(r#"{"texts":[{"id":5,"value":"z{}"}]}"#, 5.0));
    let kf = keyframe_at(later, 10.0);
    let sources: Vec<i64> = kf.events[2..]
        .iter()
        .map(|e| {
            e.get("data")
                .unwrap()
                .get("source")
                .and_then(Json::as_i64)
                .unwrap()
        })
        .collect();
    assert_eq!(
        sources,
        [15, 13],
        "the rewritten sheet drops its inserted rule"
    );
}

// ---- real recordings -------------------------------------------------------------------

fn recording(path: &std::path::Path) -> Vec<Json> {
    recording_read_by(path, parse_recorded)
}

fn recording_read_by(
    path: &std::path::Path,
    read: fn(&[u8]) -> Result<Json, serde::de::value::Error>,
) -> Vec<Json> {
    let bytes = std::fs::read(path).unwrap();
    let mut events = match read(&bytes).unwrap() {
        Json::Array(a) => a,
        other => panic!(
            "{} is not an event array: {:?}",
            path.display(),
            other.get("type")
        ),
    };
    events.sort_by(|a, b| {
        let ts = |e: &Json| e.get("timestamp").and_then(Json::as_f64).unwrap_or(0.0);
        ts(a).total_cmp(&ts(b))
    });
    events
}

/// Ids a mutation refers to (removed nodes, parents and siblings of adds, text and
/// attribute targets).
fn referenced_ids(e: &Json) -> Vec<i64> {
    let d = e.get("data").unwrap();
    let mut out = Vec::new();
    let get = |v: &Json, k: &str| v.get(k).and_then(Json::as_i64).filter(|i| *i > 0);
    for (list, keys) in [
        ("removes", &["id", "parentId"][..]),
        ("adds", &["parentId", "nextId", "previousId"][..]),
        ("texts", &["id"][..]),
        ("attributes", &["id"][..]),
    ] {
        for item in d.get(list).and_then(Json::as_array).unwrap_or(&[]) {
            out.extend(keys.iter().filter_map(|k| get(item, k)));
        }
    }
    out
}

fn is_mutation(e: &Json) -> bool {
    e.get("type").and_then(Json::as_i64) == Some(3)
        && e.get("data")
            .and_then(|d| d.get("source"))
            .and_then(Json::as_i64)
            == Some(0)
}

/// Ghost ids (below -1) depend on how many were made before; numbered by appearance.
fn normalized(json: &Json) -> String {
    fn walk(v: &mut Json, next: &mut i64, map: &mut std::collections::HashMap<i64, i64>) {
        match v {
            Json::Object(o) => {
                for (k, val) in o.0.iter_mut() {
                    if k == "id" {
                        if let Some(id) = val.as_i64().filter(|i| *i < -1) {
                            let n = *map.entry(id).or_insert_with(|| {
                                *next -= 1;
                                *next
                            });
                            *val = Json::int(n);
                            continue;
                        }
                    }
                    walk(val, next, map);
                }
            }
            Json::Array(a) => a.iter_mut().for_each(|x| walk(x, next, map)),
            _ => {}
        }
    }
    let mut v = json.clone();
    walk(&mut v, &mut -1, &mut Default::default());
    v.to_string_compact()
}

fn tree(m: &DomMirror) -> String {
    let mut parts = vec![normalized(
        m.to_full_snapshot(0.0)
            .get("data")
            .unwrap()
            .get("node")
            .unwrap(),
    )];
    parts.extend(m.attach_events(0.0).iter().map(normalized));
    parts.join("\n")
}

struct Checked {
    keyframes: usize,
    later_refs: usize,
}

/// For times across the recording: the keyframe is a valid FullSnapshot holding exactly the
/// mirror's ids; a mirror built from it matches; every later mutation finds in the
/// keyframe's continuation each node the from-start continuation has; and both end alike.
fn check_recording(name: &str, events: &[Json]) -> Checked {
    let times: BTreeSet<i64> = {
        let ts: Vec<f64> = events
            .iter()
            .filter_map(|e| e.get("timestamp").and_then(Json::as_f64))
            .collect();
        let step = (ts.len() / 24).max(1);
        ts.iter()
            .step_by(step)
            .map(|t| *t as i64)
            .chain(ts.last().map(|t| *t as i64))
            .collect()
    };
    let mut checked = Checked {
        keyframes: 0,
        later_refs: 0,
    };
    for t in times {
        let t = t as f64;
        let mut from_start = KeyframeBuilder::new();
        let (before, after): (Vec<&Json>, Vec<&Json>) = events
            .iter()
            .partition(|e| e.get("timestamp").and_then(Json::as_f64).unwrap_or(0.0) <= t);
        for e in &before {
            from_start.push(e);
        }
        let kf = keyframe_at(events.iter().cloned(), t);
        // The import writes keyframes straight from the mirror: the same JSON as the tree.
        let built = from_start.keyframe(t);
        let mut written = Vec::new();
        let w = from_start.write_keyframe(t, &mut written).unwrap();
        let expected = if built.events.is_empty() {
            String::new()
        } else {
            built.to_json()
        };
        assert_eq!(
            String::from_utf8(written).unwrap(),
            expected,
            "{name} @{t}: the keyframe written as JSON is the one built"
        );
        assert_eq!(
            (w.events, w.carried, &w.notes),
            (built.events.len(), built.carried, &built.notes),
            "{name} @{t}"
        );
        if !from_start.mirror().has_document() {
            // Before the first snapshot a replay shows that snapshot, and so does the keyframe.
            let snaps = kf
                .events
                .iter()
                .filter(|e| e.get("type").and_then(Json::as_i64) == Some(2))
                .count();
            let any_snapshot = events
                .iter()
                .any(|e| e.get("type").and_then(Json::as_i64) == Some(2));
            assert_eq!(snaps, usize::from(any_snapshot), "{name} @{t}");
            continue;
        }
        checked.keyframes += 1;
        let snaps: Vec<&Json> = kf
            .events
            .iter()
            .filter(|e| e.get("type").and_then(Json::as_i64) == Some(2))
            .collect();
        assert_eq!(snaps.len(), 1, "{name} @{t}: one FullSnapshot");
        let node = snaps[0].get("data").unwrap().get("node").unwrap();
        assert_eq!(
            node.get("type").and_then(Json::as_i64),
            Some(0),
            "{name} @{t}"
        );
        // Node ids: unique, and exactly the mirror's (with the iframe documents).
        let mut ids = Vec::new();
        ids_of_tree(node, &mut ids);
        for e in kf.events.iter().filter(|e| is_mutation(e)) {
            for a in e
                .get("data")
                .unwrap()
                .get("adds")
                .unwrap()
                .as_array()
                .unwrap()
            {
                ids_of_tree(a.get("node").unwrap(), &mut ids);
            }
        }
        let unique: HashSet<i64> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{name} @{t}: ids repeat");
        let mirror_ids: HashSet<i64> = from_start.mirror().ids().collect();
        let pending_ok = from_start.mirror().pending_documents() > 0;
        if !pending_ok {
            assert_eq!(
                unique, mirror_ids,
                "{name} @{t}: snapshot ids vs mirror ids"
            );
        } else {
            assert!(mirror_ids.is_subset(&unique), "{name} @{t}");
        }
        // Replay the keyframe, then both continue.
        let mut resumed = KeyframeBuilder::new();
        for e in &kf.events {
            resumed.push(e);
        }
        assert_eq!(
            tree(resumed.mirror()),
            tree(from_start.mirror()),
            "{name} @{t}: the keyframe rebuilds the mirror"
        );
        for e in after {
            if is_mutation(e) {
                for id in referenced_ids(e) {
                    if from_start.mirror().contains(id) {
                        checked.later_refs += 1;
                        assert!(
                            resumed.mirror().contains(id),
                            "{name} @{t}: a later mutation at {} refers to {id}, not in the keyframe",
                            e.get("timestamp").unwrap().to_string_compact()
                        );
                    }
                }
            }
            from_start.push(e);
            resumed.push(e);
        }
        assert_eq!(
            tree(resumed.mirror()),
            tree(from_start.mirror()),
            "{name} @{t}: both replays end with the same DOM"
        );
        let end = f64::MAX / 4.0;
        let restore = |b: &KeyframeBuilder| -> Vec<(i64, String)> {
            b.keyframe(end)
                .events
                .iter()
                .filter(|e| !is_mutation(e))
                .filter_map(|e| {
                    let d = e.get("data")?;
                    Some((
                        d.get("source").and_then(Json::as_i64)?,
                        d.get("id").map(Json::to_string_compact).unwrap_or_default(),
                    ))
                })
                .collect()
        };
        assert_eq!(
            restore(&resumed),
            restore(&from_start),
            "{name} @{t}: end state"
        );
    }
    checked
}

fn json_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn keyframes_of_the_sample_recordings() {
    let files = json_files(&common::samples());
    assert!(files.len() >= 3);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let c = check_recording(&name, &recording(&f));
        assert!(c.keyframes > 10, "{name}: {} keyframes", c.keyframes);
        assert!(c.later_refs > 0, "{name}");
    }
}

#[test]
fn keyframes_of_the_rrweb_corpus() {
    let dir = common::corpus().join("public/rrweb");
    let files = json_files(&dir);
    assert!(files.len() >= 10, "{} recordings", files.len());
    let mut total = 0;
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        total += check_recording(&name, &recording(&f)).keyframes;
    }
    assert!(total > 100, "{total} keyframes checked");
}

fn raw_nodes(e: &Json) -> usize {
    match e {
        Json::Raw(_) => 1,
        Json::Array(a) => a.iter().map(raw_nodes).sum(),
        Json::Object(o) => o.iter().map(|(_, v)| raw_nodes(v)).sum(),
        _ => 0,
    }
}

fn written(b: &KeyframeBuilder, t: f64) -> serde_json::Value {
    let mut out = Vec::new();
    b.write_keyframe(t, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap_or(serde_json::Value::Null)
}

/// Nodes kept as their recorded text (read when a change or a check needs them, written
/// from the text when not) make the keyframes that nodes read at once make.
#[test]
fn added_nodes_kept_as_text_make_the_same_keyframes() {
    let mut files = json_files(&common::samples());
    files.extend(json_files(&common::corpus().join("public/rrweb")));
    let (mut kept, mut compared) = (0, 0);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let read = recording_read_by(&f, parse);
        let lazy = recording_read_by(&f, parse_recorded);
        kept += lazy.iter().map(raw_nodes).sum::<usize>();
        let (mut a, mut b) = (KeyframeBuilder::new(), KeyframeBuilder::new());
        let every = (read.len() / 12).max(1);
        for (i, (r, l)) in read.into_iter().zip(lazy).enumerate() {
            let t = r.get("timestamp").and_then(Json::as_f64).unwrap_or(0.0);
            a.push_owned(r);
            b.push_owned(l);
            if i % every == every - 1 {
                // Written first, while most nodes are unread; then built as values.
                assert_eq!(written(&a, t), written(&b, t), "{name} at event {i}");
                assert_eq!(
                    a.keyframe(t).to_json(),
                    b.keyframe(t).to_json(),
                    "{name} at {i}"
                );
                compared += 1;
            }
        }
    }
    assert!(kept > 400, "{kept} nodes kept as text");
    assert!(compared > 100, "{compared} keyframes compared");
}

#[test]
fn keyframe_events_are_rrweb_events() {
    let f = common::samples().join("kanban.json");
    let events = recording(&f);
    let mid = events[events.len() / 2]
        .get("timestamp")
        .and_then(Json::as_f64)
        .unwrap();
    let kf = keyframe_at(events, mid);
    let text = kf.to_json();
    let back: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(back.len(), kf.events.len());
    assert_eq!(back[0]["type"], 4);
    assert_eq!(back[1]["type"], 2);
    assert!(back[1]["data"]["initialOffset"].is_object());
    for e in &back {
        assert_eq!(e["timestamp"].as_f64(), Some(mid));
    }
    let _ = Obj::new();
}

#[test]
fn legacy_adds_with_sibling_minus_one_wait_for_their_sibling() {
    let mut m = page();
    mutate(
        &mut m,
        &format!(
            r#"{{"adds":[{},{{"parentId":30,"previousId":null,"nextId":-1,"node":{}}},{}]}}"#,
            add(5, None, &el(30, "nav", "{}")),
            el(31, "a", "{}"),
            add(31, None, &text_node(32, "one")),
        ),
    );
    // Built and mapped (it got its child) but not placed.
    assert_eq!(m.legacy_pending(), 1);
    assert!(m.children(30).is_empty());
    assert_eq!(m.children(31), [32]);
    // A keyframe carries it as it came; both go on alike.
    let mut again = reparsed(&m);
    assert_eq!(again.legacy_pending(), 1);
    let second = format!(
        r#"{{"adds":[{{"parentId":30,"previousId":31,"nextId":-1,"node":{}}},{{"parentId":30,"previousId":33,"nextId":null,"node":{}}}]}}"#,
        el(33, "a", "{}"),
        el(34, "a", "{}"),
    );
    mutate(&mut m, &second);
    mutate(&mut again, &second);
    assert_eq!(m.children(30), [31, 33, 34]);
    assert_eq!(m.children(31), [32]);
    assert_eq!(m.legacy_pending(), 0);
    assert_eq!(tree(&m), tree(&again));
    assert_idempotent(&m);
}

/// The focus and blur interactions (type, id) a keyframe at `t` replays, in order.
fn interactions(t: f64, events: &[Json]) -> Vec<(i64, i64)> {
    keyframe_at(events.to_vec(), t)
        .events
        .iter()
        .filter_map(|e| e.get("data"))
        .filter(|d| d.get("source").and_then(Json::as_i64) == Some(2))
        .filter_map(|d| Some((d.get("type")?.as_i64()?, d.get("id")?.as_i64()?)))
        .filter(|(kind, _)| matches!(kind, 5 | 6))
        .collect()
}

#[test]
fn the_focused_element_is_focused_again_and_a_blur_or_a_snapshot_forgets_it() {
    let mut events = vec![
        j(r#"{"type":4,"data":{"href":"http://x.test/","width":800,"height":600},"timestamp":1}"#),
        snapshot_event(PAGE, 2.0),
    ];
    events.push(mutation_event(
        &format!(
            r#"{{"adds":[{},{}]}}"#,
            add(8, None, &el(90, "input", r#"{"type":"text"}"#)),
            add(8, None, &el(92, "input", r#"{"type":"text"}"#)),
        ),
        3.0,
    ));
    events.extend([
        j(r#"{"type":3,"data":{"source":2,"type":5,"id":90},"timestamp":10}"#),
        j(r#"{"type":3,"data":{"source":2,"type":6,"id":90},"timestamp":20}"#),
        j(r#"{"type":3,"data":{"source":2,"type":5,"id":92},"timestamp":30}"#),
        // A blur of another element leaves the focus where it is.
        j(r#"{"type":3,"data":{"source":2,"type":6,"id":90},"timestamp":40}"#),
    ]);
    let focus_of = |t: f64, events: &[Json]| -> Option<i64> {
        keyframe_at(events.to_vec(), t)
            .events
            .iter()
            .filter_map(|e| e.get("data"))
            .filter(|d| {
                d.get("source").and_then(Json::as_i64) == Some(2)
                    && d.get("type").and_then(Json::as_i64) == Some(5)
            })
            .filter_map(|d| d.get("id").and_then(Json::as_i64))
            .next_back()
    };
    assert_eq!(focus_of(5.0, &events), None);
    assert_eq!(focus_of(15.0, &events), Some(90));
    // Blurred: focused and blurred again, for the caret it leaves (see the caret test).
    assert_eq!(interactions(25.0, &events), [(5, 90), (6, 90)], "blurred");
    assert_eq!(focus_of(45.0, &events), Some(92));
    assert_eq!(interactions(45.0, &events), [(5, 92)]);
    events.push(snapshot_event(PAGE, 50.0));
    assert_eq!(
        focus_of(55.0, &events),
        None,
        "a full snapshot rebuilds every node"
    );
}

#[test]
fn the_caret_stays_in_the_last_text_field_focused_after_it_is_blurred() {
    // Chromium leaves the caret in a text field that lost the focus, and focusing a button,
    // a checkbox or a disabled field does not move it; an editing host takes it too.
    let mut events = vec![
        j(r#"{"type":4,"data":{"href":"http://x.test/","width":800,"height":600},"timestamp":1}"#),
        snapshot_event(PAGE, 2.0),
    ];
    events.push(mutation_event(
        &format!(
            r#"{{"adds":[{},{},{},{},{},{}]}}"#,
            add(8, None, &el(90, "input", r#"{"type":"email"}"#)),
            add(8, None, &el(91, "button", r#"{"type":"submit"}"#)),
            add(8, None, &el(92, "input", r#"{"type":"checkbox"}"#)),
            add(8, None, &el(93, "textarea", r#"{"disabled":""}"#)),
            add(8, None, &el(94, "div", r#"{"contenteditable":"true"}"#)),
            add(8, None, &el(95, "textarea", "{}")),
        ),
        3.0,
    ));
    let focus = |id: i64, ts: f64| {
        j(&format!(
            r#"{{"type":3,"data":{{"source":2,"type":5,"id":{id}}},"timestamp":{ts}}}"#
        ))
    };
    let blur = |id: i64, ts: f64| {
        j(&format!(
            r#"{{"type":3,"data":{{"source":2,"type":6,"id":{id}}},"timestamp":{ts}}}"#
        ))
    };
    events.extend([
        focus(90, 10.0),
        blur(90, 20.0),
        focus(91, 20.0),
        blur(91, 30.0),
        focus(92, 30.0),
        blur(92, 40.0),
        focus(93, 40.0),
        focus(94, 50.0),
        blur(94, 60.0),
    ]);
    assert_eq!(interactions(15.0, &events), [(5, 90)]);
    assert_eq!(interactions(25.0, &events), [(5, 90), (6, 90), (5, 91)]);
    assert_eq!(interactions(35.0, &events), [(5, 90), (6, 90), (5, 92)]);
    assert_eq!(
        interactions(45.0, &events),
        [(5, 90), (6, 90), (5, 93)],
        "a disabled textarea takes no caret"
    );
    assert_eq!(interactions(55.0, &events), [(5, 94)]);
    assert_eq!(interactions(65.0, &events), [(5, 94), (6, 94)]);
    // Built anew by a mutation, the element is not the one that had the caret.
    events.push(mutation_event(
        &format!(
            r#"{{"removes":[{{"parentId":8,"id":94}}],"adds":[{}]}}"#,
            add(8, None, &el(94, "div", r#"{"contenteditable":"true"}"#)),
        ),
        70.0,
    ));
    assert_eq!(interactions(75.0, &events), []);
    events.extend([focus(95, 80.0), blur(95, 90.0)]);
    assert_eq!(interactions(95.0, &events), [(5, 95), (6, 95)]);
    events.push(snapshot_event(PAGE, 100.0));
    assert_eq!(
        interactions(105.0, &events),
        [],
        "a full snapshot forgets it"
    );
}

#[test]
fn a_playing_video_that_was_paused_shows_the_time_it_was_paused_at() {
    // rrweb seeks a playing element only once its metadata is known; until then it shows
    // the time of the last pause. The keyframe pauses it there before it plays again.
    let video = r#"{"type":0,"childNodes":[
      {"type":2,"tagName":"html","attributes":{},"childNodes":[
        {"type":2,"tagName":"body","attributes":{},"childNodes":[
          {"type":2,"tagName":"video","attributes":{"rr_mediaState":"played","rr_mediaCurrentTime":2,"rr_mediaMuted":true},"childNodes":[],"id":4}
        ],"id":3}
      ],"id":2}
    ],"id":1}"#;
    let media = |kind: i64, time: f64, ts: f64| {
        j(&format!(
            r#"{{"type":3,"data":{{"source":7,"type":{kind},"id":4,"currentTime":{time}}},"timestamp":{ts}}}"#
        ))
    };
    let mut events = vec![
        j(r#"{"type":4,"data":{"href":"http://x.test/","width":800,"height":600},"timestamp":1}"#),
        snapshot_event(video, 1000.0),
    ];
    let restored = |t: f64, events: &[Json]| -> Vec<(i64, f64)> {
        keyframe_at(events.to_vec(), t)
            .events
            .iter()
            .filter_map(|e| e.get("data"))
            .filter(|d| d.get("source").and_then(Json::as_i64) == Some(7))
            .filter_map(|d| Some((d.get("type")?.as_i64()?, d.get("currentTime")?.as_f64()?)))
            .collect()
    };
    // Playing since the snapshot, which the rebuild gives as it is.
    assert_eq!(restored(2000.0, &events), [(0, 3.0)]);
    events.extend([media(1, 20.5, 3000.0), media(0, 9.5, 4000.0)]);
    assert_eq!(restored(3500.0, &events), [(1, 20.5)]);
    assert_eq!(restored(5000.0, &events), [(1, 20.5), (0, 10.5)]);
    // A play without a pause before it keeps the snapshot's time.
    let mut replayed = events[..2].to_vec();
    replayed.push(media(0, 7.0, 3000.0));
    assert_eq!(restored(4000.0, &replayed), [(0, 8.0)]);
}

/// The node of id `id` in a written keyframe's full snapshot.
fn node_in(v: &Json, id: i64) -> Option<&Json> {
    if v.get("id").and_then(Json::as_i64) == Some(id) && v.get("type").is_some() {
        return Some(v);
    }
    match v {
        Json::Array(a) => a.iter().find_map(|c| node_in(c, id)),
        Json::Object(o) => o.iter().find_map(|(_, c)| node_in(c, id)),
        _ => None,
    }
}

/// Attribute changes to added nodes still kept as their text are kept beside it (a value
/// set in place, a new one at the end, a removal; past a few changes the node is read), and
/// make the keyframes that nodes read at once make, in the same order.
#[test]
fn attribute_changes_to_unread_nodes_make_the_same_keyframes() {
    let adds = [
        add(
            8,
            None,
            &el(10, "div", r#"{"class":"a","style":"color: red;"}"#),
        ),
        add(8, None, &el(11, "span", "{}")),
        add(
            8,
            None,
            r#"{"type":2,"tagName":"p","childNodes":[],"id":12}"#,
        ),
        add(8, None, &el(13, "i", r#"{"title":"x"}"#)),
        add(8, None, &el(14, "b", r#"{"a":"1"}"#)),
    ]
    .join(",");
    let mut changes = vec![
        r#"{"id":10,"attributes":{"class":"b","title":"t"}}"#.to_string(),
        r#"{"id":11,"attributes":{"data-x":"1","data-y":"2"}}"#.into(),
        r#"{"id":11,"attributes":{"data-x":null}}"#.into(),
        r#"{"id":12,"attributes":{"a":"b"}}"#.into(),
        r#"{"id":13,"attributes":{"title":"say \"hi\"\n","gone":null}}"#.into(),
    ];
    for i in 0..12 {
        changes.push(format!(
            r#"{{"id":14,"attributes":{{"a":"{i}","n{i}":"v"}}}}"#
        ));
    }
    let events = [
        r#"{"type":4,"data":{"href":"http://x.test/","width":800,"height":600},"timestamp":1}"#
            .to_string(),
        snapshot_event(PAGE, 2.0).to_string_compact(),
        mutation_event(&format!(r#"{{"adds":[{adds}]}}"#), 3.0).to_string_compact(),
        mutation_event(&format!(r#"{{"attributes":[{}]}}"#, changes.join(",")), 4.0)
            .to_string_compact(),
        // Node 10 added again as it was recorded: rrweb compares that with the node as it
        // was built (not as changed since), finds it the same, and moves it.
        mutation_event(
            &format!(
                r#"{{"adds":[{}]}}"#,
                add(
                    5,
                    None,
                    &el(10, "div", r#"{"class":"a","style":"color: red;"}"#)
                )
            ),
            5.0,
        )
        .to_string_compact(),
    ];
    let text = format!("[{}]", events.join(","));
    let (Json::Array(read), Json::Array(lazy)) = (
        parse(text.as_bytes()).unwrap(),
        parse_recorded(text.as_bytes()).unwrap(),
    ) else {
        panic!("not an array");
    };
    assert!(lazy.iter().map(raw_nodes).sum::<usize>() >= 6);
    let (mut a, mut b) = (KeyframeBuilder::new(), KeyframeBuilder::new());
    let written_by = |k: &KeyframeBuilder| {
        let mut out = Vec::new();
        k.write_keyframe(6.0, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    for (i, (r, l)) in read.into_iter().zip(lazy).enumerate() {
        a.push_owned(r);
        b.push_owned(l);
        // Written while the nodes are unread (building the keyframe as values reads them).
        assert_eq!(written_by(&a), written_by(&b), "after event {i}");
    }
    let kf = parse(written_by(&b).as_bytes()).unwrap();
    assert_eq!(a.keyframe(6.0).to_json(), b.keyframe(6.0).to_json());
    let attributes = |id: i64| {
        node_in(&kf, id)
            .and_then(|n| n.get("attributes"))
            .map(Json::to_string_compact)
    };
    assert_eq!(
        attributes(10).as_deref(),
        Some(r#"{"class":"b","style":"color: red;","title":"t"}"#)
    );
    assert_eq!(
        node_in(&kf, 10)
            .map(|n| n.to_string_compact())
            .unwrap_or_default(),
        r#"{"type":2,"tagName":"div","attributes":{"class":"b","style":"color: red;","title":"t"},"id":10,"childNodes":[]}"#,
        "moved, not built again"
    );
    assert_eq!(attributes(11).as_deref(), Some(r#"{"data-y":"2"}"#));
    assert_eq!(attributes(12).as_deref(), Some(r#"{"a":"b"}"#));
    assert_eq!(
        attributes(13).as_deref(),
        Some(r#"{"title":"say \"hi\"\n"}"#)
    );
    let many = (0..12)
        .map(|i| format!(r#""n{i}":"v""#))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(attributes(14), Some(format!(r#"{{"a":"11",{many}}}"#)));
    // The move put node 10 under the body, its text untouched by the changes.
    let body = node_in(&kf, 5).unwrap();
    let children = body.get("childNodes").and_then(Json::as_array).unwrap();
    assert_eq!(
        children
            .last()
            .and_then(|c| c.get("id"))
            .and_then(Json::as_i64),
        Some(10)
    );
}
