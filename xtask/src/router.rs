//! Building the router: its own cargo workspace under `router/`.
//!
//! Hive Router 0.3.x depends on ntex 4.x crates that declare a newer
//! `rust-version` than this toolchain; they build fine with it, hence
//! `--ignore-rust-version` (see ARCHITECTURE.md). The build runs at a lower
//! CPU priority so a machine shared with other builds stays responsive.
//!
//! Clippy checks our crate during that same build (clippy-driver as the
//! workspace wrapper, warnings denied): `cargo clippy` would re-check all
//! ~640 dependencies in check mode, minutes for nothing of ours.

use std::path::PathBuf;
use std::process::Command;

pub const DIR: &str = "router";
pub const CONFIG: &str = "router/router.yaml";
pub const HTTP_PORT: u16 = 4000;

/// `cargo build` of the router (debug unless `release`).
pub fn build(release: bool) -> anyhow::Result<()> {
    let mut cmd = Command::new("nice");
    cmd.args(["-n", "10"])
        .arg(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .args(["build", "--ignore-rust-version", "--locked"])
        // Always router/target, whatever CARGO_TARGET_DIR the caller has:
        // `binary` and the e2e tests look for it there.
        .args(["--target-dir", "target"])
        .env_remove("CARGO_TARGET_DIR")
        .env("RUSTC_WORKSPACE_WRAPPER", "clippy-driver")
        .env(
            "CLIPPY_ARGS",
            "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
        )
        .current_dir(DIR);
    if release {
        cmd.arg("--release");
    }
    without_package_env(&mut cmd);
    crate::run_cmd(&mut cmd)
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

/// The binary [`build`] produced.
pub fn binary(release: bool) -> PathBuf {
    PathBuf::from(DIR)
        .join("target")
        .join(if release { "release" } else { "debug" })
        .join("router")
}

/// `cargo fmt --check` for the router's own code.
pub fn fmt_check() -> anyhow::Result<()> {
    crate::run_cmd(
        crate::cargo()
            .args(["fmt", "--check", "--manifest-path"])
            .arg(PathBuf::from(DIR).join("Cargo.toml")),
    )
}
