//! Runs the windows' analysis on a second thread while the import thread reads, orders,
//! compresses and stores the events. The import thread hands over each event's raw JSON (the
//! bytes it has just chunked, moved, not copied) in batches; the analysis thread parses what it
//! needs from them itself, exactly as a reanalysis reads stored events. On a machine with two
//! cores the analysis then adds little to the import time.
//!
//! Batches come back to the import thread to be freed there: freeing memory another thread
//! allocated is slow in most allocators.

use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::{Scope, ScopedJoinHandle};

use super::session::SessionAnalysis;
use super::settings::AnalysisSettings;
use super::window::WindowAnalyzer;
use super::EventFacts;
use crate::formats::parse_event;

/// Events per hand-over.
const BATCH: usize = 512;
/// Batches in flight: the import thread waits when the analysis falls this far behind, so
/// memory stays bounded.
const IN_FLIGHT: usize = 16;

/// `(window, raw event)` pairs, in each window's time order.
type Batch = Vec<(u32, Vec<u8>)>;

pub struct BackgroundAnalysis<'scope> {
    batch: Batch,
    tx: SyncSender<Batch>,
    /// Batches the worker is done with, to be freed (and their buffers reused) here.
    done: Receiver<Batch>,
    worker: ScopedJoinHandle<'scope, SessionAnalysis>,
}

impl<'scope> BackgroundAnalysis<'scope> {
    pub fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        settings: &'env AnalysisSettings,
    ) -> Self {
        let (tx, rx) = sync_channel::<Batch>(IN_FLIGHT);
        let (done_tx, done) = channel::<Batch>();
        let worker = scope.spawn(move || {
            let mut windows: Vec<WindowAnalyzer> = Vec::new();
            for batch in rx {
                for (w, raw) in &batch {
                    while windows.len() <= *w as usize {
                        let idx = windows.len() as u32;
                        windows.push(WindowAnalyzer::new(idx, settings));
                    }
                    // Every event here was parsed once already to be imported.
                    if let Ok(head) = parse_event(raw) {
                        windows[*w as usize].observe(EventFacts::of(head));
                    }
                }
                // The import thread may be gone after an error: then the batch is freed here.
                let _ = done_tx.send(batch);
            }
            let results = windows.into_iter().map(WindowAnalyzer::finish).collect();
            SessionAnalysis::combine(results, settings.inactivity_threshold_ms)
        });
        Self {
            batch: Vec::with_capacity(BATCH),
            tx,
            done,
            worker,
        }
    }

    /// Hands over one event of window `window`, in that window's time order.
    pub fn push(&mut self, window: u32, raw: Vec<u8>) {
        self.batch.push((window, raw));
        if self.batch.len() >= BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        // Reuse a returned buffer (freeing its events here), else start a new one.
        let mut next = None;
        while let Ok(mut old) = self.done.try_recv() {
            old.clear();
            next = Some(old);
        }
        let next = next.unwrap_or_else(|| Vec::with_capacity(BATCH));
        let batch = std::mem::replace(&mut self.batch, next);
        // A send fails only when the worker is gone (it panicked): `finish` reports that.
        let _ = self.tx.send(batch);
    }

    /// Waits for the analysis of everything handed over, combined into the session's.
    pub fn finish(mut self) -> SessionAnalysis {
        self.flush();
        drop(self.tx);
        let result = self.worker.join();
        drop(self.done);
        match result {
            Ok(results) => results,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}
