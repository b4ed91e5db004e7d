//! What custom and plugin events say: console output, exceptions, network requests,
//! in-app navigations and the app's own events, across rrweb plugins, PostHog and Sentry.

use serde_json::Value;

use super::mirror::collapse;
use crate::model::{RecordedBody, RequestPayloads};

/// Longest message or URL kept in a marker's detail.
const MAX_DETAIL_CHARS: usize = 4_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// A console entry of any level (and PostHog's `$exception`).
    Console(Console),
    /// Boxed: a request with its headers is much larger than the other signals.
    Request(Box<Request>),
    Navigation {
        url: String,
    },
    Custom {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Console {
    /// Lower-case, `warning` written `warn`.
    pub level: String,
    pub message: String,
    pub stack: Option<String>,
    /// An uncaught exception or an error object, not plain output (only at error levels).
    pub exception: bool,
}

impl Console {
    /// `error` or `assert`: a console error (or an exception) marker.
    pub fn is_error(&self) -> bool {
        matches!(self.level.as_str(), "error" | "assert")
    }

    pub fn is_warning(&self) -> bool {
        self.level == "warn"
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Request {
    pub url: String,
    pub method: Option<String>,
    pub status: Option<u32>,
    pub duration_ms: Option<f64>,
    /// Epoch ms when the entry says when it happened.
    pub at: Option<f64>,
    pub failed: bool,
    /// Bytes transferred, else the body size.
    pub size: Option<u64>,
    /// `fetch`, `xhr`, `script`, `img`, `navigation`...
    pub kind: Option<String>,
    /// Headers and bodies, where recorded (bounded: see `MAX_BODY_BYTES`).
    pub payloads: RequestPayloads,
}

pub const CONSOLE_PLUGIN: &str = "rrweb/console@1";
pub const NETWORK_PLUGIN: &str = "rrweb/network@1";

/// Longest request or response body kept, in bytes; a longer one is cut and marked truncated.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Headers kept per request and direction; the rest are counted in a note.
pub const MAX_HEADERS: usize = 200;
/// Longest header value kept, in characters.
const MAX_HEADER_CHARS: usize = 8_000;

/// Signals in a plugin event.
pub fn from_plugin(plugin: &str, payload: &Value, out: &mut Vec<Signal>) {
    match plugin {
        CONSOLE_PLUGIN => out.extend(console(payload).map(Signal::Console)),
        NETWORK_PLUGIN => {
            if let Some(requests) = payload.get("requests").and_then(Value::as_array) {
                out.extend(
                    requests
                        .iter()
                        .filter_map(rrweb_request)
                        .map(|r| Signal::Request(Box::new(r))),
                );
            }
        }
        _ => {}
    }
}

/// Signals in a custom event.
pub fn from_custom(tag: &str, payload: Option<&Value>, out: &mut Vec<Signal>) {
    let str_at = |key: &str| {
        payload
            .and_then(|p| p.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match tag {
        // PostHog: in-app navigations and captured exceptions.
        "$pageview" | "$url_changed" => {
            if let Some(url) = str_at("href").or_else(|| str_at("$current_url")) {
                out.push(Signal::Navigation { url });
            }
        }
        "$exception" => out.push(Signal::Console(Console {
            level: "error".into(),
            message: posthog_exception(payload),
            stack: payload.and_then(posthog_stack),
            exception: true,
        })),
        // Sentry.
        "breadcrumb" => out.extend(payload.and_then(sentry_breadcrumb)),
        "performanceSpan" => {
            if let Some(p) = payload {
                sentry_span(p, out);
            }
        }
        "options" | "sessionIdle" | "sessionNoLongerIdle" => {}
        // PostHog's own bookkeeping ($session_options, $posthog_config, ...).
        t if t.starts_with('$') => {}
        "" => {}
        name => out.push(Signal::Custom {
            name: collapse(name, 200),
        }),
    }
}

/// A level as recorded, lower-case and short; Sentry's `warning` is `warn`.
fn level_of(level: &str) -> String {
    let l = collapse(&level.to_ascii_lowercase(), 20);
    match l.as_str() {
        "warning" => "warn".into(),
        "" => "log".into(),
        _ => l,
    }
}

/// rrweb's console plugin: `{level, payload: [stringified args], trace: [frames]}`.
fn console(p: &Value) -> Option<Console> {
    let level = level_of(p.get("level")?.as_str()?);
    let parts: Vec<String> = match p.get("payload") {
        Some(Value::Array(items)) => items.iter().map(console_arg).collect(),
        Some(Value::String(s)) => vec![unquote(s)],
        _ => Vec::new(),
    };
    let message = shorten(&parts.join(" "));
    let stack = p
        .get("trace")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.is_empty())
        .map(|s| shorten(&s));
    Some(entry(level, message, stack))
}

fn entry(level: String, message: String, stack: Option<String>) -> Console {
    let exception = matches!(level.as_str(), "error" | "assert") && is_exception(&message);
    Console {
        level,
        message,
        stack,
        exception,
    }
}

/// Uncaught errors (`window.onerror`, unhandled rejections), and errors logged as objects:
/// rrweb writes an Error's stack into the message.
fn is_exception(message: &str) -> bool {
    message.starts_with("Uncaught")
        || message.starts_with("Unhandled")
        || message.contains("End of stack for Error object")
        || message.contains("\n    at ")
}

/// The console plugin stringifies each argument; strings arrive JSON-quoted.
fn console_arg(v: &Value) -> String {
    match v {
        Value::String(s) => unquote(s),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn unquote(s: &str) -> String {
    if s.starts_with('"') {
        if let Ok(Value::String(inner)) = serde_json::from_str::<Value>(s) {
            return inner;
        }
    }
    s.to_string()
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn status_of(v: Option<&Value>) -> Option<u32> {
    v.and_then(Value::as_f64)
        .filter(|s| (0.0..1000.0).contains(s))
        .map(|s| s as u32)
}

/// A size in bytes, when the field is a sensible one.
fn size_of(v: Option<&Value>) -> Option<u64> {
    v.and_then(Value::as_f64)
        .filter(|s| *s > 0.0 && *s < 1e15)
        .map(|s| s as u64)
}

/// `xmlhttprequest` is `xhr`, like Sentry names it; other kinds as recorded.
fn kind_of(kind: &str) -> Option<String> {
    match kind {
        "" => None,
        "xmlhttprequest" => Some("xhr".into()),
        k => Some(collapse(&k.to_ascii_lowercase(), 40)),
    }
}

/// Only a script's own request (fetch, XHR) with status 0 is known to have failed: resource
/// timing reports 0 for cross-origin resources it may not see.
fn failed(status: Option<u32>, kind: Option<&str>) -> bool {
    let scripted = matches!(kind, Some("fetch" | "xhr"));
    status.is_some_and(|s| s >= 400 || (s == 0 && scripted))
}

/// A recorded body as text, cut at `MAX_BODY_BYTES`. JSON values recorded parsed are
/// written back as JSON.
fn body_of(v: Option<&Value>) -> Option<RecordedBody> {
    let text = match v? {
        Value::Null => return None,
        Value::String(s) if s.is_empty() => return None,
        Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
        other => std::borrow::Cow::Owned(other.to_string()),
    };
    let bytes = text.len();
    let mut cut = bytes.min(MAX_BODY_BYTES);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(RecordedBody {
        text: text[..cut].to_string(),
        bytes: bytes as u64,
        truncated: cut < bytes,
    })
}

/// Headers from a `{name: value}` object, at most `MAX_HEADERS`; the count left out goes
/// into `notes`.
fn headers_of(v: Option<&Value>, what: &str, notes: &mut Vec<String>) -> Vec<(String, String)> {
    let Some(Value::Object(map)) = v else {
        return Vec::new();
    };
    let out: Vec<(String, String)> = map
        .iter()
        .take(MAX_HEADERS)
        .map(|(k, v)| {
            let v = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (collapse(k, 200), collapse(&v, MAX_HEADER_CHARS))
        })
        .collect();
    if map.len() > MAX_HEADERS {
        notes.push(format!(
            "{} more {what} headers were recorded and left out",
            map.len() - MAX_HEADERS
        ));
    }
    out
}

/// A request of the rrweb network plugin (posthog-js's): `name` is the URL,
/// `responseStatus` (or `status`) the HTTP status.
fn rrweb_request(r: &Value) -> Option<Request> {
    let url = r
        .get("name")
        .or_else(|| r.get("url"))?
        .as_str()?
        .to_string();
    let status = status_of(r.get("responseStatus").or_else(|| r.get("status")));
    let kind = kind_of(r.get("initiatorType").and_then(Value::as_str).unwrap_or(""));
    let start = r.get("startTime").and_then(Value::as_f64);
    let end = r.get("endTime").and_then(Value::as_f64);
    let duration_ms = r
        .get("duration")
        .and_then(Value::as_f64)
        .or(match (start, end) {
            (Some(s), Some(e)) if e >= s => Some(e - s),
            _ => None,
        })
        .filter(|d| d.is_finite() && *d >= 0.0);
    let mut notes = Vec::new();
    let request_headers = headers_of(r.get("requestHeaders"), "request", &mut notes);
    let response_headers = headers_of(r.get("responseHeaders"), "response", &mut notes);
    let payloads = RequestPayloads {
        request_headers,
        response_headers,
        request_body: body_of(r.get("requestBody")),
        response_body: body_of(r.get("responseBody")),
        notes,
    };
    let size = size_of(r.get("transferSize"))
        .or_else(|| size_of(r.get("encodedBodySize")))
        .or_else(|| size_of(r.get("decodedBodySize")))
        .or(payloads.response_body.as_ref().map(|b| b.bytes));
    Some(Request {
        url: shorten(&url),
        method: r
            .get("method")
            .and_then(Value::as_str)
            .map(|m| collapse(&m.to_ascii_uppercase(), 20)),
        status,
        duration_ms,
        at: r
            .get("timestamp")
            .and_then(Value::as_f64)
            .or(start)
            .filter(|t| *t > 1e11 && *t < 1e14),
        failed: failed(status, kind.as_deref()),
        size,
        kind,
        payloads,
    })
}

/// Sentry breadcrumbs: console output and navigations.
fn sentry_breadcrumb(p: &Value) -> Option<Signal> {
    let category = p.get("category")?.as_str()?;
    match category {
        "console" => {
            let level = level_of(p.get("level").and_then(Value::as_str).unwrap_or("log"));
            let message = p
                .get("message")
                .and_then(Value::as_str)
                .map(shorten)
                .unwrap_or_default();
            Some(Signal::Console(entry(level, message, None)))
        }
        "navigation" => {
            let to = p.get("data")?.get("to")?.as_str()?;
            Some(Signal::Navigation {
                url: to.to_string(),
            })
        }
        _ => None,
    }
}

/// Sentry performance spans: navigations, and requests (`resource.*` spans, and the page
/// load's `navigation.navigate` / `reload` / `back_forward`).
fn sentry_span(p: &Value, out: &mut Vec<Signal>) {
    let Some(op) = p.get("op").and_then(Value::as_str) else {
        return;
    };
    let description = p.get("description").and_then(Value::as_str).unwrap_or("");
    if description.is_empty() {
        return;
    }
    let kind = if let Some(nav) = op.strip_prefix("navigation.") {
        out.push(Signal::Navigation {
            url: description.to_string(),
        });
        if !matches!(nav, "navigate" | "reload" | "back_forward") {
            return;
        }
        Some("navigation".to_string())
    } else if let Some(kind) = op.strip_prefix("resource.") {
        kind_of(kind)
    } else {
        return;
    };
    let data = p.get("data");
    let status = status_of(data.and_then(|d| d.get("statusCode")));
    let seconds = |k: &str| p.get(k).and_then(Value::as_f64);
    let (start, end) = (seconds("startTimestamp"), seconds("endTimestamp"));
    let duration_ms = match (start, end) {
        (Some(s), Some(e)) if e >= s => Some(((e - s) * 1000.0).round()),
        _ => None,
    };
    let part = |k: &str| data.and_then(|d| d.get(k));
    let mut notes = Vec::new();
    for (what, side) in [("request", part("request")), ("response", part("response"))] {
        let warnings = side
            .and_then(|s| s.get("_meta"))
            .and_then(|m| m.get("warnings"))
            .and_then(Value::as_array);
        for w in warnings.into_iter().flatten().filter_map(Value::as_str) {
            notes.push(format!("{what}: {}", collapse(w, 100)));
        }
    }
    let request_headers = headers_of(
        part("request").and_then(|r| r.get("headers")),
        "request",
        &mut notes,
    );
    let response_headers = headers_of(
        part("response").and_then(|r| r.get("headers")),
        "response",
        &mut notes,
    );
    let payloads = RequestPayloads {
        request_headers,
        response_headers,
        request_body: body_of(part("request").and_then(|r| r.get("body"))),
        response_body: body_of(part("response").and_then(|r| r.get("body"))),
        notes,
    };
    let size = size_of(part("response").and_then(|r| r.get("size")))
        .or_else(|| size_of(part("size")))
        .or_else(|| size_of(part("encodedBodySize")));
    out.push(Signal::Request(Box::new(Request {
        url: shorten(description),
        method: part("method")
            .and_then(Value::as_str)
            .map(|m| collapse(&m.to_ascii_uppercase(), 20)),
        status,
        duration_ms,
        // Sentry's span times are in seconds.
        at: start
            .map(|s| if s < 1e11 { s * 1000.0 } else { s })
            .filter(|t| *t > 1e11 && *t < 1e14),
        failed: failed(status, kind.as_deref()),
        size,
        kind,
        payloads,
    })));
}

/// PostHog `$exception`: type and message, from the flat or the list form.
fn posthog_exception(p: Option<&Value>) -> String {
    let Some(p) = p else {
        return "Exception".into();
    };
    let first = p
        .get("$exception_list")
        .and_then(Value::as_array)
        .and_then(|l| l.first());
    let kind = p
        .get("$exception_type")
        .or_else(|| first.and_then(|f| f.get("type")))
        .and_then(Value::as_str);
    let message = p
        .get("$exception_message")
        .or_else(|| first.and_then(|f| f.get("value")))
        .and_then(Value::as_str);
    match (kind, message) {
        (Some(k), Some(m)) => shorten(&format!("{k}: {m}")),
        (Some(s), None) | (None, Some(s)) => shorten(s),
        (None, None) => "Exception".into(),
    }
}

/// PostHog `$exception` frames (`$exception_list[0].stacktrace.frames`), innermost first.
fn posthog_stack(p: &Value) -> Option<String> {
    let frames = p
        .get("$exception_list")?
        .as_array()?
        .first()?
        .get("stacktrace")?
        .get("frames")?
        .as_array()?;
    let s = |f: &Value, k: &str| match f.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let lines: Vec<String> = frames
        .iter()
        .rev()
        .take(200)
        .map(|f| {
            let func = s(f, "function");
            let func = if func.is_empty() { "?".into() } else { func };
            format!(
                "{func} ({}:{}:{})",
                s(f, "filename"),
                s(f, "lineno"),
                s(f, "colno")
            )
        })
        .collect();
    (!lines.is_empty()).then(|| shorten(&lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plugin(name: &str, payload: Value) -> Vec<Signal> {
        let mut out = Vec::new();
        from_plugin(name, &payload, &mut out);
        out
    }

    fn custom(tag: &str, payload: Value) -> Vec<Signal> {
        let mut out = Vec::new();
        from_custom(tag, Some(&payload), &mut out);
        out
    }

    fn consoles(s: Vec<Signal>) -> Vec<Console> {
        s.into_iter()
            .filter_map(|s| match s {
                Signal::Console(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    fn requests(s: Vec<Signal>) -> Vec<Request> {
        s.into_iter()
            .filter_map(|s| match s {
                Signal::Request(r) => Some(*r),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn console_plugin_every_level() {
        let levels = [
            "log", "info", "debug", "warn", "error", "assert", "trace", "table", "dir",
        ];
        for level in levels {
            let c = consoles(plugin(
                CONSOLE_PLUGIN,
                json!({"level": level, "payload": ["\"hello\"", "{\"code\":7}", "null"], "trace": ["pay (app.js:1:2)", "main (app.js:9:1)"]}),
            ));
            assert_eq!(c.len(), 1, "{level}");
            assert_eq!(c[0].level, level);
            assert_eq!(c[0].message, "hello {\"code\":7} null");
            assert_eq!(
                c[0].stack.as_deref(),
                Some("pay (app.js:1:2)\nmain (app.js:9:1)")
            );
            assert!(!c[0].exception);
            assert_eq!(c[0].is_error(), level == "error" || level == "assert");
            assert_eq!(c[0].is_warning(), level == "warn");
        }
        // A payload that is one string, no trace, and an upper-case level.
        let c = consoles(plugin(
            CONSOLE_PLUGIN,
            json!({"level":"WARN","payload":"dcvrtbye"}),
        ));
        assert_eq!(
            c,
            [Console {
                level: "warn".into(),
                message: "dcvrtbye".into(),
                stack: None,
                exception: false
            }]
        );
        assert!(plugin(CONSOLE_PLUGIN, json!({})).is_empty());
    }

    #[test]
    fn exceptions_only_at_error_levels() {
        let c = consoles(plugin(
            CONSOLE_PLUGIN,
            json!({"level":"error","payload":["\"Uncaught Error: boom\""],"trace":[]}),
        ));
        assert!(c[0].exception && c[0].stack.is_none());
        let c = consoles(plugin(
            CONSOLE_PLUGIN,
            json!({"level":"log","payload":["\"Uncaught Error: boom\""]}),
        ));
        assert!(!c[0].exception, "a log line is never an exception");
        let c = consoles(custom(
            "$exception",
            json!({"$exception_list":[{"type":"TypeError","value":"x is undefined","stacktrace":{"frames":[
                {"function":"outer","filename":"app.js","lineno":1,"colno":2},
                {"function":"inner","filename":"app.js","lineno":5,"colno":9}
            ]}}]}),
        ));
        assert_eq!(c[0].message, "TypeError: x is undefined");
        assert_eq!(c[0].level, "error");
        assert!(c[0].exception);
        assert_eq!(
            c[0].stack.as_deref(),
            Some("inner (app.js:5:9)\nouter (app.js:1:2)")
        );
    }

    #[test]
    fn sentry_console_breadcrumbs_every_level() {
        for (recorded, level) in [
            ("log", "log"),
            ("info", "info"),
            ("debug", "debug"),
            ("warning", "warn"),
            ("error", "error"),
            ("assert", "assert"),
        ] {
            let c = consoles(custom(
                "breadcrumb",
                json!({"category":"console","level":recorded,"message":"m","data":{"logger":"console"}}),
            ));
            assert_eq!(c.len(), 1);
            assert_eq!(c[0].level, level, "{recorded}");
            assert_eq!(c[0].message, "m");
        }
        // Other breadcrumbs are not console output.
        assert!(consoles(custom(
            "breadcrumb",
            json!({"category":"ui.click","message":"button"})
        ))
        .is_empty());
    }

    #[test]
    fn rrweb_network_plugin_requests_with_headers_and_bodies() {
        let big = "x".repeat(MAX_BODY_BYTES + 10);
        let r = requests(plugin(
            NETWORK_PLUGIN,
            json!({"requests":[
                {"name":"http://a.test/api","method":"post","responseStatus":404,"initiatorType":"fetch",
                 "startTime":10,"endTime":25,"timestamp":1_700_000_000_000.0_f64,"transferSize":323,
                 "requestHeaders":{"content-type":"application/json","x-n":7},
                 "requestBody":{"sku":103},
                 "responseHeaders":{"content-type":"text/html"},
                 "responseBody":"<img src=x onerror=alert(1)>"},
                {"name":"http://cdn.test/x.png","responseStatus":0,"initiatorType":"img","encodedBodySize":99},
                {"name":"http://a.test/ok","responseStatus":200,"initiatorType":"xmlhttprequest","responseBody":big},
                {"name":"http://a.test/down","responseStatus":0,"initiatorType":"xmlhttprequest"}
            ]}),
        ));
        assert_eq!(r.len(), 4, "every request, not only failed ones");
        let first = &r[0];
        assert_eq!(first.method.as_deref(), Some("POST"));
        assert_eq!(
            (first.status, first.duration_ms, first.size),
            (Some(404), Some(15.0), Some(323))
        );
        assert_eq!(first.at, Some(1_700_000_000_000.0));
        assert_eq!(first.kind.as_deref(), Some("fetch"));
        assert!(first.failed);
        assert_eq!(
            first.payloads.request_headers,
            [
                ("content-type".to_string(), "application/json".to_string()),
                ("x-n".to_string(), "7".to_string())
            ]
        );
        assert_eq!(
            first.payloads.request_body.as_ref().unwrap().text,
            "{\"sku\":103}"
        );
        let body = first.payloads.response_body.as_ref().unwrap();
        assert_eq!(body.text, "<img src=x onerror=alert(1)>");
        assert!(!body.truncated);
        // A status 0 image is not a failure; its size is the body size.
        assert!(!r[1].failed);
        assert_eq!((r[1].kind.as_deref(), r[1].size), (Some("img"), Some(99)));
        // Bodies are cut at the cap, and say so.
        let body = r[2].payloads.response_body.as_ref().unwrap();
        assert_eq!(body.text.len(), MAX_BODY_BYTES);
        assert_eq!(body.bytes as usize, MAX_BODY_BYTES + 10);
        assert!(body.truncated);
        assert_eq!(r[2].kind.as_deref(), Some("xhr"));
        assert!(!r[2].failed);
        assert!(r[3].failed, "an XHR with status 0 did not complete");
        assert!(r[3].payloads.is_empty());
    }

    #[test]
    fn headers_past_the_cap_are_noted() {
        let headers: serde_json::Map<String, Value> = (0..MAX_HEADERS + 5)
            .map(|i| (format!("h{i:04}"), json!("v")))
            .collect();
        let r = requests(plugin(
            NETWORK_PLUGIN,
            json!({"requests":[{"name":"http://a.test/","responseHeaders":headers}]}),
        ));
        assert_eq!(r[0].payloads.response_headers.len(), MAX_HEADERS);
        assert_eq!(
            r[0].payloads.notes,
            ["5 more response headers were recorded and left out"]
        );
    }

    #[test]
    fn sentry_spans_are_requests() {
        let r = requests(custom(
            "performanceSpan",
            json!({"op":"resource.fetch","description":"/api","startTimestamp":1_700_000_000.0_f64,"endTimestamp":1_700_000_000.25_f64,
                   "data":{"method":"POST","statusCode":500,
                   "request":{"headers":{"accept":"*/*"},"body":{"q":1},"size":7},
                   "response":{"headers":{"content-type":"application/json"},"body":"oops","size":4,
                               "_meta":{"warnings":["TEXT_TRUNCATED"]}}}}),
        ));
        let f = &r[0];
        assert!(f.failed);
        assert_eq!(f.duration_ms, Some(250.0));
        assert_eq!(f.at, Some(1_700_000_000_000.0));
        assert_eq!((f.size, f.kind.as_deref()), (Some(4), Some("fetch")));
        assert_eq!(f.payloads.request_body.as_ref().unwrap().text, "{\"q\":1}");
        assert_eq!(f.payloads.response_body.as_ref().unwrap().text, "oops");
        assert_eq!(f.payloads.notes, ["response: TEXT_TRUNCATED"]);
        // Scripts and stylesheets are requests too; only fetch/XHR fail with status 0.
        let r = requests(custom(
            "performanceSpan",
            json!({"op":"resource.script","description":"http://a.test/s.js","startTimestamp":1.0,"endTimestamp":1.5,"data":{"statusCode":0,"size":880}}),
        ));
        assert!(!r[0].failed);
        assert_eq!(
            (r[0].kind.as_deref(), r[0].size),
            (Some("script"), Some(880))
        );
        // The page load is a navigation and a request; a pushState only a navigation.
        let s = custom(
            "performanceSpan",
            json!({"op":"navigation.navigate","description":"http://a.test/","startTimestamp":1.0,"endTimestamp":1.3,"data":{"size":2071}}),
        );
        assert!(matches!(&s[0], Signal::Navigation { url } if url == "http://a.test/"));
        assert!(
            matches!(&s[1], Signal::Request(r) if r.kind.as_deref() == Some("navigation") && r.size == Some(2071))
        );
        let s = custom(
            "performanceSpan",
            json!({"op":"navigation.push","description":"http://a.test/b","startTimestamp":1.0,"endTimestamp":1.0}),
        );
        assert_eq!(s.len(), 1);
        assert!(requests(custom(
            "performanceSpan",
            json!({"op":"memory","description":"memory","startTimestamp":1.0,"endTimestamp":1.0})
        ))
        .is_empty());
    }

    #[test]
    fn navigations_and_custom_events() {
        assert_eq!(
            custom("$url_changed", json!({"href":"http://a.test/b"})),
            [Signal::Navigation {
                url: "http://a.test/b".into()
            }]
        );
        assert_eq!(
            custom(
                "breadcrumb",
                json!({"category":"navigation","data":{"from":"/a","to":"/b"}})
            ),
            [Signal::Navigation { url: "/b".into() }]
        );
        assert!(custom("$session_options", json!({})).is_empty());
        assert_eq!(
            custom("order-placed", json!({})),
            [Signal::Custom {
                name: "order-placed".into()
            }]
        );
    }
}
