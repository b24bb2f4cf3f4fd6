//! Building the router: the shared recipe of `crates/router-build`.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const DIR: &str = router_build::DIR;
pub const CONFIG: &str = "router/router.yaml";
pub const HTTP_PORT: u16 = 4000;

/// `cargo build` of the router (debug unless `release`); xtask runs from
/// the repository root.
pub fn build(release: bool) -> anyhow::Result<()> {
    crate::run_cmd(&mut router_build::command(Path::new(""), release))
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
