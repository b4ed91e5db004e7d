//! Subcommands that search and change the library: search, delete, erase-user, tag,
//! retention and log.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use tapedeck_engine::library::query::Clock;
use tapedeck_engine::model::SessionSort;
use tapedeck_engine::{Error, Library, Result};

use crate::output;

/// Now, in the terminal's time zone (`date:today` means the user's today).
pub fn local_clock() -> Clock {
    let now = chrono::Local::now();
    Clock {
        now_ms: now.timestamp_millis(),
        utc_offset_minutes: now.offset().local_minus_utc() / 60,
    }
}

pub fn search(
    library: &Library,
    query: &[String],
    sort: SessionSort,
    limit: u32,
    offset: u32,
    json: bool,
) -> Result<ExitCode> {
    let page = library.search(&query.join(" "), local_clock(), sort, offset, limit)?;
    for note in &page.notes {
        eprintln!("note: {note} (left out)");
    }
    if json {
        output::print_json(&page);
        return Ok(ExitCode::SUCCESS);
    }
    if page.total == 0 {
        println!("No session matches.");
        return Ok(ExitCode::SUCCESS);
    }
    output::print_table(&page.sessions);
    let shown = page.sessions.len() as u32;
    if shown < page.total {
        eprintln!(
            "{shown} of {} sessions from #{} (--offset and --limit page through)",
            page.total,
            offset + 1
        );
    } else {
        eprintln!("{} sessions", page.total);
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal; refuses without one (a script must say `--yes`).
fn confirm(question: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::InvalidInput(format!(
            "{question} Refused: input is not a terminal; pass --yes to confirm"
        )));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::InvalidInput(format!("could not read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

pub fn delete(library: &mut Library, ids: &[String], yes: bool, json: bool) -> Result<ExitCode> {
    // Resolve first, so a typo deletes nothing and says which id.
    let mut full = Vec::new();
    for id in ids {
        full.push(library.summary(id)?.id);
    }
    let what = if full.len() == 1 {
        format!("session {}", full[0])
    } else {
        format!("{} sessions", full.len())
    };
    if !yes && !confirm(&format!("Delete {what} from the library (the files stay)?"))? {
        eprintln!("Nothing deleted.");
        return Ok(ExitCode::FAILURE);
    }
    let n = library.delete_sessions(&full)?;
    if json {
        output::print_json(&serde_json::json!({ "deleted": n, "ids": full }));
    } else {
        println!("Deleted {n} session{}.", if n == 1 { "" } else { "s" });
    }
    Ok(ExitCode::SUCCESS)
}

pub fn erase_user(
    library: &mut Library,
    user: &str,
    dry_run: bool,
    yes: bool,
    json: bool,
) -> Result<ExitCode> {
    let before = library.count_user_sessions(user)?;
    if dry_run || before == 0 {
        if json {
            output::print_json(&serde_json::json!({ "before": before, "after": before }));
        } else {
            println!(
                "{before} session{} of {user}.",
                if before == 1 { "" } else { "s" }
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !yes
        && !confirm(&format!(
            "Erase {before} session{} of {user}?",
            if before == 1 { "" } else { "s" }
        ))?
    {
        eprintln!("Nothing erased.");
        return Ok(ExitCode::FAILURE);
    }
    let report = library.erase_user(user)?;
    if json {
        output::print_json(&report);
    } else {
        println!(
            "Erased {} session{} of {user}; {} left.",
            report.before,
            if report.before == 1 { "" } else { "s" },
            report.after
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn tag(
    library: &mut Library,
    id: &str,
    add: &[String],
    remove: &[String],
    json: bool,
) -> Result<ExitCode> {
    let tags = if add.is_empty() && remove.is_empty() {
        library.tags(id)?
    } else {
        library.edit_tags(id, add, remove)?
    };
    if json {
        output::print_json(&tags);
    } else if tags.is_empty() {
        println!("No tags.");
    } else {
        println!("{}", tags.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn retention(
    library: &mut Library,
    days: Option<u32>,
    off: bool,
    json: bool,
) -> Result<ExitCode> {
    let mut deleted = 0;
    if off {
        library.set_retention_days(None)?;
    } else if let Some(d) = days {
        library.set_retention_days(Some(d))?;
        deleted = library.apply_retention(tapedeck_engine::library::now_ms())?;
    }
    let now = library.retention_days()?;
    if json {
        output::print_json(&serde_json::json!({ "days": now, "deleted": deleted }));
    } else {
        match now {
            Some(d) => println!("Sessions recorded more than {d} days ago are deleted."),
            None => println!("Every session is kept (no retention period)."),
        }
        if deleted > 0 {
            println!("Deleted {deleted} sessions just now.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn log(library: &Library, limit: u32, json: bool) -> Result<ExitCode> {
    let entries = library.log_entries(limit)?;
    if json {
        output::print_json(&entries);
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("The log is empty.");
    }
    for e in entries.iter().rev() {
        println!(
            "{}  {:<12}  {}",
            output::utc(e.at as f64),
            e.kind.as_str(),
            e.message
        );
    }
    Ok(ExitCode::SUCCESS)
}
