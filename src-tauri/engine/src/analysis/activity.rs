//! Active and inactive spans: a gap between user activities longer than the threshold is
//! inactive; the rest of the recording is active.

use crate::model::ActivitySegment;

#[derive(Debug, Clone)]
pub struct ActivityTracker {
    threshold: i64,
    start: Option<i64>,
    last: Option<i64>,
    /// Inactive gaps found so far, `(start, end)`.
    gaps: Vec<(i64, i64)>,
}

impl ActivityTracker {
    pub fn new(threshold_ms: i64) -> Self {
        Self {
            threshold: threshold_ms,
            start: None,
            last: None,
            gaps: Vec::new(),
        }
    }

    /// Every event moves the recording's span; `active` ones also count as activity.
    pub fn observe(&mut self, t: i64, active: bool) {
        let start = *self.start.get_or_insert(t);
        if !active {
            return;
        }
        let prev = self.last.unwrap_or(start);
        if t - prev > self.threshold {
            self.gaps.push((prev, t));
        }
        self.last = Some(t.max(prev));
    }

    /// Segments covering `[start, end]`, alternating, without gaps or overlaps.
    pub fn finish(mut self, end: i64) -> Vec<ActivitySegment> {
        let Some(start) = self.start else {
            return Vec::new();
        };
        let last = self.last.unwrap_or(start);
        if end - last > self.threshold {
            self.gaps.push((last, end));
        }
        segments_from_gaps(start, end.max(start), &self.gaps)
    }
}

/// Turns sorted, disjoint inactive gaps inside `[start, end]` into a covering segment list.
pub fn segments_from_gaps(start: i64, end: i64, gaps: &[(i64, i64)]) -> Vec<ActivitySegment> {
    let mut out = Vec::with_capacity(gaps.len() * 2 + 1);
    let mut at = start;
    for &(s, e) in gaps {
        let (s, e) = (s.clamp(at, end), e.clamp(at, end));
        if e <= s {
            continue;
        }
        if s > at {
            out.push(ActivitySegment {
                start: at,
                end: s,
                active: true,
            });
        }
        match out.last_mut() {
            // A lone instant of activity between two idle gaps takes no time: one idle span.
            Some(last) if !last.active && last.end == s => last.end = e,
            _ => out.push(ActivitySegment {
                start: s,
                end: e,
                active: false,
            }),
        }
        at = e;
    }
    if at < end || out.is_empty() {
        out.push(ActivitySegment {
            start: at,
            end,
            active: true,
        });
    }
    out
}

/// A session's segments from its windows': active wherever any window is active, and a gap
/// counts as inactive only when it is longer than the threshold.
pub fn merge_windows(windows: &[Vec<ActivitySegment>], threshold: i64) -> Vec<ActivitySegment> {
    let mut active: Vec<(i64, i64)> = windows
        .iter()
        .flatten()
        .filter(|s| s.active)
        .map(|s| (s.start, s.end))
        .collect();
    let start = windows.iter().flatten().map(|s| s.start).min();
    let end = windows.iter().flatten().map(|s| s.end).max();
    let (Some(start), Some(end)) = (start, end) else {
        return Vec::new();
    };
    active.sort_unstable();
    let mut gaps = Vec::new();
    let mut covered = start;
    for (s, e) in active {
        if s - covered > threshold {
            gaps.push((covered, s));
        }
        covered = covered.max(e);
    }
    if end - covered > threshold {
        gaps.push((covered, end));
    }
    segments_from_gaps(start, end, &gaps)
}

/// Total active and inactive milliseconds.
pub fn totals(segments: &[ActivitySegment]) -> (i64, i64) {
    segments.iter().fold((0, 0), |(a, i), s| {
        if s.active {
            (a + s.end - s.start, i)
        } else {
            (a, i + s.end - s.start)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start: i64, end: i64, active: bool) -> ActivitySegment {
        ActivitySegment { start, end, active }
    }

    #[test]
    fn gaps_longer_than_the_threshold_are_inactive() {
        let mut t = ActivityTracker::new(5_000);
        for (at, active) in [
            (0, true),
            (1_000, true),
            (2_000, false),
            (9_000, true),
            (9_500, true),
        ] {
            t.observe(at, active);
        }
        // A non-activity event at 2 s does not interrupt the gap 1 s → 9 s; the tail 9.5 → 20 s
        // is idle too.
        assert_eq!(
            t.finish(20_000),
            vec![
                seg(0, 1_000, true),
                seg(1_000, 9_000, false),
                seg(9_000, 9_500, true),
                seg(9_500, 20_000, false)
            ]
        );
    }

    #[test]
    fn idle_gaps_meeting_at_an_instant_are_one_span() {
        let mut t = ActivityTracker::new(5_000);
        for at in [0, 10_000, 20_000] {
            t.observe(at, true);
        }
        assert_eq!(t.finish(20_000), vec![seg(0, 20_000, false)]);
    }

    #[test]
    fn a_gap_of_exactly_the_threshold_stays_active() {
        let mut t = ActivityTracker::new(5_000);
        t.observe(0, true);
        t.observe(5_000, true);
        assert_eq!(t.finish(5_000), vec![seg(0, 5_000, true)]);
    }

    #[test]
    fn sessions_are_active_where_any_window_is() {
        let a = vec![seg(0, 10_000, true), seg(10_000, 30_000, false)];
        let b = vec![seg(12_000, 20_000, true), seg(20_000, 40_000, false)];
        // 10 → 12 s is covered by neither window but shorter than the threshold.
        assert_eq!(
            merge_windows(&[a, b], 5_000),
            vec![seg(0, 20_000, true), seg(20_000, 40_000, false)]
        );
        assert_eq!(totals(&merge_windows(&[], 5_000)), (0, 0));
    }
}
