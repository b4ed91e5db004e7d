//! Text and JSON output. Text is for people (aligned, short); JSON is the stable interface.

use std::path::Path;

use serde::Serialize;
use tapedeck_engine::analysis::AnalysisSettings;
use tapedeck_engine::inspect::Inspection;
use tapedeck_engine::model::{
    ConsoleEntry, ImportOutcome, Marker, NetworkRequest, NetworkRequestDetail, SessionDetail,
    SessionSummary,
};
use tapedeck_engine::Error;

pub fn print_json<T: Serialize + ?Sized>(value: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("model types serialise")
    );
}

/// One file's result in `import --json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<ImportOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorReport>,
}

#[derive(Serialize)]
struct ErrorReport {
    code: &'static str,
    message: String,
}

impl ImportReport {
    pub fn ok(path: &Path, outcome: ImportOutcome) -> Self {
        Self {
            path: path.display().to_string(),
            outcome: Some(outcome),
            error: None,
        }
    }

    pub fn failed(path: &Path, e: &Error) -> Self {
        Self {
            path: path.display().to_string(),
            outcome: None,
            error: Some(ErrorReport {
                code: e.code(),
                message: e.to_string(),
            }),
        }
    }
}

pub fn print_import(path: &Path, outcome: &ImportOutcome) {
    match outcome {
        ImportOutcome::Imported { session, warnings } => {
            println!(
                "imported {}  {}  {} events, {}",
                short_id(&session.id),
                path.display(),
                session.event_counts.total,
                duration(session.duration_ms as f64)
            );
            for w in warnings {
                eprintln!("warning: {}: {w}", path.display());
            }
        }
        ImportOutcome::AlreadyImported { session } => println!(
            "already in the library {}  {}",
            short_id(&session.id),
            path.display()
        ),
    }
}

pub fn print_inspection(i: &Inspection) {
    println!("file        {}", i.path);
    println!(
        "format      {} ({})",
        i.format.as_str(),
        i.compression.as_str()
    );
    if let Some(start) = i.started_at {
        println!("started     {} UTC", utc(start as f64));
    }
    println!("duration    {}", duration(i.duration_ms as f64));
    let c = &i.event_counts;
    println!(
        "events      {} (full snapshots {}, incremental {}, meta {}, custom {}, plugin {})",
        c.total, c.full_snapshot, c.incremental_snapshot, c.meta, c.custom, c.plugin
    );
    println!("clicks      {}", i.click_count);
    for w in &i.windows {
        println!(
            "window      {}  {} events, {}, {} full snapshots",
            w.key.as_deref().unwrap_or("(default)"),
            w.event_count,
            duration(w.duration_ms as f64),
            w.full_snapshots
        );
    }
    for u in &i.urls {
        println!("page        {}", u.url);
    }
    let u = &i.user;
    let who: Vec<&str> = [u.name.as_deref(), u.email.as_deref(), u.id.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !who.is_empty() {
        println!("user        {}", who.join(" · "));
    }
    if let Some(b) = &i.client.browser {
        println!(
            "browser     {b} {}",
            i.client.browser_version.as_deref().unwrap_or("")
        );
    }
    if let Some(os) = &i.client.os {
        println!("os          {os}");
    }
    println!("playable    {}", if i.playable { "yes" } else { "no" });
    for w in &i.warnings {
        println!("warning     {w}");
    }
}

pub fn print_table(sessions: &[SessionSummary]) {
    if sessions.is_empty() {
        println!("The library is empty. Add recordings with `tapedeck import PATH...`.");
        return;
    }
    println!(
        "{:<12}  {:<19}  {:>9}  {:>9}  {:>6}  {:>6}  {:>4}  {:>4}  {:>5}  {:<24}  URL",
        "ID",
        "STARTED (UTC)",
        "DURATION",
        "ACTIVE",
        "CLICKS",
        "ERRORS",
        "RAGE",
        "DEAD",
        "SCORE",
        "USER"
    );
    for s in sessions {
        let i = &s.insights;
        println!(
            "{:<12}  {:<19}  {:>9}  {:>9}  {:>6}  {:>6}  {:>4}  {:>4}  {:>5}  {:<24}  {}",
            short_id(&s.id),
            utc(s.started_at as f64),
            duration(s.duration_ms as f64),
            duration(i.active_ms as f64),
            s.click_count,
            i.errors,
            i.rage_clicks,
            i.dead_clicks,
            i.frustration_score,
            clip(user_label(s).unwrap_or("-"), 24),
            s.first_url.as_deref().unwrap_or("-")
        );
    }
}

pub fn print_detail(d: &SessionDetail) {
    let s = &d.summary;
    println!("id          {}", s.id);
    println!("source      {}", s.source);
    println!(
        "format      {} ({})",
        s.format.as_str(),
        s.compression.as_str()
    );
    println!("started     {} UTC", utc(s.started_at as f64));
    println!("duration    {}", duration(s.duration_ms as f64));
    if let (Some(w), Some(h)) = (s.viewport_width, s.viewport_height) {
        println!("viewport    {w}×{h}");
    }
    let c = &s.event_counts;
    println!(
        "events      {} (full snapshots {}, incremental {}, meta {}, custom {}, plugin {})",
        c.total, c.full_snapshot, c.incremental_snapshot, c.meta, c.custom, c.plugin
    );
    let i = &s.insights;
    println!(
        "activity    {} active, {} idle",
        duration(i.active_ms as f64),
        duration(i.inactive_ms as f64)
    );
    println!(
        "found       {} pages, {} clicks, {} errors ({} exceptions), {} warnings, {} failed requests",
        i.page_count, i.clicks, i.errors, i.exceptions, i.warnings, i.failed_requests
    );
    println!(
        "frustration score {} · {} rage clicks, {} dead clicks, {} error clicks, {} thrashing, {} U-turns",
        i.frustration_score,
        i.rage_clicks,
        i.dead_clicks,
        i.error_clicks,
        i.mouse_thrashes + i.scroll_thrashes,
        i.u_turns
    );
    if let Some(who) = user_label(s) {
        let u = &s.user;
        let all: Vec<&str> = [u.name.as_deref(), u.email.as_deref(), u.id.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        println!(
            "user        {}",
            if all.is_empty() {
                who.to_string()
            } else {
                all.join(" · ")
            }
        );
    }
    let c = &s.client;
    let client: Vec<String> = [
        c.browser.as_ref().map(|b| match &c.browser_version {
            Some(v) => format!("{b} {v}"),
            None => b.clone(),
        }),
        c.os.clone(),
        c.device_type.clone(),
        c.country.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !client.is_empty() {
        println!("client      {}", client.join(" · "));
    }
    if let Some(sdk) = &c.sdk {
        println!("recorder    {sdk}");
    }
    if let Some(v) = &s.vendor_id {
        println!("vendor id   {v}");
    }
    println!(
        "bytes       file {}, decoded {}, stored {}",
        s.file_bytes, s.raw_bytes, s.stored_bytes
    );
    for u in &d.urls {
        println!(
            "page  {:>9}  {}",
            duration((u.at - s.started_at) as f64),
            u.url
        );
    }
    for w in &d.windows {
        println!(
            "window {}  {} events in {} chunks{}",
            w.index,
            w.event_count,
            w.chunks.len(),
            w.key
                .as_deref()
                .map(|k| format!(" (id {k})"))
                .unwrap_or_default()
        );
    }
}

pub fn print_markers(markers: &[Marker], start: i64) {
    if markers.is_empty() {
        println!("No markers.");
        return;
    }
    println!("{:>9}  {:>3}  {:<16}  LABEL", "AT", "WIN", "KIND");
    for m in markers {
        println!(
            "{:>9}  {:>3}  {:<16}  {}",
            duration_ms((m.at - start) as f64),
            m.window,
            m.kind.as_str(),
            m.label
        );
    }
}

pub fn print_console(entries: &[ConsoleEntry], start: i64) {
    if entries.is_empty() {
        println!("No console entries.");
        return;
    }
    println!("{:>9}  {:>3}  {:<7}  MESSAGE", "AT", "WIN", "LEVEL");
    for e in entries {
        let first = e.message.lines().next().unwrap_or("");
        let more = if e.message.contains('\n') || e.stack.is_some() {
            " …"
        } else {
            ""
        };
        println!(
            "{:>9}  {:>3}  {:<7}  {}{more}",
            duration_ms((e.at - start) as f64),
            e.window,
            clip(&e.level, 7),
            clip(first, 200)
        );
    }
}

pub fn print_network(requests: &[NetworkRequest], start: i64) {
    if requests.is_empty() {
        println!("No requests.");
        return;
    }
    println!(
        "{:>4}  {:>9}  {:<6}  {:>6}  {:>8}  {:>9}  {:<10}  URL",
        "#", "AT", "METHOD", "STATUS", "TIME", "SIZE", "TYPE"
    );
    for r in requests {
        println!(
            "{:>4}  {:>9}  {:<6}  {:>6}  {:>8}  {:>9}  {:<10}  {}",
            r.index,
            duration_ms((r.at - start) as f64),
            clip(r.method.as_deref().unwrap_or("-"), 6),
            status_text(r),
            r.duration_ms
                .map(|d| format!("{d:.0} ms"))
                .unwrap_or_else(|| "-".into()),
            r.size.map(bytes).unwrap_or_else(|| "-".into()),
            clip(r.kind.as_deref().unwrap_or("-"), 10),
            r.url
        );
    }
}

fn status_text(r: &NetworkRequest) -> String {
    let s = r.status.map_or("-".to_string(), |s| s.to_string());
    if r.failed {
        format!("{s}!")
    } else {
        s
    }
}

pub fn print_request(d: &NetworkRequestDetail, start: i64) {
    let r = &d.request;
    println!(
        "{} {}  → {}",
        r.method.as_deref().unwrap_or("GET"),
        r.url,
        status_text(r)
    );
    println!(
        "at {}  window {}  type {}  time {}  size {}",
        duration_ms((r.at - start) as f64),
        r.window,
        r.kind.as_deref().unwrap_or("-"),
        r.duration_ms
            .map(|d| format!("{d:.0} ms"))
            .unwrap_or_else(|| "-".into()),
        r.size.map(bytes).unwrap_or_else(|| "-".into())
    );
    let p = &d.payloads;
    for (title, headers, body) in [
        ("request", &p.request_headers, &p.request_body),
        ("response", &p.response_headers, &p.response_body),
    ] {
        println!("\n{title} headers:");
        if headers.is_empty() {
            println!("  (none recorded)");
        }
        for (k, v) in headers {
            println!("  {k}: {v}");
        }
        match body {
            Some(b) => {
                let note = if b.truncated {
                    format!(" (first {} of {} bytes)", b.text.len(), b.bytes)
                } else {
                    String::new()
                };
                println!("{title} body{note}:\n{}", b.text);
            }
            None => println!("{title} body: (none recorded)"),
        }
    }
    for n in &p.notes {
        println!("note: {n}");
    }
}

/// `1.2 kB`-style sizes.
fn bytes(n: u64) -> String {
    match n {
        n if n < 1000 => format!("{n} B"),
        n if n < 1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{:.1} MB", n as f64 / 1e6),
    }
}

pub fn print_settings(s: &AnalysisSettings) {
    println!("inactivity threshold    {} ms", s.inactivity_threshold_ms);
    println!(
        "rage click              {} clicks, each within {} ms and {} px",
        s.rage_click_min_clicks, s.rage_click_interval_ms, s.rage_click_radius_px
    );
    println!(
        "dead click              no response within {} ms",
        s.dead_click_timeout_ms
    );
    println!(
        "error click             error within {} ms",
        s.error_click_window_ms
    );
    println!(
        "thrashing               {} pointer / {} scroll reversals within {} ms, legs ≥ {} px",
        s.mouse_thrash_reversals,
        s.scroll_thrash_reversals,
        s.thrash_window_ms,
        s.thrash_min_leg_px
    );
    println!("U-turn                  back within {} ms", s.u_turn_ms);
}

/// `m:ss.mmm`: markers are often less than a second apart.
fn duration_ms(ms: f64) -> String {
    let ms = ms.max(0.0).round() as u64;
    let (m, s, frac) = (ms / 60_000, ms / 1000 % 60, ms % 1000);
    format!("{m}:{s:02}.{frac:03}")
}

/// The most human identifier of the session's user.
fn user_label(s: &SessionSummary) -> Option<&str> {
    s.user
        .email
        .as_deref()
        .or(s.user.name.as_deref())
        .or(s.user.id.as_deref())
}

/// At most `n` characters, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}

/// `h:mm:ss` or `m:ss`.
pub fn duration(ms: f64) -> String {
    let total = (ms.max(0.0) / 1000.0).round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// `YYYY-MM-DD HH:MM:SS` in UTC from epoch milliseconds (civil-from-days, no time crate).
pub fn utc(ms: f64) -> String {
    let secs = (ms / 1000.0).floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times() {
        assert_eq!(duration(81_080.0), "1:21");
        assert_eq!(duration(3_723_000.0), "1:02:03");
        assert_eq!(utc(1_544_756_766_750.0), "2018-12-14 03:06:06");
        assert_eq!(utc(0.0), "1970-01-01 00:00:00");
    }
}
