//! Puts a window's events in time order before they are chunked, within bounded memory, and
//! drops what would corrupt a replay: exact duplicates (exports and retries repeat batches)
//! and a stray event at the end dated far past the rest (a typo'd timestamp would otherwise
//! make a 40-second recording last months).

use std::cmp::Reverse;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BinaryHeap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};

use crate::analysis::EventFacts;

/// Events held back for reordering: arrival order is usually time order, or close to it.
const HOLD_EVENTS: usize = 4096;
const HOLD_BYTES: usize = 16 << 20;
/// How many recent events are remembered to recognise duplicates.
const DEDUP_WINDOW: usize = 8192;
/// A final event further than this past the one before it is treated as a bad timestamp…
const OUTLIER_GAP_MS: f64 = 24.0 * 3600.0 * 1000.0;
/// …when it is one of at most this many such events.
const MAX_OUTLIERS: usize = 3;

/// An event ready for the chunker.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    pub facts: EventFacts,
    pub raw: Vec<u8>,
}

#[derive(Debug, Default)]
pub struct Reorder {
    heap: BinaryHeap<Reverse<Held>>,
    held_bytes: usize,
    /// Arrival counter: ties in time keep arrival order.
    arrivals: u64,
    last_emitted: Option<f64>,
    recent: VecDeque<u64>,
    recent_set: HashSet<u64>,
    pub duplicates: u64,
    /// Events that arrived after later ones had already been chunked.
    pub late: u64,
    pub outliers: u64,
}

#[derive(Debug)]
struct Held {
    ts: f64,
    arrival: u64,
    /// Boxed so the heap moves 24 bytes, not the whole event, on every sift.
    event: Box<Ready>,
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.ts
            .total_cmp(&other.ts)
            .then(self.arrival.cmp(&other.arrival))
    }
}

impl Reorder {
    /// Takes an event; returns those now ready, in time order.
    pub fn push(&mut self, facts: EventFacts, raw: &[u8], out: &mut Vec<Ready>) {
        let ts = facts.ts;
        let fingerprint = {
            let mut h = DefaultHasher::new();
            ts.to_bits().hash(&mut h);
            raw.hash(&mut h);
            h.finish()
        };
        if !self.recent_set.insert(fingerprint) {
            self.duplicates += 1;
            return;
        }
        self.recent.push_back(fingerprint);
        if self.recent.len() > DEDUP_WINDOW {
            if let Some(old) = self.recent.pop_front() {
                self.recent_set.remove(&old);
            }
        }
        self.arrivals += 1;
        self.held_bytes += raw.len();
        self.heap.push(Reverse(Held {
            ts,
            arrival: self.arrivals,
            event: Box::new(Ready {
                facts,
                raw: raw.to_vec(),
            }),
        }));
        while self.heap.len() > HOLD_EVENTS || self.held_bytes > HOLD_BYTES {
            self.emit_one(out);
        }
    }

    /// Flushes what is held, dropping trailing outliers.
    pub fn finish(&mut self, out: &mut Vec<Ready>) {
        let mut rest = Vec::with_capacity(self.heap.len());
        while let Some(Reverse(h)) = self.heap.pop() {
            rest.push(*h.event);
        }
        let mut keep = rest.len();
        while keep > 0 && rest.len() - keep < MAX_OUTLIERS {
            let before = if keep >= 2 {
                Some(rest[keep - 2].facts.ts)
            } else {
                self.last_emitted
            };
            match before {
                Some(b) if rest[keep - 1].facts.ts - b > OUTLIER_GAP_MS && self.arrivals > 10 => {
                    keep -= 1
                }
                _ => break,
            }
        }
        self.outliers += (rest.len() - keep) as u64;
        rest.truncate(keep);
        for e in rest {
            self.emit(e, out);
        }
    }

    fn emit_one(&mut self, out: &mut Vec<Ready>) {
        if let Some(Reverse(h)) = self.heap.pop() {
            self.held_bytes -= h.event.raw.len();
            self.emit(*h.event, out);
        }
    }

    fn emit(&mut self, e: Ready, out: &mut Vec<Ready>) {
        let ts = e.facts.ts;
        if self.last_emitted.is_some_and(|last| ts < last) {
            self.late += 1;
        }
        self.last_emitted = Some(self.last_emitted.map_or(ts, |l| l.max(ts)));
        out.push(e);
    }

    /// What was changed, for the import's warnings.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.duplicates > 0 {
            notes.push(format!("{} duplicate events were dropped", self.duplicates));
        }
        if self.outliers > 0 {
            notes.push(format!(
                "{} events dated more than a day after the rest were dropped as bad timestamps",
                self.outliers
            ));
        }
        if self.late > 0 {
            notes.push(format!(
                "{} events arrived too far out of time order to be reordered",
                self.late
            ));
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventKind;

    fn facts(ts: f64) -> EventFacts {
        EventFacts {
            kind: EventKind::IncrementalSnapshot,
            ts,
            source: None,
            data_type: None,
            click: false,
            interaction: false,
            href: None,
            viewport: None,
            resize: None,
            detail: None,
        }
    }

    fn run(events: &[(f64, &str)]) -> (Vec<f64>, Reorder) {
        let mut r = Reorder::default();
        let mut out = Vec::new();
        for (ts, raw) in events {
            r.push(facts(*ts), raw.as_bytes(), &mut out);
        }
        r.finish(&mut out);
        (out.iter().map(|e| e.facts.ts).collect(), r)
    }

    #[test]
    fn sorts_and_keeps_arrival_order_for_ties() {
        let mut r = Reorder::default();
        let mut out = Vec::new();
        for (ts, raw) in [(3.0, "c"), (1.0, "a"), (2.0, "b1"), (2.0, "b2")] {
            r.push(facts(ts), raw.as_bytes(), &mut out);
        }
        r.finish(&mut out);
        let got: Vec<&[u8]> = out.iter().map(|e| e.raw.as_slice()).collect();
        assert_eq!(got, [&b"a"[..], b"b1", b"b2", b"c"]);
        assert!(r.notes().is_empty());
    }

    #[test]
    fn drops_exact_duplicates_only() {
        let (ts, r) = run(&[(1.0, "x"), (1.0, "x"), (1.0, "y"), (2.0, "x")]);
        assert_eq!(ts, [1.0, 1.0, 2.0]);
        assert_eq!(r.duplicates, 1);
    }

    #[test]
    fn drops_a_trailing_outlier_but_not_a_real_long_session() {
        let mut events: Vec<(f64, &str)> = (0..20).map(|i| (i as f64 * 1000.0, "e")).collect();
        events.insert(15, (1.7e10, "typo"));
        let (ts, r) = run(&events);
        assert_eq!(ts.len(), 20);
        assert_eq!(*ts.last().unwrap(), 19_000.0);
        assert_eq!(r.outliers, 1);
        // Many events after a long gap are a real gap.
        let events: Vec<(f64, &str)> = (0..20)
            .map(|i| (if i < 10 { i as f64 } else { 1e10 + i as f64 }, "e"))
            .collect();
        let (ts, r) = run(&events);
        assert_eq!((ts.len(), r.outliers), (20, 0));
    }

    #[test]
    fn memory_is_bounded_and_late_events_are_counted() {
        let mut r = Reorder::default();
        let mut out = Vec::new();
        for i in 0..(HOLD_EVENTS as u64 * 3) {
            r.push(facts(i as f64), &i.to_le_bytes(), &mut out);
            assert!(r.heap.len() <= HOLD_EVENTS);
        }
        r.push(facts(0.5), b"late", &mut out);
        r.finish(&mut out);
        assert_eq!(out.len(), HOLD_EVENTS * 3 + 1);
        assert_eq!(r.late, 1);
    }
}
