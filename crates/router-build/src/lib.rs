//! Building the router: its own cargo workspace under `router/`.
//!
//! Hive Router 0.3.x depends on ntex 4.x crates that declare a newer
//! `rust-version` than this toolchain; they build fine with it, hence
//! `--ignore-rust-version` (see docs/router-internals.md). The build runs at a lower
//! CPU priority so a machine shared with other builds stays responsive.
//!
//! Clippy checks our crate during that same build (clippy-driver as the
//! workspace wrapper, warnings denied): `cargo clippy` would re-check all
//! ~640 dependencies in check mode, minutes for nothing of ours.
//!
//! `cargo xtask router` and the e2e tests both build with [`command`], so
//! an up-to-date build by one is a no-op for the other.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The router's directory under the repository root.
pub const DIR: &str = "router";

/// The `cargo build` of the router (debug unless `release`), to run as is.
/// `repo_root` is the repository's root directory.
#[must_use]
pub fn command(repo_root: &Path, release: bool) -> Command {
    cargo(repo_root, "build", release)
}

/// The `cargo test` of the router's own unit tests (debug): it shares the
/// debug build's dependencies, so after [`command`] only our crate builds.
#[must_use]
pub fn test_command(repo_root: &Path) -> Command {
    cargo(repo_root, "test", false)
}

fn cargo(repo_root: &Path, subcommand: &str, release: bool) -> Command {
    let mut cmd = Command::new("nice");
    cmd.args(["-n", "10"])
        .arg(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args([subcommand, "--ignore-rust-version", "--locked"])
        // Always router/target, whatever CARGO_TARGET_DIR the caller has:
        // `binary` and the e2e tests look for it there.
        .args(["--target-dir", "target"])
        .env_remove("CARGO_TARGET_DIR")
        .env("RUSTC_WORKSPACE_WRAPPER", "clippy-driver")
        .env(
            "CLIPPY_ARGS",
            "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
        )
        .current_dir(repo_root.join(DIR));
    if release {
        cmd.arg("--release");
    }
    without_package_env(&mut cmd);
    cmd
}

/// Removes the variables cargo sets for the program it runs (xtask itself,
/// or a test): some build scripts (ring's) rebuild when, say,
/// `CARGO_MANIFEST_DIR` differs, and with them half the router. A nested
/// build must see the environment a shell would give it.
pub fn without_package_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if [
            "CARGO_PKG_",
            "CARGO_BIN_",
            "CARGO_CRATE_",
            "CARGO_MANIFEST_",
        ]
        .iter()
        .any(|prefix| key.starts_with(prefix))
            || key == "CARGO_PRIMARY_PACKAGE"
            || key == "CARGO_TARGET_TMPDIR"
        {
            cmd.env_remove(key.as_ref());
        }
    }
}

/// The binary [`command`] produces, under `repo_root`.
#[must_use]
pub fn binary(repo_root: &Path, release: bool) -> PathBuf {
    repo_root
        .join(DIR)
        .join("target")
        .join(if release { "release" } else { "debug" })
        .join("router")
}
