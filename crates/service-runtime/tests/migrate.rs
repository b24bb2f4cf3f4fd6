//! Migrations of replicas starting together: one applies them, the others
//! wait for its advisory lock and find nothing left to do.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel_migrations::{EmbeddedMigrations, embed_migrations};

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/users");

#[tokio::test]
async fn replicas_migrating_at_once_apply_each_migration_once() {
    // An empty database: a template built from a directory with no
    // migrations.
    let empty = std::env::temp_dir().join(format!("no_migrations_{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&empty).unwrap();
    let db = testkit::TestDatabase::new(&empty).await;
    let runs = (0..4).map(|_| service_runtime::db::migrate(db.url(), MIGRATIONS));
    let results = futures::future::join_all(runs).await;
    let mut applied: Vec<String> = Vec::new();
    for result in results {
        applied.extend(result.expect("every replica's migrate succeeds"));
    }
    let expected = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/users"
    ))
    .unwrap()
    .count();
    applied.sort();
    let before = applied.len();
    applied.dedup();
    assert_eq!(
        before,
        applied.len(),
        "a migration applied twice: {applied:?}"
    );
    assert_eq!(applied.len(), expected, "{applied:?}");
    // Run again: nothing pending.
    assert!(
        service_runtime::db::migrate(db.url(), MIGRATIONS)
            .await
            .unwrap()
            .is_empty()
    );
    let _ = std::fs::remove_dir(&empty);
}
