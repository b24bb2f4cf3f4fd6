//! TestDatabase against the server at DATABASE_URL (or the private fallback).

// Test helpers outside #[test] fns: a failed unwrap is the desired report.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use testkit::{TestDatabase, connect_pg, server_url};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migrations")
}

async fn widget_count(url: &str) -> i64 {
    connect_pg(url)
        .await
        .query_one("SELECT count(*) FROM widgets", &[])
        .await
        .unwrap()
        .get(0)
}

async fn database_exists(name: &str) -> bool {
    connect_pg(&server_url().await)
        .await
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&name],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn two_databases_from_the_same_dir_are_distinct_and_usable() {
    let started = Instant::now();
    let a = TestDatabase::new(fixtures()).await;
    let b = TestDatabase::new(fixtures()).await;
    eprintln!("two databases in {:?}", started.elapsed());

    assert_ne!(a.name(), b.name());
    assert_ne!(a.url(), b.url());
    assert!(a.url().ends_with(a.name()), "{}", a.url());

    // Both are migrated (the seed row comes from the migration) ...
    assert_eq!(widget_count(a.url()).await, 1);
    assert_eq!(widget_count(b.url()).await, 1);
    let client = connect_pg(a.url()).await;
    let db: String = client
        .query_one("SELECT current_database()", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(db, a.name());
    let applied: i64 = client
        .query_one("SELECT count(*) FROM __diesel_schema_migrations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied, 1);

    // ... and independent.
    client
        .execute(
            "INSERT INTO widgets (id, name) VALUES (2, 'only in a')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(widget_count(a.url()).await, 2);
    assert_eq!(widget_count(b.url()).await, 1);
}

#[tokio::test]
async fn database_is_gone_after_drop_even_with_open_connections() {
    let db = TestDatabase::new(fixtures()).await;
    let name = db.name().to_owned();
    assert!(database_exists(&name).await);

    // WITH (FORCE) must not be blocked by a connection the test forgot.
    let _lingering = connect_pg(db.url()).await;
    let started = Instant::now();
    drop(db);
    eprintln!("drop in {:?}", started.elapsed());
    assert!(!database_exists(&name).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_databases_in_parallel() {
    let started = Instant::now();
    let dbs = futures::future::join_all((0..8).map(|_| TestDatabase::new(fixtures()))).await;
    eprintln!("8 parallel databases in {:?}", started.elapsed());
    let mut names: Vec<_> = dbs.iter().map(|d| d.name().to_owned()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 8);
    for db in &dbs {
        assert_eq!(widget_count(db.url()).await, 1);
    }
}

#[tokio::test]
async fn template_accepts_no_connections() {
    let _db = TestDatabase::new(fixtures()).await;
    let admin = connect_pg(&server_url().await).await;
    let rows = admin
        .query(
            "SELECT datname, datallowconn FROM pg_database WHERE datname LIKE 'tmpl\\_migrations\\_%'",
            &[],
        )
        .await
        .unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let allow: bool = row.get(1);
        assert!(
            !allow,
            "template {} accepts connections",
            row.get::<_, String>(0)
        );
    }
}

#[tokio::test]
async fn template_dropped_behind_our_back_is_rebuilt() {
    // A private copy of the fixtures with a unique extra file: its own
    // template, so dropping it cannot disturb other tests.
    let dir = std::env::temp_dir()
        .join(format!("testkit-{}", uuid::Uuid::new_v4().simple()))
        .join("vanishing");
    let step = dir.join("2026-01-01-000000_init");
    std::fs::create_dir_all(&step).unwrap();
    for file in ["up.sql", "down.sql"] {
        std::fs::copy(
            fixtures().join("2026-01-01-000000_init").join(file),
            step.join(file),
        )
        .unwrap();
    }
    std::fs::write(dir.join("README"), dir.display().to_string()).unwrap();

    let first = TestDatabase::new(&dir).await;
    let template = first.template().to_owned();
    assert!(template.starts_with("tmpl_vanishing_"), "{template}");

    let admin = connect_pg(&server_url().await).await;
    admin
        .batch_execute(&format!(r#"DROP DATABASE "{template}""#))
        .await
        .unwrap();

    let second = TestDatabase::new(&dir).await;
    assert_eq!(second.template(), template);
    assert_eq!(widget_count(second.url()).await, 1);

    admin
        .batch_execute(&format!(r#"DROP DATABASE "{template}""#))
        .await
        .unwrap();
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}
