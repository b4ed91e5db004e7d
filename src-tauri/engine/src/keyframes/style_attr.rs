//! rrweb records inline style changes as `{property: value | [value, priority] | false}` and
//! replays them with `style.setProperty` / `removeProperty`; the browser then rewrites the
//! `style` attribute from its declaration list. This does the same on the attribute text:
//! declarations keep their place when set again, new ones go last, and the text is written
//! back the way Chromium serialises it (`name: value;` joined by spaces). Shorthand folding
//! and value normalisation are the browser's own and are not reproduced.

use super::json::{Json, Obj};

#[derive(Debug, Clone, PartialEq)]
struct Declaration {
    name: String,
    value: String,
    important: bool,
}

/// Applies one rrweb style object to the current `style` attribute text (`None`: no
/// attribute), returning the new text.
pub fn apply(current: Option<&str>, changes: &Obj) -> String {
    let mut decls = parse(current.unwrap_or(""));
    for (name, change) in changes.iter() {
        let name = property_name(name);
        match change {
            Json::Bool(false) => decls.retain(|d| d.name != name),
            Json::Array(pair) => {
                let value = pair.first().map(css_text).unwrap_or_default();
                let priority = pair.get(1).map(css_text).unwrap_or_default();
                set(&mut decls, name, value, &priority);
            }
            other => set(&mut decls, name, css_text(other), ""),
        }
    }
    serialize(&decls)
}

/// `setProperty(name, value, priority)`: an empty value removes the property, an unknown
/// priority makes the call do nothing.
fn set(decls: &mut Vec<Declaration>, name: String, value: String, priority: &str) {
    let important = match priority.to_ascii_lowercase().as_str() {
        "" => false,
        "important" => true,
        _ => return,
    };
    let value = value.trim().to_string();
    if value.is_empty() {
        decls.retain(|d| d.name != name);
        return;
    }
    match decls.iter_mut().find(|d| d.name == name) {
        Some(d) => {
            d.value = value;
            d.important = important;
        }
        None => decls.push(Declaration {
            name,
            value,
            important,
        }),
    }
}

/// How JavaScript turns the value into a string for `setProperty`.
fn css_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        other => other.to_string_compact(),
    }
}

/// Custom properties keep their case; the rest are case-insensitive.
fn property_name(name: &str) -> String {
    let name = name.trim();
    if name.starts_with("--") {
        name.to_string()
    } else {
        name.to_ascii_lowercase()
    }
}

fn parse(text: &str) -> Vec<Declaration> {
    let mut out: Vec<Declaration> = Vec::new();
    for part in split_top_level(text) {
        let Some((name, value)) = part.split_once(':') else {
            continue;
        };
        let name = property_name(name);
        if name.is_empty() {
            continue;
        }
        let (value, important) = strip_important(value.trim());
        if value.is_empty() {
            continue;
        }
        // A property declared twice keeps its last value, in its last place.
        out.retain(|d| d.name != name);
        out.push(Declaration {
            name,
            value: value.to_string(),
            important,
        });
    }
    out
}

fn strip_important(value: &str) -> (&str, bool) {
    if let Some(bang) = value.rfind('!') {
        if value[bang + 1..].trim().eq_ignore_ascii_case("important") {
            return (value[..bang].trim_end(), true);
        }
    }
    (value, false)
}

/// Splits on `;` outside quotes, parentheses and comments (`url(a;b)`, `content: ";"`).
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None::<char>, 0usize);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ';') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn serialize(decls: &[Declaration]) -> String {
    let mut out = String::new();
    for d in decls {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&d.name);
        out.push_str(": ");
        out.push_str(&d.value);
        if d.important {
            out.push_str(" !important");
        }
        out.push(';');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyframes::json::parse as json;

    fn changes(text: &str) -> Obj {
        json(text.as_bytes()).unwrap().as_object().unwrap().clone()
    }

    #[test]
    fn sets_in_place_appends_and_removes() {
        let s = apply(
            Some("color:red;width: 10px"),
            &changes(r#"{"width":"20px","top":["0px","important"],"color":false}"#),
        );
        assert_eq!(s, "width: 20px; top: 0px !important;");
    }

    #[test]
    fn no_attribute_yet_and_empty_value_removes() {
        assert_eq!(apply(None, &changes(r#"{"Color":"blue"}"#)), "color: blue;");
        assert_eq!(apply(Some("color: blue;"), &changes(r#"{"color":""}"#)), "");
    }

    #[test]
    fn semicolons_inside_urls_and_strings_are_not_separators() {
        let s = apply(
            Some(r#"background: url("a;b.png"); content: ";""#),
            &changes(r#"{"--My-Var":"1"}"#),
        );
        assert_eq!(
            s,
            r#"background: url("a;b.png"); content: ";"; --My-Var: 1;"#
        );
    }

    #[test]
    fn unknown_priority_is_ignored() {
        let s = apply(Some("a: 1;"), &changes(r#"{"a":["2","bogus"]}"#));
        assert_eq!(s, "a: 1;");
    }
}
