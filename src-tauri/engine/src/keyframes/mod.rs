//! Keyframes: the state of one window's replay at a time `t`, written as events a replayer
//! can start from instead of the beginning: a Meta event, a synthetic FullSnapshot in
//! rrweb's format (same node ids as the recording, so every later event applies), the
//! mutations that attach iframe documents, and the incremental events that restore what a
//! snapshot does not hold (see [`state`]). What cannot be modelled is carried forward as
//! the recorded events, or named in the keyframe's notes.

pub mod json;
pub mod mirror;
pub mod state;
mod style_attr;

use std::collections::HashMap;

pub use json::{Json, Obj};
pub use mirror::DomMirror;
pub use state::ReplayState;

/// rrweb `EventType` values.
pub mod event_type {
    pub const DOM_CONTENT_LOADED: i64 = 0;
    pub const LOAD: i64 = 1;
    pub const FULL_SNAPSHOT: i64 = 2;
    pub const INCREMENTAL_SNAPSHOT: i64 = 3;
    pub const META: i64 = 4;
    pub const CUSTOM: i64 = 5;
    pub const PLUGIN: i64 = 6;
}

#[derive(Debug, Clone, Default)]
pub struct Keyframe {
    /// Meta, FullSnapshot, iframe documents, then the restoring events, all at `t`.
    pub events: Vec<Json>,
    /// How many of `events` are recorded events carried forward as they were.
    pub carried: usize,
    /// What the keyframe does not reproduce, in words.
    pub notes: Vec<String>,
}

impl Keyframe {
    /// The events as one JSON array, keys in order.
    pub fn to_json(&self) -> String {
        Json::Array(self.events.clone()).to_string_compact()
    }
}

/// What [`KeyframeBuilder::write_keyframe`] wrote.
#[derive(Debug, Clone, Default)]
pub struct WrittenKeyframe {
    pub events: usize,
    pub carried: usize,
    pub notes: Vec<String>,
}

/// One event of a keyframe, or its full snapshot with this `initialOffset` (written, the
/// snapshot is followed by the mutations that attach iframe documents, see
/// [`KeyframeBuilder::write_keyframe`]).
enum Piece {
    Event(Json),
    Snapshot(Option<(f64, f64)>),
}

/// A keyframe's pieces written as a JSON array into `out`; how many mutations attaching
/// iframe documents followed the snapshot.
fn write_pieces(
    pieces: &[Piece],
    mirror: &DomMirror,
    t: f64,
    out: &mut Vec<u8>,
) -> serde_json::Result<usize> {
    let mut attached = 0;
    out.push(b'[');
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match p {
            Piece::Event(e) => serde_json::to_writer(&mut *out, e)?,
            Piece::Snapshot(offset) => {
                // The iframes with a document are found while the snapshot is written.
                let mut frames = Vec::new();
                mirror.write_full_snapshot(t, *offset, &mut frames, out)?;
                let attach = mirror.attach_events_from(frames, t);
                attached = attach.len();
                for e in &attach {
                    out.push(b',');
                    serde_json::to_writer(&mut *out, e)?;
                }
            }
        }
    }
    out.push(b']');
    Ok(attached)
}

/// The note on custom and plugin events seen (after their count): the one note that says
/// nothing about the page, so a keyframe that has it can still be folded on
/// ([`KeyframeBuilder::count_listener_events`]).
pub const LISTENER_EVENTS_NOTE: &str = "custom and plugin events are not replayed by the keyframe";

/// Folds a window's events, in order, into a mirror and replay state that can write a
/// keyframe at any point.
#[derive(Debug, Clone, Default)]
pub struct KeyframeBuilder {
    mirror: DomMirror,
    state: ReplayState,
    /// Custom and plugin events seen: rrweb hands them to listeners and plugins, which may
    /// keep their own state; a keyframe does not replay them.
    skipped_listener_events: u64,
}

impl KeyframeBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn mirror(&self) -> &DomMirror {
        &self.mirror
    }

    pub fn state(&self) -> &ReplayState {
        &self.state
    }

    /// Counts `n` custom and plugin events seen before the events folded here (a keyframe's
    /// note on them, when folding on from that keyframe).
    pub fn count_listener_events(&mut self, n: u64) {
        self.skipped_listener_events += n;
    }

    /// Applies one event (events must come in timestamp order).
    pub fn push(&mut self, e: &Json) {
        self.push_owned(e.clone());
    }

    /// [`KeyframeBuilder::push`], keeping what it keeps of the event without a copy.
    pub fn push_owned(&mut self, e: Json) {
        let timestamp = e.get("timestamp").and_then(Json::as_f64).unwrap_or(0.0);
        let kind = e.get("type").and_then(Json::as_i64);
        let data = match e {
            Json::Object(mut o) => o.get_mut("data").map(std::mem::take).unwrap_or_default(),
            _ => Json::Null,
        };
        match kind {
            Some(event_type::FULL_SNAPSHOT) => {
                self.mirror.apply_full_snapshot_owned(data);
                self.mirror.take_fresh();
                self.state.apply_full_snapshot(&self.mirror, timestamp);
            }
            Some(event_type::INCREMENTAL_SNAPSHOT) => {
                if data.get("source").and_then(Json::as_i64) == Some(state::source::MUTATION) {
                    self.apply_mutation(data);
                } else {
                    self.state
                        .apply_incremental_owned(data, timestamp, &self.mirror);
                }
            }
            Some(event_type::META) => self.state.apply_meta(&data),
            Some(event_type::CUSTOM | event_type::PLUGIN) => self.skipped_listener_events += 1,
            _ => {}
        }
    }

    fn apply_mutation(&mut self, data: Json) {
        if !self.state.has_any_sheet_rules() {
            // No sheet has rules of its own to reset: the common case, and a cheap one.
            self.mirror.apply_mutation_owned(data);
            let fresh = self.mirror.take_fresh();
            self.state.forget(&fresh);
            return;
        }
        // Text nodes' parents before the change, to see which `<style>` sheets it resets.
        let text_parents: HashMap<i64, i64> = data
            .get("texts")
            .and_then(Json::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|t| t.get("id").and_then(Json::as_i64))
            .filter_map(|id| Some((id, self.mirror.parent(id)?)))
            .collect();
        let touched = state::touched_sheets(&data, &text_parents, &self.state);
        self.mirror.apply_mutation_owned(data);
        let fresh = self.mirror.take_fresh();
        self.state.forget(&fresh);
        for id in touched {
            self.state.reset_sheet(id);
        }
    }

    /// The keyframe for the state now, stamped `t`.
    pub fn keyframe(&self, t: f64) -> Keyframe {
        let (pieces, carried, notes) = self.pieces(t, true);
        let events = pieces
            .into_iter()
            .map(|p| match p {
                Piece::Event(e) => e,
                Piece::Snapshot(offset) => self.mirror.to_full_snapshot_at(t, offset),
            })
            .collect();
        Keyframe {
            events,
            carried,
            notes,
        }
    }

    /// [`KeyframeBuilder::keyframe`] written as JSON into `out` (what [`Keyframe::to_json`]
    /// gives; nothing when it has no event), the snapshot straight from the mirror.
    pub fn write_keyframe(&self, t: f64, out: &mut Vec<u8>) -> serde_json::Result<WrittenKeyframe> {
        let (pieces, carried, notes) = self.pieces(t, false);
        let mut events = pieces.len();
        if !pieces.is_empty() {
            events += write_pieces(&pieces, &self.mirror, t, out)?;
        }
        Ok(WrittenKeyframe {
            events,
            carried,
            notes,
        })
    }

    /// A keyframe's events in order (the snapshot still to write, and without the
    /// mutations attaching iframe documents unless `attach`), the recorded events it carries,
    /// its notes.
    fn pieces(&self, t: f64, attach: bool) -> (Vec<Piece>, usize, Vec<String>) {
        let mut pieces = Vec::new();
        let mut carried = 0;
        let mut notes = Vec::new();
        let Some(root) = self.mirror.root_id() else {
            notes.push("no full snapshot at or before this time: nothing to rebuild".into());
            return (pieces, carried, notes);
        };
        if let Some(meta) = self.state.meta_event(t) {
            pieces.push(Piece::Event(meta));
        } else {
            notes.push("no viewport recorded yet: the keyframe has no Meta event".into());
        }
        pieces.push(Piece::Snapshot(self.state.document_scroll(root)));
        if attach {
            pieces.extend(self.mirror.attach_events(t).into_iter().map(Piece::Event));
        }
        carried += self.mirror.pending_documents() + self.mirror.legacy_pending();
        let (restore, restore_carried) = self.state.restore_events(&self.mirror, t);
        pieces.extend(restore.into_iter().map(Piece::Event));
        carried += restore_carried;
        notes.extend(self.notes());
        (pieces, carried, notes)
    }

    fn notes(&self) -> Vec<String> {
        let s = self.mirror.stats();
        let st = &self.state;
        let mut notes = Vec::new();
        let mut note = |n: u64, what: &str| {
            if n > 0 {
                notes.push(format!("{n} {what}"));
            }
        };
        note(
            s.aborted_mutations,
            "mutations stopped part-way, as rrweb stops them (an insert it cannot do)",
        );
        note(
            s.dropped_adds,
            "added nodes dropped: their parent or next sibling never came",
        );
        note(
            s.detached_nodes,
            "nodes left the page without a remove; rrweb still knows their ids, a keyframe cannot",
        );
        note(
            s.ghost_nodes,
            "nodes rrweb keeps in the page without an id are in the snapshot under ids below -1",
        );
        note(
            s.element_text_changes,
            "text changes on elements replaced their children with a text node that has no id",
        );
        note(
            self.mirror.legacy_pending() as u64,
            "nodes added with sibling -1 are still unplaced (carried as a mutation)",
        );
        note(
            self.mirror.pending_documents() as u64,
            "iframe documents still wait for their iframe (carried as a mutation)",
        );
        note(
            st.canvas_dropped,
            "older canvas events dropped (the last 64 per canvas are carried)",
        );
        note(
            st.sheet_events_dropped,
            "stylesheet events dropped over the limit per sheet",
        );
        note(self.skipped_listener_events, LISTENER_EVENTS_NOTE);
        notes
    }
}

/// The keyframe at `t` (epoch ms) of one window's events: every event with a timestamp at or
/// before `t`, in timestamp order (stable, as rrweb sorts them), folded into a mirror.
pub fn keyframe_at<I, E>(events: I, t: f64) -> Keyframe
where
    I: IntoIterator<Item = E>,
    E: Into<Json>,
{
    let mut kept: Vec<(f64, Json)> = events
        .into_iter()
        .map(Into::into)
        .filter_map(|e: Json| Some((e.get("timestamp").and_then(Json::as_f64)?, e)))
        .collect();
    kept.sort_by(|a, b| a.0.total_cmp(&b.0));
    // rrweb's Replayer draws the first full snapshot as soon as it is made, whatever the
    // time: before that snapshot, the page a replay shows is that snapshot's.
    let first_snapshot = kept
        .iter()
        .find(|(_, e)| e.get("type").and_then(Json::as_f64) == Some(2.0))
        .map(|(ts, _)| *ts);
    let until = first_snapshot.map_or(t, |first| t.max(first));
    kept.retain(|(ts, _)| *ts <= until);
    let mut b = KeyframeBuilder::new();
    for (_, e) in kept {
        b.push_owned(e);
    }
    b.keyframe(t)
}
