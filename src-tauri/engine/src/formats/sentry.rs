//! Sentry replay recordings. A segment, as the SDK sends it and relay stores it, is a header
//! line `{"segment_id":N}` followed by a JSON array of rrweb events, often zlib-compressed.
//! Sentry's own custom events (breadcrumbs, performance spans) carry timestamps in seconds.

use std::io::{self, BufRead};

/// Timestamps below this are seconds, not milliseconds (1e11 ms is March 1973; 1e11 s is
/// thousands of years ahead).
const SECONDS_BELOW: f64 = 1e11;

pub fn in_seconds(ts: f64) -> bool {
    ts > 0.0 && ts < SECONDS_BELOW
}

/// If the input starts with a segment header line, consumes it and returns the segment id.
pub fn read_segment_header<R: BufRead>(r: &mut R) -> io::Result<Option<u64>> {
    let head = r.fill_buf()?;
    const PREFIX: &[u8] = b"{\"segment_id\":";
    if !head.starts_with(PREFIX) {
        return Ok(None);
    }
    let Some(end) = head.iter().take(64).position(|&b| b == b'\n') else {
        return Ok(None);
    };
    #[derive(serde::Deserialize)]
    struct Header {
        segment_id: u64,
    }
    let Ok(header) = serde_json::from_slice::<Header>(&head[..end]) else {
        return Ok(None);
    };
    r.consume(end + 1);
    Ok(Some(header.segment_id))
}

/// Rewrites an event's top-level `timestamp` from seconds to milliseconds.
pub fn timestamp_to_ms(raw: &[u8]) -> Option<Vec<u8>> {
    let mut v: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(raw).ok()?;
    let ts = v.get("timestamp")?.as_f64()?;
    // Keep sub-millisecond precision out: rrweb works in whole milliseconds.
    v.insert(
        "timestamp".into(),
        serde_json::json!((ts * 1000.0).round() as i64),
    );
    serde_json::to_vec(&v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_consumes_the_header() {
        let mut r = &b"{\"segment_id\":3}\n[1]"[..];
        assert_eq!(read_segment_header(&mut r).unwrap(), Some(3));
        assert_eq!(r, b"[1]");
        let mut r = &b"[{\"segment_id\":3}]"[..];
        assert_eq!(read_segment_header(&mut r).unwrap(), None);
        assert_eq!(r.len(), 18);
    }

    #[test]
    fn converts_seconds() {
        assert!(in_seconds(1_670_433_921.571) && !in_seconds(1_670_433_921_571.0));
        let fixed = timestamp_to_ms(br#"{"type":5,"timestamp":1670433921.571,"data":{}}"#).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&fixed).unwrap();
        assert_eq!(v["timestamp"], 1_670_433_921_571_i64);
    }
}
