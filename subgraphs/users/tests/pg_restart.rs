//! PostgreSQL restarted under load: users' database is a private cluster the
//! test stops and starts. Requests during the outage fail with a clean
//! `INTERNAL`/`UNAVAILABLE`, the service reconnects on its own, nothing
//! committed is lost, and auth's outbox delivers what piled up meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{AUTH_MIGRATIONS, auth_config, register, users_config};
use serde_json::json;
use testkit::{GraphqlClient, PrivateCluster, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "flaky on a cold CI run: `me` answered NOT_FOUND during the outage (issue 9, under investigation); run with --ignored"]
async fn users_survive_a_postgres_restart_under_load() {
    let cluster = Arc::new(
        tokio::task::spawn_blocking(PrivateCluster::start)
            .await
            .unwrap(),
    );
    let admin = testkit::connect_pg(cluster.url()).await;
    admin.batch_execute("CREATE DATABASE users").await.unwrap();
    let users_url = format!(
        "{}/users",
        cluster
            .url()
            .strip_suffix("/postgres")
            .expect("cluster URL")
    );
    service_runtime::db::migrate(&users_url, users::MIGRATIONS)
        .await
        .expect("migrate users");

    let auth_db = TestDatabase::new(AUTH_MIGRATIONS).await;
    let no_worker = auth::Parts {
        worker: false,
        ..auth::Parts::ALL
    };
    let auth = auth::start(&auth_config(auth_db.url(), "http://127.0.0.1:9"), no_worker)
        .await
        .expect("auth starts");
    let mut config = users_config(&users_url, &auth.grpc_url());
    config.db_pool_size = 4;
    let users = users::start(&config, users::Parts::ALL)
        .await
        .expect("users starts");
    let mut worker_config = auth_config(auth_db.url(), &users.grpc_url());
    worker_config.outbox.outbox_poll_interval_ms = 100;
    let auth_worker = auth::start(&worker_config, auth::Parts::WORKER_ONLY)
        .await
        .expect("auth worker starts");
    let auth_gql = GraphqlClient::new(auth.graphql_url());
    let users_gql = GraphqlClient::new(users.graphql_url());

    let alice = register(&auth_gql, &users_gql, "alice@example.com").await;
    common::wait_for_me(&alice).await;
    let about = alice
        .query(
            r#"mutation { updateProfile(input: {about: "committed before"}) { about } }"#,
            json!({}),
        )
        .await;
    testkit::assert_no_errors(&about);

    // Load: alice asks for herself without pause; answers are tallied by code.
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let stop = stop.clone();
        let gql = alice.gql.clone();
        tokio::spawn(async move {
            let mut tally: BTreeMap<String, u64> = BTreeMap::new();
            let mut last_error: Option<Instant> = None;
            while !stop.load(Ordering::SeqCst) {
                let resp = tokio::time::timeout(
                    Duration::from_secs(15),
                    gql.query("{ me { id about } }", json!({})),
                )
                .await;
                let code = match resp {
                    Ok(resp) if resp["errors"].is_null() => "ok".to_owned(),
                    Ok(resp) => testkit::error_code(&resp).unwrap_or_else(|| resp.to_string()),
                    Err(_) => "timeout".to_owned(),
                };
                if code != "ok" {
                    last_error = Some(Instant::now());
                }
                *tally.entry(code).or_default() += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (tally, last_error)
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The outage; bob registers meanwhile (auth's own database is fine).
    let down = cluster.clone();
    tokio::task::spawn_blocking(move || down.stop_immediately())
        .await
        .unwrap();
    let outage = Instant::now();
    let bob = register(&auth_gql, &users_gql, "bob@example.com").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let up = cluster.clone();
    tokio::task::spawn_blocking(move || up.start_again())
        .await
        .unwrap();
    let restarted = Instant::now();
    let outage_len = restarted - outage;

    // Bob's user arrives through the outbox once users' database is back.
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let resp = bob.query("{ me { id } }", json!({})).await;
        if resp["errors"].is_null() {
            break;
        }
        assert!(Instant::now() < deadline, "bob never appeared: {resp}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let bob_after = restarted.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);
    let (tally, last_error) = load.await.unwrap();
    let recovered_after = last_error.map(|t| t.saturating_duration_since(restarted));
    eprintln!(
        "PostgreSQL restart: outage {outage_len:?}, answers {tally:?}, \
         last error {recovered_after:?} after the restart, bob created {bob_after:?} after it"
    );

    let failures: u64 = tally
        .iter()
        .filter(|(code, _)| code.as_str() != "ok")
        .map(|(_, n)| n)
        .sum();
    assert!(failures > 0, "the outage was seen: {tally:?}");
    for code in tally.keys() {
        assert!(
            ["ok", "INTERNAL", "UNAVAILABLE"].contains(&code.as_str()),
            "unclean answer during the outage: {code}"
        );
    }
    // Reconnected on its own, and what was committed is still there.
    let me = alice.query("{ me { id about } }", json!({})).await;
    testkit::assert_no_errors(&me);
    assert_eq!(me["data"]["me"]["about"], "committed before");
    let sql = testkit::connect_pg(auth_db.url()).await;
    let pending: i64 = sql
        .query_one("SELECT count(*) FROM outbox WHERE dead_at IS NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(pending, 0, "the outbox drained");

    auth_worker.stop().await;
    users.stop().await;
    auth.stop().await;
}
