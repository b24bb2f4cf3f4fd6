//! What `cargo xtask test` needs from the machine beyond Rust, made sure of
//! before anything is built: the browser the explorer test drives, the
//! compose validator, Node for the schema tools and the test OpenID
//! provider, PostgreSQL's server binaries (the test kit's private cluster),
//! a NATS server with JetStream (the broker-mode tests).
//!
//! Missing packages are installed from the distribution's packages when
//! running as root; otherwise the exact command is printed and the run
//! stops before building. Servers that are installed but not running are
//! started: the machine's own PostgreSQL cluster, or a private NATS server
//! for the duration of the run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One thing the tests need, and the Debian package that provides it.
struct Need {
    what: &'static str,
    package: &'static str,
    present: fn() -> bool,
}

const NEEDS: &[Need] = &[
    Need {
        what: "Chromium (the explorer's browser test)",
        package: "chromium",
        present: || on_path("chromium"),
    },
    Need {
        what: "ChromeDriver (drives it)",
        package: "chromium-driver",
        present: || on_path("chromedriver"),
    },
    Need {
        what: "docker-compose (validates compose.yml)",
        package: "docker-compose",
        present: || {
            on_path("docker-compose")
                || Command::new("docker")
                    .args(["compose", "version"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
        },
    },
    Need {
        what: "Node.js (schema composition, the test OpenID provider)",
        package: "nodejs",
        present: || on_path("node"),
    },
    Need {
        what: "npm",
        package: "npm",
        present: || on_path("npm"),
    },
    Need {
        what: "PostgreSQL server binaries (the test kit's private cluster)",
        package: "postgresql",
        present: || postgres_bin_dir().is_some(),
    },
    Need {
        what: "NATS server (EVENTS=broker tests)",
        package: "nats-server",
        present: || nats_server().is_some(),
    },
];

/// Installs what is missing (as root) or says how and fails.
pub fn packages() -> anyhow::Result<()> {
    let missing: Vec<&Need> = NEEDS.iter().filter(|need| !(need.present)()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().map(|need| need.package).collect();
    let command = format!(
        "apt-get update && apt-get install -y {}",
        packages.join(" ")
    );
    for need in &missing {
        eprintln!(
            "xtask test: missing {} (package {})",
            need.what, need.package
        );
    }
    if !is_root() {
        anyhow::bail!(
            "install what is missing first, then run `cargo xtask test` again:\n  sudo sh -c '{command}'"
        );
    }
    eprintln!("+ {command}");
    crate::run_cmd(Command::new("apt-get").args(["update", "-qq"]))?;
    crate::run_cmd(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    let still: Vec<&str> = NEEDS
        .iter()
        .filter(|need| !(need.present)())
        .map(|need| need.package)
        .collect();
    anyhow::ensure!(
        still.is_empty(),
        "still missing after installing: {}",
        still.join(" ")
    );
    Ok(())
}

/// The rustfmt and clippy components, which a minimal toolchain lacks.
pub fn toolchain_components() {
    // Best effort: an offline rustup with them installed already is fine.
    let _ = Command::new("rustup")
        .args(["component", "add", "rustfmt", "clippy"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Starts the machine's PostgreSQL cluster if it is installed but down
/// (with nothing at all, the test kit starts a private one itself).
pub fn postgres_running() {
    if reachable("127.0.0.1:5432") || std::env::var_os("DATABASE_URL").is_some() {
        return;
    }
    let Ok(versions) = std::fs::read_dir("/etc/postgresql") else {
        return;
    };
    for version in versions.flatten() {
        let version = version.file_name();
        eprintln!(
            "xtask test: starting the machine's PostgreSQL {} cluster",
            version.to_string_lossy()
        );
        let _ = Command::new("pg_ctlcluster")
            .arg("--skip-systemctl-redirect")
            .arg(&version)
            .args(["main", "start"])
            .status();
        if reachable("127.0.0.1:5432") {
            return;
        }
    }
}

/// A NATS server with JetStream for the run: the one at `NATS_URL` if it
/// answers, else a private `nats-server -js` on a free port, stopped when
/// this is dropped.
pub struct Nats {
    pub url: String,
    private: Option<(Child, PathBuf)>,
}

impl Drop for Nats {
    fn drop(&mut self) {
        if let Some((child, store)) = &mut self.private {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(store);
        }
    }
}

pub fn nats() -> anyhow::Result<Nats> {
    let url = crate::nats::url();
    let runtime = tokio::runtime::Runtime::new()?;
    if matches!(
        runtime.block_on(crate::nats::probe(&url)),
        crate::nats::Nats::JetStream
    ) {
        return Ok(Nats { url, private: None });
    }
    let binary = nats_server().ok_or_else(|| anyhow::anyhow!("no nats-server installed"))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let store = std::env::temp_dir().join(format!("xtask-test-nats-{port}"));
    let child = Command::new(binary)
        .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
        .arg(&store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let nats = Nats {
        url: format!("nats://127.0.0.1:{port}"),
        private: Some((child, store)),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !matches!(
        runtime.block_on(crate::nats::probe(&nats.url)),
        crate::nats::Nats::JetStream
    ) {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the private nats-server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "xtask test: nothing at {url}; a private NATS with JetStream at {}",
        nats.url
    );
    Ok(nats)
}

fn reachable(addr: &str) -> bool {
    addr.parse()
        .ok()
        .and_then(|addr| std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok())
        .is_some()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn on_path(name: &str) -> bool {
    find(name, &[]).is_some()
}

fn find(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|bin| bin.is_file())
}

fn nats_server() -> Option<PathBuf> {
    find("nats-server", &["/usr/sbin", "/usr/local/bin"])
}

/// `/usr/lib/postgresql/<version>/bin` with `initdb` in it, if any.
fn postgres_bin_dir() -> Option<PathBuf> {
    std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|version| version.path().join("bin"))
        .find(|bin| Path::new(bin).join("initdb").is_file())
}

/// Sums the `test result:` lines of a `cargo test` run's output.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub binaries: usize,
    pub passed: usize,
    pub failed: usize,
    pub ignored: usize,
}

impl Tally {
    /// Adds another run's counts.
    pub fn add(&mut self, other: &Tally) {
        self.binaries += other.binaries;
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }

    /// Counts one line of libtest's output (others are ignored), e.g.
    /// `test result: ok. 8 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 4.01s`.
    pub fn add_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        self.binaries += 1;
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(label), Some(count)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(count) = count.parse::<usize>() else {
                continue;
            };
            match label {
                "passed" => self.passed += count,
                "failed" => self.failed += count,
                "ignored" => self.ignored += count,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn tally_sums_libtest_summaries() {
        let mut tally = Tally::default();
        for line in [
            "running 8 tests",
            "test result: ok. 8 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 4.01s",
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1s",
            "test x ... ok",
        ] {
            tally.add_line(line);
        }
        assert_eq!(
            tally,
            Tally {
                binaries: 2,
                passed: 11,
                failed: 2,
                ignored: 1
            }
        );
    }
}
