//! posthog-js's compressed event format (`"cv": "2024-10"`): the bulky fields of full
//! snapshots, mutations and style-sheet rules are strings holding latin1-encoded gzip bytes
//! of their JSON. Decoded here so the library stores plain rrweb events.

use serde_json::Value;

/// The version string posthog-js writes in `cv`.
pub const COMPRESSED_V2024_10: &str = "2024-10";

const MUTATION: i64 = 0;
const STYLE_SHEET_RULE: i64 = 8;

/// Returns the event with its compressed fields decoded and `cv` removed.
pub fn decompress_event(raw: &[u8], max_bytes: usize) -> Result<Vec<u8>, String> {
    let mut v: Value = serde_json::from_slice(raw).map_err(|e| e.to_string())?;
    let kind = v["type"].as_i64();
    let data = &mut v["data"];
    match kind {
        Some(2) => inflate_field(data, max_bytes, "data")?,
        Some(3) => {
            let fields: &[&str] = match data["source"].as_i64() {
                Some(MUTATION) => &["texts", "attributes", "removes", "adds"],
                Some(STYLE_SHEET_RULE) => &["adds", "removes"],
                _ => &[],
            };
            for f in fields {
                if let Some(field) = data.get_mut(*f) {
                    inflate_field(field, max_bytes, f)?;
                }
            }
        }
        _ => {}
    }
    if let Some(obj) = v.as_object_mut() {
        obj.remove("cv");
    }
    serde_json::to_vec(&v).map_err(|e| e.to_string())
}

/// Replaces a compressed string with the JSON it holds; other values stay as they are.
fn inflate_field(field: &mut Value, max_bytes: usize, name: &str) -> Result<(), String> {
    let Some(s) = field.as_str() else {
        return Ok(());
    };
    let json = super::compression::inflate_latin1(s, max_bytes)
        .map_err(|why| format!("compressed `{name}` {why}"))?;
    *field = serde_json::from_slice(&json)
        .map_err(|e| format!("compressed `{name}` is not JSON: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn compress(v: &Value) -> Value {
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        g.write_all(&serde_json::to_vec(v).unwrap()).unwrap();
        Value::String(g.finish().unwrap().iter().map(|&b| char::from(b)).collect())
    }

    #[test]
    fn decodes_snapshots_and_mutations() {
        let node = serde_json::json!({"node": {"type": 0, "id": 1}, "initialOffset": {"top": 0, "left": 0}});
        let full = serde_json::json!({"type": 2, "data": compress(&node), "timestamp": 5, "cv": "2024-10"});
        let out: Value = serde_json::from_slice(
            &decompress_event(&serde_json::to_vec(&full).unwrap(), 1 << 20).unwrap(),
        )
        .unwrap();
        assert_eq!(
            out,
            serde_json::json!({"type": 2, "data": node, "timestamp": 5})
        );

        let adds =
            serde_json::json!([{"parentId": 1, "node": {"type": 3, "textContent": "hi", "id": 9}}]);
        let m = serde_json::json!({"type": 3, "timestamp": 6, "cv": "2024-10",
            "data": {"source": 0, "adds": compress(&adds), "removes": compress(&serde_json::json!([])),
                     "texts": [], "attributes": compress(&serde_json::json!([]))}});
        let out: Value = serde_json::from_slice(
            &decompress_event(&serde_json::to_vec(&m).unwrap(), 1 << 20).unwrap(),
        )
        .unwrap();
        assert_eq!(out["data"]["adds"], adds);
        assert_eq!(out["data"]["texts"], serde_json::json!([]));
    }

    #[test]
    fn an_undecodable_field_is_an_error() {
        let bad = serde_json::json!({"type": 2, "data": "\u{1f}\u{8b}garbage", "timestamp": 1, "cv": "2024-10"});
        let err = decompress_event(&serde_json::to_vec(&bad).unwrap(), 1 << 20).unwrap_err();
        assert!(err.contains("does not inflate"), "{err}");
    }
}
