//! "Load remote assets" in the real app: WebKitGTK, the app's CSP and its `remote-asset`
//! scheme. A recording whose page has a stylesheet and an image on a loopback server this test
//! starts: off, the server hears nothing while the session plays; on, the image loads and the
//! stylesheet applies, fetched by the app (the page only ever asks `remote-asset:`).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tapedeck_e2e::{App, Launch};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xfc, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x05, 0x02, 0x00, 0x5f, 0xc8, 0xf1, 0xd2, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
const CSS: &str = "#title { color: rgb(10, 120, 30); }";

/// Serves the page's assets on a loopback port and records every path asked for.
fn asset_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).map(|n| n == 0).unwrap_or(true) || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            log.lock().unwrap().push(path.clone());
            let (ct, body): (&str, &[u8]) = if path.ends_with(".css") {
                ("text/css", CSS.as_bytes())
            } else if path.ends_with(".png") {
                ("image/png", PNG)
            } else {
                ("text/plain", b"not here")
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(body);
        }
    });
    (origin, seen)
}

fn recording(origin: &str) -> serde_json::Value {
    let start = 1_714_900_000_000_i64;
    let mut id = 0;
    let mut next = || {
        id += 1;
        id
    };
    let el = |tag: &str, attrs: serde_json::Value, kids: Vec<serde_json::Value>, id: i64| json!({"type": 2, "tagName": tag, "attributes": attrs, "childNodes": kids, "id": id});
    let title_text = json!({"type": 3, "textContent": "Remote assets in the app", "id": next()});
    let head = el(
        "head",
        json!({}),
        vec![el(
            "link",
            json!({"rel": "stylesheet", "href": format!("{origin}/shop/site.css")}),
            vec![],
            next(),
        )],
        next(),
    );
    let body = el(
        "body",
        json!({}),
        vec![
            el("h1", json!({"id": "title"}), vec![title_text], next()),
            el(
                "img",
                json!({"id": "logo", "src": format!("{origin}/shop/logo.png")}),
                vec![],
                next(),
            ),
        ],
        next(),
    );
    let body_id = body["id"].clone();
    let html = el("html", json!({}), vec![head, body], next());
    let doctype = json!({"type": 1, "name": "html", "publicId": "", "systemId": "", "id": next()});
    let doc = json!({"type": 0, "childNodes": [doctype, html], "id": next()});
    json!([
        {"type": 4, "data": {"href": format!("{origin}/shop/index.html"), "width": 800, "height": 600}, "timestamp": start},
        {"type": 2, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}, "timestamp": start},
        {"type": 3, "data": {"source": 1, "positions": [{"x": 10, "y": 10, "id": body_id, "timeOffset": 0}]}, "timestamp": start + 1000},
        {"type": 3, "data": {"source": 1, "positions": [{"x": 20, "y": 20, "id": body_id, "timeOffset": 0}]}, "timestamp": start + 3000},
    ])
}

const FRAME: &str = "document.querySelector('[data-testid=\"replay\"] iframe')?.contentDocument";

#[tokio::test]
async fn remote_assets_load_only_when_turned_on_for_the_session() {
    let (origin, seen) = asset_server();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("remote-assets.json");
    std::fs::write(&file, recording(&origin).to_string()).unwrap();

    let app = App::launch("remote_assets", Launch::args([&file])).await;
    let host = origin.trim_start_matches("http://");
    app.wait_js(
        "the recording's row",
        &format!(
            "const r = [...document.querySelectorAll('[data-testid=\"session-row\"]')]\
               .find(r => r.innerText.includes({host:?})); \
             if (!r) return null; r.click(); return true"
        ),
    )
    .await;
    app.wait_js(
        "the replay to show the page",
        &format!("return {FRAME}?.getElementById('title') ? true : null"),
    )
    .await;
    app.wait_js(
        "the toggle, off",
        "const b = document.querySelector('[data-testid=\"remote-assets\"]'); \
         return b && !b.disabled && b.getAttribute('aria-pressed') === 'false' ? true : null",
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.screenshot("off").await;
    let off = app
        .js(
            &format!(
                "const d = {FRAME}; return [d.getElementById('logo').naturalWidth, \
                 getComputedStyle(d.getElementById('title')).color]"
            ),
            vec![],
        )
        .await;
    assert_eq!(off[0], 0, "the image did not load");
    assert_ne!(off[1], "rgb(10, 120, 30)", "the stylesheet did not apply");
    assert_eq!(
        *seen.lock().unwrap(),
        Vec::<String>::new(),
        "the page's server heard nothing"
    );

    app.click("remote-assets").await;
    let on = app
        .wait_js(
            "the image and the stylesheet, through the app",
            &format!(
                "const d = {FRAME}; const img = d?.getElementById('logo'); \
                 const t = d?.getElementById('title'); \
                 if (!img || !t || img.naturalWidth === 0 \
                     || getComputedStyle(t).color !== 'rgb(10, 120, 30)') return null; \
                 return img.getAttribute('src')"
            ),
        )
        .await;
    app.screenshot("on").await;
    let src = on.as_str().unwrap_or_default();
    assert!(
        src.starts_with("remote-asset://localhost/"),
        "the page asks the app's scheme: {src}"
    );
    let paths = seen.lock().unwrap().clone();
    assert!(paths.contains(&"/shop/logo.png".to_string()), "{paths:?}");
    assert!(paths.contains(&"/shop/site.css".to_string()), "{paths:?}");
    app.close().await;
}
