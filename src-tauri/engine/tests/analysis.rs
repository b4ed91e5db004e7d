//! The analysis rule by rule, on small recordings built here event by event, so each rule's
//! edges (just inside, just outside) are pinned down. Whole recordings made with real
//! recorders are checked against their truth files in `ground_truth.rs`.

mod common;

use common::TestLibrary;
use serde_json::{json, Value};
use tapedeck_engine::analysis::AnalysisSettings;
use tapedeck_engine::library::Reanalyze;
use tapedeck_engine::model::{ActivitySegment, Marker, MarkerKind};

const T0: i64 = 1_700_000_000_000;

/// A page with a live button (id 10, text "Save"), a dead link (id 20, "Help"), a text
/// field (id 30) and a plain div (id 40).
fn page(href: &str, at: i64) -> Vec<Value> {
    vec![
        json!({"type": 4, "timestamp": at, "data": {"href": href, "width": 1000, "height": 800}}),
        json!({"type": 2, "timestamp": at, "data": {"initialOffset": {"top": 0, "left": 0}, "node":
        {"type": 0, "id": 1, "childNodes": [
            {"type": 2, "id": 2, "tagName": "html", "attributes": {}, "childNodes": [
                {"type": 2, "id": 3, "tagName": "body", "attributes": {}, "childNodes": [
                    {"type": 2, "id": 10, "tagName": "button", "attributes": {"id": "save"},
                     "childNodes": [{"type": 3, "id": 11, "textContent": "Save"}]},
                    {"type": 2, "id": 20, "tagName": "a", "attributes": {"href": "#"},
                     "childNodes": [{"type": 3, "id": 21, "textContent": "Help"}]},
                    {"type": 2, "id": 30, "tagName": "input", "attributes": {"type": "text"}, "childNodes": []},
                    {"type": 2, "id": 40, "tagName": "div", "attributes": {"class": "card"}, "childNodes": []}
                ]}
            ]}
        ]}}}),
    ]
}

fn click(at: i64, id: i64, x: f64, y: f64) -> Value {
    json!({"type": 3, "timestamp": at, "data": {"source": 2, "type": 2, "id": id, "x": x, "y": y}})
}

fn mutation(at: i64) -> Value {
    json!({"type": 3, "timestamp": at, "data": {"source": 0, "texts": [{"id": 11, "value": "Saved"}],
        "attributes": [], "removes": [], "adds": []}})
}

fn moves(at: i64, points: &[(f64, f64, f64)]) -> Value {
    let positions: Vec<Value> = points
        .iter()
        .map(|(x, y, off)| json!({"x": x, "y": y, "id": 3, "timeOffset": off}))
        .collect();
    json!({"type": 3, "timestamp": at, "data": {"source": 1, "positions": positions}})
}

fn console(at: i64, level: &str, message: &str) -> Value {
    json!({"type": 6, "timestamp": at, "data": {"plugin": "rrweb/console@1",
        "payload": {"level": level, "payload": [format!("{message:?}")], "trace": ["f (app.js:1:1)"]}}})
}

/// Keeps the user "active" every second between `from` and `to` with a small pointer move.
fn keep_active(from: i64, to: i64) -> Vec<Value> {
    (from..to)
        .step_by(1000)
        .map(|t| moves(t, &[(500.0, 500.0, 0.0)]))
        .collect()
}

struct Analysed {
    markers: Vec<Marker>,
    segments: Vec<ActivitySegment>,
    t: TestLibrary,
    id: String,
}

impl Analysed {
    fn of(events: Vec<Value>) -> Self {
        Self::with(events, None)
    }

    fn with(events: Vec<Value>, settings: Option<AnalysisSettings>) -> Self {
        let mut t = TestLibrary::new();
        if let Some(s) = settings {
            t.lib.set_analysis_settings(&s).unwrap();
        }
        let path = t.file("r.json", &serde_json::to_vec(&events).unwrap());
        let id = t.import(&path).unwrap().session().id.clone();
        let detail = t.lib.session(&id).unwrap();
        Self {
            markers: detail.markers,
            segments: detail.segments,
            t,
            id,
        }
    }

    fn kinds(&self, kind: MarkerKind) -> Vec<&Marker> {
        self.markers.iter().filter(|m| m.kind == kind).collect()
    }

    fn times(&self, kind: MarkerKind) -> Vec<i64> {
        self.kinds(kind).iter().map(|m| m.at - T0).collect()
    }
}

#[test]
fn clicks_are_named_after_the_element_the_mirror_knows() {
    let mut ev = page("https://a.test/", T0);
    ev.push(click(T0 + 100, 11, 10.0, 10.0)); // the text inside the button
    ev.push(mutation(T0 + 150));
    ev.extend(keep_active(T0 + 1000, T0 + 3000));
    let a = Analysed::of(ev);
    let clicks = a.kinds(MarkerKind::Click);
    assert_eq!(clicks.len(), 1);
    let target = clicks[0].detail.target.as_ref().unwrap();
    assert_eq!(
        (target.tag.as_str(), target.selector.as_str()),
        ("button", "button#save")
    );
    assert_eq!(target.text.as_deref(), Some("Save"));
    assert_eq!(clicks[0].label, "Click on button “Save”");
}

#[test]
fn rage_clicks_need_three_close_fast_clicks() {
    let mut ev = page("https://a.test/", T0);
    // Four clicks 300 ms apart within 30 px: one episode of four.
    for (i, dx) in [0.0, 10.0, 20.0, 25.0].iter().enumerate() {
        ev.push(click(T0 + 1000 + 300 * i as i64, 10, 100.0 + dx, 100.0));
    }
    ev.push(mutation(T0 + 2000));
    // Three clicks, but the third is 31 px from the second: no episode.
    ev.push(click(T0 + 5000, 10, 100.0, 100.0));
    ev.push(click(T0 + 5500, 10, 100.0, 100.0));
    ev.push(click(T0 + 6000, 10, 131.0, 100.0));
    ev.push(mutation(T0 + 6100));
    // Three clicks with a 1001 ms gap: no episode.
    ev.push(click(T0 + 9000, 10, 100.0, 100.0));
    ev.push(click(T0 + 9500, 10, 100.0, 100.0));
    ev.push(click(T0 + 10_501, 10, 100.0, 100.0));
    ev.push(mutation(T0 + 10_600));
    // A triple click in a text field selects a line: not rage.
    for i in 0..3 {
        ev.push(click(T0 + 13_000 + 100 * i, 30, 50.0, 50.0));
    }
    ev.extend(keep_active(T0 + 500, T0 + 16_000));
    let a = Analysed::of(ev);
    let rage = a.kinds(MarkerKind::RageClick);
    assert_eq!(rage.len(), 1, "{rage:#?}");
    assert_eq!(rage[0].at, T0 + 1000);
    assert_eq!(rage[0].detail.count, Some(4));
    assert_eq!(a.kinds(MarkerKind::Click).len(), 13);
}

#[test]
fn dead_clicks_are_links_and_buttons_without_a_response_in_two_seconds() {
    let mut ev = page("https://a.test/", T0);
    ev.push(click(T0 + 1000, 21, 10.0, 10.0)); // the link: nothing happens for 2 s → dead
    ev.push(click(T0 + 4000, 10, 300.0, 10.0)); // the button: a mutation 1999 ms later → alive
    ev.push(mutation(T0 + 5999));
    ev.push(click(T0 + 8000, 40, 600.0, 10.0)); // a plain div: never judged
    ev.push(click(T0 + 11_000, 20, 10.0, 10.0)); // link, response after 2001 ms → dead
    ev.push(mutation(T0 + 13_001));
    // A dead element clicked rapidly is a rage click, not three dead clicks.
    for i in 0..3 {
        ev.push(click(T0 + 15_000 + 200 * i, 20, 10.0, 10.0));
    }
    ev.push(click(T0 + 19_000, 20, 10.0, 10.0)); // the recording ends 1 s later: not judged
    ev.extend(keep_active(T0 + 500, T0 + 20_001));
    let a = Analysed::of(ev);
    assert_eq!(a.times(MarkerKind::DeadClick), [1000, 11_000]);
    assert_eq!(
        a.kinds(MarkerKind::DeadClick)[0].label,
        "Dead click on a “Help”"
    );
    assert_eq!(a.kinds(MarkerKind::RageClick).len(), 1);
}

#[test]
fn errors_shortly_after_a_click_make_error_clicks() {
    let mut ev = page("https://a.test/", T0);
    ev.push(click(T0 + 1000, 10, 10.0, 10.0));
    ev.push(mutation(T0 + 1010));
    ev.push(console(
        T0 + 1900,
        "error",
        "Uncaught TypeError: x is undefined",
    ));
    ev.push(click(T0 + 4000, 10, 10.0, 10.0));
    ev.push(mutation(T0 + 4010));
    ev.push(console(T0 + 5001, "error", "too late to blame the click"));
    ev.push(console(T0 + 6000, "warn", "deprecated"));
    ev.push(console(T0 + 6500, "log", "not a marker"));
    ev.extend(keep_active(T0 + 500, T0 + 8000));
    let a = Analysed::of(ev);
    assert_eq!(a.times(MarkerKind::ErrorClick), [1000]);
    assert_eq!(a.times(MarkerKind::Exception), [1900]);
    assert_eq!(a.times(MarkerKind::ConsoleError), [5001]);
    assert_eq!(a.times(MarkerKind::ConsoleWarning), [6000]);
    let i = a.t.lib.summary(&a.id).unwrap().insights;
    assert_eq!(
        (i.errors, i.exceptions, i.warnings, i.error_clicks),
        (2, 1, 1, 1)
    );
}

#[test]
fn navigations_u_turns_and_reloads() {
    let mut ev = page("https://a.test/a", T0);
    ev.extend(page("https://a.test/b", T0 + 10_000));
    ev.extend(page("https://a.test/a", T0 + 14_000)); // back after 4 s on b: U-turn
    ev.extend(page("https://a.test/c", T0 + 20_000));
    ev.extend(page("https://a.test/a", T0 + 26_000)); // back after 6 s: not a U-turn
    ev.extend(page("https://a.test/a", T0 + 28_000)); // the same page again: a reload
    ev.push(json!({"type": 5, "timestamp": T0 + 29_000, "data": {"tag": "$url_changed", "payload": {"href": "https://a.test/spa"}}}));
    ev.push(json!({"type": 5, "timestamp": T0 + 29_500, "data": {"tag": "checkout-started", "payload": {}}}));
    ev.push(json!({"type": 5, "timestamp": T0 + 29_600, "data": {"tag": "$session_options", "payload": {}}}));
    ev.extend(keep_active(T0 + 500, T0 + 30_000));
    let a = Analysed::of(ev);
    assert_eq!(
        a.times(MarkerKind::Navigation),
        [0, 10_000, 14_000, 20_000, 26_000, 29_000]
    );
    assert_eq!(a.times(MarkerKind::UTurn), [14_000]);
    let u = a.kinds(MarkerKind::UTurn)[0];
    assert_eq!(u.detail.url.as_deref(), Some("https://a.test/a"));
    assert_eq!(u.detail.from_url.as_deref(), Some("https://a.test/b"));
    assert_eq!(a.times(MarkerKind::FullSnapshot), [28_000]);
    assert_eq!(a.times(MarkerKind::CustomEvent), [29_500]);
    assert_eq!(a.t.lib.summary(&a.id).unwrap().insights.page_count, 6);
}

#[test]
fn failed_requests_from_the_network_plugin() {
    let mut ev = page("https://a.test/", T0);
    ev.push(json!({"type": 6, "timestamp": T0 + 1000, "data": {"plugin": "rrweb/network@1", "payload": {"requests": [
        {"name": "https://a.test/api/a", "method": "GET", "responseStatus": 404, "initiatorType": "fetch", "startTime": 1, "endTime": 21},
        {"name": "https://a.test/api/b", "method": "POST", "responseStatus": 201, "initiatorType": "fetch"},
        {"name": "https://a.test/api/c", "method": "GET", "responseStatus": 503, "initiatorType": "xmlhttprequest"}
    ]}}}));
    // Sentry records paths; they are resolved against the page.
    ev.push(
        json!({"type": 5, "timestamp": T0 + 2000, "data": {"tag": "performanceSpan", "payload": {
        "op": "resource.fetch", "description": "/api/d", "startTimestamp": 1.0, "endTimestamp": 1.5,
        "data": {"method": "PUT", "statusCode": 500}}}}),
    );
    ev.extend(keep_active(T0 + 500, T0 + 3000));
    let a = Analysed::of(ev);
    let failed = a.kinds(MarkerKind::FailedRequest);
    let labels: Vec<&str> = failed.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "GET a.test/api/a → 404",
            "GET a.test/api/c → 503",
            "PUT a.test/api/d → 500"
        ]
    );
    assert_eq!(failed[0].detail.duration_ms, Some(20.0));
    assert_eq!(
        failed[2].detail.url.as_deref(),
        Some("https://a.test/api/d")
    );
}

#[test]
fn thrashing_and_viewport_resizes() {
    let mut ev = page("https://a.test/", T0);
    // The pointer swings 300 px left and right every 200 ms: 5 reversals in one second.
    let swing: Vec<(f64, f64, f64)> = (0..7)
        .map(|i| {
            (
                if i % 2 == 0 { 100.0 } else { 400.0 },
                300.0,
                -1200.0 + 200.0 * i as f64,
            )
        })
        .collect();
    ev.push(moves(T0 + 2200, &swing));
    // A slow figure of eight (a reversal every 750 ms) is not thrashing.
    let slow: Vec<(f64, f64, f64)> = (0..8)
        .map(|i| {
            (
                if i % 2 == 0 { 100.0 } else { 400.0 },
                300.0,
                -5250.0 + 750.0 * i as f64,
            )
        })
        .collect();
    ev.push(moves(T0 + 12_000, &slow));
    // Scrolling down and up four times in a second.
    for (i, y) in [0.0, 400.0, 0.0, 400.0, 0.0].iter().enumerate() {
        ev.push(json!({"type": 3, "timestamp": T0 + 14_000 + 250 * i as i64, "data": {"source": 3, "id": 1, "x": 0, "y": y}}));
    }
    // A window drag: three resizes within 500 ms of each other are one.
    for (i, w) in [900, 850, 800].iter().enumerate() {
        ev.push(json!({"type": 3, "timestamp": T0 + 17_000 + 200 * i as i64, "data": {"source": 4, "width": w, "height": 600}}));
    }
    // (Kept clear of the swing, whose positions are dated before its event.)
    ev.extend(keep_active(T0 + 2500, T0 + 19_000));
    let a = Analysed::of(ev);
    assert_eq!(a.times(MarkerKind::MouseThrash), [1200]);
    assert_eq!(a.times(MarkerKind::ScrollThrash), [14_250]);
    let resizes = a.kinds(MarkerKind::ViewportResize);
    assert_eq!(resizes.len(), 1);
    assert_eq!(
        (resizes[0].detail.width, resizes[0].detail.height),
        (Some(800), Some(600))
    );
}

#[test]
fn idle_gaps_longer_than_the_threshold_are_inactive() {
    let mut ev = page("https://a.test/", T0);
    ev.extend(keep_active(T0 + 1000, T0 + 4000)); // last activity at 3 s
    ev.push(mutation(T0 + 60_000)); // page activity is not user activity
    ev.extend(keep_active(T0 + 363_000, T0 + 366_000)); // back after 6 min
    let a = Analysed::of(ev);
    let inactive: Vec<(i64, i64)> = a
        .segments
        .iter()
        .filter(|s| !s.active)
        .map(|s| (s.start - T0, s.end - T0))
        .collect();
    assert_eq!(inactive, [(3000, 363_000)]);
    // Segments cover the recording without gaps.
    assert_eq!(a.segments.first().unwrap().start, T0);
    assert_eq!(a.segments.last().unwrap().end, T0 + 365_000);
    assert!(a.segments.windows(2).all(|w| w[0].end == w[1].start));
    let i = a.t.lib.summary(&a.id).unwrap().insights;
    assert_eq!((i.active_ms, i.inactive_ms), (5000, 360_000));
}

#[test]
fn reanalyze_applies_new_settings_and_brings_stale_sessions_up_to_date() {
    let mut ev = page("https://a.test/", T0);
    ev.extend(keep_active(T0 + 1000, T0 + 4000));
    ev.extend(keep_active(T0 + 12_000, T0 + 14_000)); // a 9 s gap
    let mut a = Analysed::of(ev);
    let inactive = |a: &Analysed| {
        let d = a.t.lib.session(&a.id).unwrap();
        d.segments.iter().filter(|s| !s.active).count()
    };
    assert_eq!(
        inactive(&a),
        1,
        "9 s is idle with the default 5 s threshold"
    );

    let settings = AnalysisSettings {
        inactivity_threshold_ms: 10_000,
        ..AnalysisSettings::default()
    };
    a.t.lib.set_analysis_settings(&settings).unwrap();
    assert_eq!(inactive(&a), 1, "new settings wait for reanalyze");
    let mut seen = Vec::new();
    let n =
        a.t.lib
            .reanalyze(&Reanalyze::All, &mut |p| seen.push((p.done, p.total)))
            .unwrap();
    assert_eq!((n, seen), (1, vec![(1, 1)]));
    assert_eq!(inactive(&a), 0, "9 s is active with a 10 s threshold");

    // Bad settings are refused with a clear error and change nothing.
    let bad = AnalysisSettings {
        inactivity_threshold_ms: 0,
        ..AnalysisSettings::default()
    };
    let err = a.t.lib.set_analysis_settings(&bad).unwrap_err();
    assert_eq!(err.code(), "invalid_settings");
    assert_eq!(a.t.lib.analysis_settings().unwrap(), settings);

    // A library analysed by an older build: its sessions are stale until reanalysed.
    let db = rusqlite::Connection::open(a.t.lib.path()).unwrap();
    db.execute_batch(
        "UPDATE sessions SET analysis_version = 0, page_count = 0; DELETE FROM session_markers; \
         DELETE FROM activity_segments;",
    )
    .unwrap();
    assert_eq!(a.t.lib.stale_analysis_count().unwrap(), 1);
    assert!(a.t.lib.markers(&a.id).unwrap().is_empty());
    a.t.lib.reanalyze(&Reanalyze::Stale, &mut |_| {}).unwrap();
    assert_eq!(a.t.lib.stale_analysis_count().unwrap(), 0);
    assert_eq!(a.t.lib.markers(&a.id).unwrap().len(), 1);
    assert_eq!(a.t.lib.summary(&a.id).unwrap().insights.page_count, 1);
}

#[test]
fn reanalysis_gives_what_the_import_gave() {
    // The stored events, read back, analyse exactly like the stream at import.
    for sample in ["checkout.json", "kanban.json", "release-notes.json"] {
        let mut t = TestLibrary::new();
        let id = t
            .import(&common::samples().join(sample))
            .unwrap()
            .session()
            .id
            .clone();
        let before = t.lib.session(&id).unwrap();
        let before_lists = (
            t.lib.console_entries(&id).unwrap(),
            t.lib.network_requests(&id).unwrap(),
        );
        t.lib.reanalyze(&Reanalyze::All, &mut |_| {}).unwrap();
        let after = t.lib.session(&id).unwrap();
        assert_eq!(before.markers, after.markers, "{sample}");
        assert_eq!(before.segments, after.segments, "{sample}");
        assert_eq!(
            before_lists,
            (
                t.lib.console_entries(&id).unwrap(),
                t.lib.network_requests(&id).unwrap()
            ),
            "{sample}"
        );
        assert_eq!(before.summary.insights, after.summary.insights, "{sample}");
        assert!(!before.markers.is_empty());
    }
}

#[test]
fn sessions_sort_by_their_figures() {
    use tapedeck_engine::model::SessionSort;
    let mut t = TestLibrary::new();
    // Session A: long and idle; B: short, with an error.
    let mut a = page("https://a.test/a", T0);
    a.extend(keep_active(T0 + 1000, T0 + 2000));
    a.extend(keep_active(T0 + 100_000, T0 + 101_000));
    let mut b = page("https://a.test/b", T0 + 1);
    b.extend(keep_active(T0 + 1000, T0 + 10_000));
    b.push(console(T0 + 5000, "error", "boom"));
    let pa = t.file("a.json", &serde_json::to_vec(&a).unwrap());
    let pb = t.file("b.json", &serde_json::to_vec(&b).unwrap());
    let ida = t.import(&pa).unwrap().session().id.clone();
    let idb = t.import(&pb).unwrap().session().id.clone();
    let order = |s: SessionSort| -> Vec<String> {
        t.lib
            .list_sessions_by(s)
            .unwrap()
            .into_iter()
            .map(|x| x.id)
            .collect()
    };
    assert_eq!(order(SessionSort::Recency), [idb.clone(), ida.clone()]);
    assert_eq!(order(SessionSort::Duration), [ida.clone(), idb.clone()]);
    assert_eq!(order(SessionSort::ActiveTime), [idb.clone(), ida.clone()]);
    assert_eq!(order(SessionSort::Errors), [idb.clone(), ida.clone()]);
}

#[test]
fn console_and_network_lists_come_from_the_analysis_and_survive_a_stale_reanalysis() {
    let mut ev = page("https://shop.test/cart", T0);
    ev.push(console(T0 + 100, "log", "booting"));
    ev.push(console(T0 + 200, "debug", "state"));
    ev.push(console(T0 + 300, "info", "ready"));
    ev.push(console(T0 + 400, "warn", "slow"));
    ev.push(console(T0 + 500, "error", "bad"));
    ev.push(
        json!({"type": 6, "timestamp": T0 + 600, "data": {"plugin": "rrweb/network@1",
        "payload": {"requests": [
            {"name": "https://shop.test/api/ok", "method": "GET", "initiatorType": "fetch",
             "responseStatus": 200, "timestamp": T0 + 550, "startTime": 10, "endTime": 30,
             "responseHeaders": {"content-type": "text/html"},
             "responseBody": "<img src=x onerror=alert(1)>"},
            {"name": "https://shop.test/api/down", "method": "POST", "initiatorType": "fetch",
             "responseStatus": 503, "timestamp": T0 + 580}
        ]}}}),
    );
    // Sentry records paths: made absolute against the page.
    ev.push(json!({"type": 5, "timestamp": T0 + 700, "data": {"tag": "performanceSpan",
        "payload": {"op": "resource.xhr", "description": "/api/cart", "startTimestamp": (T0 + 700) as f64 / 1000.0,
        "endTimestamp": (T0 + 740) as f64 / 1000.0, "data": {"method": "GET", "statusCode": 0}}}}));
    ev.extend(keep_active(T0 + 1000, T0 + 3000));
    let a = Analysed::of(ev);
    let lib = &a.t.lib;

    let log = lib.console_entries(&a.id).unwrap();
    let levels: Vec<&str> = log.entries.iter().map(|c| c.level.as_str()).collect();
    assert_eq!(levels, ["log", "debug", "info", "warn", "error"]);
    assert_eq!(log.entries[4].message, "bad");
    assert_eq!(log.entries[4].stack.as_deref(), Some("f (app.js:1:1)"));
    assert_eq!(log.entries[0].at, T0 + 100);
    // Only the error and the warning are markers.
    let kinds: Vec<MarkerKind> = a
        .markers
        .iter()
        .filter(|m| {
            matches!(
                m.kind,
                MarkerKind::ConsoleError | MarkerKind::ConsoleWarning
            )
        })
        .map(|m| m.kind)
        .collect();
    assert_eq!(
        kinds,
        [MarkerKind::ConsoleWarning, MarkerKind::ConsoleError]
    );

    let net = lib.network_requests(&a.id).unwrap();
    let rows: Vec<(u32, &str, Option<u32>, bool)> = net
        .requests
        .iter()
        .map(|r| (r.index, r.url.as_str(), r.status, r.failed))
        .collect();
    assert_eq!(
        rows,
        [
            (0, "https://shop.test/api/ok", Some(200), false),
            (1, "https://shop.test/api/down", Some(503), true),
            (2, "https://shop.test/api/cart", Some(0), true),
        ]
    );
    assert_eq!(net.requests[0].at, T0 + 550);
    assert_eq!(net.requests[0].duration_ms, Some(20.0));
    assert!(net.requests[0].has_detail && !net.requests[1].has_detail);
    let failed = a
        .markers
        .iter()
        .filter(|m| m.kind == MarkerKind::FailedRequest)
        .count();
    assert_eq!(failed, 2, "the failed requests are markers too");
    let d = lib.network_request(&a.id, 0).unwrap();
    assert_eq!(d.request, net.requests[0]);
    assert_eq!(
        d.payloads.response_body.unwrap().text,
        "<img src=x onerror=alert(1)>"
    );
    assert_eq!(
        d.payloads.response_headers,
        [("content-type".to_string(), "text/html".to_string())]
    );
    assert_eq!(
        lib.network_request(&a.id, 9).unwrap_err().code(),
        "request_not_found"
    );

    // A library analysed before these lists existed has none until it is reanalysed.
    let db = rusqlite::Connection::open(lib.path()).unwrap();
    db.execute_batch(
        "UPDATE sessions SET analysis_version = 1; DELETE FROM session_console; \
         DELETE FROM session_requests; DELETE FROM request_payloads;",
    )
    .unwrap();
    let mut t = a.t;
    assert!(t.lib.console_entries(&a.id).unwrap().entries.is_empty());
    assert_eq!(t.lib.stale_analysis_count().unwrap(), 1);
    t.lib.reanalyze(&Reanalyze::Stale, &mut |_| {}).unwrap();
    assert_eq!(t.lib.console_entries(&a.id).unwrap(), log);
    assert_eq!(t.lib.network_requests(&a.id).unwrap(), net);
    assert!(t
        .lib
        .network_request(&a.id, 0)
        .unwrap()
        .payloads
        .response_body
        .is_some());
}
