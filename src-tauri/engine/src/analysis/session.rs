//! A session's analysis from its windows': markers in one timeline, activity merged, and the
//! figures the feed shows, with the frustration score.

use super::activity::{merge_windows, totals};
use crate::model::{
    ActivitySegment, ConsoleEntry, Insights, Marker, MarkerKind, NetworkRequest, RequestPayloads,
};

/// One window's analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowResult {
    pub window: u32,
    /// Empty once combined into a session (the session holds them all).
    pub markers: Vec<Marker>,
    pub segments: Vec<ActivitySegment>,
    /// Markers counted but not kept (beyond `MAX_MARKERS`), by kind.
    pub spilled: Vec<(MarkerKind, u32)>,
    /// Console entries in time order (empty once combined).
    pub console: Vec<ConsoleEntry>,
    /// Console entries counted but not kept (beyond the window's caps).
    pub console_dropped: u32,
    /// Network requests with their headers and bodies, in time order (empty once combined).
    pub requests: Vec<(NetworkRequest, RequestPayloads)>,
    pub requests_dropped: u32,
    /// Distinct page titles, in the order they appeared.
    pub titles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionAnalysis {
    pub windows: Vec<WindowResult>,
    /// Every window's markers, in time order.
    pub markers: Vec<Marker>,
    /// Active wherever any window is.
    pub segments: Vec<ActivitySegment>,
    pub insights: Insights,
    /// Markers counted in the insights but not kept, by kind.
    pub spilled: Vec<(MarkerKind, u32)>,
    /// The markers as the library stores them (zstd-compressed JSON), made here so that an
    /// import does it on the analysis thread.
    pub encoded_markers: EncodedMarkers,
    /// Every window's console entries, in time order.
    pub console: Vec<ConsoleEntry>,
    pub console_dropped: u32,
    /// Every window's requests, in time order, each `index` its position here.
    pub requests: Vec<NetworkRequest>,
    pub requests_dropped: u32,
    /// Stored like the markers: the console entries, the request list, and the headers and
    /// bodies of each request that has them (by index).
    pub encoded_console: EncodedMarkers,
    pub encoded_requests: EncodedMarkers,
    pub encoded_payloads: Vec<(u32, EncodedMarkers)>,
    /// Every window's distinct page titles.
    pub titles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EncodedMarkers {
    pub raw_bytes: usize,
    pub data: Vec<u8>,
}

/// zstd level for stored markers: repetitive JSON, so a fast level compresses it well.
const MARKERS_ZSTD_LEVEL: i32 = 3;

impl EncodedMarkers {
    pub fn encode(markers: &[Marker]) -> Self {
        Self::json(markers)
    }

    /// Any of the analysis's values as zstd-compressed JSON.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        let json = serde_json::to_vec(value).expect("the analysis serialises");
        let data = zstd::bulk::compress(&json, MARKERS_ZSTD_LEVEL).expect("in-memory zstd");
        Self {
            raw_bytes: json.len(),
            data,
        }
    }
}

impl SessionAnalysis {
    /// Combines the windows' results; their markers move into the session's timeline.
    pub fn combine(mut windows: Vec<WindowResult>, inactivity_threshold_ms: i64) -> Self {
        let mut markers: Vec<Marker> = windows
            .iter_mut()
            .flat_map(|w| std::mem::take(&mut w.markers))
            .collect();
        markers.sort_by_key(|m| (m.at, m.window));
        let per_window: Vec<Vec<ActivitySegment>> =
            windows.iter().map(|w| w.segments.clone()).collect();
        let segments = merge_windows(&per_window, inactivity_threshold_ms);
        let spilled: Vec<(MarkerKind, u32)> = windows
            .iter()
            .flat_map(|w| w.spilled.iter().copied())
            .collect();
        let insights = insights(&markers, &spilled, &segments);
        let encoded_markers = EncodedMarkers::encode(&markers);
        let mut console: Vec<ConsoleEntry> = windows
            .iter_mut()
            .flat_map(|w| std::mem::take(&mut w.console))
            .collect();
        console.sort_by_key(|c| (c.at, c.window));
        let mut all: Vec<(NetworkRequest, RequestPayloads)> = windows
            .iter_mut()
            .flat_map(|w| std::mem::take(&mut w.requests))
            .collect();
        all.sort_by_key(|(r, _)| (r.at, r.window));
        let mut requests = Vec::with_capacity(all.len());
        let mut encoded_payloads = Vec::new();
        for (i, (mut r, p)) in all.into_iter().enumerate() {
            r.index = i as u32;
            if !p.is_empty() {
                encoded_payloads.push((r.index, EncodedMarkers::json(&p)));
            }
            requests.push(r);
        }
        let console_dropped = windows.iter().map(|w| w.console_dropped).sum();
        let requests_dropped = windows.iter().map(|w| w.requests_dropped).sum();
        let mut titles: Vec<String> = Vec::new();
        for t in windows.iter().flat_map(|w| &w.titles) {
            if !titles.contains(t) {
                titles.push(t.clone());
            }
        }
        Self {
            titles,
            windows,
            markers,
            segments,
            insights,
            spilled,
            encoded_markers,
            encoded_console: EncodedMarkers::json(&console),
            encoded_requests: EncodedMarkers::json(&requests),
            console,
            console_dropped,
            requests,
            requests_dropped,
            encoded_payloads,
        }
    }
}

/// Counts markers by kind (kept and spilled) and adds the activity totals and the score.
pub fn insights(
    markers: &[Marker],
    spilled: &[(MarkerKind, u32)],
    segments: &[ActivitySegment],
) -> Insights {
    let count = |k: MarkerKind| {
        let kept = markers.iter().filter(|m| m.kind == k).count() as u32;
        kept + spilled
            .iter()
            .filter(|(s, _)| *s == k)
            .map(|(_, n)| n)
            .sum::<u32>()
    };
    let (active_ms, inactive_ms) = totals(segments);
    let exceptions = count(MarkerKind::Exception);
    let mut i = Insights {
        page_count: count(MarkerKind::Navigation),
        clicks: count(MarkerKind::Click),
        errors: count(MarkerKind::ConsoleError) + exceptions,
        exceptions,
        warnings: count(MarkerKind::ConsoleWarning),
        failed_requests: count(MarkerKind::FailedRequest),
        rage_clicks: count(MarkerKind::RageClick),
        dead_clicks: count(MarkerKind::DeadClick),
        error_clicks: count(MarkerKind::ErrorClick),
        mouse_thrashes: count(MarkerKind::MouseThrash),
        scroll_thrashes: count(MarkerKind::ScrollThrash),
        u_turns: count(MarkerKind::UTurn),
        custom_events: count(MarkerKind::CustomEvent),
        active_ms,
        inactive_ms,
        frustration_score: 0,
    };
    i.frustration_score = frustration_score(&i);
    i
}

/// 0–100, saturating: each signal adds weight (rage and error clicks 3, dead clicks and
/// U-turns 2, thrashing 1, exceptions 1 up to 5), and the score is
/// `100 × (1 − e^(−weight / 10))`. One rage click scores 26, three score 59, and no number of
/// signals reaches 100. docs/ANALYSIS.md has the reasoning.
pub fn frustration_score(i: &Insights) -> u32 {
    let weight = 3 * i.rage_clicks
        + 2 * i.dead_clicks
        + 3 * i.error_clicks
        + i.mouse_thrashes
        + i.scroll_thrashes
        + 2 * i.u_turns
        + i.exceptions.min(5);
    let score = 100.0 * (1.0 - (-(weight as f64) / 10.0).exp());
    (score.round() as u32).min(99)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_grows_with_signals_and_saturates() {
        let mut i = Insights::default();
        assert_eq!(frustration_score(&i), 0);
        i.rage_clicks = 1;
        assert_eq!(frustration_score(&i), 26);
        i.rage_clicks = 3;
        assert_eq!(frustration_score(&i), 59);
        i.dead_clicks = 100;
        assert_eq!(frustration_score(&i), 99);
        // Exceptions alone count, but only up to five.
        let mut j = Insights {
            exceptions: 50,
            ..Default::default()
        };
        let many = frustration_score(&j);
        j.exceptions = 5;
        assert_eq!(frustration_score(&j), many);
    }
}
