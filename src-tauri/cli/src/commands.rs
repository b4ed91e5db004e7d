//! What each subcommand does.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tapedeck_engine::formats::ReadOptions;
use tapedeck_engine::library::resolve_path;
use tapedeck_engine::sources::{expand_paths, plan_recordings};
use tapedeck_engine::{ImportOptions, Library, Result};

use crate::output;
use crate::{Cli, Command};

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
    match cli.command {
        Command::Import {
            paths,
            json,
            max_decoded_bytes,
        } => import(&mut library, &paths, json, max_decoded_bytes),
        Command::Inspect { .. } => unreachable!("handled above"),
        Command::List { json } => {
            let sessions = library.list_sessions()?;
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
