//! `watch` and `fetch` as a user runs them: the real binary, a temporary library, real
//! folders and a loopback HTTP server.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::{sample, Cli};

#[test]
fn watch_add_list_and_remove() {
    let cli = Cli::new();
    let folder = cli.dir.path().join("recordings");
    std::fs::create_dir_all(folder.join("nested")).unwrap();
    std::fs::copy(sample("checkout.json"), folder.join("checkout.json")).unwrap();
    std::fs::copy(sample("kanban.json"), folder.join("nested/kanban.json")).unwrap();
    std::fs::write(folder.join("broken.json"), "not a recording").unwrap();
    let canonical = std::fs::canonicalize(&folder)
        .unwrap()
        .display()
        .to_string();

    let added = cli.json(&["watch", "add", folder.to_str().unwrap(), "--json"]);
    assert_eq!(added["folder"]["path"], canonical);
    assert_eq!(added["folder"]["sessionCount"], 2);
    assert_eq!(added["scan"]["total"], 3);
    assert_eq!(added["scan"]["imported"], 2);
    let failures = added["scan"]["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert!(failures[0]["message"]
        .as_str()
        .unwrap()
        .contains("broken.json"));

    // Adding again rescans: nothing new.
    let again = cli.json(&["watch", "add", folder.to_str().unwrap(), "--json"]);
    assert_eq!(again["scan"]["imported"], 0);
    assert_eq!(again["scan"]["unchanged"], 2);

    let list = cli.json(&["watch", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["path"], canonical);
    assert_eq!(list[0]["sessionCount"], 2);
    assert_eq!(list[0]["missingCount"], 0);
    let text = cli.run(&["watch", "list"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains(&canonical));

    // The failure is in the library's log, by path.
    let log = cli.json(&["log", "--json"]);
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "import_error"
                && e["path"].as_str().unwrap().ends_with("broken.json")),
        "{log}"
    );

    let removed = cli.json(&["watch", "remove", folder.to_str().unwrap(), "--json"]);
    assert_eq!(removed["removed"], true);
    assert!(cli
        .json(&["watch", "list", "--json"])
        .as_array()
        .unwrap()
        .is_empty());
    // Its sessions stay.
    assert_eq!(cli.json(&["list", "--json"]).as_array().unwrap().len(), 2);
    let not_watched = cli.run(&["watch", "remove", folder.to_str().unwrap()]);
    assert!(!not_watched.status.success());
    assert!(String::from_utf8_lossy(&not_watched.stderr).contains("not a watched folder"));

    let file = folder.join("checkout.json");
    let refused = cli.run(&["watch", "add", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a folder"));
}

#[test]
fn watch_run_imports_files_as_they_appear() {
    let cli = Cli::new();
    let folder = cli.dir.path().join("live");
    std::fs::create_dir(&folder).unwrap();
    let out = cli.run(&["watch", "add", folder.to_str().unwrap()]);
    assert!(out.status.success());
    let mut child = cli
        .command(&["watch", "run", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = |kind: &str| -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).expect("a watch event in time");
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if v["kind"] == kind {
                return v;
            }
        }
    };
    next("scanned");
    std::fs::copy(sample("release-notes.json"), folder.join("new.json")).unwrap();
    let imported = next("imported");
    assert!(imported["path"].as_str().unwrap().ends_with("new.json"));
    std::fs::remove_file(folder.join("new.json")).unwrap();
    let missing = next("missing");
    assert_eq!(missing["sessions"], 1);
    child.kill().unwrap();
    let _ = child.wait();
}

/// Serves `body` at /rec.json, 404 elsewhere; one request per connection.
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let (status, bytes): (&str, &[u8]) = if request.starts_with("GET /rec.json ") {
                ("200 OK", &body)
            } else {
                ("404 Not Found", b"nothing here")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = stream.write_all(bytes);
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let _ = stream.read(&mut [0u8; 64]);
        }
    });
    format!("http://{addr}")
}

#[test]
fn fetch_imports_and_keeps_the_url() {
    let cli = Cli::new();
    let base = serve(std::fs::read(sample("checkout.json")).unwrap());
    let url = format!("{base}/rec.json");
    let reports = cli.json(&["fetch", &url, "--json"]);
    let report = &reports[0];
    assert_eq!(report["path"], url);
    assert_eq!(report["outcome"]["status"], "imported");
    let id = report["outcome"]["session"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("not imported: {report}"))
        .to_string();
    let shown = cli.json(&["show", &id, "--json"]);
    assert_eq!(shown["summary"]["sourceUrl"], url);
    assert_eq!(shown["summary"]["source"], url);

    // In text, the same again is recognised.
    let again = cli.run(&["fetch", &url]);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("already in the library"));

    let missing = format!("{base}/nope.json");
    let out = cli.run(&["fetch", &missing]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&missing) && stderr.contains("404 Not Found"),
        "{stderr}"
    );
    let out = cli.run(&["fetch", &missing, "--json"]);
    assert!(!out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report[0]["error"]["code"], "http_status");

    let out = cli.run(&["fetch", &url, "--max-bytes", "100"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("limit"));
}
