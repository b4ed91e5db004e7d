//! Who was recorded, on what: each vendor puts it somewhere else; the session row keeps one
//! normalised shape. A raw user agent is parsed (woothee) only when the vendor gave no
//! browser and OS of its own.

use serde_json::Value;

use crate::model::{ClientInfo, SessionUser};

/// Normalised metadata. Every field is optional: formats carry what they carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// The vendor's own session / replay id.
    pub vendor_id: Option<String>,
    pub user: SessionUser,
    pub client: ClientInfo,
}

/// Where the walker files the properties of the first PostHog `$snapshot` event.
pub const SNAPSHOT_PROPERTIES: &str = "$snapshot.properties";

/// Builds the metadata from a container's top-level fields (`("data.person", raw JSON)`…).
pub fn from_fields(fields: &[(String, Vec<u8>)]) -> Metadata {
    let get = |path: &str| -> Option<Value> {
        fields
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, raw)| serde_json::from_slice(raw).ok())
    };
    let mut m = Metadata::default();
    // PostHog: exports have data.person, older API responses result.person.
    if let Some(person) = get("data.person").or_else(|| get("result.person")) {
        posthog_person(&mut m, &person);
    }
    if let Some(props) = get(SNAPSHOT_PROPERTIES) {
        // Snapshot events name the person only by id; the session id is theirs too.
        fill(&mut m.user.id, &props, &["distinct_id"]);
        fill(&mut m.vendor_id, &props, &["$session_id"]);
        posthog_person(&mut m, &serde_json::json!({ "properties": props }));
    }
    if let Some(id) = get("data.id").as_ref().and_then(text) {
        m.vendor_id = Some(id);
    }
    // Highlight push payloads.
    if let Some(id) = get("session_secure_id").as_ref().and_then(text) {
        m.vendor_id = Some(id);
    }
    // Sentry's replay_event, when a file holds one.
    if get("type").as_ref().and_then(text).as_deref() == Some("replay_event") {
        sentry_replay_event(&mut m, fields);
    }
    // A generic `user` object beside rrweb events ({"events": [...], "user": {...}}).
    if let Some(user) = get("user") {
        fill(&mut m.user.id, &user, &["id", "user_id", "distinct_id"]);
        fill(&mut m.user.name, &user, &["name", "username"]);
        fill(&mut m.user.email, &user, &["email"]);
    }
    parse_user_agent(&mut m);
    m
}

fn posthog_person(m: &mut Metadata, person: &Value) {
    let props = &person["properties"];
    fill(&mut m.user.email, props, &["email", "$email"]);
    fill(&mut m.user.name, props, &["name", "$name"]);
    if m.user.name.is_none() {
        fill(&mut m.user.name, person, &["name"]);
    }
    if m.user.id.is_none() {
        m.user.id = person["distinct_ids"]
            .get(0)
            .and_then(text)
            .or_else(|| text(&person["distinct_id"]))
            .or_else(|| text(&props["distinct_id"]));
    }
    fill(&mut m.client.browser, props, &["$browser"]);
    fill(&mut m.client.browser_version, props, &["$browser_version"]);
    fill(&mut m.client.os, props, &["$os"]);
    fill(&mut m.client.device_type, props, &["$device_type"]);
    fill(&mut m.client.country, props, &["$geoip_country_code"]);
    fill(&mut m.client.user_agent, props, &["$raw_user_agent"]);
    if let Some(lib) = text(&props["$lib"]).filter(|_| m.client.sdk.is_none()) {
        let lib = if lib == "web" {
            "posthog-js".to_string()
        } else {
            lib
        };
        m.client.sdk = Some(match text(&props["$lib_version"]) {
            Some(v) => format!("{lib} {v}"),
            None => lib,
        });
    }
}

fn sentry_replay_event(m: &mut Metadata, fields: &[(String, Vec<u8>)]) {
    let get = |path: &str| -> Value {
        fields
            .iter()
            .find(|(p, _)| p == path)
            .and_then(|(_, raw)| serde_json::from_slice(raw).ok())
            .unwrap_or(Value::Null)
    };
    m.vendor_id = text(&get("replay_id"));
    let user = get("user");
    fill(&mut m.user.id, &user, &["id"]);
    fill(&mut m.user.name, &user, &["username", "name"]);
    fill(&mut m.user.email, &user, &["email"]);
    let contexts = get("contexts");
    fill(&mut m.client.browser, &contexts["browser"], &["name"]);
    fill(
        &mut m.client.browser_version,
        &contexts["browser"],
        &["version"],
    );
    fill(&mut m.client.os, &contexts["os"], &["name"]);
    fill(
        &mut m.client.device_type,
        &contexts["device"],
        &["family", "model"],
    );
    m.client.user_agent = text(&get("request")["headers"]["User-Agent"]);
    let sdk = get("sdk");
    if let Some(name) = text(&sdk["name"]) {
        m.client.sdk = Some(match text(&sdk["version"]) {
            Some(v) => format!("{name} {v}"),
            None => name,
        });
    }
}

/// Fills browser, version and OS from the user agent when the vendor did not say.
fn parse_user_agent(m: &mut Metadata) {
    let Some(ua) = m.client.user_agent.as_deref() else {
        return;
    };
    let Some(parsed) = woothee::parser::Parser::new().parse(ua) else {
        return;
    };
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    if m.client.browser.is_none() && known(parsed.name) {
        m.client.browser = Some(parsed.name.to_string());
        if known(parsed.version) {
            m.client.browser_version = Some(parsed.version.to_string());
        }
    }
    if m.client.os.is_none() && known(parsed.os) {
        m.client.os = Some(parsed.os.to_string());
    }
    if m.client.device_type.is_none() {
        m.client.device_type = match parsed.category {
            "pc" => Some("desktop".into()),
            "smartphone" | "mobilephone" => Some("mobile".into()),
            _ => None,
        };
    }
}

/// The first of `keys` in `obj` that holds a non-empty string or a number.
fn fill(slot: &mut Option<String>, obj: &Value, keys: &[&str]) {
    if slot.is_some() {
        return;
    }
    *slot = keys.iter().find_map(|k| text(&obj[*k]));
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(path: &str, v: Value) -> (String, Vec<u8>) {
        (path.to_string(), serde_json::to_vec(&v).unwrap())
    }

    #[test]
    fn posthog_person_and_user_agent() {
        let m = from_fields(&[
            field("data.id", serde_json::json!("0189-abc")),
            field(
                "data.person",
                serde_json::json!({"distinct_ids": ["user-42"], "properties": {
                    "email": "ada@example.com", "name": "Ada", "$geoip_country_code": "GB",
                    "$raw_user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"}}),
            ),
        ]);
        assert_eq!(m.vendor_id.as_deref(), Some("0189-abc"));
        assert_eq!(m.user.id.as_deref(), Some("user-42"));
        assert_eq!(m.user.email.as_deref(), Some("ada@example.com"));
        assert_eq!(m.user.name.as_deref(), Some("Ada"));
        assert_eq!(m.client.country.as_deref(), Some("GB"));
        assert_eq!(m.client.browser.as_deref(), Some("Chrome"));
        assert_eq!(m.client.browser_version.as_deref(), Some("120.0.0.0"));
        assert_eq!(m.client.os.as_deref(), Some("Windows 10"));
        assert_eq!(m.client.device_type.as_deref(), Some("desktop"));
    }

    #[test]
    fn vendor_fields_win_over_the_user_agent() {
        let m = from_fields(&[field(
            "result.person",
            serde_json::json!({"distinct_ids": [7], "properties": {"$browser": "Firefox",
                "$os": "Mac OS X", "$raw_user_agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/1"}}),
        )]);
        assert_eq!(m.user.id.as_deref(), Some("7"));
        assert_eq!(
            (m.client.browser.as_deref(), m.client.os.as_deref()),
            (Some("Firefox"), Some("Mac OS X"))
        );
    }

    #[test]
    fn nothing_known_is_nothing_filled() {
        assert_eq!(
            from_fields(&[field("version", serde_json::json!(1))]),
            Metadata::default()
        );
    }
}
