//! The analysis against ground truth: recordings made with real recorders (rrweb with its
//! console plugin, posthog-js, @sentry/browser) in Chromium while a script performed known
//! interactions. Each `tests/analysis/*.truth.json` was written from the script (what it did
//! and when, read from the page's clock), never from this analysis. Counts must match exactly
//! and times within the file's tolerance (see tests/analysis/SOURCES.md for why that much).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::TestLibrary;
use serde::Deserialize;
use tapedeck_engine::model::{ConsoleLog, MarkerKind, NetworkLog, SessionDetail};
use tapedeck_engine::sources::{expand_paths, plan_recordings};
use tapedeck_engine::ImportOptions;

#[derive(Deserialize)]
struct Truth {
    file: String,
    inactivity_threshold_ms: i64,
    markers: BTreeMap<String, usize>,
    /// Every fetch the script made, in order.
    fetches: Vec<Fetch>,
    times: Vec<TimedTruth>,
    inactive: Vec<Span>,
    tolerance_ms: i64,
}

#[derive(Deserialize)]
struct TimedTruth {
    kind: String,
    at: i64,
}

#[derive(Deserialize)]
struct Fetch {
    /// The path as the script passed it to `fetch`.
    url: String,
    status: u32,
}

#[derive(Deserialize)]
struct Span {
    start: i64,
    end: i64,
}

fn truth_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/analysis")
}

fn truth_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(truth_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    files.sort();
    files
}

/// Imports the recording a truth file describes (a file, or a folder of Sentry segments).
fn import(
    t: &mut TestLibrary,
    truth_path: &Path,
    truth: &Truth,
) -> (SessionDetail, ConsoleLog, NetworkLog) {
    let target = truth_path.parent().unwrap().join(&truth.file);
    let recordings = plan_recordings(expand_paths(std::slice::from_ref(&target)));
    assert_eq!(recordings.len(), 1, "{} is one recording", target.display());
    let outcome = t
        .lib
        .import(&recordings[0], &ImportOptions::default(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
    let id = &outcome.session().id;
    (
        t.lib.session(id).unwrap(),
        t.lib.console_entries(id).unwrap(),
        t.lib.network_requests(id).unwrap(),
    )
}

fn check(truth_path: &Path) -> Vec<String> {
    let truth: Truth =
        serde_json::from_slice(&std::fs::read(truth_path).unwrap()).expect("a valid truth file");
    let mut t = TestLibrary::new();
    assert_eq!(
        t.lib.analysis_settings().unwrap().inactivity_threshold_ms,
        truth.inactivity_threshold_ms,
        "the truth assumes the default threshold"
    );
    let (detail, console, network) = import(&mut t, truth_path, &truth);
    let name = truth_path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let mut problems = Vec::new();

    // Every kind the truth names, exactly.
    for (kind, expected) in &truth.markers {
        let Some(k) = MarkerKind::parse(kind) else {
            problems.push(format!("{name}: unknown kind {kind} in the truth"));
            continue;
        };
        let found = detail.markers.iter().filter(|m| m.kind == k).count();
        if found != *expected {
            let at: Vec<i64> = detail
                .markers
                .iter()
                .filter(|m| m.kind == k)
                .map(|m| m.at)
                .collect();
            problems.push(format!(
                "{name}: {kind}: expected {expected}, found {found} at {at:?}"
            ));
        }
    }

    // Each timed truth matches one marker of its kind within the tolerance, one to one.
    let mut used = vec![false; detail.markers.len()];
    for want in &truth.times {
        let kind = MarkerKind::parse(&want.kind).expect("known kind");
        let best = detail
            .markers
            .iter()
            .enumerate()
            .filter(|(i, m)| m.kind == kind && !used[*i])
            .min_by_key(|(_, m)| (m.at - want.at).abs());
        match best {
            Some((i, m)) if (m.at - want.at).abs() <= truth.tolerance_ms => used[i] = true,
            Some((_, m)) => problems.push(format!(
                "{name}: {} at {}: nearest is {} ms away ({})",
                want.kind,
                want.at,
                m.at - want.at,
                m.label
            )),
            None => problems.push(format!("{name}: {} at {}: none found", want.kind, want.at)),
        }
    }

    // The console: the script's console calls (and uncaught exceptions) are all the output
    // these pages make, so the entries are exactly those, by class.
    let count = |k: &str| truth.markers.get(k).copied().unwrap_or(0);
    let class = |c: &tapedeck_engine::model::ConsoleEntry| {
        if c.exception {
            "exception"
        } else if c.level == "error" || c.level == "assert" {
            "console_error"
        } else if c.level == "warn" {
            "console_warning"
        } else {
            "other"
        }
    };
    for kind in ["console_error", "console_warning", "exception"] {
        let found = console.entries.iter().filter(|c| class(c) == kind).count();
        if found != count(kind) {
            problems.push(format!(
                "{name}: console entries of class {kind}: expected {}, found {found}",
                count(kind)
            ));
        }
    }
    let expected = count("console_error") + count("console_warning") + count("exception");
    if console.entries.len() != expected || console.dropped != 0 {
        problems.push(format!(
            "{name}: {} console entries ({} dropped), the script logged {expected}",
            console.entries.len(),
            console.dropped
        ));
    }
    let mut used = vec![false; console.entries.len()];
    for want in truth.times.iter().filter(|t| {
        matches!(
            t.kind.as_str(),
            "console_error" | "console_warning" | "exception"
        )
    }) {
        let hit = console.entries.iter().enumerate().find(|(i, c)| {
            !used[*i] && class(c) == want.kind && (c.at - want.at).abs() <= truth.tolerance_ms
        });
        match hit {
            Some((i, _)) => used[i] = true,
            None => problems.push(format!(
                "{name}: no console entry for {} at {}",
                want.kind, want.at
            )),
        }
    }

    // The network: every fetch the script made, in order, with its status; the failed ones
    // (and only those) flagged, at the truth's times.
    let fetches: Vec<_> = network
        .requests
        .iter()
        .filter(|r| matches!(r.kind.as_deref(), Some("fetch" | "xhr")))
        .collect();
    let got: Vec<(String, Option<u32>)> =
        fetches.iter().map(|r| (r.url.clone(), r.status)).collect();
    let same = fetches.len() == truth.fetches.len()
        && fetches.iter().zip(&truth.fetches).all(|(r, f)| {
            r.url.ends_with(&f.url) && r.url.starts_with("http") && r.status == Some(f.status)
        });
    if !same {
        problems.push(format!(
            "{name}: fetches {got:?}, the script made {:?}",
            truth
                .fetches
                .iter()
                .map(|f| (&f.url, f.status))
                .collect::<Vec<_>>()
        ));
    }
    let failed: Vec<_> = network.requests.iter().filter(|r| r.failed).collect();
    if failed.len() != count("failed_request") {
        problems.push(format!(
            "{name}: {} failed requests in the list, expected {}",
            failed.len(),
            count("failed_request")
        ));
    }
    for want in truth.times.iter().filter(|t| t.kind == "failed_request") {
        if !failed
            .iter()
            .any(|r| (r.at - want.at).abs() <= truth.tolerance_ms)
        {
            problems.push(format!(
                "{name}: no failed request in the list at {}",
                want.at
            ));
        }
    }
    if network
        .requests
        .iter()
        .enumerate()
        .any(|(i, r)| r.index as usize != i)
    {
        problems.push(format!("{name}: request indexes are not their positions"));
    }

    // The idle gaps the script made, and no others.
    let inactive: Vec<(i64, i64)> = detail
        .segments
        .iter()
        .filter(|s| !s.active)
        .map(|s| (s.start, s.end))
        .collect();
    if inactive.len() != truth.inactive.len() {
        problems.push(format!(
            "{name}: expected {} inactive segments, found {inactive:?}",
            truth.inactive.len()
        ));
    }
    for want in &truth.inactive {
        let ok = inactive.iter().any(|(s, e)| {
            (s - want.start).abs() <= truth.tolerance_ms
                && (e - want.end).abs() <= truth.tolerance_ms
        });
        if !ok {
            problems.push(format!(
                "{name}: no inactive segment {}–{} (found {inactive:?})",
                want.start, want.end
            ));
        }
    }
    let i = &detail.summary.insights;
    let idle: i64 = truth.inactive.iter().map(|s| s.end - s.start).sum();
    if (i.inactive_ms - idle).abs() > truth.tolerance_ms * truth.inactive.len().max(1) as i64 {
        problems.push(format!(
            "{name}: inactive time {} ms, the script idled {idle} ms",
            i.inactive_ms
        ));
    }
    problems
}

#[test]
fn the_analysis_matches_the_scripted_truth() {
    let files = truth_files();
    assert!(!files.is_empty(), "no truth files in tests/analysis");
    let problems: Vec<String> = files.iter().flat_map(|f| check(f)).collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
