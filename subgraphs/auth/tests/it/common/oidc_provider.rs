//! A real OpenID Connect provider for tests: panva's `oidc-provider` (npm,
//! pinned in `tests/oidc-provider/package-lock.json`), run by Node.js from
//! `tests/oidc-provider/provider.mjs`, with its development login and
//! consent forms. A [`Browser`] drives it over HTTP as a person would.
//!
//! The first test that needs it installs the pinned packages (`npm ci`)
//! when `node_modules` is missing or older than the lock file; a file lock
//! makes concurrent test binaries wait for one install.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use url::Url;

pub const CLIENT_ID: &str = "messenger-auth";
pub const CLIENT_SECRET: &str = "messenger-auth-secret-for-tests";

/// How long the provider may take to start (Node.js and the package load).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The npm project beside auth's tests. The e2e suite compiles this file
/// too (`#[path]`), from a crate of its own.
fn project_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let here = manifest.join("tests/oidc-provider");
    if here.is_dir() {
        here
    } else {
        manifest.join("../subgraphs/auth/tests/oidc-provider")
    }
}

/// `npm ci` in the provider's project unless its `node_modules` matches the
/// lock file already (npm records what it installed in
/// `node_modules/.package-lock.json`). Once per process; across processes
/// an exclusive lock on `.install.lock` serialises it.
fn ensure_installed() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let dir = project_dir();
        let lock = File::create(dir.join(".install.lock")).expect("create the install lock");
        lock.lock().expect("take the install lock");
        let fresh = || -> Option<bool> {
            let installed = std::fs::metadata(dir.join("node_modules/.package-lock.json"))
                .ok()?
                .modified()
                .ok()?;
            let wanted = std::fs::metadata(dir.join("package-lock.json"))
                .ok()?
                .modified()
                .ok()?;
            Some(installed >= wanted)
        };
        if fresh() != Some(true) {
            let status = std::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir)
                .status()
                .expect("npm (Node.js) is needed for the OpenID Connect provider tests");
            assert!(status.success(), "npm ci in {} failed", dir.display());
        }
        lock.unlock().expect("release the install lock");
    });
}

/// An account the provider knows; its id (`sub`) is what the login form takes.
#[derive(Debug, Clone)]
pub struct Account {
    pub sub: String,
    pub email: Option<String>,
    /// `None`: the claim is left out.
    pub email_verified: Option<bool>,
}

impl Account {
    pub fn verified(sub: &str, email: &str) -> Self {
        Self {
            sub: sub.to_owned(),
            email: Some(email.to_owned()),
            email_verified: Some(true),
        }
    }

    pub fn unverified(sub: &str, email: &str) -> Self {
        Self {
            email_verified: Some(false),
            ..Self::verified(sub, email)
        }
    }

    fn to_json(&self) -> Value {
        let mut account = json!({ "sub": self.sub });
        if let Some(email) = &self.email {
            account["email"] = json!(email);
        }
        if let Some(verified) = self.email_verified {
            account["email_verified"] = json!(verified);
        }
        account
    }
}

/// The running provider; killed when dropped.
pub struct OidcProvider {
    pub issuer: String,
    control: tokio::sync::Mutex<Control>,
    _child: Child,
}

struct Control {
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl OidcProvider {
    pub async fn start() -> Self {
        ensure_installed();
        // Node.js has twice been seen to stop before its ready line,
        // asleep on a futex with half a second of CPU spent (cause not
        // found): such a process is killed and started once more, with
        // what it was doing on stderr.
        let (child, stdin, stdout, ready) = match Self::spawn().await {
            Ok(started) => started,
            Err(state) => {
                eprintln!(
                    "oidc-provider printed no ready line within {START_TIMEOUT:?} ({state}); starting it again"
                );
                Self::spawn().await.unwrap_or_else(|state| {
                    panic!("oidc-provider printed no ready line within {START_TIMEOUT:?}, twice; {state}")
                })
            }
        };
        let ready: Value = serde_json::from_str(&ready).expect("a JSON ready line");
        assert_eq!(ready["ready"], true, "{ready}");
        Self {
            issuer: ready["issuer"].as_str().unwrap().to_owned(),
            control: tokio::sync::Mutex::new(Control { stdin, stdout }),
            _child: child,
        }
    }

    /// Starts node and waits for its ready line; `Err` says what a process
    /// that printed none in time was doing (it is killed).
    async fn spawn() -> Result<(Child, ChildStdin, Lines<BufReader<ChildStdout>>, String), String> {
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(project_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start node (Node.js is needed for the OpenID Connect provider tests)");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        match tokio::time::timeout(START_TIMEOUT, stdout.next_line()).await {
            Ok(line) => {
                let line = line
                    .unwrap()
                    .expect("oidc-provider exited before it was ready");
                Ok((child, stdin, stdout, line))
            }
            Err(tokio::time::error::Elapsed { .. }) => {
                let state = process_state(child.id());
                let _ = child.kill().await;
                Err(state)
            }
        }
    }

    async fn command(&self, command: Value) {
        let mut control = self.control.lock().await;
        let line = format!("{command}\n");
        control.stdin.write_all(line.as_bytes()).await.unwrap();
        control.stdin.flush().await.unwrap();
        let answer = control.stdout.next_line().await.unwrap().unwrap();
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["ok"], true, "{command}: {answer}");
    }

    /// Registers our auth service as a client, with its callback URL(s).
    pub async fn register_client(&self, redirect_uris: &[String]) {
        self.command(json!({ "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": redirect_uris,
        }}))
        .await;
    }

    pub async fn add_account(&self, account: &Account) {
        self.command(json!({ "account": account.to_json() })).await;
    }

    /// This provider's entry in `OAUTH_PROVIDERS`.
    pub fn settings(&self) -> Value {
        json!({
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        })
    }
}

/// The state, kernel wait channel and CPU time of process `pid` (Linux).
fn process_state(pid: Option<u32>) -> String {
    let Some(pid) = pid else {
        return "the process has exited".to_owned();
    };
    let read = |file: &str| {
        std::fs::read_to_string(format!("/proc/{pid}/{file}")).unwrap_or_else(|e| e.to_string())
    };
    let state = read("status")
        .lines()
        .filter(|l| l.starts_with("State:") || l.starts_with("Threads:"))
        .collect::<Vec<_>>()
        .join(", ");
    let stat = read("stat");
    // utime and stime, fields 14 and 15, in clock ticks.
    let cpu: Vec<&str> = stat.split_whitespace().skip(13).take(2).collect();
    format!(
        "pid {pid}: {state}, waiting in {:?}, cpu ticks (user, system) {cpu:?}",
        read("wchan")
    )
}

/// What the person at the browser does at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Allow,
    /// Cancels on the consent page.
    Deny,
}

/// A browser: its own cookies (per host and path), redirects followed by
/// hand so that tests see every hop.
pub struct Browser {
    http: reqwest::Client,
    cookies: Mutex<Vec<Cookie>>,
}

#[derive(Debug, Clone)]
struct Cookie {
    origin: String,
    path: String,
    name: String,
    value: String,
}

/// What the browser went through at the provider on its way back.
#[derive(Debug)]
pub struct AtProvider {
    /// The URL the provider sent the browser to (not followed).
    pub callback: String,
    /// The forms it filled in, in order (`login`, `consent`).
    pub forms: Vec<&'static str>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            cookies: Mutex::new(Vec::new()),
        }
    }

    fn cookie_header(&self, url: &Url) -> Option<String> {
        let origin = url.origin().ascii_serialization();
        let cookies = self.cookies.lock().unwrap();
        let header: Vec<String> = cookies
            .iter()
            .filter(|c| c.origin == origin && url.path().starts_with(&c.path))
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!header.is_empty()).then(|| header.join("; "))
    }

    fn keep_cookies(&self, url: &Url, response: &reqwest::Response) {
        let origin = url.origin().ascii_serialization();
        let mut cookies = self.cookies.lock().unwrap();
        for header in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let header = header.to_str().unwrap();
            let mut parts = header.split(';').map(str::trim);
            let (name, value) = parts.next().unwrap().split_once('=').unwrap();
            let mut path = "/".to_owned();
            let mut expired = value.is_empty();
            for attribute in parts {
                let (key, val) = attribute.split_once('=').unwrap_or((attribute, ""));
                match key.to_ascii_lowercase().as_str() {
                    "path" => val.clone_into(&mut path),
                    "max-age" => expired |= val.starts_with('-') || val == "0",
                    "expires" => expired |= val.contains("1970"),
                    _ => {}
                }
            }
            cookies.retain(|c| !(c.origin == origin && c.path == path && c.name == name));
            if !expired {
                cookies.push(Cookie {
                    origin: origin.clone(),
                    path,
                    name: name.to_owned(),
                    value: value.to_owned(),
                });
            }
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder, url: &Url) -> reqwest::Response {
        let request = match self.cookie_header(url) {
            Some(cookies) => request.header(reqwest::header::COOKIE, cookies),
            None => request,
        };
        let response = request.send().await.unwrap();
        self.keep_cookies(url, &response);
        response
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        let url = Url::parse(url).unwrap();
        self.send(self.http.get(url.clone()), &url).await
    }

    pub async fn head(&self, url: &str) -> reqwest::Response {
        let url = Url::parse(url).unwrap();
        self.send(self.http.head(url.clone()), &url).await
    }

    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let url = Url::parse(url).unwrap();
        self.send(self.http.post(url.clone()).form(form), &url)
            .await
    }

    /// From `url` at the provider until it sends the browser elsewhere
    /// (our callback): redirects followed, the login form filled in with
    /// `login` (the account id; the development forms take any password),
    /// the consent form accepted or cancelled.
    pub async fn through_provider(
        &self,
        url: &str,
        issuer: &str,
        login: &str,
        consent: Consent,
    ) -> AtProvider {
        let mut url = Url::parse(url).unwrap();
        let mut forms = Vec::new();
        for _ in 0..20 {
            if !url.as_str().starts_with(issuer) {
                return AtProvider {
                    callback: url.to_string(),
                    forms,
                };
            }
            let response = self.get(url.as_str()).await;
            let status = response.status();
            if status.is_redirection() {
                url = next(&url, &response);
                continue;
            }
            let page = response.text().await.unwrap();
            assert_eq!(status, 200, "{url}: {page}");
            let action = url
                .join(&html_unescape(attribute(&page, "action")))
                .unwrap();
            let response = if page.contains(r#"name="prompt" value="login""#) {
                forms.push("login");
                self.post_form(
                    action.as_str(),
                    &[
                        ("prompt", "login"),
                        ("login", login),
                        ("password", "any password"),
                    ],
                )
                .await
            } else if page.contains(r#"name="prompt" value="consent""#) {
                forms.push("consent");
                if consent == Consent::Deny {
                    let abort = page
                        .split("href=\"")
                        .skip(1)
                        .map(|rest| &rest[..rest.find('"').unwrap()])
                        .find(|href| href.ends_with("/abort"))
                        .expect("a cancel link");
                    self.get(url.join(&html_unescape(abort)).unwrap().as_str())
                        .await
                } else {
                    self.post_form(action.as_str(), &[("prompt", "consent")])
                        .await
                }
            } else {
                panic!("an unexpected page at {url}: {page}");
            };
            assert!(
                response.status().is_redirection(),
                "{action}: {:?}",
                response.text().await
            );
            url = next(&action, &response);
        }
        panic!("too many redirects at the provider");
    }
}

fn next(from: &Url, response: &reqwest::Response) -> Url {
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .unwrap_or_else(|| panic!("no Location in {response:?}"))
        .to_str()
        .unwrap();
    from.join(location).unwrap()
}

/// The value of the first `name="…"` attribute in `html`.
fn attribute<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + name.len()
        + 2;
    let len = html[start..].find('"').unwrap();
    &html[start..start + len]
}

fn html_unescape(value: &str) -> String {
    value
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
