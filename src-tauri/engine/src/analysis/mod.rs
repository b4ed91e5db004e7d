//! What the library records about a recording, computed in the same streaming pass as the
//! import (never by replaying it).

pub mod activity;
pub mod background;
pub mod mirror;
pub mod session;
pub mod settings;
pub mod signals;
pub mod thrash;
pub mod window;

use crate::formats::event_detail::Detail;
use crate::formats::EventHead;
use crate::model::{EventCounts, EventKind, PageVisit};

pub use background::BackgroundAnalysis;
pub use session::{SessionAnalysis, WindowResult};
pub use settings::{AnalysisSettings, ANALYSIS_VERSION};
pub use window::WindowAnalyzer;

/// What the analysis needs of one event, kept while the event waits to be put in order.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFacts {
    pub kind: EventKind,
    pub ts: f64,
    /// `data.source` of incremental snapshots.
    pub source: Option<i64>,
    /// `data.type`: the mouse interaction kind, among others.
    pub data_type: Option<i64>,
    pub click: bool,
    /// A user action (pointer, scroll, input, touch, media, drag), not the page's own doing.
    pub interaction: bool,
    /// `data.href` of a Meta event.
    pub href: Option<String>,
    /// `data.width` / `data.height` of a Meta event.
    pub viewport: Option<(f64, f64)>,
    /// `data.width` / `data.height` of a ViewportResize event.
    pub resize: Option<(f64, f64)>,
    /// Boxed: facts are moved from the reorder buffer to the chunker to the analysis; keep
    /// them small.
    pub detail: Option<Box<Detail<'static>>>,
}

impl EventFacts {
    pub fn of(e: EventHead<'_>) -> Self {
        let meta = e.kind == EventKind::Meta;
        let resize = e.kind == EventKind::IncrementalSnapshot
            && e.source == Some(crate::formats::event::source::VIEWPORT_RESIZE);
        Self {
            kind: e.kind,
            ts: e.timestamp,
            source: e.source,
            data_type: e.data_type,
            click: e.is_click(),
            interaction: e.is_interaction(),
            resize: match (resize, e.width, e.height) {
                (true, Some(w), Some(h)) => Some((w, h)),
                _ => None,
            },
            detail: e.detail.map(|d| Box::new(d.into_owned())),
            href: if meta {
                e.href.as_deref().map(str::to_owned)
            } else {
                None
            },
            viewport: match (meta, e.width, e.height) {
                (true, Some(w), Some(h)) => Some((w, h)),
                _ => None,
            },
        }
    }
}

/// Running totals for one window or a whole session.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub counts: EventCounts,
    pub clicks: u32,
    pub started_at: Option<f64>,
    pub ended_at: Option<f64>,
    /// Pages in visit order; a repeated Meta for the same page (a re-snapshot) is not a visit.
    pub urls: Vec<PageVisit>,
    /// From the first Meta that carries a size.
    pub viewport: Option<(u32, u32)>,
    /// Spans of time with user interaction, `[start, end]` in epoch ms; used to tell which
    /// window (tab) the user was in.
    pub interaction_spans: Vec<(i64, i64)>,
}

/// Interactions closer than this belong to one span.
pub const INTERACTION_GAP_MS: i64 = 2_000;

impl Stats {
    pub fn observe(&mut self, e: &EventFacts) {
        self.counts.add(e.kind);
        if e.interaction {
            let t = e.ts.round() as i64;
            match self.interaction_spans.last_mut() {
                Some(span) if t - span.1 <= INTERACTION_GAP_MS && t >= span.0 => {
                    span.1 = span.1.max(t)
                }
                _ => self.interaction_spans.push((t, t)),
            }
        }
        if e.click {
            self.clicks += 1;
        }
        self.started_at = Some(self.started_at.map_or(e.ts, |s| s.min(e.ts)));
        self.ended_at = Some(self.ended_at.map_or(e.ts, |s| s.max(e.ts)));
        if let Some(href) = e.href.as_deref().filter(|h| !h.is_empty()) {
            if self.urls.last().map(|v| v.url.as_str()) != Some(href) {
                self.urls.push(PageVisit {
                    at: e.ts.round() as i64,
                    url: href.to_string(),
                    window: 0,
                });
            }
        }
        if self.viewport.is_none() {
            if let Some((w, h)) = e.viewport {
                if w > 0.0 && h > 0.0 && w < 1e6 && h < 1e6 {
                    self.viewport = Some((w as u32, h as u32));
                }
            }
        }
    }

    /// Session totals from its windows': counts and clicks add up, the span covers them all,
    /// and the viewport is the earliest window's. (Pages are merged by `merge_pages`.)
    pub fn merged<'a>(windows: impl IntoIterator<Item = &'a Stats>) -> Stats {
        let mut out = Stats::default();
        let mut viewport_from: Option<f64> = None;
        for w in windows {
            out.counts.add_counts(&w.counts);
            out.clicks += w.clicks;
            out.started_at = min_opt(out.started_at, w.started_at, f64::min);
            out.ended_at = min_opt(out.ended_at, w.ended_at, f64::max);
            if let (Some(v), Some(start)) = (w.viewport, w.started_at) {
                if viewport_from.is_none_or(|s| start < s) {
                    out.viewport = Some(v);
                    viewport_from = Some(start);
                }
            }
        }
        out
    }

    pub fn duration_ms(&self) -> f64 {
        match (self.started_at, self.ended_at) {
            (Some(s), Some(e)) => e - s,
            _ => 0.0,
        }
    }
}

/// Combines two optional values with `f`, or keeps whichever exists.
fn min_opt(a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(f(a, b)),
        (a, b) => a.or(b),
    }
}

/// The pages of every window in one list, in time order, each tagged with its window.
pub fn merge_pages<'a>(
    windows: impl IntoIterator<Item = (u32, &'a [PageVisit])>,
) -> Vec<PageVisit> {
    let mut all: Vec<PageVisit> = windows
        .into_iter()
        .flat_map(|(w, pages)| {
            pages.iter().map(move |p| PageVisit {
                window: w,
                ..p.clone()
            })
        })
        .collect();
    all.sort_by_key(|p| (p.at, p.window));
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::parse_event;

    #[test]
    fn collects_pages_clicks_and_viewport() {
        let mut s = Stats::default();
        for raw in [
            &br#"{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":100}"#[..],
            br#"{"type":2,"data":{},"timestamp":101}"#,
            br#"{"type":3,"data":{"source":2,"type":2},"timestamp":150}"#,
            br#"{"type":3,"data":{"source":2,"type":1},"timestamp":160}"#,
            br#"{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":170}"#,
            br#"{"type":4,"data":{"href":"https://a.test/b","width":1024,"height":768},"timestamp":300}"#,
        ] {
            s.observe(&EventFacts::of(parse_event(raw).unwrap()));
        }
        assert_eq!(s.clicks, 1);
        assert_eq!(s.counts.meta, 3);
        assert_eq!(s.counts.total, 6);
        assert_eq!(s.duration_ms(), 200.0);
        assert_eq!(s.viewport, Some((800, 600)));
        // The two mouse interactions 10 ms apart make one span.
        assert_eq!(s.interaction_spans, vec![(150, 160)]);
        let urls: Vec<_> = s.urls.iter().map(|u| u.url.as_str()).collect();
        assert_eq!(urls, ["https://a.test/", "https://a.test/b"]);
    }
}
