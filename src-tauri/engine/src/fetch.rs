//! Open from URL: download a recording over http(s) into a temporary file beside the library,
//! then import it like a file, keeping the URL as the session's source.
//!
//! The network work runs on a thread of its own that hands the body over in chunks, so a
//! cancel takes effect at once even while the server sends nothing. Limits are enforced on
//! what the server announces and on what it actually sends; the content is sniffed from its
//! first bytes, so a web page or an error document is refused before it is all downloaded.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::library::Origin;
use crate::model::{ImportOutcome, LogKind};
use crate::sources::Recording;
use crate::{ImportOptions, Library};

/// Downloads larger than this are refused unless the caller allows more.
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

/// How long the server may send nothing (while connecting, before answering, or in the
/// middle of the body) before the download is given up.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Redirects followed before giving up.
pub const MAX_REDIRECTS: u32 = 10;

/// Bytes looked at to tell a recording from something else.
const SNIFF_BYTES: usize = 512;

/// Size of the pieces the network thread hands over.
const CHUNK_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub max_bytes: u64,
    pub timeout: Duration,
    pub max_redirects: u32,
    /// Set from anywhere to stop the download; it then fails with [`Error::Cancelled`].
    pub cancel: Arc<AtomicBool>,
    /// How the downloaded file is imported (its origin is set from the URL).
    pub import: ImportOptions,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            timeout: DEFAULT_TIMEOUT,
            max_redirects: MAX_REDIRECTS,
            cancel: Arc::new(AtomicBool::new(false)),
            import: ImportOptions::default(),
        }
    }
}

/// How far a download has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchProgress {
    pub bytes_read: u64,
    /// What the server announced; unknown for a chunked or compressed-in-transit body.
    pub bytes_total: Option<u64>,
}

/// What a download brought, before it is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub bytes: u64,
    pub content_type: Option<String>,
}

/// Downloads `url` and imports it. The session's source and source URL are the URL as given
/// (not where redirects led). Every failure but a cancel is written to the library's log; the
/// temporary file is gone when this returns, whatever happened.
pub fn fetch_and_import(
    lib: &mut Library,
    url: &str,
    opts: &FetchOptions,
    progress: &mut dyn FnMut(FetchProgress),
) -> Result<ImportOutcome> {
    let result = fetch_to_file(lib.path(), url, opts, progress)
        .and_then(|fetched| import_fetched(lib, fetched, opts));
    if let Err(e) = &result {
        log_failure(lib, url, e);
    }
    result
}

/// Writes a failed download to the library's log (a cancel is the user's doing, not a
/// failure). The failure itself is what the caller reports; a log that cannot be written
/// must not hide it.
pub fn log_failure(lib: &Library, url: &str, e: &Error) {
    if !matches!(e, Error::Cancelled { .. }) {
        let _ = lib.log(LogKind::Fetch, Some(url), Some(e.code()), &e.to_string());
    }
}

/// A finished download waiting to be imported. Its temporary file is removed when it is
/// dropped, imported or not.
pub struct FetchedFile {
    url: String,
    file: tempfile::NamedTempFile,
}

/// The download half of [`fetch_and_import`]: needs no library connection (only where the
/// library lives, to put the file beside it), so a slow download holds no lock.
pub fn fetch_to_file(
    library: &Path,
    url: &str,
    opts: &FetchOptions,
    progress: &mut dyn FnMut(FetchProgress),
) -> Result<FetchedFile> {
    check_url(url)?;
    let mut file = temp_file(library)?;
    download(url, file.as_file_mut(), opts, progress)?;
    file.as_file_mut()
        .flush()
        .map_err(|e| download_error(url, format!("cannot write the download: {e}")))?;
    if opts.cancel.load(Ordering::SeqCst) {
        return Err(Error::Cancelled { url: url.into() });
    }
    Ok(FetchedFile {
        url: url.to_string(),
        file,
    })
}

/// The import half: the session keeps the URL as its source, and errors name the URL, not
/// the temporary file.
pub fn import_fetched(
    lib: &mut Library,
    fetched: FetchedFile,
    opts: &FetchOptions,
) -> Result<ImportOutcome> {
    let url = fetched.url.as_str();
    let import = ImportOptions {
        origin: Origin {
            source: Some(url.to_string()),
            url: Some(url.to_string()),
            folder: None,
            replace_same_source: false,
        },
        ..opts.import.clone()
    };
    let tmp = fetched.file.path().to_path_buf();
    lib.import(&Recording::File(tmp.clone()), &import, &mut |_| {})
        .map_err(|e| name_url(e, &tmp, url))
    // `fetched.file` is removed here, on every path out.
}

/// A hidden temporary file beside the library (same disk, so no space is needed elsewhere),
/// else in the system's temporary folder.
fn temp_file(library: &Path) -> Result<tempfile::NamedTempFile> {
    let beside = library
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let builder = || {
        let mut b = tempfile::Builder::new();
        b.prefix(".tapedeck-download-").suffix(".part");
        b
    };
    builder()
        .tempfile_in(beside)
        .or_else(|_| builder().tempfile())
        .map_err(|e| Error::io(&std::env::temp_dir(), e))
}

/// An absolute http(s) URL with a host, and no user name or password (the URL is kept in
/// the library).
pub fn check_url(url: &str) -> Result<()> {
    let bad = |detail: &str| Error::BadUrl {
        url: url.to_string(),
        detail: detail.to_string(),
    };
    let uri: ureq::http::Uri = url.parse().map_err(|e| bad(&format!("{e}")))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => return Err(bad(&format!("only http and https, not {other}:"))),
        None => return Err(bad("it does not start with http:// or https://")),
    }
    let authority = uri.authority().ok_or_else(|| bad("no host"))?;
    if authority.as_str().contains('@') {
        return Err(bad(
            "it has a user name or password in it; the URL would be kept in the library",
        ));
    }
    if authority.host().is_empty() {
        return Err(bad("no host"));
    }
    Ok(())
}

/// What the network thread sends.
enum Piece {
    Head {
        status: u16,
        content_type: Option<String>,
        /// Announced length of the body as it will be read (none when decoded in transit).
        length: Option<u64>,
        /// The announced length on the wire, even when decoded in transit.
        wire_length: Option<u64>,
    },
    Data(Vec<u8>),
    End,
    Failed(ureq::Error),
}

/// Downloads `url` into `out`. Fails on a non-2xx status, past `opts.max_bytes`, on a body
/// that is plainly not a recording (a web page), on timeouts, and when cancelled.
pub fn download(
    url: &str,
    out: &mut dyn Write,
    opts: &FetchOptions,
    progress: &mut dyn FnMut(FetchProgress),
) -> Result<Downloaded> {
    check_url(url)?;
    let (tx, rx) = mpsc::sync_channel(8);
    let agent = agent(opts);
    let target = url.to_string();
    std::thread::Builder::new()
        .name("tapedeck-fetch".into())
        .spawn(move || network(agent, &target, tx))
        .map_err(|e| download_error(url, format!("cannot start the download: {e}")))?;

    let mut head = None;
    let mut sniffed = false;
    let mut sniff = Vec::new();
    let mut read: u64 = 0;
    loop {
        if opts.cancel.load(Ordering::SeqCst) {
            // Dropping the receiver ends the network thread at its next step.
            return Err(Error::Cancelled { url: url.into() });
        }
        let piece = match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(p) => p,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(download_error(
                    url,
                    "the download stopped unexpectedly".into(),
                ))
            }
        };
        match piece {
            Piece::Head {
                status,
                content_type,
                length,
                wire_length,
            } => {
                if !(200..300).contains(&status) {
                    return Err(Error::Http {
                        url: url.into(),
                        status,
                        reason: ureq::http::StatusCode::from_u16(status)
                            .ok()
                            .and_then(|s| s.canonical_reason())
                            .unwrap_or("")
                            .to_string(),
                    });
                }
                if let Some(n) = wire_length.filter(|n| *n > opts.max_bytes) {
                    return Err(Error::DownloadTooLarge {
                        url: url.into(),
                        limit: opts.max_bytes,
                        size: Some(n),
                    });
                }
                progress(FetchProgress {
                    bytes_read: 0,
                    bytes_total: length,
                });
                head = Some((content_type, length));
            }
            Piece::Data(bytes) => {
                let total = head.as_ref().and_then(|(_, l)| *l);
                read += bytes.len() as u64;
                if read > opts.max_bytes {
                    return Err(Error::DownloadTooLarge {
                        url: url.into(),
                        limit: opts.max_bytes,
                        size: None,
                    });
                }
                if !sniffed {
                    sniff.extend_from_slice(&bytes[..bytes.len().min(SNIFF_BYTES - sniff.len())]);
                    if sniff.len() >= SNIFF_BYTES {
                        sniffed = true;
                        let ct = head.as_ref().and_then(|(c, _)| c.as_deref());
                        check_content(url, &sniff, ct)?;
                    }
                }
                out.write_all(&bytes)
                    .map_err(|e| download_error(url, format!("cannot write the download: {e}")))?;
                progress(FetchProgress {
                    bytes_read: read,
                    bytes_total: total,
                });
            }
            Piece::End => {
                let content_type = head.and_then(|(c, _)| c);
                if !sniffed {
                    check_content(url, &sniff, content_type.as_deref())?;
                }
                return Ok(Downloaded {
                    bytes: read,
                    content_type,
                });
            }
            Piece::Failed(e) => return Err(network_error(url, e, opts, read, head.is_some())),
        }
    }
}

fn agent(opts: &FetchOptions) -> ureq::Agent {
    let t = Some(opts.timeout);
    ureq::Agent::config_builder()
        // Statuses are reported here, with the URL, rather than as ureq errors.
        .http_status_as_error(false)
        .max_redirects(opts.max_redirects)
        .timeout_resolve(t)
        .timeout_connect(t)
        .timeout_recv_response(t)
        .timeout_per_read(t)
        .user_agent(concat!("Tapedeck/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// The network side: request, then the body in chunks, until the receiver goes away.
fn network(agent: ureq::Agent, url: &str, tx: SyncSender<Piece>) {
    let mut response = match agent.get(url).call() {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Piece::Failed(e));
            return;
        }
    };
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let content_type = header("content-type");
    let wire_length = header("content-length").and_then(|v| v.trim().parse::<u64>().ok());
    // ureq decodes gzip sent as a transfer encoding; the announced length is then not what
    // is read.
    let encoded =
        header("content-encoding").is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity"));
    let status = response.status().as_u16();
    let head = Piece::Head {
        status,
        content_type,
        length: wire_length.filter(|_| !encoded),
        wire_length,
    };
    if tx.send(head).is_err() || !(200..300).contains(&status) {
        return;
    }
    let mut reader = response.body_mut().as_reader();
    loop {
        let mut buf = vec![0u8; CHUNK_BYTES];
        match reader.read(&mut buf) {
            Ok(0) => {
                let _ = tx.send(Piece::End);
                return;
            }
            Ok(n) => {
                buf.truncate(n);
                if tx.send(Piece::Data(buf)).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let _ = tx.send(Piece::Failed(ureq::Error::from(e)));
                return;
            }
        }
    }
}

/// Refuses what is plainly not a recording: a web page, an image, an empty body.
fn check_content(url: &str, head: &[u8], content_type: Option<&str>) -> Result<()> {
    let not = |detail: String| Error::NotEvents {
        path: url.into(),
        detail,
    };
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &body[i..])
        .unwrap_or(&[]);
    let looks_like_recording = match start {
        [] => return Err(not("the server sent an empty response".into())),
        // JSON: an event array, an object (export, envelope, Sentry segment header), or
        // lines of either; a packed event is a JSON string.
        [b'[' | b'{' | b'"', ..] => true,
        // gzip, zstd, zlib, snappy framing.
        [0x1f, 0x8b, ..] | [0x28, 0xb5, 0x2f, 0xfd, ..] => true,
        [0x78, 0x01 | 0x5e | 0x9c | 0xda, ..] => true,
        [0xff, 0x06, 0x00, 0x00, b's', b'N', b'a', b'P', b'p', b'Y', ..] => true,
        _ => false,
    };
    if looks_like_recording {
        return Ok(());
    }
    let what = match content_type.map(|c| c.split(';').next().unwrap_or(c).trim()) {
        Some(ct) if ct.eq_ignore_ascii_case("text/html") => {
            format!("the server sent a web page ({ct})")
        }
        _ if start.starts_with(b"<") => {
            let ct = content_type.unwrap_or("no content type");
            format!("the server sent HTML or XML ({ct})")
        }
        Some(ct) => format!("the server sent {ct}, which is not JSON or a compressed recording"),
        None => "the server sent something that is not JSON or a compressed recording".into(),
    };
    Err(not(what))
}

fn download_error(url: &str, detail: String) -> Error {
    Error::Download {
        url: url.into(),
        detail,
    }
}

/// ureq's error, in words, naming the URL.
fn network_error(
    url: &str,
    e: ureq::Error,
    opts: &FetchOptions,
    read: u64,
    answered: bool,
) -> Error {
    use std::io::ErrorKind;
    let detail = match e {
        ureq::Error::Timeout(_) => {
            return Error::Timeout {
                url: url.into(),
                secs: opts.timeout.as_secs().max(1),
            }
        }
        ureq::Error::HostNotFound => {
            "the host name was not found (check the address, or DNS)".into()
        }
        ureq::Error::TooManyRedirects => {
            format!("more than {} redirects", opts.max_redirects)
        }
        ureq::Error::RedirectFailed => {
            "the server redirected to an address that cannot be followed".into()
        }
        ureq::Error::ConnectionFailed => "could not connect to the server".into(),
        ureq::Error::Tls(why) => format!("the secure connection failed: {why}"),
        ureq::Error::Rustls(why) => format!("the secure connection failed: {why}"),
        ureq::Error::Protocol(why) => format!("the server's answer is not valid HTTP: {why}"),
        ureq::Error::BadUri(why) => {
            return Error::BadUrl {
                url: url.into(),
                detail: why,
            }
        }
        ureq::Error::Io(io) => {
            match io.kind() {
                ErrorKind::ConnectionRefused => {
                    "the server refused the connection (nothing is listening there)".into()
                }
                ErrorKind::TimedOut | ErrorKind::WouldBlock => {
                    return Error::Timeout {
                        url: url.into(),
                        secs: opts.timeout.as_secs().max(1),
                    }
                }
                ErrorKind::UnexpectedEof
                | ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted => {
                    format!("the connection was closed after {read} bytes, before the end of the download")
                }
                // rustls reports a failed handshake as invalid data, before any answer.
                ErrorKind::InvalidData if !answered && url.starts_with("https:") => {
                    format!("the secure connection failed: {io}")
                }
                _ if is_dns(&io) => {
                    format!("the host name was not found (check the address, or DNS): {io}")
                }
                _ if is_tls(&io) => format!("the secure connection failed: {io}"),
                _ => io.to_string(),
            }
        }
        other => other.to_string(),
    };
    download_error(url, detail)
}

/// Whether name resolution failed: the system resolver's error has no kind of its own, only
/// its words (glibc, macOS, Windows).
fn is_dns(e: &std::io::Error) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    [
        "lookup address",
        "name or service not known",
        "nodename nor servname",
        "no such host",
        "temporary failure in name resolution",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// Whether an I/O error came from the TLS layer (rustls reports through `io::Error`).
fn is_tls(e: &std::io::Error) -> bool {
    let text = e.to_string().to_ascii_lowercase();
    ["tls", "certificate", "handshake", "alert"]
        .iter()
        .any(|w| text.contains(w))
}

/// An import error about the temporary file, about the URL instead.
fn name_url(e: Error, tmp: &Path, url: &str) -> Error {
    let fix = |p: std::path::PathBuf| if p == tmp { url.into() } else { p };
    match e {
        Error::Io { path, source } => Error::Io {
            path: fix(path),
            source,
        },
        Error::Empty { path } => Error::Empty { path: fix(path) },
        Error::NotJson { path, detail } => Error::NotJson {
            path: fix(path),
            detail,
        },
        Error::Truncated {
            path,
            offset,
            inside,
        } => Error::Truncated {
            path: fix(path),
            offset,
            inside,
        },
        Error::NotEvents { path, detail } => Error::NotEvents {
            path: fix(path),
            detail,
        },
        Error::NoFullSnapshot { path } => Error::NoFullSnapshot { path: fix(path) },
        Error::Corrupt {
            path,
            compression,
            detail,
        } => Error::Corrupt {
            path: fix(path),
            compression,
            detail,
        },
        Error::TooLarge { path, limit } => Error::TooLarge {
            path: fix(path),
            limit,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_before_anything_is_sent() {
        assert!(check_url("https://example.com/a.json").is_ok());
        assert!(check_url("http://127.0.0.1:8080/x").is_ok());
        for bad in [
            "ftp://example.com/a.json",
            "file:///etc/passwd",
            "example.com/a.json",
            "https://user:pw@example.com/a.json",
            "not a url",
        ] {
            let e = check_url(bad).unwrap_err();
            assert_eq!(e.code(), "bad_url", "{bad}");
            assert!(e.to_string().starts_with(bad), "{e}");
        }
    }

    #[test]
    fn content_is_sniffed() {
        let u = "https://x.test/r";
        for ok in [
            &b"[{\"type\":4}]"[..],
            b"  {\"events\":[]}",
            b"\xEF\xBB\xBF[",
            b"\x1f\x8b\x08",
        ] {
            assert!(check_content(u, ok, None).is_ok());
        }
        let e = check_content(
            u,
            b"<!doctype html><html>",
            Some("text/html; charset=utf-8"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("web page (text/html)"), "{e}");
        let e = check_content(u, b"\x89PNG\r\n", Some("image/png")).unwrap_err();
        assert!(e.to_string().contains("image/png"), "{e}");
        let e = check_content(u, b"", None).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
    }
}
