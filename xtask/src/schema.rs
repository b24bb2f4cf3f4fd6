//! The committed schemas: each subgraph's SDL and the composed supergraph.
//!
//! Composition uses The Guild's `@theguild/federation-composition` (npm), the
//! composer Hive Router itself is built and tested against, run by
//! `router/compose/compose.mjs` with the machine's Node.js.

use std::path::Path;
use std::process::Command;

use crate::SERVICES;

pub const SUPERGRAPH: &str = "supergraph.graphql";

fn subgraph_path(service: &str) -> String {
    format!("subgraphs/{service}/schema.graphql")
}

/// What `<service> print-sdl` prints now.
fn print_sdl(service: &str) -> anyhow::Result<String> {
    eprintln!("+ cargo run -q -p {service} -- print-sdl");
    let out = crate::cargo()
        .args(["run", "-q", "-p", service, "--", "print-sdl"])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "{service} print-sdl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// Composes the supergraph from the SDL files on disk.
fn compose() -> anyhow::Result<String> {
    let dir = Path::new("router/compose");
    if !dir.join("node_modules").exists() {
        crate::run_cmd(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(dir),
        )?;
    }
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("compose.mjs"));
    for service in SERVICES {
        let path = subgraph_path(service.name);
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
            cmd.arg(format!(
                "{}=http://127.0.0.1:{}/graphql={path}",
                service.name, service.http_port
            ));
        }
    }
    let out = cmd.output()?;
    anyhow::ensure!(
        out.status.success(),
        "composition failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// `cargo xtask schema`: writes every subgraph SDL and the supergraph.
pub fn write() -> anyhow::Result<()> {
    for service in SERVICES {
        let path = subgraph_path(service.name);
        std::fs::write(&path, print_sdl(service.name)?)?;
        eprintln!("wrote {path}");
    }
    std::fs::write(SUPERGRAPH, compose()?)?;
    eprintln!("wrote {SUPERGRAPH}");
    Ok(())
}

/// CI: the committed files must match the code, and compose cleanly.
pub fn check() -> anyhow::Result<()> {
    for service in SERVICES {
        let path = subgraph_path(service.name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        anyhow::ensure!(
            print_sdl(service.name)? == committed,
            "{path} is out of date with the code: run `cargo xtask schema` and commit the result"
        );
    }
    let committed = std::fs::read_to_string(SUPERGRAPH).unwrap_or_default();
    anyhow::ensure!(
        compose()? == committed,
        "{SUPERGRAPH} differs from a fresh composition: run `cargo xtask schema` and commit the result"
    );
    Ok(())
}
