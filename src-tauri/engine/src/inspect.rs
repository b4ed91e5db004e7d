//! What a file holds, without importing it: the same streaming pass as an import, with
//! nothing written anywhere.

use std::path::Path;

use serde::Serialize;

use crate::analysis::{merge_pages, EventFacts, Stats};
use crate::error::Result;
use crate::formats::{read_recording, ReadOptions};
use crate::library::reorder::Reorder;
use crate::model::{ClientInfo, Compression, EventCounts, Format, PageVisit, SessionUser};
use crate::windows::ByWindow;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    pub path: String,
    pub format: Format,
    pub compression: Compression,
    pub file_bytes: u64,
    pub decoded_bytes: u64,
    pub content_hash: String,
    pub started_at: Option<i64>,
    pub duration_ms: i64,
    pub event_counts: EventCounts,
    pub click_count: u32,
    pub viewport: Option<(u32, u32)>,
    pub urls: Vec<PageVisit>,
    pub windows: Vec<InspectedWindow>,
    /// A full snapshot exists, so the recording can be replayed.
    pub playable: bool,
    pub vendor_id: Option<String>,
    pub user: SessionUser,
    pub client: ClientInfo,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InspectedWindow {
    pub key: Option<String>,
    pub event_count: u32,
    pub full_snapshots: u32,
    pub started_at: Option<i64>,
    pub duration_ms: i64,
}

pub fn inspect(path: &Path, opts: &ReadOptions) -> Result<Inspection> {
    // The same ordering and clean-up as an import, so the figures match what it would store.
    let mut windows: ByWindow<(Option<String>, Reorder, Stats)> = ByWindow::default();
    let mut ready = Vec::new();
    let report = read_recording(path, opts, &mut |_, _| {}, &mut |e| {
        let (_, order, stats) = windows.entry(e.window, |_, key| {
            (key, Reorder::default(), Stats::default())
        });
        order.push(EventFacts::of(e.head), e.raw, &mut ready);
        ready.drain(..).for_each(|r| stats.observe(&r.facts));
        Ok(())
    })?;
    let mut notes = Vec::new();
    for (_, order, stats) in windows.iter_mut() {
        order.finish(&mut ready);
        ready.drain(..).for_each(|r| stats.observe(&r.facts));
        notes.extend(order.notes());
    }
    let windows = windows.into_vec();
    let session = Stats::merged(windows.iter().map(|(_, _, s)| s));
    let mut warnings = report.warnings;
    warnings.extend(notes);
    let playable = session.counts.full_snapshot > 0;
    if !playable {
        warnings.push("no full snapshot: the recording cannot be replayed on its own".into());
    }
    let ms = |t: Option<f64>| t.map(|t| t.round() as i64);
    Ok(Inspection {
        path: path.display().to_string(),
        format: report.format,
        compression: report.compression,
        file_bytes: report.file_bytes,
        decoded_bytes: report.decoded_bytes,
        content_hash: report.content_hash,
        started_at: ms(session.started_at),
        duration_ms: session.duration_ms().round() as i64,
        event_counts: session.counts.clone(),
        click_count: session.clicks,
        viewport: session.viewport,
        urls: merge_pages(
            windows
                .iter()
                .enumerate()
                .map(|(i, (_, _, s))| (i as u32, s.urls.as_slice())),
        ),
        windows: windows
            .into_iter()
            .map(|(key, _, s)| InspectedWindow {
                key,
                event_count: s.counts.total,
                full_snapshots: s.counts.full_snapshot,
                started_at: ms(s.started_at),
                duration_ms: s.duration_ms().round() as i64,
            })
            .collect(),
        playable,
        vendor_id: report.metadata.vendor_id.clone(),
        user: report.metadata.user.clone(),
        client: report.metadata.client.clone(),
        warnings,
    })
}
