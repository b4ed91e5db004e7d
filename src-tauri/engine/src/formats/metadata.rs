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
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub user_email: Option<String>,
    pub browser: Option<String>,
    pub browser_version: Option<String>,
    pub os: Option<String>,
    /// "desktop", "mobile", "tablet"…
    pub device_type: Option<String>,
    /// ISO country code.
    pub country: Option<String>,
    pub user_agent: Option<String>,
    /// Recorder or SDK, with its version when known.
    pub sdk: Option<String>,
}

impl Metadata {
    pub fn user(&self) -> SessionUser {
        SessionUser {
            id: self.user_id.clone(),
            name: self.user_name.clone(),
            email: self.user_email.clone(),
        }
    }

    pub fn client(&self) -> ClientInfo {
        ClientInfo {
            browser: self.browser.clone(),
            browser_version: self.browser_version.clone(),
            os: self.os.clone(),
            device_type: self.device_type.clone(),
            country: self.country.clone(),
            user_agent: self.user_agent.clone(),
            sdk: self.sdk.clone(),
        }
    }
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
        fill(&mut m.user_id, &props, &["distinct_id"]);
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
        fill(&mut m.user_id, &user, &["id", "user_id", "distinct_id"]);
        fill(&mut m.user_name, &user, &["name", "username"]);
        fill(&mut m.user_email, &user, &["email"]);
    }
    parse_user_agent(&mut m);
    m
}

fn posthog_person(m: &mut Metadata, person: &Value) {
    let props = &person["properties"];
    fill(&mut m.user_email, props, &["email", "$email"]);
    fill(&mut m.user_name, props, &["name", "$name"]);
    if m.user_name.is_none() {
        fill(&mut m.user_name, person, &["name"]);
    }
    if m.user_id.is_none() {
        m.user_id = person["distinct_ids"]
            .get(0)
            .and_then(text)
            .or_else(|| text(&person["distinct_id"]))
            .or_else(|| text(&props["distinct_id"]));
    }
    fill(&mut m.browser, props, &["$browser"]);
    fill(&mut m.browser_version, props, &["$browser_version"]);
    fill(&mut m.os, props, &["$os"]);
    fill(&mut m.device_type, props, &["$device_type"]);
    fill(&mut m.country, props, &["$geoip_country_code"]);
    fill(&mut m.user_agent, props, &["$raw_user_agent"]);
    if let Some(lib) = text(&props["$lib"]).filter(|_| m.sdk.is_none()) {
        let lib = if lib == "web" {
            "posthog-js".to_string()
        } else {
            lib
        };
        m.sdk = Some(match text(&props["$lib_version"]) {
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
    fill(&mut m.user_id, &user, &["id"]);
    fill(&mut m.user_name, &user, &["username", "name"]);
    fill(&mut m.user_email, &user, &["email"]);
    let contexts = get("contexts");
    fill(&mut m.browser, &contexts["browser"], &["name"]);
    fill(&mut m.browser_version, &contexts["browser"], &["version"]);
    fill(&mut m.os, &contexts["os"], &["name"]);
    fill(
        &mut m.device_type,
        &contexts["device"],
        &["family", "model"],
    );
    m.user_agent = text(&get("request")["headers"]["User-Agent"]);
    let sdk = get("sdk");
    if let Some(name) = text(&sdk["name"]) {
        m.sdk = Some(match text(&sdk["version"]) {
            Some(v) => format!("{name} {v}"),
            None => name,
        });
    }
}

/// Fills browser, version and OS from the user agent when the vendor did not say.
fn parse_user_agent(m: &mut Metadata) {
    let Some(ua) = m.user_agent.as_deref() else {
        return;
    };
    let Some(parsed) = woothee::parser::Parser::new().parse(ua) else {
        return;
    };
    let known = |s: &str| !s.is_empty() && s != woothee::woothee::VALUE_UNKNOWN;
    if m.browser.is_none() && known(parsed.name) {
        m.browser = Some(parsed.name.to_string());
        if known(parsed.version) {
            m.browser_version = Some(parsed.version.to_string());
        }
    }
    if m.os.is_none() && known(parsed.os) {
        m.os = Some(parsed.os.to_string());
    }
    if m.device_type.is_none() {
        m.device_type = match parsed.category {
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
        assert_eq!(m.user_id.as_deref(), Some("user-42"));
        assert_eq!(m.user_email.as_deref(), Some("ada@example.com"));
        assert_eq!(m.user_name.as_deref(), Some("Ada"));
        assert_eq!(m.country.as_deref(), Some("GB"));
        assert_eq!(m.browser.as_deref(), Some("Chrome"));
        assert_eq!(m.browser_version.as_deref(), Some("120.0.0.0"));
        assert_eq!(m.os.as_deref(), Some("Windows 10"));
        assert_eq!(m.device_type.as_deref(), Some("desktop"));
    }

    #[test]
    fn vendor_fields_win_over_the_user_agent() {
        let m = from_fields(&[field(
            "result.person",
            serde_json::json!({"distinct_ids": [7], "properties": {"$browser": "Firefox",
                "$os": "Mac OS X", "$raw_user_agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/1"}}),
        )]);
        assert_eq!(m.user_id.as_deref(), Some("7"));
        assert_eq!(
            (m.browser.as_deref(), m.os.as_deref()),
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
