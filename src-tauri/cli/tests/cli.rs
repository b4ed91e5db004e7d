//! The CLI as a user runs it: the real binary, a temporary SQLite library, real files.

mod common;

use common::Cli;

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus_file(name: &str) -> PathBuf {
    let dir = std::env::var_os("TAPEDECK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"));
    let p = dir.join("public/rrweb").join(name);
    assert!(p.is_file(), "corpus file missing: {}", p.display());
    p
}

#[test]
fn import_list_show_and_events() {
    let cli = Cli::new();
    let demo = corpus_file("events.json");
    let scroll = corpus_file("scroll.json");
    let out = cli.ok(&["import", demo.to_str().unwrap(), scroll.to_str().unwrap()]);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("imported ")).count(),
        2,
        "{out}"
    );

    let list = cli.json(&["list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    // Newest first: scroll.json is from 2023, the demo from 2018.
    assert!(list[0]["source"].as_str().unwrap().ends_with("scroll.json"));
    let id = list[1]["id"].as_str().unwrap().to_string();
    assert_eq!(list[1]["eventCounts"]["total"], 272);
    assert_eq!(list[1]["durationMs"], 81_080.0);

    let table = cli.ok(&["list"]);
    assert!(
        table.contains(&id[..12]) && table.contains("demoit.app"),
        "{table}"
    );

    let show = cli.json(&["show", &id[..8], "--json"]);
    assert_eq!(show["summary"]["id"], id.as_str());
    assert_eq!(
        show["urls"][0]["url"],
        "https://demoit.app/e/react#ReactHooks.js"
    );
    assert_eq!(show["windows"][0]["eventCount"], 272);

    let all: Vec<serde_json::Value> = serde_json::from_str(&cli.ok(&["events", &id])).unwrap();
    let file: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&demo).unwrap()).unwrap();
    assert_eq!(all, file);

    // A window of the recording by offsets from its start.
    let part: Vec<serde_json::Value> =
        serde_json::from_str(&cli.ok(&["events", &id, "--from", "5000", "--to", "6000"])).unwrap();
    let start = file[0]["timestamp"].as_f64().unwrap();
    let want: Vec<_> = file
        .iter()
        .filter(|e| {
            let t = e["timestamp"].as_f64().unwrap() - start;
            (5000.0..=6000.0).contains(&t)
        })
        .cloned()
        .collect();
    assert!(!want.is_empty());
    assert_eq!(part, want);

    // Importing again changes nothing and says so.
    let again = cli.ok(&["import", demo.to_str().unwrap()]);
    assert!(again.starts_with("already in the library"), "{again}");
    assert_eq!(cli.json(&["list", "--json"]).as_array().unwrap().len(), 2);
}

#[test]
fn folders_are_imported_recursively_with_json_reports() {
    let cli = Cli::new();
    let folder = cli.dir.path().join("recs/nested");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::copy(corpus_file("input.json"), folder.join("a.json")).unwrap();
    std::fs::write(folder.join("broken.json"), "[{\"type\":4,").unwrap();
    let out = cli.run(&[
        "import",
        "--json",
        cli.dir.path().join("recs").to_str().unwrap(),
    ]);
    assert!(
        !out.status.success(),
        "a failed file makes the exit code non-zero"
    );
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["outcome"]["status"], "imported");
    assert_eq!(reports[1]["error"]["code"], "truncated");
    assert_eq!(cli.json(&["list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn errors_exit_non_zero_with_one_line_naming_the_file() {
    let cli = Cli::new();
    let bad = cli.dir.path().join("notes.json");
    std::fs::write(&bad, "this is not a recording").unwrap();
    let out = cli.run(&["import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains("notes.json") && err.contains("not JSON"));

    let out = cli.run(&["show", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap().trim(),
        "error: no session matches 'nope'"
    );
    assert_eq!(cli.run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn the_library_comes_from_the_environment_too() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("env.sqlite3");
    let out = Command::new(env!("CARGO_BIN_EXE_tapedeck-cli"))
        .args(["import", corpus_file("scroll.json").to_str().unwrap()])
        .env("TAPEDECK_LIBRARY", &lib)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        lib.is_file(),
        "the library was created where TAPEDECK_LIBRARY points"
    );
}

#[test]
fn inspect_describes_a_file_without_importing_it() {
    let cli = Cli::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/public/posthog");
    let blob = dir.join("recording_snapshots.jsonl");
    let found = cli.json(&["inspect", blob.to_str().unwrap(), "--json"]);
    assert_eq!(found["format"], "posthog-blob-jsonl");
    assert_eq!(found["windows"].as_array().unwrap().len(), 2);
    assert_eq!(found["eventCounts"]["total"], 49);
    assert_eq!(found["playable"], true);
    assert!(
        !cli.library().exists(),
        "inspect must not create or touch a library"
    );

    let text = cli.ok(&[
        "inspect",
        dir.join("recording_snapshots.json").to_str().unwrap(),
    ]);
    assert!(text.contains("playable    no"), "{text}");
    assert!(text.contains("warning     no full snapshot"), "{text}");

    let out = cli.run(&["inspect", dir.join("recording_meta.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("recording_meta.json: not a recording"));
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name)
}

#[test]
fn show_markers_and_reanalyze() {
    let cli = Cli::new();
    let checkout = sample("checkout.json");
    cli.ok(&["import", checkout.to_str().unwrap()]);
    let id = cli.json(&["list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // `show --json` carries the analysis: insights, markers and segments.
    let detail = cli.json(&["show", &id, "--json"]);
    let insights = &detail["summary"]["insights"];
    let markers = detail["markers"].as_array().unwrap();
    assert_eq!(
        insights["clicks"].as_u64().unwrap() as usize,
        markers.iter().filter(|m| m["kind"] == "click").count()
    );
    assert!(insights["activeMs"].as_i64().unwrap() > 0);
    assert!(!detail["segments"].as_array().unwrap().is_empty());
    assert!(!detail["windows"][0]["segments"]
        .as_array()
        .unwrap()
        .is_empty());

    // `markers` lists the same markers, filtered by kind on request.
    let all = cli.json(&["markers", &id, "--json"]);
    assert_eq!(all.as_array().unwrap(), markers);
    let custom = cli.json(&["markers", &id, "--json", "--kind", "custom_event"]);
    let names: Vec<&str> = custom
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["label"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["order-placed"]);
    let text = cli.ok(&["markers", &id]);
    assert!(
        text.contains("custom_event") && text.contains("order-placed"),
        "{text}"
    );
    let bad = cli.run(&["markers", &id, "--kind", "nonsense"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown marker kind"));

    // A threshold of one second makes the sample's pauses idle; the default brings them back.
    let active = |cli: &Cli| {
        cli.json(&["show", &id, "--json"])["summary"]["insights"]["activeMs"]
            .as_i64()
            .unwrap()
    };
    let before = active(&cli);
    let out = cli.json(&["reanalyze", "--inactivity-threshold-ms", "1000", "--json"]);
    assert_eq!(out["analysed"], 1);
    assert_eq!(out["settings"]["inactivityThresholdMs"], 1000);
    assert!(active(&cli) < before);
    cli.ok(&["reanalyze", "--defaults"]);
    assert_eq!(active(&cli), before);
    let refused = cli.run(&["reanalyze", "--inactivity-threshold-ms", "0"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("inactivity threshold"));

    // The feed's orders are accepted; an unknown one is refused.
    cli.ok(&["list", "--sort", "frustration"]);
    assert!(!cli.run(&["list", "--sort", "loudness"]).status.success());
}

#[test]
fn console_and_network() {
    let cli = Cli::new();
    let t0: i64 = 1_700_000_000_000;
    let mut events = vec![
        serde_json::json!({"type": 4, "timestamp": t0, "data": {"href": "https://shop.test/", "width": 800, "height": 600}}),
        serde_json::json!({"type": 2, "timestamp": t0, "data": {"node": {"type": 0, "id": 1, "childNodes": []}, "initialOffset": {"top": 0, "left": 0}}}),
    ];
    for (i, level) in ["log", "info", "debug", "warn", "error", "trace"]
        .iter()
        .enumerate()
    {
        events.push(
            serde_json::json!({"type": 6, "timestamp": t0 + 100 * (i as i64 + 1),
            "data": {"plugin": "rrweb/console@1", "payload": {"level": level,
            "payload": [format!("\"{level} message\"")], "trace": ["f (app.js:1:1)"]}}}),
        );
    }
    events.push(serde_json::json!({"type": 6, "timestamp": t0 + 900, "data": {"plugin": "rrweb/network@1",
        "payload": {"requests": [
            {"name": "https://shop.test/api/ok", "method": "GET", "initiatorType": "fetch", "responseStatus": 200,
             "timestamp": t0 + 850, "transferSize": 1234},
            {"name": "https://shop.test/api/pay", "method": "POST", "initiatorType": "fetch", "responseStatus": 502,
             "timestamp": t0 + 880, "requestHeaders": {"content-type": "application/json"},
             "requestBody": "{\"card\":\"4242\"}", "responseBody": "Bad gateway"}
        ]}}}));
    let file = cli.dir.path().join("rec.json");
    std::fs::write(&file, serde_json::to_vec(&events).unwrap()).unwrap();
    cli.ok(&["import", file.to_str().unwrap()]);
    let id = cli.json(&["list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Every level, in time order; --level filters (repeatable, `warning` means `warn`).
    let all = cli.json(&["console", &id, "--json"]);
    let levels: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["log", "info", "debug", "warn", "error", "trace"]);
    assert_eq!(all[4]["message"], "error message");
    assert_eq!(all[4]["stack"], "f (app.js:1:1)");
    let some = cli.json(&[
        "console", &id, "--json", "--level", "error", "--level", "warning",
    ]);
    let levels: Vec<&str> = some
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["warn", "error"]);
    let text = cli.ok(&["console", &id, "--level", "debug"]);
    assert!(
        text.contains("debug message") && !text.contains("info message"),
        "{text}"
    );

    // Every request; --failed keeps the failed ones; --request N shows headers and bodies.
    let all = cli.json(&["network", &id, "--json"]);
    let urls: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        ["https://shop.test/api/ok", "https://shop.test/api/pay"]
    );
    assert_eq!(all[0]["size"], 1234);
    let failed = cli.json(&["network", &id, "--json", "--failed"]);
    assert_eq!(failed.as_array().unwrap().len(), 1);
    assert_eq!(failed[0]["status"], 502);
    let n = failed[0]["index"].as_u64().unwrap().to_string();
    let text = cli.ok(&["network", &id]);
    assert!(text.contains("502!") && text.contains("/api/ok"), "{text}");
    let detail = cli.ok(&["network", &id, "--request", &n]);
    assert!(
        detail.contains("POST https://shop.test/api/pay")
            && detail.contains("content-type: application/json")
            && detail.contains("{\"card\":\"4242\"}")
            && detail.contains("Bad gateway"),
        "{detail}"
    );
    let missing = cli.run(&["network", &id, "--request", "99"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no request 99"));
}
