//! Open from URL against a loopback HTTP server started by each test: recordings, redirects,
//! limits, slow and silent servers, web pages, refusals and cancels.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tapedeck_engine::fetch::{fetch_and_import, FetchOptions, FetchProgress};
use tapedeck_engine::model::{ImportOutcome, LogKind};
use tapedeck_engine::{Error, Library};

fn recording() -> Vec<u8> {
    let t0: i64 = 1_700_000_000_000;
    let mut ev = vec![
        serde_json::json!({"type": 4, "timestamp": t0,
            "data": {"href": "https://shop.test/", "width": 1280, "height": 720}}),
        serde_json::json!({"type": 2, "timestamp": t0 + 1, "data": {"node": {"type": 0, "id": 1,
            "childNodes": []}, "initialOffset": {"top": 0, "left": 0}}}),
    ];
    for i in 0..200i64 {
        ev.push(
            serde_json::json!({"type": 3, "timestamp": t0 + 100 + i * 50,
            "data": {"source": 1, "positions": [{"x": i, "y": 1, "id": 1, "timeOffset": 0}]}}),
        );
    }
    serde_json::to_vec(&ev).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A small HTTP/1.1 server on 127.0.0.1: one request per connection, routed by path.
struct Server {
    addr: SocketAddr,
    /// Body bytes the server managed to send (to see that a refused download was stopped).
    sent: Arc<AtomicU64>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let sent = Arc::new(AtomicU64::new(0));
        let counter = sent.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let counter = counter.clone();
                std::thread::spawn(move || {
                    let _ = respond(stream, &counter);
                });
            }
        });
        Self { addr, sent }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

fn respond(mut stream: TcpStream, sent: &AtomicU64) -> std::io::Result<()> {
    let mut first = [0u8; 1];
    stream.peek(&mut first)?;
    if first[0] == 0x16 {
        // A TLS ClientHello to a plain HTTP server.
        stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")?;
        return Ok(());
    }
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let head = |status: &str, headers: &[(&str, String)]| {
        let mut h = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
        for (k, v) in headers {
            h.push_str(&format!("{k}: {v}\r\n"));
        }
        h.push_str("\r\n");
        h.into_bytes()
    };
    let full = |stream: &mut TcpStream, status: &str, ct: &str, body: &[u8]| {
        stream.write_all(&head(
            status,
            &[
                ("Content-Type", ct.to_string()),
                ("Content-Length", body.len().to_string()),
            ],
        ))?;
        stream.write_all(body)?;
        sent.fetch_add(body.len() as u64, Ordering::SeqCst);
        Ok::<_, std::io::Error>(())
    };
    let redirect = |stream: &mut TcpStream, to: &str| {
        stream.write_all(&head(
            "302 Found",
            &[("Location", to.to_string()), ("Content-Length", "0".into())],
        ))
    };
    match path.as_str() {
        "/rec.json" => full(&mut stream, "200 OK", "application/json", &recording())?,
        "/rec.json.gz" => full(
            &mut stream,
            "200 OK",
            "application/gzip",
            &gzip(&recording()),
        )?,
        "/octet" => full(
            &mut stream,
            "200 OK",
            "application/octet-stream",
            &recording(),
        )?,
        "/encoded" => {
            // Compressed in transit only: the client decodes it.
            let body = gzip(&recording());
            stream.write_all(&head(
                "200 OK",
                &[
                    ("Content-Type", "application/json".into()),
                    ("Content-Encoding", "gzip".into()),
                    ("Content-Length", body.len().to_string()),
                ],
            ))?;
            stream.write_all(&body)?;
        }
        "/missing" => full(&mut stream, "404 Not Found", "text/plain", b"no such file")?,
        "/broken" => full(
            &mut stream,
            "500 Internal Server Error",
            "text/plain",
            b"oops",
        )?,
        "/unavailable" => full(
            &mut stream,
            "503 Service Unavailable",
            "text/plain",
            b"later",
        )?,
        "/r1" => redirect(&mut stream, "/r2")?,
        "/r2" => {
            let absolute = format!("http://{}/r3", stream.local_addr()?);
            redirect(&mut stream, &absolute)?
        }
        "/r3" => redirect(&mut stream, "/rec.json")?,
        "/loop" => redirect(&mut stream, "/loop")?,
        "/page" => full(
            &mut stream,
            "200 OK",
            "text/html; charset=utf-8",
            b"<!doctype html><html><body>Sign in to see this replay</body></html>",
        )?,
        "/image" => full(
            &mut stream,
            "200 OK",
            "image/png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        )?,
        "/empty" => full(&mut stream, "200 OK", "application/json", b"")?,
        "/not-events" => full(&mut stream, "200 OK", "application/json", b"{\"hello\": 1}")?,
        "/announced-huge" => {
            stream.write_all(&head(
                "200 OK",
                &[
                    ("Content-Type", "application/json".into()),
                    ("Content-Length", "50000000000".into()),
                ],
            ))?;
            stream.write_all(b"[")?;
        }
        "/endless" => {
            // Chunked, no length: a JSON array that never ends.
            stream.write_all(&head(
                "200 OK",
                &[
                    ("Content-Type", "application/json".into()),
                    ("Transfer-Encoding", "chunked".into()),
                ],
            ))?;
            let piece = b"[{\"type\":3,\"timestamp\":1,\"data\":{}},".repeat(300);
            for _ in 0..10_000 {
                stream.write_all(format!("{:x}\r\n", piece.len()).as_bytes())?;
                stream.write_all(&piece)?;
                stream.write_all(b"\r\n")?;
                sent.fetch_add(piece.len() as u64, Ordering::SeqCst);
            }
        }
        "/silent" => {
            // Reads the request, then never answers.
            std::thread::sleep(Duration::from_secs(30));
        }
        "/stalls" => {
            let body = recording();
            stream.write_all(&head(
                "200 OK",
                &[
                    ("Content-Type", "application/json".into()),
                    ("Content-Length", body.len().to_string()),
                ],
            ))?;
            stream.write_all(&body[..100])?;
            std::thread::sleep(Duration::from_secs(30));
        }
        "/cut" => {
            let body = recording();
            stream.write_all(&head(
                "200 OK",
                &[
                    ("Content-Type", "application/json".into()),
                    ("Content-Length", body.len().to_string()),
                ],
            ))?;
            stream.write_all(&body[..body.len() / 3])?;
        }
        "/slow" => {
            // A big body, dribbled: 1 KiB every 20 ms.
            let body = recording().repeat(50);
            stream.write_all(&head(
                "200 OK",
                &[
                    ("Content-Type", "application/json".into()),
                    ("Content-Length", body.len().to_string()),
                ],
            ))?;
            for chunk in body.chunks(1024) {
                stream.write_all(chunk)?;
                sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        _ => full(&mut stream, "404 Not Found", "text/plain", b"")?,
    }
    stream.flush()?;
    // Let the client read everything before the socket goes.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut rest = [0u8; 256];
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.read(&mut rest);
    Ok(())
}

struct Setup {
    dir: tempfile::TempDir,
    lib: Library,
    server: Server,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(&dir.path().join("library.sqlite3")).unwrap();
        Self {
            dir,
            lib,
            server: Server::start(),
        }
    }

    fn fetch(&mut self, path: &str) -> tapedeck_engine::Result<ImportOutcome> {
        self.fetch_with(path, &FetchOptions::default())
    }

    fn fetch_with(
        &mut self,
        path: &str,
        opts: &FetchOptions,
    ) -> tapedeck_engine::Result<ImportOutcome> {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            self.server.url(path)
        };
        let result = fetch_and_import(&mut self.lib, &url, opts, &mut |_| {});
        assert_no_leftovers(self.dir.path());
        result
    }

    fn failure(&mut self, path: &str) -> Error {
        let url = self.server.url(path);
        let e = self.fetch(path).unwrap_err();
        assert!(
            e.to_string().starts_with(&url),
            "the message names the URL: {e}"
        );
        e
    }

    fn fetch_log(&self) -> Vec<(String, String)> {
        self.lib
            .log_entries(100)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == LogKind::Fetch)
            .map(|e| (e.path.unwrap_or_default(), e.code.unwrap_or_default()))
            .collect()
    }
}

/// No temporary download is left beside the library.
fn assert_no_leftovers(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("download"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

fn short(timeout_ms: u64) -> FetchOptions {
    FetchOptions {
        timeout: Duration::from_millis(timeout_ms),
        ..FetchOptions::default()
    }
}

#[test]
fn a_recording_is_downloaded_with_progress_and_keeps_its_url() {
    let mut t = Setup::new();
    let url = t.server.url("/rec.json");
    let mut seen: Vec<FetchProgress> = Vec::new();
    let outcome = fetch_and_import(&mut t.lib, &url, &FetchOptions::default(), &mut |p| {
        seen.push(p)
    })
    .unwrap();
    let ImportOutcome::Imported { session, .. } = &outcome else {
        panic!("not imported: {outcome:?}");
    };
    assert_eq!(session.event_counts.total, 202);
    assert_eq!(session.source, url);
    assert_eq!(session.source_url.as_deref(), Some(url.as_str()));
    assert_eq!(session.source_folder, None);
    let len = recording().len() as u64;
    let last = seen.last().unwrap();
    assert_eq!(
        *last,
        FetchProgress {
            bytes_read: len,
            bytes_total: Some(len)
        }
    );
    assert!(seen.windows(2).all(|w| w[1].bytes_read >= w[0].bytes_read));
    assert_no_leftovers(t.dir.path());

    // The same recording again: recognised, nothing added.
    let again = t.fetch("/rec.json").unwrap();
    assert!(matches!(again, ImportOutcome::AlreadyImported { .. }));
    assert_eq!(t.lib.session_count().unwrap(), 1);
    assert!(t.fetch_log().is_empty());
}

#[test]
fn compressed_files_redirects_and_any_content_type_are_fine() {
    let mut t = Setup::new();
    // The same events, so each is the same session: gzip file, gzip in transit, via
    // redirects (relative and absolute), and under a generic content type.
    let first = t.fetch("/rec.json.gz").unwrap();
    assert!(matches!(first, ImportOutcome::Imported { .. }), "{first:?}");
    for path in ["/encoded", "/r1", "/octet"] {
        let outcome = t.fetch(path).unwrap();
        assert_eq!(outcome.session().id, first.session().id, "{path}");
    }
}

#[test]
fn http_errors_name_the_status() {
    let mut t = Setup::new();
    let e = t.failure("/missing");
    assert!(matches!(e, Error::Http { status: 404, .. }), "{e:?}");
    assert!(e.to_string().contains("404 Not Found"), "{e}");
    let e = t.failure("/broken");
    assert_eq!(e.code(), "http_status");
    assert!(e.to_string().contains("500 Internal Server Error"), "{e}");
    let e = t.failure("/unavailable");
    assert!(e.to_string().contains("503"), "{e}");
    let e = t.failure("/loop");
    assert_eq!(e.code(), "download_failed");
    assert!(e.to_string().contains("redirects"), "{e}");

    // Each failure is in the library's log, by URL.
    let log = t.fetch_log();
    assert_eq!(log.len(), 4, "{log:?}");
    assert!(log
        .iter()
        .any(|(p, c)| p.ends_with("/missing") && c == "http_status"));
    assert_eq!(t.lib.session_count().unwrap(), 0);
}

#[test]
fn size_limits_hold_whether_announced_or_not() {
    let mut t = Setup::new();
    let e = t.failure("/announced-huge");
    assert!(
        matches!(
            e,
            Error::DownloadTooLarge {
                size: Some(50_000_000_000),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("limit"), "{e}");

    let limit = 256 * 1024;
    let opts = FetchOptions {
        max_bytes: limit,
        ..FetchOptions::default()
    };
    let e = t.fetch_with("/endless", &opts).unwrap_err();
    assert!(
        matches!(e, Error::DownloadTooLarge { size: None, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("256 KiB"), "{e}");
    // The server was stopped, not read to its end (it offers about 100 MB).
    std::thread::sleep(Duration::from_millis(300));
    assert!(t.server.sent.load(Ordering::SeqCst) < 20 * 1024 * 1024);

    // A recording exactly at the limit is fine.
    let exact = FetchOptions {
        max_bytes: recording().len() as u64,
        ..FetchOptions::default()
    };
    t.fetch_with("/rec.json", &exact).unwrap();
}

#[test]
fn silent_and_stalling_servers_time_out() {
    let mut t = Setup::new();
    for path in ["/silent", "/stalls"] {
        let started = Instant::now();
        let e = t.fetch_with(path, &short(800)).unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{path}: {e:?}");
        assert!(e.to_string().contains("timed out"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(15), "{path}");
    }
    assert_eq!(t.fetch_log().len(), 2);
}

#[test]
fn what_is_not_a_recording_is_refused_clearly() {
    let mut t = Setup::new();
    let e = t.failure("/page");
    assert_eq!(e.code(), "not_events");
    assert!(e.to_string().contains("web page (text/html)"), "{e}");
    let e = t.failure("/image");
    assert!(e.to_string().contains("image/png"), "{e}");
    let e = t.failure("/empty");
    assert!(e.to_string().contains("empty"), "{e}");
    // JSON, but not events: the import's own error, about the URL, not a temporary file.
    let e = t.failure("/not-events");
    assert!(!e.to_string().contains(".tapedeck-download"), "{e}");
    // Cut short by the server.
    let e = t.failure("/cut");
    assert_eq!(e.code(), "download_failed");
    assert!(e.to_string().contains("closed"), "{e}");
    assert_eq!(t.lib.session_count().unwrap(), 0);
}

#[test]
fn unreachable_servers_and_bad_urls() {
    let mut t = Setup::new();
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/rec.json");
    let e = t.fetch(&url).unwrap_err();
    assert_eq!(e.code(), "download_failed", "{e:?}");
    assert!(e.to_string().starts_with(&url), "{e}");
    assert!(e.to_string().contains("refused"), "{e}");

    // TLS to a server that does not speak it.
    let url = format!("https://{}/rec.json", t.server.addr);
    let e = t.fetch_with(&url, &short(5000)).unwrap_err();
    assert_eq!(e.code(), "download_failed", "{e:?}");
    assert!(e.to_string().contains("secure connection"), "{e}");

    // A host that does not resolve (the .invalid domain never does).
    let e = t
        .fetch_with("http://no-such-host.invalid/x.json", &short(5000))
        .unwrap_err();
    assert_eq!(e.code(), "download_failed", "{e:?}");
    assert!(e.to_string().contains("not found"), "{e}");

    for bad in ["ftp://example.com/x.json", "file:///etc/hosts", "x.json"] {
        let e =
            fetch_and_import(&mut t.lib, bad, &FetchOptions::default(), &mut |_| {}).unwrap_err();
        assert_eq!(e.code(), "bad_url", "{bad}");
        assert!(e.to_string().starts_with(bad), "{e}");
    }
}

#[test]
fn a_download_can_be_cancelled_midway() {
    let mut t = Setup::new();
    let url = t.server.url("/slow");
    let cancel = Arc::new(AtomicBool::new(false));
    let opts = FetchOptions {
        cancel: cancel.clone(),
        ..FetchOptions::default()
    };
    let mut read = 0;
    let mut cancelled_at = None;
    let e = fetch_and_import(&mut t.lib, &url, &opts, &mut |p| {
        read = p.bytes_read;
        if p.bytes_read > 8 * 1024 && cancelled_at.is_none() {
            cancel.store(true, Ordering::SeqCst);
            cancelled_at = Some(Instant::now());
        }
    })
    .unwrap_err();
    let stopped_in = cancelled_at.unwrap().elapsed();
    assert!(matches!(e, Error::Cancelled { .. }), "{e:?}");
    assert!(stopped_in < Duration::from_secs(2), "{stopped_in:?}");
    assert!(read < recording().len() as u64 * 50);
    assert_no_leftovers(t.dir.path());
    assert_eq!(t.lib.session_count().unwrap(), 0);
    assert!(t.fetch_log().is_empty(), "a cancel is not a failure");

    // Cancelled while the server says nothing at all: at once, not at the timeout.
    let cancel = Arc::new(AtomicBool::new(false));
    let opts = FetchOptions {
        cancel: cancel.clone(),
        ..FetchOptions::default()
    };
    let flag = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        flag.store(true, Ordering::SeqCst);
    });
    let started = Instant::now();
    let e = fetch_and_import(&mut t.lib, &t.server.url("/silent"), &opts, &mut |_| {}).unwrap_err();
    assert!(matches!(e, Error::Cancelled { .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}
