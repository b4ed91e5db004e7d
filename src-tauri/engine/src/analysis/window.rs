//! One window's analysis, fed its events in time order (during import, or from the stored
//! chunks when reanalysing): activity, markers and frustration signals, in one pass with
//! bounded state besides the DOM mirror.

use std::collections::{HashMap, VecDeque};

use super::activity::ActivityTracker;
use super::mirror::{collapse, DomMirror};
use super::session::WindowResult;
use super::settings::AnalysisSettings;
use super::signals::{self, Signal};
use super::thrash::{EpisodeChange, Episodes, Reversals};
use super::EventFacts;
use crate::formats::event::source;
use crate::formats::event_detail::Detail;
use crate::model::{
    ClickTarget, ConsoleEntry, EventKind, Marker, MarkerDetail, MarkerKind, NetworkRequest,
    RequestPayloads,
};

/// Shortest useful label length for lists and tooltips.
const LABEL_CHARS: usize = 120;
/// Markers kept per window. Beyond this (only a hostile or broken recording gets there) they
/// are counted, not kept, so memory stays bounded: about 1 KB per marker.
pub const MAX_MARKERS: usize = 100_000;
/// The index `push` returns for a marker that was counted, not kept.
const SPILLED: usize = usize::MAX;
/// Console entries kept per window; beyond this, or beyond `MAX_CONSOLE_BYTES` of their
/// text, they are counted, not kept.
pub const MAX_CONSOLE_ENTRIES: usize = 100_000;
pub const MAX_CONSOLE_BYTES: usize = 64 << 20;
/// Network requests kept per window; beyond this they are counted, not kept.
pub const MAX_REQUESTS: usize = 100_000;
/// Bytes of headers and bodies kept per window; past this a request is kept without them.
pub const MAX_PAYLOAD_BYTES: usize = 64 << 20;

/// A click on a link or button waiting to see whether the page responds.
#[derive(Debug)]
struct PendingClick {
    t: f64,
    run: u64,
    /// Part of a rage-click episode: judged as that, not as a dead click.
    rage: bool,
    responded: bool,
    /// Its click marker, which holds the target and position.
    marker: usize,
}

#[derive(Debug)]
struct ClickRun {
    id: u64,
    first_t: f64,
    last_t: f64,
    x: f64,
    y: f64,
    count: u32,
    target: Option<ClickTarget>,
    /// Clicks in a text field select words and lines: never rage.
    text_field: bool,
    /// The rage-click marker, once the run is long enough.
    marker: Option<usize>,
}

#[derive(Debug)]
struct RecentClick {
    t: f64,
    /// Its click marker.
    marker: usize,
    errored: bool,
}

#[derive(Debug, Clone)]
struct Page {
    url: String,
    entered: f64,
}

/// An open thrashing marker: its index and the time of its last reversal.
type OpenEpisode = Option<(usize, f64)>;

pub struct WindowAnalyzer {
    s: AnalysisSettings,
    window: u32,
    mirror: DomMirror,
    activity: ActivityTracker,
    markers: Vec<Marker>,
    end: f64,
    run: Option<ClickRun>,
    runs: u64,
    pending: VecDeque<PendingClick>,
    recent_clicks: VecDeque<RecentClick>,
    page: Option<Page>,
    previous: Option<Page>,
    /// The page of the last full snapshot: a snapshot of another page is that page loading,
    /// of the same page a reload or a re-snapshot.
    snapshot_page: Option<String>,
    loaded: bool,
    snapshots: u32,
    mouse: [(Reversals, Episodes); 2],
    mouse_episode: OpenEpisode,
    scrolls: HashMap<(i64, u8), (Reversals, Episodes)>,
    scroll_episode: OpenEpisode,
    last_resize: Option<(usize, f64)>,
    signals: Vec<Signal>,
    /// Markers beyond `MAX_MARKERS`, counted by kind; `spill` takes their updates.
    spilled: Vec<(MarkerKind, u32)>,
    spill: Marker,
    console: Vec<ConsoleEntry>,
    console_bytes: usize,
    console_dropped: u32,
    requests: Vec<(NetworkRequest, RequestPayloads)>,
    payload_bytes: usize,
    requests_dropped: u32,
    /// Distinct page titles, in the order they appeared.
    titles: Vec<String>,
}

/// Distinct titles kept per window (an app that puts a counter in its title has many).
const MAX_TITLES: usize = 50;

impl WindowAnalyzer {
    pub fn new(window: u32, settings: &AnalysisSettings) -> Self {
        Self {
            s: settings.clone(),
            window,
            mirror: DomMirror::default(),
            activity: ActivityTracker::new(settings.inactivity_threshold_ms),
            markers: Vec::new(),
            end: f64::NEG_INFINITY,
            run: None,
            runs: 0,
            pending: VecDeque::new(),
            recent_clicks: VecDeque::new(),
            page: None,
            previous: None,
            snapshot_page: None,
            loaded: false,
            snapshots: 0,
            mouse: Default::default(),
            mouse_episode: None,
            scrolls: HashMap::new(),
            scroll_episode: None,
            last_resize: None,
            signals: Vec::new(),
            spilled: Vec::new(),
            spill: Marker {
                at: 0,
                window,
                kind: MarkerKind::Click,
                label: String::new(),
                detail: MarkerDetail::default(),
            },
            console: Vec::new(),
            console_bytes: 0,
            console_dropped: 0,
            titles: Vec::new(),
            requests: Vec::new(),
            payload_bytes: 0,
            requests_dropped: 0,
        }
    }

    /// Takes the next event of the window. The nodes of snapshots and mutations are moved
    /// into the page mirror; what else the analysis keeps it copies.
    pub fn observe(&mut self, mut f: EventFacts) {
        let t = f.ts;
        self.end = self.end.max(t);
        self.judge_clicks(t);
        let resize =
            f.kind == EventKind::IncrementalSnapshot && f.source == Some(source::VIEWPORT_RESIZE);
        let active =
            f.interaction || resize || matches!(f.kind, EventKind::FullSnapshot | EventKind::Meta);
        self.activity.observe(t.round() as i64, active);
        match f.kind {
            EventKind::DomContentLoaded | EventKind::Load => self.loaded = true,
            EventKind::Meta => {
                self.responded();
                if let Some(href) = f.href.as_deref().filter(|h| !h.is_empty()) {
                    self.navigate(t, href.to_string());
                }
            }
            EventKind::FullSnapshot => {
                self.responded();
                if let Some(Detail::Snapshot(nodes)) = f.detail.as_deref_mut() {
                    self.mirror.apply_snapshot(std::mem::take(nodes));
                    self.note_title();
                }
                let url = self.page.as_ref().map(|p| p.url.clone());
                if self.snapshots > 0 && url == self.snapshot_page {
                    let label = if self.loaded {
                        "Reload"
                    } else {
                        "Full snapshot"
                    };
                    self.push(
                        t,
                        MarkerKind::FullSnapshot,
                        label.into(),
                        MarkerDetail {
                            url: url.clone(),
                            ..Default::default()
                        },
                    );
                }
                self.snapshots += 1;
                self.snapshot_page = url;
                self.loaded = false;
            }
            EventKind::IncrementalSnapshot => self.incremental(t, &f),
            EventKind::Custom => {
                if let Some(Detail::Custom { tag, payload }) = f.detail.as_deref() {
                    let payload = payload.as_ref().and_then(|p| p.parse());
                    let mut found = std::mem::take(&mut self.signals);
                    signals::from_custom(
                        tag.as_deref().unwrap_or(""),
                        payload.as_ref(),
                        &mut found,
                    );
                    self.signals(t, &mut found);
                    self.signals = found;
                }
            }
            EventKind::Plugin => {
                if let Some(Detail::Plugin {
                    plugin: Some(plugin),
                    payload: Some(payload),
                }) = f.detail.as_deref()
                {
                    if let Some(payload) = payload.parse() {
                        let mut found = std::mem::take(&mut self.signals);
                        signals::from_plugin(plugin, &payload, &mut found);
                        self.signals(t, &mut found);
                        self.signals = found;
                    }
                }
            }
        }
        if let Some(Detail::Mutation(m)) = f.detail.as_deref_mut() {
            let may_retitle = !m.texts.is_empty() || !m.adds.is_empty();
            self.mirror.apply_mutation(std::mem::take(m));
            if may_retitle {
                self.note_title();
            }
        }
    }

    /// Keeps each distinct page title, for search.
    fn note_title(&mut self) {
        let Some(title) = self.mirror.title() else {
            return;
        };
        if self.titles.len() < MAX_TITLES && !self.titles.iter().any(|t| t == title) {
            self.titles.push(title.to_string());
        }
    }

    fn incremental(&mut self, t: f64, f: &EventFacts) {
        match f.source {
            Some(source::MUTATION | source::INPUT | source::MEDIA_INTERACTION) => self.responded(),
            Some(source::MOUSE_INTERACTION) if f.click => {
                if let Some(Detail::Target { id, x, y }) = f.detail.as_deref() {
                    self.click(t, *id, *x, *y);
                } else {
                    self.click(t, None, None, None);
                }
            }
            Some(source::MOUSE_MOVE | source::TOUCH_MOVE) => {
                if let Some(Detail::Positions(ps)) = f.detail.as_deref() {
                    for p in ps {
                        self.pointer(t + p.time_offset, p.x, p.y);
                    }
                }
            }
            Some(source::SCROLL) => {
                self.responded();
                if let Some(Detail::Target { id: Some(id), x, y }) = f.detail.as_deref() {
                    self.scroll(t, *id, *x, *y);
                }
            }
            Some(source::VIEWPORT_RESIZE) => {
                self.responded();
                if let Some((w, h)) = f.resize {
                    self.resize(t, w, h);
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, t: f64, kind: MarkerKind, label: String, detail: MarkerDetail) -> usize {
        let marker = Marker {
            at: t.round() as i64,
            window: self.window,
            kind,
            label: collapse(&label, LABEL_CHARS),
            detail,
        };
        if self.markers.len() >= MAX_MARKERS {
            match self.spilled.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => self.spilled.push((kind, 1)),
            }
            self.spill = marker;
            return SPILLED;
        }
        self.markers.push(marker);
        self.markers.len() - 1
    }

    /// The marker `push` returned `i` for (the spill slot for one that was not kept).
    fn marker(&mut self, i: usize) -> &mut Marker {
        if i == SPILLED {
            &mut self.spill
        } else {
            &mut self.markers[i]
        }
    }

    // --- Clicks: plain, rage, dead, error ------------------------------------------------

    fn click(&mut self, t: f64, id: Option<i64>, x: Option<f64>, y: Option<f64>) {
        let target = id.and_then(|id| self.mirror.click_target(id));
        let clickable = id.is_some_and(|id| self.mirror.is_clickable(id));
        let text_field = id.is_some_and(|id| self.mirror.is_text_field(id));
        self.extend_run(t, x, y, &target, text_field);
        let label = format!("Click on {}", describe(&target));
        let detail = MarkerDetail {
            target,
            x,
            y,
            ..Default::default()
        };
        let marker = self.push(t, MarkerKind::Click, label, detail);
        let run = self.run.as_ref().map_or(0, |r| r.id);
        let rage = self.run.as_ref().is_some_and(|r| r.marker.is_some());
        if clickable {
            self.pending.push_back(PendingClick {
                t,
                run,
                rage,
                responded: false,
                marker,
            });
        }
        self.recent_clicks.push_back(RecentClick {
            t,
            marker,
            errored: false,
        });
        while self
            .recent_clicks
            .front()
            .is_some_and(|c| t - c.t > self.s.error_click_window_ms as f64)
        {
            self.recent_clicks.pop_front();
        }
    }

    /// Adds a click to the current run when it is close enough in time and space, else starts
    /// a new run. A run that reaches the minimum becomes a rage-click marker.
    fn extend_run(
        &mut self,
        t: f64,
        x: Option<f64>,
        y: Option<f64>,
        target: &Option<ClickTarget>,
        text_field: bool,
    ) {
        let (x, y) = (x.unwrap_or(f64::NAN), y.unwrap_or(f64::NAN));
        let continues = self.run.as_ref().is_some_and(|r| {
            t - r.last_t <= self.s.rage_click_interval_ms as f64
                && (x - r.x).hypot(y - r.y) <= self.s.rage_click_radius_px
        });
        if !continues {
            self.runs += 1;
            self.run = Some(ClickRun {
                id: self.runs,
                first_t: t,
                last_t: t,
                x,
                y,
                count: 1,
                target: target.clone(),
                text_field,
                marker: None,
            });
            return;
        }
        let Some(mut run) = self.run.take() else {
            return;
        };
        run.count += 1;
        run.last_t = t;
        run.x = x;
        run.y = y;
        if run.count >= self.s.rage_click_min_clicks && !run.text_field {
            let label = format!("Rage click ×{} on {}", run.count, describe(&run.target));
            match run.marker {
                Some(i) => {
                    let m = self.marker(i);
                    m.label = label;
                    m.detail.count = Some(run.count);
                }
                None => {
                    run.marker = Some(self.push(
                        run.first_t,
                        MarkerKind::RageClick,
                        label,
                        MarkerDetail {
                            target: run.target.clone(),
                            x: Some(x).filter(|v| v.is_finite()),
                            y: Some(y).filter(|v| v.is_finite()),
                            count: Some(run.count),
                            ..Default::default()
                        },
                    ));
                    for p in self.pending.iter_mut().filter(|p| p.run == run.id) {
                        p.rage = true;
                    }
                }
            }
        }
        self.run = Some(run);
    }

    /// The page did something: every click still waiting is not dead.
    fn responded(&mut self) {
        for p in &mut self.pending {
            p.responded = true;
        }
    }

    /// Decides the clicks whose wait for a response is over by `now`.
    fn judge_clicks(&mut self, now: f64) {
        let timeout = self.s.dead_click_timeout_ms as f64;
        while let Some(p) = self.pending.front() {
            if now - p.t <= timeout {
                break;
            }
            // Its run may still become a rage click: wait for the run to end.
            let run_open = self.run.as_ref().is_some_and(|r| {
                r.id == p.run
                    && r.marker.is_none()
                    && now - r.last_t <= self.s.rage_click_interval_ms as f64
            });
            if run_open {
                break;
            }
            let p = self.pending.pop_front().expect("front exists");
            if !p.rage && !p.responded {
                self.dead_click(p);
            }
        }
    }

    fn dead_click(&mut self, p: PendingClick) {
        let click = &self.marker(p.marker).detail;
        let detail = MarkerDetail {
            target: click.target.clone(),
            x: click.x,
            y: click.y,
            ..Default::default()
        };
        let label = format!("Dead click on {}", describe(&detail.target));
        self.push(p.t, MarkerKind::DeadClick, label, detail);
    }

    /// An error: clicks shortly before it become error clicks.
    fn error_at(&mut self, t: f64, message: &str) {
        let window = self.s.error_click_window_ms as f64;
        let mut found = Vec::new();
        for c in &mut self.recent_clicks {
            if !c.errored && c.t <= t && t - c.t <= window {
                c.errored = true;
                found.push((c.t, c.marker));
            }
        }
        for (at, marker) in found {
            let target = self.marker(marker).detail.target.clone();
            let label = format!("Error after click on {}", describe(&target));
            self.push(
                at,
                MarkerKind::ErrorClick,
                label,
                MarkerDetail {
                    target,
                    error: Some(collapse(message, 400)),
                    ..Default::default()
                },
            );
        }
    }

    // --- Pages ------------------------------------------------------------------------------

    /// A path (Sentry records them) made absolute against the current page's origin.
    fn absolute(&self, url: String) -> String {
        match &self.page {
            Some(p) if url.starts_with('/') && !url.starts_with("//") => {
                format!("{}{url}", origin(&p.url))
            }
            _ => url,
        }
    }

    /// Moves to `url`, when it is another page.
    fn navigate(&mut self, t: f64, url: String) {
        let url = self.absolute(url);
        if self.page.as_ref().is_some_and(|p| p.url == url) {
            return;
        }
        let from = self.page.as_ref().map(|p| p.url.clone());
        if let (Some(prev), Some(cur)) = (&self.previous, &self.page) {
            let stay = t - cur.entered;
            if prev.url == url && stay <= self.s.u_turn_ms as f64 {
                let label = format!(
                    "U-turn: back to {} after {:.1} s on {}",
                    short_url(&url),
                    stay / 1000.0,
                    short_url(&cur.url)
                );
                self.push(
                    t,
                    MarkerKind::UTurn,
                    label,
                    MarkerDetail {
                        url: Some(url.clone()),
                        from_url: from.clone(),
                        duration_ms: Some(stay.round()),
                        ..Default::default()
                    },
                );
            }
        }
        self.push(
            t,
            MarkerKind::Navigation,
            short_url(&url),
            MarkerDetail {
                url: Some(url.clone()),
                from_url: from,
                ..Default::default()
            },
        );
        self.previous = self.page.replace(Page { url, entered: t });
    }

    // --- Custom and plugin events ------------------------------------------------------

    fn signals(&mut self, t: f64, found: &mut Vec<Signal>) {
        for s in found.drain(..) {
            match s {
                Signal::Console(c) => self.console(t, c),
                Signal::Request(r) => self.request(t, *r),
                Signal::Navigation { url } => {
                    self.navigate(t, url);
                }
                Signal::Custom { name } => {
                    self.push(
                        t,
                        MarkerKind::CustomEvent,
                        name.clone(),
                        MarkerDetail {
                            name: Some(name),
                            ..Default::default()
                        },
                    );
                }
            }
        }
    }

    /// A console entry: kept for the console list, and a marker when it is an error, an
    /// exception or a warning.
    fn console(&mut self, t: f64, c: signals::Console) {
        let kind = if c.exception {
            Some(MarkerKind::Exception)
        } else if c.is_error() {
            Some(MarkerKind::ConsoleError)
        } else if c.is_warning() {
            Some(MarkerKind::ConsoleWarning)
        } else {
            None
        };
        if let Some(kind) = kind {
            if kind != MarkerKind::ConsoleWarning {
                self.error_at(t, &c.message);
            }
            let level = if kind == MarkerKind::Exception {
                "error".to_string()
            } else {
                c.level.clone()
            };
            self.push(
                t,
                kind,
                c.message.clone(),
                MarkerDetail {
                    level: Some(level),
                    message: Some(c.message.clone()),
                    stack: c.stack.clone(),
                    ..Default::default()
                },
            );
        }
        let bytes = c.message.len() + c.stack.as_ref().map_or(0, String::len);
        if self.console.len() >= MAX_CONSOLE_ENTRIES
            || self.console_bytes + bytes > MAX_CONSOLE_BYTES
        {
            self.console_dropped += 1;
            return;
        }
        self.console_bytes += bytes;
        self.console.push(ConsoleEntry {
            at: t.round() as i64,
            window: self.window,
            level: c.level,
            message: c.message,
            stack: c.stack,
            exception: c.exception,
        });
    }

    /// A network request: kept for the network list, and a marker when it failed.
    fn request(&mut self, t: f64, mut r: signals::Request) {
        r.url = self.absolute(r.url);
        let at = r.at.unwrap_or(t);
        if r.failed {
            let label = format!(
                "{} {} → {}",
                r.method.as_deref().unwrap_or("GET"),
                short_url(&r.url),
                r.status.map_or("failed".into(), |s| s.to_string())
            );
            self.push(
                at,
                MarkerKind::FailedRequest,
                label,
                MarkerDetail {
                    url: Some(r.url.clone()),
                    method: r.method.clone(),
                    status: r.status,
                    duration_ms: r.duration_ms,
                    ..Default::default()
                },
            );
        }
        if self.requests.len() >= MAX_REQUESTS {
            self.requests_dropped += 1;
            return;
        }
        let mut payloads = r.payloads;
        let bytes = payloads.bytes();
        if self.payload_bytes + bytes <= MAX_PAYLOAD_BYTES {
            self.payload_bytes += bytes;
        } else {
            payloads = RequestPayloads {
                notes: vec![format!(
                    "headers and bodies not kept: this window's recording has more than {} MiB \
                     of them",
                    MAX_PAYLOAD_BYTES >> 20
                )],
                ..Default::default()
            };
        }
        self.requests.push((
            NetworkRequest {
                index: 0,
                at: at.round() as i64,
                window: self.window,
                method: r.method,
                url: r.url,
                status: r.status,
                duration_ms: r.duration_ms,
                size: r.size,
                kind: r.kind,
                failed: r.failed,
                has_detail: !payloads.is_empty(),
            },
            payloads,
        ));
    }

    // --- Pointer, scroll and viewport ------------------------------------------------------

    fn pointer(&mut self, t: f64, x: f64, y: f64) {
        let (leg, window) = (self.s.thrash_min_leg_px, self.s.thrash_window_ms as f64);
        for (axis, v) in [x, y].into_iter().enumerate() {
            let (rev, episodes) = &mut self.mouse[axis];
            if let Some(turn) = rev.push(t, v, leg, window) {
                let change = episodes.reversal(turn, self.s.mouse_thrash_reversals, window);
                self.mouse_episode =
                    self.thrash(change, t, self.mouse_episode, MarkerKind::MouseThrash);
            }
        }
    }

    fn scroll(&mut self, t: f64, id: i64, x: Option<f64>, y: Option<f64>) {
        let (leg, window) = (self.s.thrash_min_leg_px, self.s.thrash_window_ms as f64);
        for (axis, v) in [x, y].into_iter().enumerate() {
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let (rev, episodes) = self.scrolls.entry((id, axis as u8)).or_default();
            if let Some(turn) = rev.push(t, v, leg, window) {
                let change = episodes.reversal(turn, self.s.scroll_thrash_reversals, window);
                self.scroll_episode =
                    self.thrash(change, t, self.scroll_episode, MarkerKind::ScrollThrash);
            }
        }
    }

    /// Turns an episode change into a new or updated marker. Episodes on two axes at once
    /// are one marker.
    fn thrash(
        &mut self,
        change: EpisodeChange,
        t: f64,
        open: OpenEpisode,
        kind: MarkerKind,
    ) -> OpenEpisode {
        let window = self.s.thrash_window_ms as f64;
        let open = open.filter(|(_, last)| t - last <= window);
        let what = if kind == MarkerKind::MouseThrash {
            "Mouse"
        } else {
            "Scroll"
        };
        match (change, open) {
            (EpisodeChange::None, open) => open,
            (EpisodeChange::Started(_, n) | EpisodeChange::Grew(n), Some((i, _))) => {
                let m = self.marker(i);
                let count = m.detail.count.unwrap_or(0).max(n);
                m.detail.count = Some(count);
                m.label = format!("{what} thrashing ({count} reversals)");
                Some((i, t))
            }
            (EpisodeChange::Started(start, n), None) => {
                let label = format!("{what} thrashing ({n} reversals)");
                let i = self.push(
                    start,
                    kind,
                    label,
                    MarkerDetail {
                        count: Some(n),
                        ..Default::default()
                    },
                );
                Some((i, t))
            }
            (EpisodeChange::Grew(_), None) => None,
        }
    }

    fn resize(&mut self, t: f64, w: f64, h: f64) {
        let (w, h) = (w.clamp(0.0, 1e6) as u32, h.clamp(0.0, 1e6) as u32);
        let label = format!("Viewport resized to {w}×{h}");
        match self.last_resize {
            Some((i, last)) if t - last <= self.s.resize_merge_ms as f64 => {
                let m = self.marker(i);
                m.label = label;
                m.detail.width = Some(w);
                m.detail.height = Some(h);
                self.last_resize = Some((i, t));
            }
            _ => {
                let i = self.push(
                    t,
                    MarkerKind::ViewportResize,
                    label,
                    MarkerDetail {
                        width: Some(w),
                        height: Some(h),
                        ..Default::default()
                    },
                );
                self.last_resize = Some((i, t));
            }
        }
    }

    /// Ends the window: clicks whose wait is over are judged, those cut off by the end of the
    /// recording are not.
    pub fn finish(mut self) -> WindowResult {
        let end = if self.end.is_finite() { self.end } else { 0.0 };
        let timeout = self.s.dead_click_timeout_ms as f64;
        for p in std::mem::take(&mut self.pending) {
            if !p.rage && !p.responded && end - p.t >= timeout {
                self.dead_click(p);
            }
        }
        let mut markers = self.markers;
        markers.sort_by_key(|m| m.at);
        let mut console = self.console;
        console.sort_by_key(|c| c.at);
        let mut requests = self.requests;
        requests.sort_by_key(|(r, _)| r.at);
        WindowResult {
            window: self.window,
            markers,
            segments: self.activity.finish(end.round() as i64),
            spilled: self.spilled,
            console,
            console_dropped: self.console_dropped,
            requests,
            requests_dropped: self.requests_dropped,
            titles: self.titles,
        }
    }
}

/// "button “Buy now”", or the selector when the element has no text.
fn describe(target: &Option<ClickTarget>) -> String {
    match target {
        Some(t) => match &t.text {
            Some(text) => format!("{} “{}”", t.tag, collapse(text, 40)),
            None => t.selector.clone(),
        },
        None => "the page".into(),
    }
}

/// `scheme://host[:port]` of a URL, or "" when it has none.
fn origin(url: &str) -> &str {
    let Some(scheme_end) = url.find("://") else {
        return "";
    };
    let rest = &url[scheme_end + 3..];
    let host_end = rest.find('/').map_or(url.len(), |i| scheme_end + 3 + i);
    &url[..host_end]
}

/// A URL without its scheme, for labels.
fn short_url(url: &str) -> String {
    let s = url.split_once("://").map_or(url, |(_, rest)| rest);
    collapse(s, 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::parse_event;

    fn facts(raw: &str) -> EventFacts {
        EventFacts::of(parse_event(raw.as_bytes()).unwrap())
    }

    /// An analyzer with default settings that has seen the page's Meta event.
    fn on_a_page() -> WindowAnalyzer {
        let mut a = WindowAnalyzer::new(0, &AnalysisSettings::default());
        a.observe(facts(
            r#"{"type":4,"timestamp":0,"data":{"href":"https://a.test/","width":1,"height":1}}"#,
        ));
        a
    }

    #[test]
    fn markers_past_the_cap_are_counted_not_kept() {
        let mut a = on_a_page();
        // Clicks 2 s and 100 px apart: plain clicks, one marker each.
        let n = MAX_MARKERS + 10;
        for i in 0..n {
            a.observe(facts(&format!(
                r#"{{"type":3,"timestamp":{},"data":{{"source":2,"type":2,"id":1,"x":{},"y":0}}}}"#,
                1 + 2_000 * i,
                100 * (i % 2)
            )));
        }
        let r = a.finish();
        assert_eq!(r.markers.len(), MAX_MARKERS);
        let s = crate::analysis::SessionAnalysis::combine(vec![r], 5_000);
        assert_eq!(s.insights.clicks as usize, n);
        assert_eq!(s.insights.page_count, 1);
        assert_eq!(s.spilled, vec![(MarkerKind::Click, 11)]);
    }

    #[test]
    fn console_entries_and_requests_past_the_caps_are_counted_not_kept() {
        let mut a = on_a_page();
        let n = MAX_CONSOLE_ENTRIES + 7;
        for i in 0..n {
            a.observe(facts(&format!(
                r#"{{"type":6,"timestamp":{},"data":{{"plugin":"rrweb/console@1","payload":{{"level":"error","payload":["\"e{i}\""]}}}}}}"#,
                1 + i
            )));
        }
        // Requests with bodies past the window's budget for them, then more than the cap.
        let body = "b".repeat(crate::analysis::signals::MAX_BODY_BYTES);
        let big = MAX_PAYLOAD_BYTES / body.len() + 2;
        let requests = |n: usize, body: &str| {
            let one = format!(
                r#"{{"name":"/api","initiatorType":"fetch","responseStatus":500,"responseBody":"{body}"}}"#
            );
            vec![one; n].join(",")
        };
        for (count, body) in [(big, body.as_str()), (MAX_REQUESTS + 3 - big, "")] {
            a.observe(facts(&format!(
                r#"{{"type":6,"timestamp":{n},"data":{{"plugin":"rrweb/network@1","payload":{{"requests":[{}]}}}}}}"#,
                requests(count, body)
            )));
        }
        let r = a.finish();
        assert_eq!(r.console.len(), MAX_CONSOLE_ENTRIES);
        assert_eq!(r.console_dropped, 7);
        assert_eq!(r.requests.len(), MAX_REQUESTS);
        assert_eq!(r.requests_dropped, 3);
        // Bodies stop being kept at the window's budget; the request stays, with a note.
        let kept: usize = r
            .requests
            .iter()
            .filter_map(|(_, p)| p.response_body.as_ref())
            .map(|b| b.text.len())
            .sum();
        assert!(kept <= MAX_PAYLOAD_BYTES, "{kept}");
        assert!(r.requests[0].1.response_body.is_some());
        let (over, p) = &r.requests[big - 1];
        assert!(p.response_body.is_none() && p.notes.len() == 1 && over.has_detail);
        assert_eq!(
            over.url, "https://a.test/api",
            "made absolute against the page"
        );
        let s = crate::analysis::SessionAnalysis::combine(vec![r], 5_000);
        // Every error still counts in the figures, kept or not.
        assert_eq!(s.insights.errors as usize, n);
        assert_eq!(s.insights.failed_requests as usize, MAX_REQUESTS + 3);
        assert_eq!((s.console_dropped, s.requests_dropped), (7, 3));
    }
}
