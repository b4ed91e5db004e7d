//! Links to a moment of a session: `tapedeck://session/<id>?t=<ms>[&window=<n>]`.
//!
//! `t` is milliseconds from the session's start (as the CLI's `--from`), so a link names the
//! same moment whichever window is on screen; `window` (the window's index) pins the tab when
//! the link was copied from one the user picked. Parsing is strict about the shape and lenient
//! about order and unknown parameters, so links made by a newer build still open.

use serde::{Deserialize, Serialize};

pub const SCHEME: &str = "tapedeck";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SessionLink {
    pub session_id: String,
    /// Milliseconds from the session's start; none opens it at the beginning.
    pub at_ms: Option<u64>,
    pub window: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("not a Tapedeck link (it should start with tapedeck://session/)")]
    NotALink,
    #[error("the link names no session")]
    NoSession,
    #[error("the link's {0} is not a whole number: {1:?}")]
    BadNumber(&'static str, String),
}

impl SessionLink {
    /// Whether `arg` looks like a link at all (so a command line can tell it from a path).
    pub fn is_link(arg: &str) -> bool {
        arg.len() > SCHEME.len() + 3
            && arg[..SCHEME.len()].eq_ignore_ascii_case(SCHEME)
            && arg[SCHEME.len()..].starts_with("://")
    }

    pub fn parse(link: &str) -> Result<Self, LinkError> {
        let link = link.trim();
        if !Self::is_link(link) {
            return Err(LinkError::NotALink);
        }
        let rest = &link[SCHEME.len() + 3..];
        let rest = rest.split('#').next().unwrap_or_default();
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let id = path
            .strip_prefix("session/")
            .ok_or(LinkError::NotALink)?
            .trim_end_matches('/');
        // A slash is allowed in an id only encoded: a bare one is another path.
        if id.contains('/') {
            return Err(LinkError::NoSession);
        }
        let session_id = percent_decode(id);
        if session_id.is_empty() {
            return Err(LinkError::NoSession);
        }
        let mut out = SessionLink {
            session_id,
            at_ms: None,
            window: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key {
                "t" => out.at_ms = Some(number("time", value)?),
                "window" => {
                    let n = number("window", value)?;
                    out.window = Some(
                        u32::try_from(n)
                            .map_err(|_| LinkError::BadNumber("window", value.to_string()))?,
                    );
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

impl std::fmt::Display for SessionLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SCHEME}://session/{}", percent_encode(&self.session_id))?;
        let mut sep = '?';
        if let Some(t) = self.at_ms {
            write!(f, "{sep}t={t}")?;
            sep = '&';
        }
        if let Some(w) = self.window {
            write!(f, "{sep}window={w}")?;
        }
        Ok(())
    }
}

fn number(what: &'static str, value: &str) -> Result<u64, LinkError> {
    // A fractional time (from a hand-edited link) is rounded down, not refused.
    let whole = value.split_once('.').map_or(value, |(w, _)| w);
    whole
        .parse::<u64>()
        .map_err(|_| LinkError::BadNumber(what, value.to_string()))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(id: &str, t: Option<u64>, w: Option<u32>) -> SessionLink {
        SessionLink {
            session_id: id.into(),
            at_ms: t,
            window: w,
        }
    }

    #[test]
    fn round_trips() {
        for l in [
            link("a1b2c3", Some(62_000), None),
            link("a1b2c3", None, None),
            link("sess 1/é?&", Some(0), Some(3)),
        ] {
            let s = l.to_string();
            assert_eq!(SessionLink::parse(&s), Ok(l), "{s}");
        }
        assert_eq!(
            link("abc", Some(5), Some(1)).to_string(),
            "tapedeck://session/abc?t=5&window=1"
        );
    }

    #[test]
    fn reads_what_people_paste() {
        assert_eq!(
            SessionLink::parse("  TAPEDECK://session/abc/?window=2&x=y&t=1500.7#frag "),
            Ok(link("abc", Some(1500), Some(2)))
        );
        assert_eq!(
            SessionLink::parse("tapedeck://session/x%2"),
            Ok(link("x%2", None, None))
        );
    }

    #[test]
    fn refuses_what_is_not_a_link() {
        assert_eq!(
            SessionLink::parse("/tmp/rec.json"),
            Err(LinkError::NotALink)
        );
        assert_eq!(
            SessionLink::parse("https://session/abc"),
            Err(LinkError::NotALink)
        );
        assert_eq!(
            SessionLink::parse("tapedeck://other/abc"),
            Err(LinkError::NotALink)
        );
        assert_eq!(
            SessionLink::parse("tapedeck://session/"),
            Err(LinkError::NoSession)
        );
        assert_eq!(
            SessionLink::parse("tapedeck://session/a/b"),
            Err(LinkError::NoSession)
        );
        assert!(matches!(
            SessionLink::parse("tapedeck://session/a?t=-4"),
            Err(LinkError::BadNumber("time", _))
        ));
        assert!(matches!(
            SessionLink::parse("tapedeck://session/a?window=99999999999"),
            Err(LinkError::BadNumber("window", _))
        ));
        assert!(!SessionLink::is_link("tapedeck:/session/a"));
        assert!(SessionLink::is_link("tapedeck://session/a"));
    }
}
