//! What each subcommand does.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tapedeck_engine::analysis::AnalysisSettings;
use tapedeck_engine::formats::ReadOptions;
use tapedeck_engine::library::resolve_path;
use tapedeck_engine::library::{Reanalyze, ReanalyzeProgress};
use tapedeck_engine::sources::{expand_paths, plan_recordings};
use tapedeck_engine::{ImportOptions, Library, Result};

use crate::{keyframe, manage, output, sources};
use crate::{Cli, Command, SettingsArgs};

pub fn run(cli: Cli) -> Result<ExitCode> {
    // Inspecting touches no library.
    if let Command::Inspect {
        file,
        json,
        max_decoded_bytes,
    } = &cli.command
    {
        let opts = ReadOptions {
            max_decoded_bytes: *max_decoded_bytes,
            ..ReadOptions::default()
        };
        let found = tapedeck_engine::inspect::inspect(file, &opts)?;
        if *json {
            output::print_json(&found);
        } else {
            output::print_inspection(&found);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let path = resolve_path(cli.library.as_deref());
    let mut library = Library::open(&path)?;
    // Sessions analysed by an older build are brought up to date before anything reads them.
    if matches!(
        cli.command,
        Command::List { .. }
            | Command::Show { .. }
            | Command::Markers { .. }
            | Command::Console { .. }
            | Command::Network { .. }
            | Command::Search { .. }
    ) {
        update_stale(&mut library)?;
    }
    match cli.command {
        Command::Import {
            paths,
            json,
            max_decoded_bytes,
        } => import(&mut library, &paths, json, max_decoded_bytes),
        Command::Inspect { .. } => unreachable!("handled above"),
        Command::List { json, sort } => {
            let sessions = library.list_sessions_by(sort)?;
            if json {
                output::print_json(&sessions);
            } else {
                output::print_table(&sessions);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { id, json } => {
            let detail = library.session(&id)?;
            if json {
                output::print_json(&detail);
            } else {
                output::print_detail(&detail);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Markers { id, kind, json } => {
            let markers: Vec<_> = library
                .markers(&id)?
                .into_iter()
                .filter(|m| kind.is_empty() || kind.contains(&m.kind))
                .collect();
            if json {
                output::print_json(&markers);
            } else {
                let start = library.summary(&id)?.started_at;
                output::print_markers(&markers, start);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Console { id, level, json } => {
            let levels: Vec<String> = level
                .iter()
                .map(|l| match l.to_ascii_lowercase().as_str() {
                    "warning" => "warn".to_string(),
                    l => l.to_string(),
                })
                .collect();
            let log = library.console_entries(&id)?;
            let entries: Vec<_> = log
                .entries
                .into_iter()
                .filter(|e| levels.is_empty() || levels.contains(&e.level))
                .collect();
            if json {
                output::print_json(&entries);
            } else {
                let start = library.summary(&id)?.started_at;
                output::print_console(&entries, start);
            }
            if log.dropped > 0 {
                eprintln!("{} more entries were recorded but not kept", log.dropped);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Network {
            id,
            request: Some(n),
            json,
            ..
        } => {
            let detail = library.network_request(&id, n)?;
            if json {
                output::print_json(&detail);
            } else {
                let start = library.summary(&id)?.started_at;
                output::print_request(&detail, start);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Network {
            id,
            failed,
            request: None,
            json,
        } => {
            let log = library.network_requests(&id)?;
            let requests: Vec<_> = log
                .requests
                .into_iter()
                .filter(|r| !failed || r.failed)
                .collect();
            if json {
                output::print_json(&requests);
            } else {
                let start = library.summary(&id)?.started_at;
                output::print_network(&requests, start);
            }
            if log.dropped > 0 {
                eprintln!("{} more requests were recorded but not kept", log.dropped);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Reanalyze {
            id,
            stale,
            defaults,
            settings,
            json,
        } => reanalyze(&mut library, id, stale, defaults, &settings, json),
        Command::Events {
            id,
            from,
            to,
            window,
        } => {
            let start = library.summary(&id)?.started_at as f64;
            // Small values are offsets from the start; epoch timestamps pass through.
            let absolute = |ms: f64| if ms >= start { ms } else { start + ms };
            let bytes = library.events(&id, window, from.map(absolute), to.map(absolute))?;
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&bytes);
            let _ = out.write_all(b"\n");
            Ok(ExitCode::SUCCESS)
        }
        Command::Keyframe {
            id,
            at,
            window,
            stored,
            from_start,
        } => {
            if stored {
                keyframe::stored(&mut library, &id, at, window)
            } else {
                keyframe::run(&mut library, &id, at, window, from_start)
            }
        }
        Command::Search {
            query,
            sort,
            limit,
            offset,
            json,
        } => manage::search(&library, &query, sort, limit, offset, json),
        Command::Delete { ids, yes, json } => manage::delete(&mut library, &ids, yes, json),
        Command::EraseUser {
            user,
            dry_run,
            yes,
            json,
        } => manage::erase_user(&mut library, &user, dry_run, yes, json),
        Command::Tag {
            id,
            tags,
            remove,
            json,
        } => manage::tag(&mut library, &id, &tags, &remove, json),
        Command::Retention { days, off, json } => manage::retention(&mut library, days, off, json),
        Command::Log { limit, json } => manage::log(&library, limit, json),
        Command::Watch { action } => sources::watch(&mut library, action),
        Command::Fetch {
            url,
            max_bytes,
            timeout,
            json,
        } => sources::fetch(&mut library, &url, max_bytes, timeout, json),
    }
}

fn import(
    library: &mut Library,
    paths: &[std::path::PathBuf],
    json: bool,
    max_decoded_bytes: u64,
) -> Result<ExitCode> {
    let recordings = plan_recordings(expand_paths(paths));
    let opts = ImportOptions {
        read: ReadOptions {
            max_decoded_bytes,
            ..ReadOptions::default()
        },
        ..ImportOptions::default()
    };
    let mut reports = Vec::new();
    let mut failed = 0;
    for (n, recording) in recordings.iter().enumerate() {
        let file = recording.path();
        // indicatif draws only when stderr is a terminal, so pipes and CI stay clean.
        let bar = ProgressBar::new(0).with_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_prefix(format!("[{}/{}]", n + 1, recordings.len()));
        bar.enable_steady_tick(Duration::from_millis(200));
        let result = library.import(recording, &opts, &mut |p| {
            bar.set_length(p.bytes_total);
            bar.set_position(p.bytes_read);
            bar.set_message(format!("{} events", p.events));
        });
        bar.finish_and_clear();
        match result {
            Ok(outcome) => {
                if !json {
                    output::print_import(file, &outcome);
                }
                reports.push(output::ImportReport::ok(file, outcome));
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: {e}");
                reports.push(output::ImportReport::failed(file, &e));
            }
        }
    }
    if recordings.is_empty() {
        eprintln!("error: no recording files found in the given folders");
        return Ok(ExitCode::FAILURE);
    }
    if json {
        output::print_json(&reports);
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn update_stale(library: &mut Library) -> Result<()> {
    let stale = library.stale_analysis_count()?;
    if stale > 0 {
        eprintln!("updating the analysis of {stale} sessions imported by an older Tapedeck…");
        library.reanalyze(&Reanalyze::Stale, &mut |_| {})?;
    }
    Ok(())
}

fn reanalyze(
    library: &mut Library,
    ids: Vec<String>,
    stale: bool,
    defaults: bool,
    args: &SettingsArgs,
    json: bool,
) -> Result<ExitCode> {
    let mut s = if defaults {
        AnalysisSettings::default()
    } else {
        library.analysis_settings()?
    };
    apply(&mut s, args);
    library.set_analysis_settings(&s)?;
    let which = if stale {
        Reanalyze::Stale
    } else if ids.is_empty() {
        Reanalyze::All
    } else {
        Reanalyze::Sessions(ids)
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("analysing [{bar:30}] {pos}/{len} sessions")
            .expect("valid template")
            .progress_chars("=> "),
    );
    let n = library.reanalyze(&which, &mut |p: ReanalyzeProgress| {
        bar.set_length(p.total);
        bar.set_position(p.done);
    })?;
    bar.finish_and_clear();
    if json {
        output::print_json(&serde_json::json!({ "analysed": n, "settings": s }));
    } else {
        println!("analysed {n} sessions");
        output::print_settings(&s);
    }
    Ok(ExitCode::SUCCESS)
}

/// Overrides the settings the user gave.
fn apply(s: &mut AnalysisSettings, a: &SettingsArgs) {
    fn set<T: Copy>(slot: &mut T, v: Option<T>) {
        if let Some(v) = v {
            *slot = v;
        }
    }
    set(&mut s.inactivity_threshold_ms, a.inactivity_threshold_ms);
    set(&mut s.rage_click_min_clicks, a.rage_click_min_clicks);
    set(&mut s.rage_click_interval_ms, a.rage_click_interval_ms);
    set(&mut s.rage_click_radius_px, a.rage_click_radius_px);
    set(&mut s.dead_click_timeout_ms, a.dead_click_timeout_ms);
    set(&mut s.error_click_window_ms, a.error_click_window_ms);
    set(&mut s.thrash_window_ms, a.thrash_window_ms);
    set(&mut s.thrash_min_leg_px, a.thrash_min_leg_px);
    set(&mut s.mouse_thrash_reversals, a.mouse_thrash_reversals);
    set(&mut s.scroll_thrash_reversals, a.scroll_thrash_reversals);
    set(&mut s.u_turn_ms, a.u_turn_ms);
}
