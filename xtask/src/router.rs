//! Building the router: the shared recipe of `crates/router-build`.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const DIR: &str = router_build::DIR;
pub const CONFIG: &str = "router/router.yaml";
pub const HTTP_PORT: u16 = 4000;

/// The router's origin on this machine: the system's public URL (the
/// services' `PUBLIC_URL` in `xtask up` and compose.yml).
pub fn public_url() -> String {
    format!("http://127.0.0.1:{HTTP_PORT}")
}

/// `cargo build` of the router (debug unless `release`); xtask runs from
/// the repository root.
pub fn build(release: bool) -> anyhow::Result<()> {
    crate::run_cmd(&mut router_build::command(Path::new(""), release))
}

/// The router's unit tests (`cargo test` in its workspace).
pub fn test_command() -> Command {
    router_build::test_command(Path::new(""))
}

/// See [`router_build::without_package_env`].
pub fn without_package_env(cmd: &mut Command) {
    router_build::without_package_env(cmd);
}

/// The binary [`build`] produced (relative to the repository root).
pub fn binary(release: bool) -> PathBuf {
    router_build::binary(Path::new(""), release)
}

/// `cargo fmt --check` for the router's own code.
pub fn fmt_check() -> anyhow::Result<()> {
    crate::run_cmd(
        crate::cargo()
            .args(["fmt", "--check", "--manifest-path"])
            .arg(PathBuf::from(DIR).join("Cargo.toml")),
    )
}

/// A router build running beside other work ([`spawn_build`]).
pub struct Background {
    /// `None` once waited for.
    child: Option<std::process::Child>,
    log: PathBuf,
    started: std::time::Instant,
}

/// Starts [`build`] in the background, its output into
/// `router/target/build.log`: the router shares no compiled crate with the
/// workspace (its own lock file and profile), so it can fill the cores the
/// workspace's build and tests leave idle. The build runs under `nice`
/// (see `router_build::command`): whatever runs in the foreground comes
/// first.
pub fn spawn_build(release: bool) -> anyhow::Result<Background> {
    let target = PathBuf::from(DIR).join("target");
    std::fs::create_dir_all(&target)?;
    let log = target.join("build.log");
    let out = std::fs::File::create(&log)?;
    let mut cmd = router_build::command(Path::new(""), release);
    cmd.stdout(out.try_clone()?).stderr(out);
    eprintln!(
        "+ (in the background, output in {}) {}",
        log.display(),
        crate::display(&cmd)
    );
    Ok(Background {
        child: Some(cmd.spawn()?),
        log,
        started: std::time::Instant::now(),
    })
}

impl Background {
    /// Waits for the build; on failure its log goes to stderr.
    pub fn finish(mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        let status = child.wait()?;
        eprintln!(
            "xtask: the router's build: {status} (waited for until {:.0?} after it started)",
            self.started.elapsed()
        );
        if !status.success() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("{log}");
            anyhow::bail!("building the router failed ({status}); its output is above");
        }
        Ok(())
    }
}

impl Drop for Background {
    /// A run that stops early (a failed check) does not leave the build
    /// running behind it.
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
