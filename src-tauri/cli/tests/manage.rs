//! `search`, `delete`, `erase-user`, `tag`, `retention` and `log` as a user runs them.

mod common;

use common::Cli;
use serde_json::Value;
use tapedeck_engine::synth::{posthog_export, SynthPerson};

fn person(email: &str, browser: &str) -> SynthPerson {
    SynthPerson {
        distinct_id: format!("id-{email}"),
        name: email.split('@').next().unwrap().to_string(),
        email: email.into(),
        browser: browser.into(),
        os: "Linux".into(),
        device: "desktop".into(),
        country: "GB".into(),
    }
}

/// Imports four sessions of three people; returns their ids in import order.
fn library(cli: &Cli) -> Vec<String> {
    let events: Vec<Value> =
        serde_json::from_slice(&std::fs::read(common::sample("checkout.json")).unwrap()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as f64;
    let people = [
        ("ada@example.com", "Chrome", 1.0),
        ("ada@example.com", "Chrome", 40.0),
        ("bob@example.org", "Firefox", 2.0),
        ("carla@shop.test", "Firefox", 3.0),
    ];
    let mut ids = Vec::new();
    for (i, (email, browser, days_ago)) in people.iter().enumerate() {
        let id = format!("cli-session-{i:04}");
        let bytes = posthog_export(
            &events,
            &id,
            now - days_ago * 86_400_000.0,
            Some(&format!("https://shop.test/page-{i}")),
            &person(email, browser),
        );
        let path = cli.dir.path().join(format!("{id}.json"));
        std::fs::write(&path, bytes).unwrap();
        cli.ok(&["import", path.to_str().unwrap()]);
        ids.push(id);
    }
    ids
}

fn ids(page: &Value) -> Vec<String> {
    let mut v: Vec<String> = page["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn search_uses_the_query_language_and_pages() {
    let cli = Cli::new();
    let all = library(&cli);
    let page = cli.json(&["search", "ada@", "--json"]);
    assert_eq!(page["total"], 2);
    assert_eq!(ids(&page), all[..2]);
    let page = cli.json(&["search", "browser:firefox", "date:7d", "--json"]);
    assert_eq!(ids(&page), all[2..]);
    let page = cli.json(&["search", "--json", "--limit", "1", "--offset", "1"]);
    assert_eq!(
        (page["total"].as_u64(), page["offset"].as_u64()),
        (Some(4), Some(1))
    );
    assert_eq!(page["sessions"].as_array().unwrap().len(), 1);
    // Newest first: the second newest is Bob's (2 days ago).
    assert_eq!(page["sessions"][0]["id"], all[2].as_str());
    let page = cli.json(&["search", "duration:>zz", "--json"]);
    assert_eq!(page["total"], 4, "what is not understood is left out");
    assert_eq!(page["notes"].as_array().unwrap().len(), 1);
    let text = cli.ok(&["search", "carla"]);
    assert!(text.contains("carla@shop.test"), "{text}");
    assert!(cli
        .ok(&["search", "nobody-here"])
        .contains("No session matches"));
    let help = cli.ok(&["search", "--help"]);
    assert!(
        help.contains("has:errors") && help.contains("duration:>5m"),
        "{help}"
    );
}

#[test]
fn delete_asks_first_and_takes_the_session_out() {
    let cli = Cli::new();
    let all = library(&cli);
    // No terminal and no --yes: refused, nothing deleted.
    let out = cli.run(&["delete", &all[0]]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert_eq!(cli.json(&["search", "--json"])["total"], 4);
    // A typo deletes nothing and names the id.
    let out = cli.run(&["delete", &all[0], "no-such-session", "--yes"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-session"));
    assert_eq!(cli.json(&["search", "--json"])["total"], 4);
    let done = cli.json(&["delete", &all[0], &all[2], "--yes", "--json"]);
    assert_eq!(done["deleted"], 2);
    assert_eq!(
        ids(&cli.json(&["search", "--json"])),
        [all[1].clone(), all[3].clone()]
    );
    assert!(!cli.run(&["show", &all[0]]).status.success());
    // The file stays.
    assert!(cli.dir.path().join(format!("{}.json", all[0])).exists());
    let log = cli.json(&["log", "--json"]);
    assert_eq!(log[0]["kind"], "delete");
}

#[test]
fn erase_user_counts_before_and_after() {
    let cli = Cli::new();
    let all = library(&cli);
    let dry = cli.json(&["erase-user", "ADA@example.com", "--dry-run", "--json"]);
    assert_eq!(
        (dry["before"].as_u64(), dry["after"].as_u64()),
        (Some(2), Some(2))
    );
    assert!(
        !cli.run(&["erase-user", "ada@example.com"]).status.success(),
        "asks first"
    );
    let done = cli.json(&["erase-user", "ada@example.com", "--yes", "--json"]);
    assert_eq!(
        (done["before"].as_u64(), done["after"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(ids(&cli.json(&["search", "--json"])), all[2..]);
    assert_eq!(cli.json(&["search", "ada", "--json"])["total"], 0);
    // By user id too.
    let done = cli.json(&["erase-user", "id-bob@example.org", "--yes", "--json"]);
    assert_eq!(done["before"], 1);
    let text = cli.ok(&["erase-user", "nobody@example.com", "--yes"]);
    assert!(text.contains("0 sessions"), "{text}");
}

#[test]
fn tags_are_added_removed_and_searchable() {
    let cli = Cli::new();
    let all = library(&cli);
    assert_eq!(cli.json(&["tag", &all[1], "--json"]), serde_json::json!([]));
    let tags = cli.json(&["tag", &all[1], "vip", "Checkout", "--json"]);
    assert_eq!(tags, serde_json::json!(["Checkout", "vip"]));
    let tags = cli.json(&["tag", &all[1], "bug", "--remove", "checkout", "--json"]);
    assert_eq!(tags, serde_json::json!(["bug", "vip"]));
    assert_eq!(
        ids(&cli.json(&["search", "tag:vip", "--json"])),
        [all[1].clone()]
    );
    assert_eq!(
        ids(&cli.json(&["search", "vip", "--json"])),
        [all[1].clone()]
    );
    let shown = cli.json(&["show", &all[1], "--json"]);
    assert_eq!(shown["summary"]["tags"], serde_json::json!(["bug", "vip"]));
    let out = cli.run(&["tag", &all[1], &"x".repeat(100)]);
    assert!(!out.status.success(), "a tag has a length limit");
}

#[test]
fn retention_is_off_until_set_and_deletes_old_sessions_at_once() {
    let cli = Cli::new();
    let all = library(&cli);
    let r = cli.json(&["retention", "--json"]);
    assert_eq!(
        (r["days"].clone(), r["deleted"].as_u64()),
        (Value::Null, Some(0))
    );
    let r = cli.json(&["retention", "--days", "30", "--json"]);
    assert_eq!(
        (r["days"].as_u64(), r["deleted"].as_u64()),
        (Some(30), Some(1))
    );
    assert!(
        !ids(&cli.json(&["search", "--json"])).contains(&all[1]),
        "40 days old"
    );
    assert!(cli.ok(&["log"]).contains("retention"));
    let r = cli.json(&["retention", "--off", "--json"]);
    assert_eq!(r["days"], Value::Null);
    assert!(!cli.run(&["retention", "--days", "0"]).status.success());
}
