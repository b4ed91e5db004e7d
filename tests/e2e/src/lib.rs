//! Harness for end-to-end tests of the real Tapedeck app.
//!
//! Each test starts `tauri-driver` (which starts WebKitWebDriver, which starts the app) with a
//! fresh temporary library, drives the webview through WebDriver with `fantoccini`, and
//! asserts on the DOM. Screenshots are kept as artifacts in `target/e2e-artifacts/`, never
//! compared.
//!
//! Requirements:
//! - a binary with the UI embedded: `npm --prefix ui run build` then
//!   `cargo build -p tapedeck --features tapedeck/custom-protocol` (or `make app`);
//!   `TAPEDECK_APP` overrides its path;
//! - `tauri-driver` (`cargo install tauri-driver --locked --version ^2`) in `PATH`, in
//!   `~/.cargo/bin`, or at `TAURI_DRIVER`; `WebKitWebDriver` (Debian: `webkit2gtk-driver`);
//! - an X display: run under `xvfb-run -a -s "-screen 0 1280x800x24"`.
//!
//! Apps run one at a time (a process-wide lock); use `--test-threads=1` anyway so test
//! output stays readable.

use std::convert::Infallible;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tokio::sync::{Mutex, MutexGuard};

/// One app at a time, whatever `--test-threads` says.
static ONE_APP_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// The default time a poll waits. WebKitGTK under Xvfb on a small CI machine is slow;
/// `TAPEDECK_E2E_TIMEOUT_SECS` raises it.
pub fn timeout() -> Duration {
    let secs = std::env::var("TAPEDECK_E2E_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(45);
    Duration::from_secs(secs)
}

const POLL_EVERY: Duration = Duration::from_millis(200);

// ---------------------------------------------------------------------------------------
// Paths

/// The Cargo workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// `CARGO_TARGET_DIR` (relative to the workspace root if relative) or `<root>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("target"),
    }
}

/// Where screenshots and logs go: `<target>/e2e-artifacts/`.
pub fn artifacts_dir() -> PathBuf {
    let dir = target_dir().join("e2e-artifacts");
    std::fs::create_dir_all(&dir).expect("create the e2e artifacts directory");
    dir
}

/// The app binary under test: `TAPEDECK_APP`, else `<target>/debug/tapedeck`.
pub fn app_binary() -> PathBuf {
    let path = match std::env::var_os("TAPEDECK_APP").filter(|v| !v.is_empty()) {
        Some(p) => workspace_root().join(p),
        None => target_dir().join("debug").join("tapedeck"),
    };
    assert!(
        path.is_file(),
        "the app binary {} does not exist. Build it with the UI embedded first: \
         `make app`, or `npm --prefix ui run build && \
         cargo build -p tapedeck --features tapedeck/custom-protocol` \
         (or point TAPEDECK_APP at a binary).",
        path.display()
    );
    path
}

/// The shared corpus of real recordings, `../shared/corpus` beside the repo
/// (`TAPEDECK_CORPUS` overrides it).
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("TAPEDECK_CORPUS").filter(|v| !v.is_empty()) {
        Some(p) => workspace_root().join(p),
        None => workspace_root().join("../shared/corpus"),
    }
}

/// A file of the corpus, e.g. `corpus_file("public/rrweb/events.json")`; panics with a clear
/// message when the corpus is not there.
pub fn corpus_file(relative: &str) -> PathBuf {
    let path = corpus_dir().join(relative);
    assert!(
        path.is_file(),
        "corpus file {} is missing: the tests expect the shared corpus at ../shared/corpus \
         beside the repo (or TAPEDECK_CORPUS)",
        path.display()
    );
    path.canonicalize().expect("canonical corpus path")
}

/// The sample recordings the app bundles (`samples/*.json`), sorted.
pub fn sample_files() -> Vec<PathBuf> {
    let dir = workspace_root().join("samples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// The text nodes of the first FullSnapshot of a plain rrweb event array (outside `<script>`
/// and `<style>`), to know what a replay of it must show.
pub fn full_snapshot_texts(path: &Path) -> Vec<String> {
    fn walk(node: &Value, parent: &str, out: &mut Vec<String>) {
        if node["type"] == 3 && !matches!(parent, "script" | "style") {
            if let Some(t) = node["textContent"].as_str() {
                let t = t.trim();
                if !t.is_empty() {
                    out.push(t.to_owned());
                }
            }
        }
        let tag = node["tagName"].as_str().unwrap_or(parent);
        if let Some(children) = node["childNodes"].as_array() {
            for c in children {
                walk(c, tag, out);
            }
        }
    }
    let text = std::fs::read_to_string(path).expect("read the recording");
    let events: Vec<Value> = serde_json::from_str(&text).expect("a JSON array of rrweb events");
    let full = events
        .iter()
        .find(|e| e["type"] == 2)
        .expect("the recording has a FullSnapshot");
    let mut out = Vec::new();
    walk(&full["data"]["node"], "", &mut out);
    out
}

/// Fails the test at once when there is no X display, rather than hanging or skipping.
pub fn require_display() {
    let display = std::env::var("DISPLAY").unwrap_or_default();
    assert!(
        !display.is_empty(),
        "DISPLAY is not set: the end-to-end tests drive a real window. Run them under Xvfb: \
         xvfb-run -a -s \"-screen 0 1280x800x24\" cargo test -p tapedeck-e2e -- --test-threads=1 \
         (or `make test-e2e`)"
    );
}

fn tauri_driver_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("tauri-driver"))
            .find(|p| p.is_file())
    });
    let in_cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin").join("tauri-driver"))
        .filter(|p| p.is_file());
    in_path.or(in_cargo_home).unwrap_or_else(|| {
        panic!(
            "tauri-driver not found (PATH, ~/.cargo/bin, TAURI_DRIVER). Install it with \
             `cargo install tauri-driver --locked --version ^2`"
        )
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a free local port")
        .port()
}

/// A tiny blocking HTTP/1.1 request, enough for `/status` and for ending a session from
/// `Drop` (where no async runtime may be left).
fn http(port: u16, method: &str, path: &str, wait: Duration) -> std::io::Result<(u16, String)> {
    let addr = ("127.0.0.1", port);
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(wait))?;
    stream.set_write_timeout(Some(wait))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, response))
}

// ---------------------------------------------------------------------------------------
// tauri-driver

/// A running `tauri-driver`, stopped with SIGTERM on drop. SIGTERM lets it stop its
/// WebKitWebDriver; SIGKILL would leave that one orphaned on its port.
pub struct Driver {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Driver {
    /// Starts tauri-driver with `env` added to its environment (which the app inherits) and
    /// waits until it answers `/status`.
    pub fn start(name: &str, env: &[(&str, OsString)]) -> Driver {
        let port = free_port();
        let mut native_port = free_port();
        while native_port == port {
            native_port = free_port();
        }
        let log = artifacts_dir().join(format!("{name}-driver.log"));
        let out = std::fs::File::create(&log).expect("create the driver log");
        let err = out.try_clone().expect("clone the log handle");
        let mut cmd = Command::new(tauri_driver_binary());
        cmd.arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("start tauri-driver: {e}"));
        let mut driver = Driver { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!(
                    "tauri-driver exited ({status}) before answering; its log ({}):\n{}",
                    driver.log.display(),
                    driver.log_text()
                );
            }
            // tauri-driver answers /status itself; WebKitWebDriver, which it starts beside it
            // and forwards sessions to, may still be coming up: wait for both.
            let native_up = std::net::TcpStream::connect(("127.0.0.1", native_port)).is_ok();
            if native_up
                && matches!(
                    http(port, "GET", "/status", Duration::from_secs(2)),
                    Ok((200, _))
                )
            {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not answer /status on port {port} within 30 s; log:\n{}",
                driver.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What tauri-driver, WebKitWebDriver and the app wrote so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: sending a signal to our own child's pid, which we have not reaped yet.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("tauri-driver ignored SIGTERM for 10 s; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// The app

/// How to start the app.
#[derive(Default)]
pub struct Launch {
    /// Command-line arguments for the app (files to open).
    pub args: Vec<OsString>,
    /// An existing library to open instead of a fresh, empty one.
    pub library: Option<PathBuf>,
}

impl Launch {
    pub fn args<I, S>(args: I) -> Launch
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        Launch {
            args: args.into_iter().map(Into::into).collect(),
            library: None,
        }
    }
}

/// A running app with its WebDriver session, its own temporary library and profile.
pub struct App {
    pub client: Client,
    name: String,
    session: Option<String>,
    shots: AtomicU32,
    pub driver: Driver,
    home: tempfile::TempDir,
    library: PathBuf,
    _one_at_a_time: MutexGuard<'static, ()>,
}

impl App {
    /// Starts the app for the test `name` with an empty library and waits for the UI.
    pub async fn launch(name: &str, launch: Launch) -> App {
        let guard = ONE_APP_AT_A_TIME.lock().await;
        require_display();
        clear_artifacts(name);
        let binary = app_binary();
        let home = tempfile::Builder::new()
            .prefix("tapedeck-e2e-")
            .tempdir()
            .expect("create a temporary home");
        for d in ["config", "data", "cache"] {
            std::fs::create_dir_all(home.path().join(d)).expect("create profile dirs");
        }
        let library = launch
            .library
            .clone()
            .unwrap_or_else(|| home.path().join("library.sqlite3"));
        let env: Vec<(&str, OsString)> = vec![
            ("TAPEDECK_LIBRARY", library.clone().into_os_string()),
            (
                "XDG_CONFIG_HOME",
                home.path().join("config").into_os_string(),
            ),
            ("XDG_DATA_HOME", home.path().join("data").into_os_string()),
            ("XDG_CACHE_HOME", home.path().join("cache").into_os_string()),
            ("GSETTINGS_BACKEND", "memory".into()),
        ];
        let driver = Driver::start(name, &env);

        let args: Vec<String> = launch
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let caps = json!({
            "browserName": "wry",
            "tauri:options": { "application": binary, "args": args },
        });
        let caps = caps.as_object().cloned().expect("an object");
        // A refused first request is retried: the driver pair can take a moment after their
        // ports open before they take sessions.
        let mut attempt = 0;
        let client = loop {
            attempt += 1;
            let connected = tokio::time::timeout(
                timeout(),
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&driver.url()),
            )
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no WebDriver session within {:?}; driver log:\n{}",
                    timeout(),
                    driver.log_text()
                )
            });
            match connected {
                Ok(client) => break client,
                Err(e) if attempt < 3 => {
                    eprintln!("WebDriver session attempt {attempt} failed: {e}; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => panic!(
                    "could not start the app through tauri-driver: {e}; driver log:\n{}",
                    driver.log_text()
                ),
            }
        };
        let session = client.session_id().await.ok().flatten();
        let app = App {
            client,
            name: name.to_owned(),
            session,
            shots: AtomicU32::new(0),
            driver,
            home,
            library,
            _one_at_a_time: guard,
        };
        let started = app
            .wait_js(
                "the UI to start (window.__tapedeck)",
                "if (document.readyState === 'complete' && window.__tapedeck) return 'ready'; \
                 const text = document.body ? document.body.innerText : ''; \
                 if (location.href.startsWith('http://localhost') \
                     || text.includes('Could not connect to localhost')) return 'dev-server'; \
                 return null",
            )
            .await;
        if started == "dev-server" {
            match app
                .fail(
                    "the app tried to load its dev server: the binary was built without its UI \
                     embedded. Rebuild it with `npm --prefix ui run build && \
                     cargo build -p tapedeck --features tapedeck/custom-protocol` (`make app`)",
                )
                .await {}
        }
        app
    }

    /// The library file this app uses.
    pub fn library_path(&self) -> PathBuf {
        self.library.clone()
    }

    /// A scratch directory that lives as long as the app.
    pub fn scratch_dir(&self) -> &Path {
        self.home.path()
    }

    /// Saves a screenshot as `<target>/e2e-artifacts/<test>-<NN>-<step>.png`. Failing to take
    /// one is reported, not fatal: screenshots are for people, the DOM is for assertions.
    pub async fn screenshot(&self, step: &str) {
        let n = self.shots.fetch_add(1, Ordering::Relaxed) + 1;
        let path = artifacts_dir().join(format!("{}-{n:02}-{step}.png", self.name));
        match self.client.screenshot().await {
            Ok(png) => {
                if let Err(e) = std::fs::write(&path, png) {
                    eprintln!("could not write {}: {e}", path.display());
                }
            }
            Err(e) => eprintln!("could not take screenshot {step}: {e}"),
        }
    }

    /// Runs `script` (a function body: use `return`) in the app's webview.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns something other than `null`, `false`, `0`, `""` or
    /// `undefined`, and returns that. On timeout: a screenshot, the page text, and a panic.
    pub async fn wait_js(&self, what: &str, script: &str) -> Value {
        self.wait_js_for(what, script, timeout()).await
    }

    pub async fn wait_js_for(&self, what: &str, script: &str, limit: Duration) -> Value {
        let deadline = Instant::now() + limit;
        let mut last_error = String::new();
        loop {
            match self.client.execute(script, vec![]).await {
                Ok(v) if truthy(&v) => return v,
                Ok(_) => {}
                Err(e) => last_error = e.to_string(),
            }
            if Instant::now() >= deadline {
                match self
                    .fail(&format!(
                        "timed out after {limit:?} waiting for {what}{}",
                        if last_error.is_empty() {
                            String::new()
                        } else {
                            format!(" (last script error: {last_error})")
                        }
                    ))
                    .await {}
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// Checks that `script` stays truthy for `period` (for "nothing else happens").
    pub async fn stays_js(&self, what: &str, script: &str, period: Duration) {
        let end = Instant::now() + period;
        while Instant::now() < end {
            let v = self.js(script, vec![]).await;
            if !truthy(&v) {
                match self
                    .fail(&format!("expected {what} to hold, it stopped holding"))
                    .await {}
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// Screenshot, page text and a panic with `message`. Never returns; `match
    /// app.fail(..).await {}` turns it into any type.
    pub async fn fail(&self, message: &str) -> Infallible {
        self.screenshot("FAILED").await;
        let text = self
            .client
            .execute(
                "return document.body ? document.body.innerText : '(no body)'",
                vec![],
            )
            .await
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .unwrap_or_else(|e| format!("(could not read the page: {e})"));
        let text: String = text.chars().take(3000).collect();
        panic!(
            "{}: {message}\n--- app text ---\n{text}\n--- driver log: {} ---",
            self.name,
            self.driver.log.display()
        );
    }

    /// The elements with `data-testid` = `id`.
    pub async fn all(&self, id: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(&testid(id)))
            .await
            .unwrap_or_else(|e| panic!("find [data-testid={id}]: {e}"))
    }

    /// Waits for an element with `data-testid` = `id` and returns it.
    pub async fn wait_for(&self, id: &str) -> Element {
        let sel = testid(id);
        self.wait_js(
            &format!("[data-testid={id}]"),
            &format!("return !!document.querySelector({})", js_str(&sel)),
        )
        .await;
        self.client
            .find(Locator::Css(&sel))
            .await
            .unwrap_or_else(|e| panic!("find {sel}: {e}"))
    }

    /// Waits for the element and clicks it (a real WebDriver click).
    pub async fn click(&self, id: &str) {
        let el = self.wait_for(id).await;
        if let Err(e) = el.click().await {
            match self.fail(&format!("click [data-testid={id}]: {e}")).await {}
        }
    }

    /// Clicks the first element matching the CSS selector `sel` (a real WebDriver click).
    pub async fn click_css(&self, sel: &str) {
        let el = match self.client.find(Locator::Css(sel)).await {
            Ok(el) => el,
            Err(e) => match self.fail(&format!("find {sel}: {e}")).await {},
        };
        if let Err(e) = el.click().await {
            match self.fail(&format!("click {sel}: {e}")).await {}
        }
    }

    /// Clicks an element at `fraction` of its width (vertically centred) with real pointer
    /// actions, as a user clicking a timeline would.
    pub async fn click_at_fraction(&self, element: &Element, fraction: f64) {
        self.rest_and_click_at_fraction(element, fraction, Duration::ZERO)
            .await;
    }

    /// [`App::click_at_fraction`] after the pointer rests there for `rest` (as a user's
    /// pointer does before a click, which the timeline takes as a hover).
    pub async fn rest_and_click_at_fraction(
        &self,
        element: &Element,
        fraction: f64,
        rest: Duration,
    ) {
        let (_, _, width, _) = element
            .rectangle()
            .await
            .unwrap_or_else(|e| panic!("element rectangle: {e}"));
        let x = ((fraction - 0.5) * width).round();
        let mut actions = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element: element.clone(),
            duration: None,
            x,
            y: 0.0,
        });
        if !rest.is_zero() {
            actions = actions.then(PointerAction::Pause { duration: rest });
        }
        let actions = actions
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        if let Err(e) = self.client.perform_actions(actions).await {
            match self
                .fail(&format!(
                    "pointer actions at {fraction} of the element: {e}"
                ))
                .await {}
        }
        let _ = self.client.release_actions().await;
    }

    /// `window.__tapedeck.<name>()`, the app's test hook.
    pub async fn hook(&self, name: &str) -> Value {
        self.js(
            &format!("const t = window.__tapedeck; return t ? t.{name}() : null"),
            vec![],
        )
        .await
    }

    /// `window.__tapedeck.currentTime()` in ms.
    pub async fn current_time(&self) -> f64 {
        self.hook("currentTime").await.as_f64().unwrap_or(f64::NAN)
    }

    /// The text of the replayed page (the rrweb iframe's body), or `None` before there is one.
    pub async fn replay_text(&self) -> Option<String> {
        self.js(REPLAY_TEXT, vec![])
            .await
            .as_str()
            .map(str::to_owned)
    }

    /// Waits until the replayed page's text contains `needle`.
    pub async fn wait_replay_contains(&self, needle: &str) {
        self.wait_js(
            &format!("the replay to show {needle:?}"),
            &format!(
                "const text = (() => {{ {REPLAY_TEXT} }})(); \
                 return !!text && text.includes({})",
                js_str(needle)
            ),
        )
        .await;
    }

    /// The `data-session-id`s of the feed rows, in order.
    pub async fn session_ids(&self) -> Vec<String> {
        let v = self
            .js(
                "return [...document.querySelectorAll('[data-testid=\"session-row\"]')]\
                 .map(r => r.getAttribute('data-session-id'))",
                vec![],
            )
            .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits for the selected feed row and returns its `data-session-id`.
    pub async fn wait_selected_row(&self) -> String {
        self.wait_js(
            "a selected session row",
            "const r = document.querySelector('[data-testid=\"session-row\"][aria-selected=\"true\"]'); \
             return r ? (r.getAttribute('data-session-id') || '?') : null",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Text of the first element with `data-testid` = `id`, or "" if there is none.
    pub async fn text_of(&self, id: &str) -> String {
        self.js(
            &format!(
                "const e = document.querySelector({}); return e ? e.innerText : ''",
                js_str(&testid(id))
            ),
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Ends the WebDriver session (which closes the app) and stops tauri-driver.
    pub async fn close(mut self) {
        self.session = None;
        let client = self.client.clone();
        if let Err(e) = tokio::time::timeout(Duration::from_secs(20), client.close()).await {
            eprintln!("closing the session timed out: {e}");
        }
    }

    /// Runs the app binary's own CLI on this app's library (e.g. `["list", "--json"]`).
    pub fn cli(&self, args: &[&str]) -> String {
        let out = Command::new(app_binary())
            .arg("--library")
            .arg(self.library_path())
            .args(args)
            .output()
            .expect("run the app's CLI");
        assert!(
            out.status.success(),
            "tapedeck {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        // A test that panicked leaves its session open; end it with a plain blocking request
        // so WebKitWebDriver closes the app before tauri-driver is stopped.
        if let Some(id) = self.session.take() {
            let _ = http(
                self.driver.port,
                "DELETE",
                &format!("/session/{id}"),
                Duration::from_secs(15),
            );
        }
    }
}

/// Removes what an earlier run of the test `name` left in the artifacts directory.
fn clear_artifacts(name: &str) {
    let prefix = format!("{name}-");
    if let Ok(entries) = std::fs::read_dir(artifacts_dir()) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Reads the replay iframe's text; null when there is no replay document yet.
const REPLAY_TEXT: &str = "const r = document.querySelector('[data-testid=\"replay\"]'); \
    const f = r && r.querySelector('iframe'); \
    const d = f && f.contentDocument; \
    if (!d || !d.body) return null; \
    return d.body.innerText || d.body.textContent || '';";

fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// A JavaScript string literal.
pub fn js_str(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// A window manager on the test display, for what only a managed window does (fullscreen is a
/// request to the window manager; a bare Xvfb ignores it). Stopped when dropped.
pub struct WindowManager(std::process::Child);

impl WindowManager {
    pub fn start() -> WindowManager {
        require_display();
        let child = Command::new("openbox")
            .arg("--sm-disable")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start openbox (scripts/install-deps.sh test installs it)");
        // It owns the screen once it has set its supporting-WM property; a moment is enough.
        std::thread::sleep(Duration::from_millis(500));
        WindowManager(child)
    }
}

impl Drop for WindowManager {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
