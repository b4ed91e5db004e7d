//! Large recordings for benchmarks, made from a real one: its Meta and full snapshot, then its
//! incremental events repeated with shifted timestamps until the file reaches a target size.
//! Not used by the app; the benchmarks of every crate share it.

use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes a recording of about `target` bytes to `out` from the real recording `source`.
/// Returns (bytes, events, recorded span in ms).
pub fn build_large_recording(source: &Path, out: &Path, target: u64) -> (u64, u64, f64) {
    let events: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(source).expect("the source recording is readable"))
            .unwrap();
    let first_inc = events
        .iter()
        .position(|e| e["type"] == 3)
        .expect("the source has incremental events");
    let head = &events[..first_inc];
    let body: Vec<&serde_json::Value> = events[first_inc..]
        .iter()
        .filter(|e| e["type"] == 3)
        .collect();
    let t0 = body[0]["timestamp"].as_f64().unwrap();
    let period = body.last().unwrap()["timestamp"].as_f64().unwrap() - t0 + 1000.0;
    let mut w = ArrayWriter {
        out: BufWriter::new(std::fs::File::create(out).unwrap()),
        written: 1,
        count: 0,
    };
    w.out.write_all(b"[").unwrap();
    for e in head {
        w.push(e);
    }
    let mut round = 0u64;
    let mut last_ts = t0;
    while w.written < target {
        for e in &body {
            let mut e = (*e).clone();
            let ts = e["timestamp"].as_f64().unwrap() + round as f64 * period;
            e["timestamp"] = serde_json::json!(ts);
            last_ts = ts;
            w.push(&e);
        }
        round += 1;
    }
    w.out.write_all(b"]").unwrap();
    w.out.flush().unwrap();
    let start = head
        .first()
        .and_then(|e| e["timestamp"].as_f64())
        .unwrap_or(t0);
    (w.written + 1, w.count, last_ts - start)
}

/// Writes the elements of a JSON array one at a time, counting bytes.
struct ArrayWriter {
    out: BufWriter<std::fs::File>,
    written: u64,
    count: u64,
}

impl ArrayWriter {
    fn push(&mut self, v: &serde_json::Value) {
        let s = serde_json::to_vec(v).unwrap();
        if self.count > 0 {
            self.out.write_all(b",").unwrap();
            self.written += 1;
        }
        self.out.write_all(&s).unwrap();
        self.written += s.len() as u64;
        self.count += 1;
    }
}
