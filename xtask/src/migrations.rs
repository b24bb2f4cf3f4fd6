//! The migrations a shared crate owns (the outbox, the event feed, the rate
//! limiter) are copied into each service's `migrations/<service>/`, because
//! diesel embeds one directory per database. The copies must not drift:
//! `cargo xtask test` runs the check below as a unit test.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// `(crate migration, the service copies)` for every migration a crate
    /// under `crates/` owns.
    fn shared_migrations(root: &Path) -> Vec<(PathBuf, Vec<PathBuf>)> {
        let mut found = Vec::new();
        let crates = std::fs::read_dir(root.join("crates")).unwrap();
        for krate in crates.flatten() {
            let Ok(migrations) = std::fs::read_dir(krate.path().join("migrations")) else {
                continue;
            };
            for migration in migrations.flatten() {
                let name = migration.file_name();
                let copies = std::fs::read_dir(root.join("migrations"))
                    .unwrap()
                    .flatten()
                    .map(|service| service.path().join(&name))
                    .filter(|copy| copy.is_dir())
                    .collect();
                found.push((migration.path(), copies));
            }
        }
        found
    }

    #[test]
    fn every_service_copy_of_a_shared_migration_is_identical() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let shared = shared_migrations(&root);
        assert!(shared.len() >= 4, "found only {shared:?}");
        for (original, copies) in shared {
            assert!(
                !copies.is_empty(),
                "{} is used by no service",
                original.display()
            );
            for file in ["up.sql", "down.sql"] {
                let want = std::fs::read(original.join(file)).unwrap();
                for copy in &copies {
                    let got = std::fs::read(copy.join(file)).unwrap();
                    assert!(
                        got == want,
                        "{} differs from {}: copy it again",
                        copy.join(file).display(),
                        original.join(file).display()
                    );
                }
            }
        }
    }
}
