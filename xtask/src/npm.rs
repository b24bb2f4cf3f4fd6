//! The Node.js tools under `router/` (composition, schema diff, explorer
//! bundles), installed from their lockfiles on first use.

use std::path::Path;
use std::process::Command;

/// `npm ci` in `dir` unless its `node_modules` matches `package-lock.json`
/// already (npm records what it installed in `node_modules/.package-lock.json`).
pub fn ci(dir: &Path) -> anyhow::Result<()> {
    let installed = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (std::fs::metadata(&installed), std::fs::metadata(&lock)) {
        (Ok(installed), Ok(lock)) => match (installed.modified(), lock.modified()) {
            (Ok(installed), Ok(lock)) => installed >= lock,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    crate::run_cmd(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(dir),
    )
}
