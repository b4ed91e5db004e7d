//! What custom and plugin events say: console output, exceptions, network requests,
//! in-app navigations and the app's own events, across rrweb plugins, PostHog and Sentry.

use serde_json::Value;

use super::mirror::collapse;

/// Longest message or URL kept in a marker's detail.
const MAX_DETAIL_CHARS: usize = 4_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    ConsoleError {
        level: String,
        message: String,
        stack: Option<String>,
    },
    ConsoleWarning {
        message: String,
        stack: Option<String>,
    },
    Exception {
        message: String,
        stack: Option<String>,
    },
    Request(Request),
    Navigation {
        url: String,
    },
    Custom {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub url: String,
    pub method: Option<String>,
    pub status: Option<u32>,
    pub duration_ms: Option<f64>,
    /// Epoch ms when the entry says when it happened.
    pub at: Option<f64>,
    pub failed: bool,
}

pub const CONSOLE_PLUGIN: &str = "rrweb/console@1";
pub const NETWORK_PLUGIN: &str = "rrweb/network@1";

/// Signals in a plugin event.
pub fn from_plugin(plugin: &str, payload: &Value, out: &mut Vec<Signal>) {
    match plugin {
        CONSOLE_PLUGIN => out.extend(console(payload)),
        NETWORK_PLUGIN => {
            if let Some(requests) = payload.get("requests").and_then(Value::as_array) {
                out.extend(
                    requests
                        .iter()
                        .filter_map(rrweb_request)
                        .map(Signal::Request),
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
        "$exception" => out.push(Signal::Exception {
            message: posthog_exception(payload),
            stack: None,
        }),
        // Sentry.
        "breadcrumb" => out.extend(payload.and_then(sentry_breadcrumb)),
        "performanceSpan" => out.extend(payload.and_then(sentry_span)),
        "options" | "sessionIdle" | "sessionNoLongerIdle" => {}
        // PostHog's own bookkeeping ($session_options, $posthog_config, ...).
        t if t.starts_with('$') => {}
        "" => {}
        name => out.push(Signal::Custom {
            name: collapse(name, 200),
        }),
    }
}

/// rrweb's console plugin: `{level, payload: [stringified args], trace: [frames]}`.
fn console(p: &Value) -> Option<Signal> {
    let level = p.get("level")?.as_str()?;
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
    Some(match level {
        "error" | "assert" => {
            if is_exception(&message) {
                Signal::Exception { message, stack }
            } else {
                Signal::ConsoleError {
                    level: level.to_string(),
                    message,
                    stack,
                }
            }
        }
        "warn" | "warning" => Signal::ConsoleWarning { message, stack },
        _ => return None,
    })
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

/// A request of the rrweb network plugin (posthog-js's): `name` is the URL,
/// `responseStatus` (or `status`) the HTTP status.
fn rrweb_request(r: &Value) -> Option<Request> {
    let url = r
        .get("name")
        .or_else(|| r.get("url"))?
        .as_str()?
        .to_string();
    let status = status_of(r.get("responseStatus").or_else(|| r.get("status")));
    let initiator = r.get("initiatorType").and_then(Value::as_str).unwrap_or("");
    let scripted = matches!(initiator, "fetch" | "xmlhttprequest");
    let start = r.get("startTime").and_then(Value::as_f64);
    let end = r.get("endTime").and_then(Value::as_f64);
    let duration_ms = r
        .get("duration")
        .and_then(Value::as_f64)
        .or(match (start, end) {
            (Some(s), Some(e)) if e >= s => Some(e - s),
            _ => None,
        });
    // Resource timing reports 0 for cross-origin resources it may not see; only a script's
    // own request with status 0 is known to have failed.
    let failed = status.is_some_and(|s| s >= 400 || (s == 0 && scripted));
    Some(Request {
        url: shorten(&url),
        method: r.get("method").and_then(Value::as_str).map(str::to_string),
        status,
        duration_ms,
        at: r
            .get("timestamp")
            .and_then(Value::as_f64)
            .filter(|t| *t > 1e11),
        failed,
    })
}

/// Sentry breadcrumbs: console output and navigations.
fn sentry_breadcrumb(p: &Value) -> Option<Signal> {
    let category = p.get("category")?.as_str()?;
    let message = || {
        p.get("message")
            .and_then(Value::as_str)
            .map(shorten)
            .unwrap_or_default()
    };
    match category {
        "console" => match p.get("level").and_then(Value::as_str)? {
            "error" | "assert" => {
                let message = message();
                Some(if is_exception(&message) {
                    Signal::Exception {
                        message,
                        stack: None,
                    }
                } else {
                    Signal::ConsoleError {
                        level: "error".into(),
                        message,
                        stack: None,
                    }
                })
            }
            "warn" | "warning" => Some(Signal::ConsoleWarning {
                message: message(),
                stack: None,
            }),
            _ => None,
        },
        "navigation" => {
            let to = p.get("data")?.get("to")?.as_str()?;
            Some(Signal::Navigation {
                url: to.to_string(),
            })
        }
        _ => None,
    }
}

/// Sentry performance spans: navigations and fetch/XHR requests.
fn sentry_span(p: &Value) -> Option<Signal> {
    let op = p.get("op")?.as_str()?;
    let description = p.get("description").and_then(Value::as_str).unwrap_or("");
    if op.starts_with("navigation.") {
        return (!description.is_empty()).then(|| Signal::Navigation {
            url: description.to_string(),
        });
    }
    if op != "resource.fetch" && op != "resource.xhr" {
        return None;
    }
    let data = p.get("data");
    let status = status_of(data.and_then(|d| d.get("statusCode")));
    let seconds = |k: &str| p.get(k).and_then(Value::as_f64);
    let duration_ms = match (seconds("startTimestamp"), seconds("endTimestamp")) {
        (Some(s), Some(e)) if e >= s => Some(((e - s) * 1000.0).round()),
        _ => None,
    };
    Some(Signal::Request(Request {
        url: shorten(description),
        method: data
            .and_then(|d| d.get("method"))
            .and_then(Value::as_str)
            .map(str::to_string),
        status,
        duration_ms,
        at: None,
        failed: status.is_some_and(|s| s >= 400 || s == 0),
    }))
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

    #[test]
    fn console_levels_and_exceptions() {
        let s = plugin(
            CONSOLE_PLUGIN,
            json!({"level":"error","payload":["\"payment failed\"","{\"code\":7}"],"trace":["pay (app.js:1:2)"]}),
        );
        assert_eq!(
            s,
            [Signal::ConsoleError {
                level: "error".into(),
                message: "payment failed {\"code\":7}".into(),
                stack: Some("pay (app.js:1:2)".into())
            }]
        );
        let s = plugin(
            CONSOLE_PLUGIN,
            json!({"level":"error","payload":["\"Uncaught Error: boom\""],"trace":[]}),
        );
        assert!(
            matches!(&s[..], [Signal::Exception { message, .. }] if message == "Uncaught Error: boom")
        );
        assert!(matches!(
            &plugin(CONSOLE_PLUGIN, json!({"level":"warn","payload":"dcvrtbye"}))[..],
            [Signal::ConsoleWarning { .. }]
        ));
        assert!(plugin(CONSOLE_PLUGIN, json!({"level":"log","payload":[]})).is_empty());
        assert!(plugin(CONSOLE_PLUGIN, json!({})).is_empty());
    }

    #[test]
    fn failed_requests() {
        let s = plugin(
            NETWORK_PLUGIN,
            json!({"requests":[
                {"name":"http://a.test/api","method":"GET","responseStatus":404,"initiatorType":"fetch","startTime":10,"endTime":25},
                {"name":"http://cdn.test/x.png","responseStatus":0,"initiatorType":"img"},
                {"name":"http://a.test/ok","responseStatus":200,"initiatorType":"fetch"},
                {"name":"http://a.test/down","responseStatus":0,"initiatorType":"xmlhttprequest"}
            ]}),
        );
        let failed: Vec<_> = s
            .iter()
            .filter_map(|s| match s {
                Signal::Request(r) if r.failed => Some((r.url.as_str(), r.status, r.duration_ms)),
                _ => None,
            })
            .collect();
        assert_eq!(
            failed,
            [
                ("http://a.test/api", Some(404), Some(15.0)),
                ("http://a.test/down", Some(0), None)
            ]
        );
        let s = custom(
            "performanceSpan",
            json!({"op":"resource.fetch","description":"http://a.test/api","startTimestamp":1.0,"endTimestamp":1.25,"data":{"method":"POST","statusCode":500}}),
        );
        assert!(matches!(&s[..], [Signal::Request(r)] if r.failed && r.duration_ms == Some(250.0)));
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
