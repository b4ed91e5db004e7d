//! Search, filters and library management on a generated library: the real sample
//! recordings, re-dated and re-attributed to a handful of people.

mod common;

use common::{samples, TestLibrary};
use serde_json::{json, Value};
use tapedeck_engine::library::query::Clock;
use tapedeck_engine::model::{LogKind, MarkerKind, SessionSort, SessionSummary};
use tapedeck_engine::synth::{posthog_export, SynthPerson};

const DAY: i64 = 86_400_000;
// 2026-12-01 12:00 UTC.
const NOW: i64 = 1_796_126_400_000;
const CLOCK: Clock = Clock {
    now_ms: NOW,
    utc_offset_minutes: 0,
};

fn person(n: usize) -> SynthPerson {
    let people = [
        (
            "user-1",
            "Ada Lovelace",
            "ada@example.com",
            "Chrome",
            "Linux",
            "desktop",
            "GB",
        ),
        (
            "user-2",
            "Bob Stone",
            "bob@example.org",
            "Firefox",
            "Windows",
            "desktop",
            "US",
        ),
        (
            "user-3",
            "Carla Diaz",
            "carla@shop.test",
            "Mobile Safari",
            "iOS",
            "mobile",
            "ES",
        ),
        (
            "user-4",
            "Dmitri Ivanov",
            "dmitri@example.com",
            "Chrome",
            "Android",
            "mobile",
            "DE",
        ),
    ];
    let p = people[n % people.len()];
    SynthPerson {
        distinct_id: p.0.into(),
        name: p.1.into(),
        email: p.2.into(),
        browser: p.3.into(),
        os: p.4.into(),
        device: p.5.into(),
        country: p.6.into(),
    }
}

fn events(name: &str) -> Vec<Value> {
    serde_json::from_slice(&std::fs::read(samples().join(name)).unwrap()).unwrap()
}

/// A console error at the end of a recording, as rrweb's console plugin records it.
fn with_console_error(mut events: Vec<Value>, message: &str) -> Vec<Value> {
    let last = events.last().unwrap()["timestamp"].as_f64().unwrap();
    events.push(json!({
        "type": 6,
        "timestamp": last + 10.0,
        "data": {"plugin": "rrweb/console@1", "payload": {
            "level": "error", "payload": [format!("\"{message}\"")], "trace": ["at pay (shop.js:1:1)"]
        }}
    }));
    events
}

struct Generated {
    t: TestLibrary,
    /// (vendor id, person index, start, base recording)
    made: Vec<(String, usize, i64, &'static str)>,
}

/// 24 sessions: 4 people, each base recording, starts 0–69 days ago.
fn generated() -> Generated {
    let mut t = TestLibrary::new();
    let bases = ["checkout.json", "kanban.json", "release-notes.json"];
    let mut made = Vec::new();
    for i in 0..24 {
        let base = bases[i % 3];
        let mut ev = events(base);
        if base == "checkout.json" && i % 2 == 0 {
            ev = with_console_error(ev, "Payment declined: card_expired");
        }
        let start = NOW - (i as i64 * 3) * DAY - 3_600_000;
        let id = format!("ph-session-{i:04}");
        let url = format!(
            "https://app.example.test/{}/{i}",
            base.trim_end_matches(".json")
        );
        let bytes = posthog_export(&ev, &id, start as f64, Some(&url), &person(i));
        let path = t.file(&format!("{id}.json"), &bytes);
        t.import(&path).unwrap();
        made.push((id, i % 4, start, base));
    }
    Generated { t, made }
}

fn ids(sessions: &[SessionSummary]) -> Vec<String> {
    let mut v: Vec<String> = sessions.iter().map(|s| s.id.clone()).collect();
    v.sort();
    v
}

fn search(t: &TestLibrary, q: &str) -> Vec<String> {
    let page = t
        .lib
        .search(q, CLOCK, SessionSort::Recency, 0, 1000)
        .unwrap();
    assert_eq!(page.total as usize, page.sessions.len(), "{q}");
    ids(&page.sessions)
}

fn expect(
    g: &Generated,
    keep: impl Fn(&(String, usize, i64, &'static str)) -> bool,
) -> Vec<String> {
    let mut v: Vec<String> = g
        .made
        .iter()
        .filter(|m| keep(m))
        .map(|m| m.0.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn words_match_users_by_substring_and_prefix_ids_and_urls() {
    let g = generated();
    let t = &g.t;
    assert_eq!(search(t, "example.org"), expect(&g, |m| m.1 == 1));
    assert_eq!(
        search(t, "ADA@"),
        expect(&g, |m| m.1 == 0),
        "case does not matter"
    );
    assert_eq!(search(t, "lovelace"), expect(&g, |m| m.1 == 0));
    // Two letters: shorter than a trigram, still a substring search.
    assert_eq!(search(t, "dm"), expect(&g, |m| m.1 == 3));
    assert_eq!(search(t, "user:carla"), expect(&g, |m| m.1 == 2));
    assert_eq!(
        search(t, "email:example.com"),
        expect(&g, |m| m.1 == 0 || m.1 == 3)
    );
    assert_eq!(
        search(t, "id:ph-session-000"),
        expect(&g, |m| m.0.as_str() < "ph-session-0010")
    );
    assert_eq!(
        search(t, "ph-session-0017"),
        vec!["ph-session-0017".to_string()]
    );
    assert_eq!(
        search(t, "url:/kanban/"),
        expect(&g, |m| m.3 == "kanban.json")
    );
    assert_eq!(
        search(t, "app.example.test/release-notes"),
        expect(&g, |m| m.3 == "release-notes.json")
    );
    // Every word must match.
    assert_eq!(
        search(t, "ada kanban"),
        expect(&g, |m| m.1 == 0 && m.3 == "kanban.json")
    );
    assert!(search(t, "nobody-at-all").is_empty());
}

#[test]
fn free_text_finds_console_messages_event_names_and_page_titles() {
    let g = generated();
    let t = &g.t;
    let declined = expect(&g, |m| {
        m.3 == "checkout.json" && m.0[11..].parse::<usize>().unwrap() % 2 == 0
    });
    assert!(!declined.is_empty());
    assert_eq!(search(t, "declined"), declined);
    assert_eq!(
        search(t, "card_expired"),
        declined,
        "words split as the index does"
    );
    assert_eq!(search(t, "text:payment decl"), declined, "word prefixes");
    assert_eq!(
        search(t, "\"Sprint 12\""),
        expect(&g, |m| m.3 == "kanban.json")
    );
    assert_eq!(
        search(t, "text:reel"),
        expect(&g, |m| m.3 == "release-notes.json"),
        "a title with diacritics and quotes around words"
    );
    // `text:` looks at what happened only, not at who.
    assert!(search(t, "text:lovelace").is_empty());
}

#[test]
fn filters_by_date_flags_duration_client_and_folder() {
    let g = generated();
    let t = &g.t;
    assert_eq!(
        search(t, "date:today"),
        expect(&g, |m| m.2 >= NOW - 12 * 3_600_000)
    );
    let week = expect(&g, |m| m.2 >= NOW - 12 * 3_600_000 - 6 * DAY);
    assert_eq!(search(t, "date:7d"), week);
    assert_eq!(week.len(), 3, "today, 3 and 6 days ago");
    assert_eq!(search(t, "date:30d").len(), 10);
    assert_eq!(
        search(t, "after:2026-11-01 before:2026-11-15"),
        expect(&g, |m| {
            let from = NOW - 12 * 3_600_000 - 30 * DAY;
            m.2 >= from && m.2 < from + 15 * DAY
        })
    );

    let all = t.lib.list_sessions().unwrap();
    let reference = |keep: &dyn Fn(&SessionSummary) -> bool| -> Vec<String> {
        ids(&all.iter().filter(|s| keep(s)).cloned().collect::<Vec<_>>())
    };
    assert_eq!(
        search(t, "has:errors"),
        reference(&|s| s.insights.errors > 0)
    );
    assert!(!search(t, "has:errors").is_empty());
    assert_eq!(
        search(t, "has:rage"),
        reference(&|s| s.insights.rage_clicks > 0)
    );
    assert_eq!(
        search(t, "has:dead"),
        reference(&|s| s.insights.dead_clicks > 0)
    );
    let durations: Vec<i64> = all.iter().map(|s| s.duration_ms).collect();
    let mid = durations.iter().sum::<i64>() / durations.len() as i64;
    assert_eq!(
        search(t, &format!("duration:>{mid}ms")),
        reference(&|s| s.duration_ms >= mid)
    );
    assert_eq!(
        search(t, &format!("duration:<{mid}ms")),
        reference(&|s| s.duration_ms <= mid)
    );
    assert_eq!(
        search(t, "browser:\"mobile safari\""),
        expect(&g, |m| m.1 == 2)
    );
    assert_eq!(
        search(t, "os:android device:mobile"),
        expect(&g, |m| m.1 == 3)
    );
    assert_eq!(search(t, "country:gb"), expect(&g, |m| m.1 == 0));
    let folder = t.dir.path().canonicalize().unwrap();
    assert_eq!(
        search(t, &format!("folder:\"{}\"", folder.display())).len(),
        24
    );
    assert_eq!(
        search(
            t,
            &format!("folder:\"{}\"", folder.join("elsewhere").display())
        )
        .len(),
        0
    );
    // Filters combine.
    assert_eq!(
        search(t, "browser:chrome date:30d"),
        expect(&g, |m| (m.1 == 0 || m.1 == 3)
            && m.2 >= NOW - 12 * 3_600_000 - 29 * DAY)
    );
    let facets = t.lib.facets().unwrap();
    assert_eq!(facets.browsers[0].value, "Chrome");
    assert_eq!(facets.browsers[0].count, 12);
    assert_eq!(facets.countries.len(), 4);
}

#[test]
fn pages_follow_the_sort_and_count_the_total() {
    let g = generated();
    let t = &g.t;
    for sort in SessionSort::ALL {
        let all = t.lib.list_sessions_by(sort).unwrap();
        let mut paged = Vec::new();
        for offset in (0..30).step_by(7) {
            let page = t.lib.search("", CLOCK, sort, offset, 7).unwrap();
            assert_eq!(page.total, 24);
            assert_eq!(page.offset, offset);
            paged.extend(page.sessions);
        }
        assert_eq!(
            paged.iter().map(|s| &s.id).collect::<Vec<_>>(),
            all.iter().map(|s| &s.id).collect::<Vec<_>>(),
            "{sort:?}"
        );
    }
    let page = t
        .lib
        .search("duration:>abc ada", CLOCK, SessionSort::Recency, 0, 5)
        .unwrap();
    assert_eq!(page.total, 6, "what is understood applies");
    assert_eq!(page.notes.len(), 1);
}

#[test]
fn tags_and_comments_are_kept_searchable_and_comments_are_markers() {
    let mut g = generated();
    let t = &mut g.t;
    let tags = t
        .lib
        .set_tags(
            "ph-session-0003",
            &[" VIP ".into(), "checkout".into(), "vip".into()],
        )
        .unwrap();
    assert_eq!(tags, ["checkout", "VIP"]);
    assert_eq!(
        t.lib
            .edit_tags("ph-session-0004", &["vip".into()], &[])
            .unwrap(),
        ["vip"]
    );
    assert_eq!(search(t, "tag:vip"), ["ph-session-0003", "ph-session-0004"]);
    assert_eq!(search(t, "tag:vip tag:checkout"), ["ph-session-0003"]);
    assert_eq!(
        search(t, "vip"),
        ["ph-session-0003", "ph-session-0004"],
        "free text"
    );
    let summary = t.lib.summary("ph-session-0003").unwrap();
    assert_eq!(summary.tags, ["checkout", "VIP"]);

    let start = summary.started_at;
    let c = t
        .lib
        .add_comment(
            "ph-session-0005",
            start + 1_500,
            0,
            "Customer could not pay here",
        )
        .unwrap();
    assert_eq!(search(t, "\"could not pay\""), ["ph-session-0005"]);
    assert_eq!(search(t, "has:comments"), ["ph-session-0005"]);
    let detail = t.lib.session("ph-session-0005").unwrap();
    assert_eq!(detail.comments.len(), 1);
    assert_eq!(detail.summary.comment_count, 1);
    let marker = detail
        .markers
        .iter()
        .find(|m| m.kind == MarkerKind::Comment)
        .expect("the comment is a timeline marker");
    assert_eq!(
        (marker.at, marker.label.as_str()),
        (c.at, "Customer could not pay here")
    );
    assert!(detail.markers.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(t
        .lib
        .add_comment("ph-session-0005", start, 0, "   ")
        .is_err());

    assert!(t.lib.delete_comment(c.id).unwrap());
    assert!(!t.lib.delete_comment(c.id).unwrap());
    assert!(search(t, "\"could not pay\"").is_empty());
    assert!(t
        .lib
        .edit_tags("ph-session-0004", &[], &["VIP".into()])
        .unwrap()
        .is_empty());
    assert_eq!(search(t, "tag:vip"), ["ph-session-0003"]);
    assert_eq!(t.lib.facets().unwrap().tags.len(), 2);
}

#[test]
fn deleting_sessions_removes_every_row_and_leaves_the_file() {
    let mut g = generated();
    let t = &mut g.t;
    let before = t.lib.table_counts().unwrap();
    let file = t.dir.path().join("ph-session-0001.json");
    assert!(t.lib.delete_sessions(&["nope".into()]).is_err());
    assert_eq!(
        t.lib.table_counts().unwrap(),
        before,
        "an unknown id deletes nothing"
    );
    let n = t
        .lib
        .delete_sessions(&["ph-session-0001".into(), "ph-session-0002".into()])
        .unwrap();
    assert_eq!(n, 2);
    assert!(file.exists());
    assert_eq!(t.lib.session_count().unwrap(), 22);
    let after = t.lib.table_counts().unwrap();
    for ((table, b), (_, a)) in before.iter().zip(&after) {
        if *b > 0 && table != "request_payloads" {
            assert!(a < b, "{table}: {b} → {a}");
        }
    }
    assert!(search(t, "ph-session-0001").is_empty());
    assert!(t.lib.session("ph-session-0001").is_err());
    let log = t.lib.log_entries(10).unwrap();
    assert_eq!(log[0].kind, LogKind::Delete);
    assert!(log[0].message.contains("2 sessions"), "{}", log[0].message);
}

#[test]
fn erasing_a_user_leaves_nothing_of_them_in_the_file() {
    let mut g = generated();
    let t = &mut g.t;
    let ada: Vec<String> = g
        .made
        .iter()
        .filter(|m| m.1 == 0)
        .map(|m| m.0.clone())
        .collect();
    t.lib.set_tags(&ada[0], &["ada-tag".into()]).unwrap();
    t.lib.add_comment(&ada[1], 0, 0, "note about ada").unwrap();
    assert_eq!(t.lib.count_user_sessions("ADA@example.com").unwrap(), 6);
    assert_eq!(t.lib.count_user_sessions("user-1").unwrap(), 6);
    let report = t.lib.erase_user("ada@example.com").unwrap();
    assert_eq!((report.before, report.after), (6, 0));
    assert_eq!(t.lib.session_count().unwrap(), 18);
    for id in &ada {
        assert!(t.lib.summary(id).is_err());
    }
    assert!(search(t, "ada").is_empty());
    assert!(search(t, "lovelace").is_empty());
    assert!(t
        .lib
        .facets()
        .unwrap()
        .countries
        .iter()
        .all(|c| c.value != "GB"));
    // The bytes on disk: no email, name or tag left in the database or its WAL.
    let mut bytes = std::fs::read(t.lib.path()).unwrap();
    bytes.extend(std::fs::read(t.lib.path().with_extension("sqlite3-wal")).unwrap_or_default());
    for needle in [
        "ada@example.com",
        "Ada Lovelace",
        "ada-tag",
        "note about ada",
    ] {
        assert!(
            !contains(&bytes, needle.as_bytes()),
            "{needle} is still in the library file"
        );
    }
    // Others' sessions are intact.
    assert_eq!(search(t, "bob@example.org").len(), 6);
    let log = t.lib.log_entries(1).unwrap();
    assert_eq!(log[0].kind, LogKind::Erase);
    assert!(!log[0].message.contains("ada"), "the log does not name who");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn retention_is_off_by_default_and_deletes_what_is_older() {
    let mut g = generated();
    let old = expect(&g, |m| m.2 < NOW - 30 * DAY).len() as u32;
    let t = &mut g.t;
    assert_eq!(t.lib.retention_days().unwrap(), None);
    assert_eq!(t.lib.apply_retention(NOW).unwrap(), 0);
    assert!(t.lib.set_retention_days(Some(0)).is_err());
    t.lib.set_retention_days(Some(30)).unwrap();
    assert_eq!(t.lib.retention_days().unwrap(), Some(30));
    assert!(old > 0);
    assert_eq!(t.lib.apply_retention(NOW).unwrap(), old);
    assert_eq!(t.lib.session_count().unwrap(), u64::from(24 - old));
    assert_eq!(t.lib.apply_retention(NOW).unwrap(), 0, "applied once");
    let log = t.lib.log_entries(1).unwrap();
    assert_eq!(log[0].kind, LogKind::Retention);
    assert!(log[0].message.contains("30 days"), "{}", log[0].message);
    t.lib.set_retention_days(None).unwrap();
    assert_eq!(t.lib.retention_days().unwrap(), None);
}

#[test]
fn saved_searches_keep_their_query_and_count_now() {
    let g = generated();
    let t = &g.t;
    let s = t.lib.save_search("Bob", "example.org", CLOCK).unwrap();
    assert_eq!(s.count, 6);
    t.lib
        .save_search("errors this week", "has:errors date:7d", CLOCK)
        .unwrap();
    let again = t.lib.save_search("bob", "bob has:errors", CLOCK).unwrap();
    assert_eq!(again.id, s.id, "the same name replaces");
    let all = t.lib.saved_searches(CLOCK).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].query, "bob has:errors");
    assert_eq!(all[0].count, search(t, "bob has:errors").len() as u32);
    assert!(t.lib.save_search("  ", "x", CLOCK).is_err());
    assert!(t.lib.delete_saved_search(s.id).unwrap());
    assert_eq!(t.lib.saved_searches(CLOCK).unwrap().len(), 1);
}

#[test]
fn a_changed_file_replaces_its_session_and_keeps_tags_and_comments() {
    let mut t = TestLibrary::new();
    let ev = events("checkout.json");
    let path = t.file("growing.json", &serde_json::to_vec(&ev[..80]).unwrap());
    let opts = tapedeck_engine::ImportOptions {
        origin: tapedeck_engine::library::Origin {
            replace_same_source: true,
            ..Default::default()
        },
        ..Default::default()
    };
    let first = t.import_with(&path, &opts).unwrap().session().clone();
    t.lib.set_tags(&first.id, &["keep-me".into()]).unwrap();
    t.lib
        .add_comment(&first.id, first.started_at, 0, "still here")
        .unwrap();
    std::fs::write(&path, serde_json::to_vec(&ev).unwrap()).unwrap();
    let second = t.import_with(&path, &opts).unwrap().session().clone();
    assert_ne!(first.id, second.id);
    assert_eq!(t.lib.session_count().unwrap(), 1);
    assert_eq!(second.event_counts.total, ev.len() as u32);
    assert_eq!(t.lib.tags(&second.id).unwrap(), ["keep-me"]);
    assert_eq!(t.lib.comments(&second.id).unwrap()[0].text, "still here");
    assert_eq!(search(&t, "tag:keep-me"), std::slice::from_ref(&second.id));
    assert_eq!(search(&t, "still"), [second.id]);
}

#[test]
fn recent_items_are_newest_first_and_bounded() {
    let t = TestLibrary::new();
    for i in 0..15 {
        t.lib.note_recent(&format!("/tmp/r{i}.json")).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    t.lib.note_recent("/tmp/r3.json").unwrap();
    let recent = t.lib.recent_items().unwrap();
    assert_eq!(recent.len(), 12);
    assert_eq!(recent[0].target, "/tmp/r3.json");
    assert_eq!(recent[1].target, "/tmp/r14.json");
}
