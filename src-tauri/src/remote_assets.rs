//! "Load remote assets": the `remote-asset` URI scheme through which the replay of a session
//! the user opted in for fetches the recorded page's stylesheets, images, fonts and media from
//! their original servers.
//!
//! The app's CSP allows no remote origin; it allows this scheme for images, styles, fonts and
//! media only (it is inherited by rrweb's replay iframe, so it cannot change per session).
//! With the flag off the UI hands rrweb the events unchanged and the CSP blocks every remote
//! URL in them; with it on, the UI rewrites those URLs to
//! `remote-asset://localhost/<grant>/<percent-encoded original URL>`
//! (`http://remote-asset.localhost/…` on Windows). `<grant>` is a random token issued for one
//! session while its flag is on and known only to this run of the app: a recording cannot
//! name another session's grant, so it cannot fetch through a session that has the flag on.
//! Every request is checked against the library's flag again before anything is fetched.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tauri::http::{header, Method, Response, StatusCode};
use tauri::{AppHandle, Manager, UriSchemeResponder, Url};

use crate::state::AppState;

/// The URI scheme the app registers.
pub const SCHEME: &str = "remote-asset";

/// What one fetch may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest body passed on (after decompression); a bigger one is refused.
    pub max_bytes: u64,
    /// For the whole request, redirects and body included.
    pub timeout: Duration,
}

pub const LIMITS: Limits = Limits {
    max_bytes: 32 * 1024 * 1024,
    timeout: Duration::from_secs(20),
};

/// Why a request to the scheme got no asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a GET or HEAD.
    Method,
    /// The path is not `/<grant>/<url>`.
    Malformed,
    /// No such grant, or the session's flag is off.
    NotAllowed,
    /// Not an absolute http(s) URL without credentials.
    BadUrl(String),
    /// The body is over `Limits::max_bytes`.
    TooLarge(u64),
    TimedOut,
    /// The original server could not be reached or answered garbage.
    Upstream(String),
}

impl Refusal {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Method => StatusCode::METHOD_NOT_ALLOWED,
            Self::Malformed => StatusCode::NOT_FOUND,
            Self::NotAllowed => StatusCode::FORBIDDEN,
            Self::BadUrl(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge(_) | Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::TimedOut => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Method => "only GET and HEAD".into(),
            Self::Malformed => "not a remote asset URL".into(),
            Self::NotAllowed => "remote assets are off for this session".into(),
            Self::BadUrl(why) => format!("refused: {why}"),
            Self::TooLarge(limit) => format!("larger than {limit} bytes; not loaded"),
            Self::TimedOut => "the original server did not answer in time".into(),
            Self::Upstream(why) => format!("could not fetch: {why}"),
        }
    }
}

/// The grants issued in this run: token → session id.
#[derive(Default)]
pub struct Grants {
    by_token: Mutex<HashMap<String, String>>,
}

impl Grants {
    /// The session's grant, issued on first use and the same for the rest of the run.
    pub fn issue(&self, session: &str) -> String {
        let mut map = self.by_token.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((token, _)) = map.iter().find(|(_, s)| *s == session) {
            return token.clone();
        }
        let token = new_token();
        map.insert(token.clone(), session.to_string());
        token
    }

    /// Withdraws the session's grant: its proxied URLs stop working at once.
    pub fn revoke(&self, session: &str) {
        let mut map = self.by_token.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s != session);
    }

    pub fn session(&self, token: &str) -> Option<String> {
        let map = self.by_token.lock().unwrap_or_else(|e| e.into_inner());
        map.get(token).cloned()
    }
}

fn new_token() -> String {
    let mut bytes = [0u8; 16];
    // Without OS randomness a guessable token would defeat the point; refuse to go on.
    getrandom::fill(&mut bytes).expect("the OS random number generator is unavailable");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decides a request to the scheme before anything touches the network: the original URL to
/// fetch, or why not. `enabled` reads the session's flag from the library.
pub fn decide(
    method: &Method,
    path: &str,
    grants: &Grants,
    enabled: impl FnOnce(&str) -> bool,
) -> Result<Url, Refusal> {
    if method != Method::GET && method != Method::HEAD {
        return Err(Refusal::Method);
    }
    let rest = path.strip_prefix('/').ok_or(Refusal::Malformed)?;
    let (token, encoded) = rest.split_once('/').ok_or(Refusal::Malformed)?;
    let session = grants.session(token).ok_or(Refusal::NotAllowed)?;
    if !enabled(&session) {
        return Err(Refusal::NotAllowed);
    }
    let original = percent_decode(encoded).ok_or(Refusal::Malformed)?;
    check_url(&original)
}

/// An absolute http or https URL with a host and no user name or password in it.
pub fn check_url(original: &str) -> Result<Url, Refusal> {
    let mut url = Url::parse(original).map_err(|e| Refusal::BadUrl(format!("{e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(Refusal::BadUrl(format!(
            "only http and https URLs, not {}:",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Refusal::BadUrl("no host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::BadUrl("credentials in the URL".into()));
    }
    url.set_fragment(None);
    Ok(url)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What the original server sent back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Fetches an original URL. The app's is [`Http`]; tests count calls with their own.
pub trait Fetch {
    fn fetch(&self, url: &Url) -> Result<Fetched, Refusal>;
}

/// Plain HTTP(S): no cookies, no credentials, none of the webview's headers, bounded in size
/// and time.
pub struct Http {
    agent: ureq::Agent,
    limits: Limits,
}

impl Http {
    pub fn new(limits: Limits) -> Self {
        Self::build(limits, ureq::Proxy::try_from_env())
    }

    /// Straight to the server, whatever the environment says about proxies.
    #[cfg(test)]
    pub fn direct(limits: Limits) -> Self {
        Self::build(limits, None)
    }

    fn build(limits: Limits, proxy: Option<ureq::Proxy>) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(limits.timeout))
            // A 404 is passed on as a 404, not turned into an error.
            .http_status_as_error(false)
            .max_redirects(5)
            .proxy(proxy)
            .user_agent(concat!("Tapedeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self { agent, limits }
    }
}

impl Fetch for Http {
    fn fetch(&self, url: &Url) -> Result<Fetched, Refusal> {
        let mut response = self
            .agent
            .get(url.as_str())
            .call()
            .map_err(|e| refusal(e, self.limits))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // `limit` reads one byte past the cap to tell "exactly the cap" from "over it".
        let body = response
            .body_mut()
            .with_config()
            .limit(self.limits.max_bytes)
            .read_to_vec()
            .map_err(|e| refusal(e, self.limits))?;
        Ok(Fetched {
            status,
            content_type,
            body,
        })
    }
}

fn refusal(e: ureq::Error, limits: Limits) -> Refusal {
    match e {
        ureq::Error::BodyExceedsLimit(_) => Refusal::TooLarge(limits.max_bytes),
        ureq::Error::Timeout(_) => Refusal::TimedOut,
        other => Refusal::Upstream(other.to_string()),
    }
}

/// The whole handler as a plain function: decide, then fetch only what was allowed.
pub fn respond(
    method: &Method,
    path: &str,
    grants: &Grants,
    enabled: impl FnOnce(&str) -> bool,
    fetcher: &dyn Fetch,
) -> Response<Vec<u8>> {
    let fetched = decide(method, path, grants, enabled).and_then(|url| fetcher.fetch(&url));
    match fetched {
        Ok(f) => {
            let mut r = Response::builder().status(f.status);
            if let Some(ct) = f.content_type {
                r = r.header(header::CONTENT_TYPE, ct);
            }
            let body = if method == Method::HEAD {
                Vec::new()
            } else {
                f.body
            };
            finish(r, body)
        }
        Err(refusal) => finish(
            Response::builder()
                .status(refusal.status())
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            refusal.message().into_bytes(),
        ),
    }
}

fn finish(r: tauri::http::response::Builder, body: Vec<u8>) -> Response<Vec<u8>> {
    r
        // Fonts are fetched in CORS mode; the replay's document is another origin.
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        // Whatever comes back is an asset, never a document that could run or navigate.
        .header(
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        )
        .body(body)
        .unwrap_or_else(|_| {
            // Only an invalid header from the server can fail here; drop it.
            Response::builder()
                .status(StatusCode::BAD_GATEWAY)
                .body(b"the original server sent an invalid response".to_vec())
                .expect("a static response is valid")
        })
}

/// The app's grants and HTTP client, managed by Tauri.
pub struct AssetProxy {
    pub grants: Grants,
    http: Http,
}

impl AssetProxy {
    pub fn new() -> Self {
        Self {
            grants: Grants::default(),
            http: Http::new(LIMITS),
        }
    }
}

impl Default for AssetProxy {
    fn default() -> Self {
        Self::new()
    }
}

/// The grant for a session whose flag is `enabled`, or none (and any old one withdrawn).
pub fn grant_for(app: &AppHandle, session: &str, enabled: bool) -> Option<String> {
    let proxy = app.state::<AssetProxy>();
    if enabled {
        Some(proxy.grants.issue(session))
    } else {
        proxy.grants.revoke(session);
        None
    }
}

/// The scheme's handler: off the main thread, since it may wait on the network.
pub fn serve(
    app: AppHandle,
    request: tauri::http::Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    tauri::async_runtime::spawn_blocking(move || {
        let proxy = app.state::<AssetProxy>();
        let enabled = |session: &str| {
            app.state::<AppState>()
                .with_library(|lib| Ok(lib.remote_assets(session)?))
                .unwrap_or(false)
        };
        responder.respond(respond(
            request.method(),
            request.uri().path(),
            &proxy.grants,
            enabled,
            &proxy.http,
        ));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// Counts fetches and answers each with a fixed body.
    struct Counting(Cell<u32>);

    impl Fetch for Counting {
        fn fetch(&self, _url: &Url) -> Result<Fetched, Refusal> {
            self.0.set(self.0.get() + 1);
            Ok(Fetched {
                status: 200,
                content_type: Some("image/png".into()),
                body: b"png".to_vec(),
            })
        }
    }

    fn path(token: &str, url: &str) -> String {
        let encoded: String = url
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        format!("/{token}/{encoded}")
    }

    #[test]
    fn with_the_flag_off_nothing_is_fetched() {
        let grants = Grants::default();
        let token = grants.issue("s1");
        let fetcher = Counting(Cell::new(0));
        let r = respond(
            &Method::GET,
            &path(&token, "https://cdn.example.test/a.png"),
            &grants,
            |_| false,
            &fetcher,
        );
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(fetcher.0.get(), 0, "no request was made");

        let r = respond(
            &Method::GET,
            &path(&token, "https://cdn.example.test/a.png"),
            &grants,
            |s| s == "s1",
            &fetcher,
        );
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "image/png");
        assert_eq!(r.body(), b"png");
        assert_eq!(fetcher.0.get(), 1);
    }

    #[test]
    fn an_unknown_or_withdrawn_grant_is_refused_without_reading_the_flag() {
        let grants = Grants::default();
        let token = grants.issue("s1");
        assert_eq!(grants.issue("s1"), token, "one grant per session");
        assert_ne!(grants.issue("s2"), token);
        let url = "https://cdn.example.test/a.png";
        let flag_read = Cell::new(false);
        let enabled = |_: &str| {
            flag_read.set(true);
            true
        };
        // A recording naming a grant it made up, or a session id.
        for bad in ["0123456789abcdef0123456789abcdef", "s1", ""] {
            assert_eq!(
                decide(&Method::GET, &path(bad, url), &grants, enabled),
                Err(Refusal::NotAllowed)
            );
        }
        assert!(!flag_read.get());
        grants.revoke("s1");
        assert_eq!(
            decide(&Method::GET, &path(&token, url), &grants, |_| true),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(grants.session(&token), None);
    }

    #[test]
    fn only_http_and_https_urls_without_credentials_are_fetched() {
        let grants = Grants::default();
        let token = grants.issue("s1");
        let fetcher = Counting(Cell::new(0));
        for url in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://files.example.test/a.png",
            "tauri://localhost/index.html",
            "remote-asset://localhost/x/y",
            "https://user:secret@cdn.example.test/a.png",
            "https://user@cdn.example.test/a.png",
            "/relative/a.png",
            "not a url",
        ] {
            let r = respond(
                &Method::GET,
                &path(&token, url),
                &grants,
                |_| true,
                &fetcher,
            );
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{url}");
        }
        assert_eq!(fetcher.0.get(), 0);
        assert_eq!(
            check_url("https://cdn.example.test/a.png?v=2#frag")
                .unwrap()
                .as_str(),
            "https://cdn.example.test/a.png?v=2",
            "the fragment stays here"
        );
        assert!(check_url("http://cdn.example.test/a b.png").is_ok());
    }

    #[test]
    fn malformed_paths_and_other_methods_are_refused() {
        let grants = Grants::default();
        let token = grants.issue("s1");
        let ok = |_: &str| true;
        assert_eq!(
            decide(&Method::GET, "/", &grants, ok),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            decide(&Method::GET, &format!("/{token}"), &grants, ok),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            decide(
                &Method::GET,
                &format!("/{token}/https%3A%2F%2Fa%ZZ"),
                &grants,
                ok
            ),
            Err(Refusal::Malformed)
        );
        assert_eq!(
            decide(&Method::POST, &path(&token, "https://a.test/"), &grants, ok),
            Err(Refusal::Method)
        );
        assert_eq!(
            decide(
                &Method::GET,
                &path(&token, "https://a.test/x?y=1&z=%20"),
                &grants,
                ok
            )
            .unwrap()
            .as_str(),
            "https://a.test/x?y=1&z=%20"
        );
    }

    /// A one-thread HTTP server on a loopback port: answers every request with `body` and
    /// `content_type`, and records the request lines and headers it got.
    fn serve_once(
        body: Vec<u8>,
        content_type: &'static str,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                head.push(line.trim_end().to_string());
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
                 Set-Cookie: tracker=1\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
            head
        });
        (base, handle)
    }

    #[test]
    fn a_real_fetch_returns_the_bytes_and_the_content_type() {
        let png: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        let (base, server) = serve_once(png.clone(), "image/png");
        let grants = Grants::default();
        let token = grants.issue("s1");
        let r = respond(
            &Method::GET,
            &path(&token, &format!("{base}/img/a.png?v=1")),
            &grants,
            |s| s == "s1",
            &Http::direct(LIMITS),
        );
        let head = server.join().unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], "image/png");
        assert_eq!(r.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(r.headers().get(header::SET_COOKIE).is_none());
        assert_eq!(r.body(), &png);
        assert_eq!(head[0], "GET /img/a.png?v=1 HTTP/1.1");
        let lower: Vec<String> = head.iter().map(|h| h.to_ascii_lowercase()).collect();
        assert!(
            !lower
                .iter()
                .any(|h| h.starts_with("cookie:") || h.starts_with("authorization:")),
            "no cookies, no credentials: {head:?}"
        );
    }

    #[test]
    fn a_body_over_the_cap_is_refused() {
        let limits = Limits {
            max_bytes: 1000,
            timeout: Duration::from_secs(10),
        };
        let (base, server) = serve_once(vec![b'a'; 1001], "text/css");
        let result = Http::direct(limits).fetch(&check_url(&format!("{base}/big.css")).unwrap());
        server.join().unwrap();
        assert_eq!(result, Err(Refusal::TooLarge(1000)));

        let (base, server) = serve_once(vec![b'a'; 1000], "text/css");
        let result = Http::direct(limits).fetch(&check_url(&format!("{base}/ok.css")).unwrap());
        server.join().unwrap();
        let fetched = result.unwrap();
        assert_eq!(fetched.body.len(), 1000, "exactly the cap is fine");
        assert_eq!(fetched.content_type.as_deref(), Some("text/css"));
    }

    #[test]
    fn a_silent_server_times_out() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let limits = Limits {
            max_bytes: 1000,
            timeout: Duration::from_millis(300),
        };
        let started = std::time::Instant::now();
        let result = Http::direct(limits).fetch(&check_url(&format!("{base}/slow.png")).unwrap());
        assert_eq!(result, Err(Refusal::TimedOut));
        assert!(started.elapsed() < Duration::from_secs(5));
        drop(listener);
    }
}
