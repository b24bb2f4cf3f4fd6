//! The committed schemas: each subgraph's SDL and the composed supergraph.
//!
//! Composition uses The Guild's `@theguild/federation-composition` (npm), the
//! composer Hive Router itself is built and tested against, run by
//! `router/compose/compose.mjs` with the machine's Node.js. Breaking changes
//! are found by GraphQL Inspector's diff (`router/compose/breaking.mjs`) on
//! the public API schema; see [`check_breaking`].

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use serde::Deserialize;

use crate::SERVICES;

pub const SUPERGRAPH: &str = "supergraph.graphql";
/// Breaking changes made on purpose: one schema coordinate per line.
pub const ALLOWED_BREAKS_FILE: &str = "schema-breaking-changes.allowed";
/// A commit-message line starting with this marks its breaking changes intended.
pub const COMMIT_MARKER: &str = "schema-break:";
/// Overrides the revision whose supergraph is the baseline for breaking changes.
pub const BASELINE_ENV: &str = "SCHEMA_BASELINE";

const COMPOSE_DIR: &str = "router/compose";

fn subgraph_path(service: &str) -> String {
    format!("subgraphs/{service}/schema.graphql")
}

/// What `<service> print-sdl` prints now.
///
/// The binaries come from the build `cargo xtask test` makes anyway (every
/// target of the workspace): `cargo run -p <service>` would resolve the
/// dependencies' features for that one package and compile a second set
/// of them, minutes on a cold machine.
fn print_sdl(service: &str) -> anyhow::Result<String> {
    static BUILT: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    let bin_dir = BUILT
        .get_or_init(|| build_workspace().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let bin = bin_dir.join(service);
    eprintln!("+ {} print-sdl", bin.display());
    let out = Command::new(&bin).arg("print-sdl").output()?;
    anyhow::ensure!(
        out.status.success(),
        "{service} print-sdl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

/// Builds every target of the workspace as the test build does (a no-op
/// when it is fresh); returns where the binaries are.
fn build_workspace() -> anyhow::Result<PathBuf> {
    crate::run_cmd(crate::cargo().args([
        "test",
        "--workspace",
        "--all-targets",
        "--no-run",
        "--quiet",
    ]))?;
    #[derive(Deserialize)]
    struct Metadata {
        target_directory: PathBuf,
    }
    let out = crate::cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()?;
    anyhow::ensure!(out.status.success(), "cargo metadata failed");
    let metadata: Metadata = serde_json::from_slice(&out.stdout)?;
    Ok(metadata.target_directory.join("debug"))
}

/// One subgraph for composition: name, routing URL, SDL file.
pub struct Subgraph {
    pub name: String,
    pub url: String,
    pub sdl: PathBuf,
}

/// The subgraphs whose SDL file under `root` is non-empty.
fn subgraphs(root: &Path) -> Vec<Subgraph> {
    SERVICES
        .iter()
        .map(|service| Subgraph {
            name: service.name.to_owned(),
            url: format!("http://127.0.0.1:{}/graphql", service.http_port),
            sdl: root.join(subgraph_path(service.name)),
        })
        .filter(|s| std::fs::metadata(&s.sdl).is_ok_and(|m| m.len() > 0))
        .collect()
}

/// Composes a supergraph; composition errors *and* warnings are failures.
pub fn compose(subgraphs: &[Subgraph]) -> anyhow::Result<String> {
    let dir = Path::new(COMPOSE_DIR);
    crate::npm::ci(dir)?;
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("compose.mjs"));
    for s in subgraphs {
        cmd.arg(format!("{}={}={}", s.name, s.url, s.sdl.display()));
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
    std::fs::write(SUPERGRAPH, compose(&subgraphs(Path::new(".")))?)?;
    eprintln!("wrote {SUPERGRAPH}");
    Ok(())
}

/// CI: the committed files must match the code, compose cleanly, and not
/// break clients unless marked as intended.
pub fn check() -> anyhow::Result<()> {
    for service in SERVICES {
        let path = subgraph_path(service.name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        anyhow::ensure!(
            print_sdl(service.name)? == committed,
            "{path} is out of date with the code: run `cargo xtask schema` and commit the result"
        );
    }
    check_supergraph(Path::new("."))?;
    check_breaking(Path::new("."))
}

/// The committed supergraph under `root` equals a fresh composition of the
/// committed subgraph SDLs under `root`.
pub fn check_supergraph(root: &Path) -> anyhow::Result<()> {
    let committed = std::fs::read_to_string(root.join(SUPERGRAPH)).unwrap_or_default();
    anyhow::ensure!(
        compose(&subgraphs(root))? == committed,
        "{SUPERGRAPH} differs from a fresh composition: run `cargo xtask schema` and commit the result"
    );
    Ok(())
}

/// One difference between two API schemas, as GraphQL Inspector reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    /// `BREAKING`, `DANGEROUS` or `NON_BREAKING`.
    pub criticality: String,
    /// Schema coordinate, e.g. `Mutation.logout` or `Query.user.id`.
    pub path: String,
    pub message: String,
}

/// Every change from `old` to `new` (supergraph SDLs), compared on their
/// public API schemas.
pub fn diff(old: &str, new: &str) -> anyhow::Result<Vec<Change>> {
    let dir = Path::new(COMPOSE_DIR);
    crate::npm::ci(dir)?;
    let tmp = std::env::temp_dir().join(format!("xtask-schema-diff-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let (old_path, new_path) = (tmp.join("old.graphql"), tmp.join("new.graphql"));
    std::fs::write(&old_path, old)?;
    std::fs::write(&new_path, new)?;
    let out = Command::new("node")
        .arg(dir.join("breaking.mjs"))
        .arg(&old_path)
        .arg(&new_path)
        .output();
    let _ = std::fs::remove_dir_all(&tmp);
    let out = out?;
    anyhow::ensure!(
        out.status.success(),
        "schema diff failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).context("reading the schema diff")
}

/// The breaking changes in `changes` that nothing marks as intended: neither
/// a `Schema-Break:` line in `commit_message` nor a line of the allow file
/// (`allowed`) naming the change's coordinate (or `*`).
pub fn unapproved(
    changes: &[Change],
    allowed: Option<&str>,
    commit_message: Option<&str>,
) -> Vec<Change> {
    let marked = commit_message.is_some_and(|message| {
        message
            .lines()
            .any(|line| line.trim().to_ascii_lowercase().starts_with(COMMIT_MARKER))
    });
    if marked {
        return Vec::new();
    }
    let allowed: Vec<&str> = allowed
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    changes
        .iter()
        .filter(|c| c.criticality == "BREAKING")
        .filter(|c| !allowed.iter().any(|a| *a == "*" || *a == c.path))
        .cloned()
        .collect()
}

/// Where the previous supergraph comes from.
#[derive(Debug, PartialEq, Eq)]
pub struct Baseline {
    /// A git revision (`HEAD`, `HEAD~1`, or `$SCHEMA_BASELINE`).
    pub rev: String,
    /// The message of the commit that introduced the change under test, when
    /// the change is committed.
    pub commit_message: Option<String>,
}

/// The supergraph to compare with: uncommitted edits to it are compared with
/// `HEAD`; otherwise `HEAD` (the commit under test, as in CI) is compared
/// with its parent. `None` when there is no previous supergraph.
pub fn baseline(root: &Path) -> Option<Baseline> {
    let head_message = || git(root, &["log", "-1", "--format=%B", "HEAD"]).ok();
    if let Ok(rev) = std::env::var(BASELINE_ENV) {
        return Some(Baseline {
            rev,
            commit_message: head_message(),
        });
    }
    let current = std::fs::read_to_string(root.join(SUPERGRAPH)).unwrap_or_default();
    match git(root, &["show", &format!("HEAD:{SUPERGRAPH}")]) {
        Ok(at_head) if at_head != current => Some(Baseline {
            rev: "HEAD".to_owned(),
            commit_message: None,
        }),
        Ok(_) if git(root, &["show", &format!("HEAD~1:{SUPERGRAPH}")]).is_ok() => Some(Baseline {
            rev: "HEAD~1".to_owned(),
            commit_message: head_message(),
        }),
        // Not a git checkout, no commit yet, or the file is new: nothing to break.
        _ => None,
    }
}

/// CI: the supergraph under `root` breaks nothing that the previous one
/// offered, unless marked as intended.
pub fn check_breaking(root: &Path) -> anyhow::Result<()> {
    let Some(baseline) = baseline(root) else {
        eprintln!("schema: no previous {SUPERGRAPH} in git; no breaking-change check");
        return Ok(());
    };
    let old = git(root, &["show", &format!("{}:{SUPERGRAPH}", baseline.rev)])
        .with_context(|| format!("reading {SUPERGRAPH} at {}", baseline.rev))?;
    let new = std::fs::read_to_string(root.join(SUPERGRAPH))?;
    let changes = diff(&old, &new)?;
    let allowed = std::fs::read_to_string(root.join(ALLOWED_BREAKS_FILE)).ok();
    let unapproved = unapproved(
        &changes,
        allowed.as_deref(),
        baseline.commit_message.as_deref(),
    );
    eprintln!(
        "schema: {} change(s) since {}, {} breaking and not marked as intended",
        changes.len(),
        baseline.rev,
        unapproved.len()
    );
    if unapproved.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = unapproved
        .iter()
        .map(|c| format!("  {}: {}", c.path, c.message))
        .collect();
    anyhow::bail!(
        "{SUPERGRAPH} has breaking changes since {}:\n{}\n\
         Clients built against the old schema would fail. If this is intended, list the \
         coordinates above in {ALLOWED_BREAKS_FILE} (one per line) or add a line \
         `Schema-Break: <why>` to the commit message.",
        baseline.rev,
        list.join("\n")
    )
}

fn git(root: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("git").args(args).current_dir(root).output()?;
    anyhow::ensure!(
        out.status.success(),
        "git {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8(out.stdout)?)
}

#[cfg(test)]
mod tests {
    //! Each check of the supergraph fails on a deliberate bad change. They
    //! run the real composer and differ (Node.js), on copies of the
    //! committed schemas in a temporary directory.

    use super::*;

    /// The repository root (tests run in `xtask/`).
    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// A scratch copy of the committed subgraph SDLs and supergraph.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for service in SERVICES {
            let from = repo().join(subgraph_path(service.name));
            let to = dir.join(subgraph_path(service.name));
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            if from.exists() {
                std::fs::copy(&from, &to).unwrap();
            }
        }
        std::fs::copy(repo().join(SUPERGRAPH), dir.join(SUPERGRAPH)).unwrap();
        dir
    }

    fn in_repo<T>(f: impl FnOnce() -> T) -> T {
        // compose()/diff() find the Node scripts relative to the repo root.
        static CWD: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _guard = CWD
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        std::env::set_current_dir(repo()).unwrap();
        f()
    }

    #[test]
    fn committed_supergraph_is_a_fresh_composition() {
        let dir = scratch("fresh");
        in_repo(|| check_supergraph(&dir)).unwrap();
    }

    #[test]
    fn supergraph_edited_by_hand_fails() {
        let dir = scratch("edited");
        let path = dir.join(SUPERGRAPH);
        let edited = std::fs::read_to_string(&path).unwrap().replacen(
            "type Query",
            "type Query @deprecated",
            1,
        );
        std::fs::write(&path, edited).unwrap();
        let err = in_repo(|| check_supergraph(&dir)).unwrap_err().to_string();
        assert!(err.contains("differs from a fresh composition"), "{err}");
    }

    #[test]
    fn subgraph_change_without_recomposition_fails() {
        let dir = scratch("stale");
        let path = dir.join(subgraph_path("auth"));
        let sdl = std::fs::read_to_string(&path).unwrap();
        let sdl = sdl.replacen("type Query {", "type Query {\n\tping: Boolean!", 1);
        std::fs::write(&path, sdl).unwrap();
        let err = in_repo(|| check_supergraph(&dir)).unwrap_err().to_string();
        assert!(err.contains("differs from a fresh composition"), "{err}");
    }

    #[test]
    fn composition_errors_fail() {
        let dir = scratch("conflict");
        // A second subgraph that also resolves `Query.mySessions` (not
        // @shareable) and gives `Session.id` another type.
        let rogue = dir.join("subgraphs/rogue/schema.graphql");
        std::fs::create_dir_all(rogue.parent().unwrap()).unwrap();
        std::fs::write(
            &rogue,
            "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.5\", import: [\"@key\"])\n\
             type Session { id: Int! }\n\
             type Query { mySessions: [Session!]! }\n",
        )
        .unwrap();
        let mut all = subgraphs(&dir);
        all.push(Subgraph {
            name: "rogue".into(),
            url: "http://127.0.0.1:4999/graphql".into(),
            sdl: rogue,
        });
        let err = in_repo(|| compose(&all)).unwrap_err().to_string();
        assert!(err.contains("composition error"), "{err}");
    }

    /// A removed field, a changed type and a new required argument. The
    /// edits match the start of each field's line, so they work whatever
    /// directives composition puts after the type.
    fn breaking_edit(sdl: &str) -> String {
        sdl.replacen("\n  logout: LogoutPayload!", "\n  logout: Int!", 1)
            .replacen(
                "\n  logoutEverywhere: LogoutEverywherePayload!",
                "\n  logoutEverywhere(reason: String!): LogoutEverywherePayload!",
                1,
            )
            .replacen("\n  mySessions: [Session!]!", "\n  mySessionCount: Int!", 1)
    }

    #[test]
    fn breaking_changes_fail_unless_marked() {
        let old = std::fs::read_to_string(repo().join(SUPERGRAPH)).unwrap();
        let new = breaking_edit(&old);
        assert_ne!(old, new, "the edit must change the committed supergraph");
        let changes = in_repo(|| diff(&old, &new)).unwrap();

        let breaking: Vec<String> = unapproved(&changes, None, Some("refactor sessions"))
            .into_iter()
            .map(|c| c.path)
            .collect();
        for expected in [
            "Mutation.logout",
            "Mutation.logoutEverywhere.reason",
            "Query.mySessions",
        ] {
            assert!(
                breaking.iter().any(|p| p == expected),
                "{expected} in {breaking:?}"
            );
        }

        // Marked in the commit message: everything passes.
        let message = "Rework sessions\n\nSchema-Break: the app moved to mySessionCount\n";
        assert!(unapproved(&changes, None, Some(message)).is_empty());

        // Listed in the allow file: only what is listed passes.
        let allowed = "# intended\nMutation.logout\nQuery.mySessions\n";
        let left: Vec<String> = unapproved(&changes, Some(allowed), None)
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(left, ["Mutation.logoutEverywhere.reason"]);
        assert!(unapproved(&changes, Some("*"), None).is_empty());
    }

    #[test]
    fn additions_are_not_breaking() {
        let old = std::fs::read_to_string(repo().join(SUPERGRAPH)).unwrap();
        let new = old.replacen(
            "\n  mySessions: [Session!]!",
            "\n  sessionCount: Int\n  mySessions: [Session!]!",
            1,
        );
        assert_ne!(old, new, "the edit must change the committed supergraph");
        let changes = in_repo(|| diff(&old, &new)).unwrap();
        assert!(!changes.is_empty());
        assert!(unapproved(&changes, None, None).is_empty());
    }

    #[test]
    fn baseline_is_head_for_edits_and_parent_for_commits() {
        let dir = std::env::temp_dir().join(format!("xtask-baseline-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let sh = |args: &[&str]| git(&dir, args).unwrap();
        sh(&["init", "-q"]);
        sh(&["config", "user.email", "ci@example.com"]);
        sh(&["config", "user.name", "ci"]);
        let file = dir.join(SUPERGRAPH);
        std::fs::write(&file, "type Query { a: Int }\n").unwrap();
        sh(&["add", "."]);
        sh(&["commit", "-qm", "first"]);
        assert_eq!(baseline(&dir), None, "nothing before the first commit");

        std::fs::write(&file, "type Query { b: Int }\n").unwrap();
        let edit = baseline(&dir).unwrap();
        assert_eq!((edit.rev.as_str(), edit.commit_message), ("HEAD", None));

        sh(&["commit", "-qam", "second\n\nSchema-Break: renamed a"]);
        let commit = baseline(&dir).unwrap();
        assert_eq!(commit.rev, "HEAD~1");
        assert!(commit.commit_message.unwrap().contains("Schema-Break"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
