//! Headless Chromium through chromedriver (W3C WebDriver over HTTP), for the
//! explorer test, with every request that would leave 127.0.0.1 caught.
//!
//! Chromium is told to resolve no host name but 127.0.0.1 and to send all
//! other traffic through a proxy that is a trap: a local listener that
//! records what was asked of it and answers nothing. Loopback requests
//! bypass the proxy. So a page that needed a CDN fails to load.
//!
//! [`Browser::page_requests`] lists every request the page made (from
//! Chromium's DevTools network log, failed ones included);
//! [`Browser::blocked_requests`] what reached the trap, which also catches
//! Chromium's own background traffic (update checks and the like), not the
//! page's.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt as _;

use crate::router::{free_port, http_client};

/// Set to `1` to skip browser tests on a machine without Chromium.
pub const SKIP_ENV: &str = "E2E_SKIP_BROWSER";

/// A headless Chromium session.
pub struct Browser {
    http: reqwest::Client,
    driver: Child,
    base: String,
    session: String,
    outside: Arc<Mutex<Vec<String>>>,
    trap: tokio::task::JoinHandle<()>,
    profile: PathBuf,
}

impl Browser {
    /// `None` (after saying why) when [`SKIP_ENV`] is set.
    ///
    /// # Panics
    /// If chromedriver or Chromium is missing or does not start.
    pub async fn start() -> Option<Browser> {
        if std::env::var(SKIP_ENV).is_ok_and(|v| v == "1") {
            eprintln!("{SKIP_ENV}=1: skipping the browser test");
            return None;
        }
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());

        let trap = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("e2e: binding the proxy trap: {e}"));
        let trap_port = trap.local_addr().map(|a| a.port()).unwrap_or_default();
        let outside = Arc::new(Mutex::new(Vec::new()));
        let seen = outside.clone();
        let trap = tokio::spawn(async move {
            while let Ok((mut socket, _)) = trap.accept().await {
                let mut buf = [0u8; 512];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let first_line = String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                seen.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(first_line);
            }
        });

        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "e2e: cannot run {chromedriver} ({e}). Install Chromium and its driver \
                     (Debian: apt-get install chromium chromium-driver; .ci/run does), \
                     or set {SKIP_ENV}=1 to skip browser tests"
                )
            });
        let http = http_client();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(resp) = http.get(format!("{base}/status")).send().await
                && resp
                    .json::<Value>()
                    .await
                    .is_ok_and(|b| b["value"]["ready"] == true)
            {
                break;
            }
            assert!(Instant::now() < deadline, "e2e: chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        let profile = std::env::temp_dir().join(format!("e2e-chromium-{port}"));
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-gpu".to_owned(),
            "--window-size=1400,900".to_owned(),
            format!("--user-data-dir={}", profile.display()),
            // Nothing but loopback resolves; everything else goes to the trap.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1".to_owned(),
            format!("--proxy-server=http://127.0.0.1:{trap_port}"),
            // Chromium's own background traffic is not the page's.
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-default-apps".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--no-default-browser-check".to_owned(),
            "--disable-client-side-phishing-detection".to_owned(),
            // No crash handler processes that would outlive the browser.
            "--disable-crash-reporter".to_owned(),
            "--disable-breakpad".to_owned(),
            "--disable-domain-reliability".to_owned(),
            "--disable-extensions".to_owned(),
            "--no-pings".to_owned(),
            "--disable-features=OptimizationHints,MediaRouter,Translate,NetworkTimeServiceQuerying"
                .to_owned(),
        ];
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": chromium, "args": args },
                // DevTools events, for page_requests().
                "goog:loggingPrefs": { "performance": "ALL" },
            }}
        });
        let resp: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .unwrap_or_else(|e| panic!("e2e: creating a browser session: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("e2e: browser session reply: {e}"));
        let session = resp["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("e2e: no browser session: {resp}"))
            .to_owned();
        Some(Browser {
            http,
            driver,
            base,
            session,
            outside,
            trap,
            profile,
        })
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, &url);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp: Value = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("e2e: webdriver {path}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("e2e: webdriver {path} reply: {e}"));
        assert!(
            resp["value"].get("error").is_none(),
            "e2e: webdriver {path} failed: {}",
            resp["value"]
        );
        resp["value"].clone()
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page
    /// and returns what it returns.
    pub async fn eval(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Polls `script` (with `args`) until it returns something truthy, and
    /// returns that.
    ///
    /// # Panics
    /// After `timeout`, with `what` in the message.
    pub async fn wait_for(
        &self,
        what: &str,
        script: &str,
        args: Value,
        timeout: Duration,
    ) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.eval(script, args.clone()).await;
            let truthy = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "e2e: timed out waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Clicks the first element matching the CSS `selector` like a user
    /// would (WebDriver scrolls it into view and sends real pointer events).
    pub async fn click(&self, selector: &str) {
        let id = self.element(selector).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Types `keys` into the first element matching `selector` (WebDriver
    /// key codes: `\u{E009}` is Control, `\u{E007}` Enter).
    pub async fn send_keys(&self, selector: &str, keys: &str) {
        let id = self.element(selector).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": keys })),
        )
        .await;
    }

    async fn element(&self, selector: &str) -> String {
        let element = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": selector })),
            )
            .await;
        element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("e2e: no element {selector}: {element}"))
            .to_owned()
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        let value = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(value.as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("e2e: screenshot is not base64: {e}"))
    }

    /// The URL of every request the page has made so far (documents,
    /// scripts, styles, fetches, WebSockets), whether it succeeded or not.
    pub async fn page_requests(&self) -> Vec<String> {
        let url = format!("{}/session/{}/se/log", self.base, self.session);
        let resp: Value = self
            .http
            .post(&url)
            .json(&json!({ "type": "performance" }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("e2e: reading the browser's network log: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("e2e: the browser's network log: {e}"));
        let entries = resp["value"].as_array().cloned().unwrap_or_default();
        let mut urls = Vec::new();
        for entry in entries {
            let Ok(event) =
                serde_json::from_str::<Value>(entry["message"].as_str().unwrap_or("{}"))
            else {
                continue;
            };
            let message = &event["message"];
            let url = match message["method"].as_str() {
                Some("Network.requestWillBeSent") => &message["params"]["request"]["url"],
                Some("Network.webSocketCreated") => &message["params"]["url"],
                _ => continue,
            };
            if let Some(url) = url.as_str() {
                urls.push(url.to_owned());
            }
        }
        urls
    }

    /// The first line of every request that reached the trap proxy, i.e.
    /// tried to leave 127.0.0.1 (the page's or Chromium's own).
    pub fn blocked_requests(&self) -> Vec<String> {
        self.outside
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Ends the session and chromedriver.
    pub async fn close(mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send()
            .await;
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.trap.abort();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium's processes outlive chromedriver when the session was
        // not ended (a failed test): end those of this browser's profile.
        kill_processes_mentioning(&format!("--user-data-dir={}", self.profile.display()));
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// SIGKILLs every process whose command line contains `needle` (Linux
/// `/proc`; elsewhere nothing).
fn kill_processes_mentioning(needle: &str) {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    let pids: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(needle))
        })
        .collect();
    if !pids.is_empty() {
        let _ = Command::new("kill")
            .arg("-KILL")
            .args(&pids)
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.shutdown();
    }
}
