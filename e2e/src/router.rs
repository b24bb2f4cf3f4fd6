//! The router binary as a child process.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Overrides the router binary (e.g. a release build); skips building.
pub const ROUTER_BIN_ENV: &str = "E2E_ROUTER_BIN";

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A port nothing listens on right now (bound, then released).
///
/// # Panics
/// If no port can be bound.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("e2e: no free port: {e}"))
}

/// The router binary: `$E2E_ROUTER_BIN` (`cargo xtask test` builds the
/// router first and sets it), or `router/target/debug/router` after the
/// same build `cargo xtask router` runs (a no-op when it is up to date).
/// Built once per test process.
///
/// # Panics
/// If the build fails (the message has cargo's output).
pub fn router_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            if let Ok(path) = std::env::var(ROUTER_BIN_ENV) {
                return PathBuf::from(path);
            }
            // Exactly as `cargo xtask router` builds it, so neither
            // rebuilds what the other built.
            let mut build = router_build::command(&repo_root(), false);
            let out = build
                .output()
                .unwrap_or_else(|e| panic!("e2e: running cargo build in router/: {e}"));
            assert!(
                out.status.success(),
                "e2e: building the router failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            router_build::binary(&repo_root(), false)
        })
        .clone()
}

/// A running router; killed when dropped.
pub struct RouterProcess {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl RouterProcess {
    /// Starts the router on a free port with the committed configuration,
    /// `subgraphs` as `(name, GraphQL URL)` (every subgraph of the
    /// supergraph must be listed: the defaults are the ports of `xtask up`),
    /// plus `env`. Returns once `/readiness` answers 200.
    ///
    /// # Panics
    /// If it does not become ready within 60 s (the message has its log).
    pub async fn start(subgraphs: &[(&str, String)], env: &[(&str, &str)]) -> RouterProcess {
        Self::start_on(free_port(), subgraphs, env).await
    }

    /// Like [`start`](Self::start), on `port` (chosen earlier: the
    /// services hand out URLs on the router's origin).
    ///
    /// # Panics
    /// If it does not become ready within 60 s (the message has its log).
    pub async fn start_on(
        port: u16,
        subgraphs: &[(&str, String)],
        env: &[(&str, &str)],
    ) -> RouterProcess {
        let binary = router_binary();
        let log = std::env::temp_dir().join(format!("e2e-router-{port}.log"));
        let log_file = std::fs::File::create(&log)
            .unwrap_or_else(|e| panic!("e2e: creating {}: {e}", log.display()));
        let stderr = log_file.try_clone().unwrap_or_else(|e| panic!("e2e: {e}"));
        let mut cmd = Command::new(&binary);
        cmd.env(
            "ROUTER_CONFIG_FILE_PATH",
            repo_root().join("router/router.yaml"),
        )
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("LOG_LEVEL", "info")
        .env("LOG_FORMAT", "text")
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(stderr);
        for (name, url) in subgraphs {
            cmd.env(format!("{}_SUBGRAPH_URL", name.to_ascii_uppercase()), url);
        }
        for (key, value) in env {
            cmd.env(key, value);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("e2e: starting {}: {e}", binary.display()));
        let mut router = RouterProcess { child, port, log };
        router.wait_ready().await;
        router
    }

    async fn wait_ready(&mut self) {
        let http = http_client();
        let url = format!("{}/readiness", self.base_url());
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("e2e: the router exited ({status}):\n{}", self.log());
            }
            if http
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("e2e: the router was not ready within 60 s:\n{}", self.log());
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:<port>/graphql`
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.base_url())
    }

    /// `ws://127.0.0.1:<port>/graphql`
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/graphql", self.port)
    }

    /// Everything the router logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for RouterProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// An HTTP client for local servers (no proxy, short timeouts).
///
/// # Panics
/// If the client cannot be built.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("e2e: HTTP client: {e}"))
}
