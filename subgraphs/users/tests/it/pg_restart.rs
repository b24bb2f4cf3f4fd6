//! PostgreSQL restarted under load: users' database is a private cluster the
//! test crashes (`SIGQUIT`, immediate shutdown) in the middle of reads and
//! writes, then starts again. Requests during the outage fail with a clean
//! `INTERNAL`/`UNAVAILABLE` (never `NOT_FOUND`), the service reconnects on
//! its own, no acknowledged write is lost, and auth's outbox delivers what
//! piled up meanwhile.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::common::{PersonExt as _, wait_for_me};
use serde_json::{Value, json};
use stack::{AUTH_MIGRATIONS, auth_config, register_at, users_config};
use testkit::{FaultFigures, GraphqlClient, PrivateCluster, TestDatabase};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
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
    let auth = auth::start(&auth_config(auth_db.url()), no_worker)
        .await
        .expect("auth starts");
    let mut config = users_config(&users_url, &auth.grpc_url());
    config.service.db_pool_size = 4;
    let users = users::start(&config, users::Parts::ALL)
        .await
        .expect("users starts");
    let mut worker_config = auth_config(auth_db.url());
    worker_config.users_grpc_url = users.grpc_url();
    worker_config.service.outbox.outbox_poll_interval_ms = 100;
    let auth_worker = auth::start(&worker_config, auth::Parts::WORKER_ONLY)
        .await
        .expect("auth worker starts");
    let auth_gql = GraphqlClient::new(auth.graphql_url());
    let users_gql = GraphqlClient::new(users.graphql_url());

    let alice = register_at(&auth_gql, &users_gql, "alice@example.com").await;
    wait_for_me(&alice).await;
    let stop = Arc::new(AtomicBool::new(false));
    // Load: alice reads herself without pause, and (until the crash) writes
    // her profile with a counter; answers are tallied by code.
    let reader = {
        let stop = stop.clone();
        let gql = alice.gql.clone();
        tokio::spawn(async move {
            let mut tally = Tally::default();
            while !stop.load(Ordering::SeqCst) {
                let resp = tokio::time::timeout(
                    Duration::from_secs(15),
                    gql.query("{ me { id about } }", json!({})),
                )
                .await;
                tally.add(resp.as_ref().ok());
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            tally
        })
    };
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let writing = writing.clone();
        let gql = alice.gql.clone();
        tokio::spawn(async move {
            let mut tally = Tally::default();
            let (mut acked, mut attempted) = (0_u64, 0_u64);
            while writing.load(Ordering::SeqCst) {
                attempted += 1;
                let resp = tokio::time::timeout(
                    Duration::from_secs(15),
                    gql.query(
                        "mutation($about: String!) { updateProfile(input: {about: $about}) { user { about } } }",
                        json!({ "about": format!("w{attempted}") }),
                    ),
                )
                .await;
                if tally.add(resp.as_ref().ok()) {
                    acked = attempted;
                }
            }
            (tally, acked, attempted)
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The crash, right in the middle of the writes; bob registers meanwhile
    // (auth's own database is fine).
    let down = cluster.clone();
    tokio::task::spawn_blocking(move || down.stop_immediately())
        .await
        .unwrap();
    let outage = Instant::now();
    writing.store(false, Ordering::SeqCst);
    let (write_tally, acked, attempted) = writer.await.unwrap();
    assert!(acked > 0, "writes were acknowledged before the crash");
    let bob = register_at(&auth_gql, &users_gql, "bob@example.com").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let up = cluster.clone();
    tokio::task::spawn_blocking(move || up.start_again())
        .await
        .unwrap();
    let restarted = Instant::now();
    let outage_len = restarted - outage;

    // Reconnected on its own, and every acknowledged write is still there:
    // the profile holds the last acknowledged value (or the one after it,
    // whose commit made it but whose answer did not).
    let deadline = Instant::now() + Duration::from_secs(30);
    let me = loop {
        let resp = alice.query("{ me { id about } }", json!({})).await;
        if resp["errors"].is_null() {
            break resp;
        }
        let code = testkit::error_code(&resp);
        assert!(
            matches!(code.as_deref(), Some("INTERNAL" | "UNAVAILABLE")),
            "unclean answer while reconnecting: {resp}"
        );
        assert!(Instant::now() < deadline, "never reconnected: {resp}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let recovery = restarted.elapsed();
    let about = me["data"]["me"]["about"].as_str().unwrap_or_default();
    let survived: u64 = about
        .strip_prefix('w')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("alice's profile lost its writes: {me}"));

    // Bob's user arrives through the outbox once users' database is back.
    let deadline = Instant::now() + Duration::from_secs(60);
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
    let read_tally = reader.await.unwrap();
    let sql = testkit::connect_pg(auth_db.url()).await;
    let pending: i64 = sql
        .query_one("SELECT count(*) FROM outbox WHERE dead_at IS NULL", &[])
        .await
        .unwrap()
        .get(0);

    let lost = acked.saturating_sub(survived);
    FaultFigures {
        test: "pg_restart".to_owned(),
        // Acknowledged writes, and bob's users.create_user event.
        sent: acked + 1,
        received: acked - lost + u64::from(pending == 0),
        lost: lost + u64::from(pending != 0),
        duplicated: 0,
        recovery,
        note: format!(
            "outage {outage_len:.1?}; reads {:?}, writes {:?}; bob created {bob_after:.1?} after the restart",
            read_tally.codes, write_tally.codes
        ),
    }
    .report();

    assert!(
        (acked..=attempted).contains(&survived),
        "acknowledged write w{acked} lost in the crash: the profile says w{survived}"
    );
    assert!(
        read_tally.failures() > 0,
        "the outage was seen: {:?}",
        read_tally.codes
    );
    for code in read_tally.codes.keys().chain(write_tally.codes.keys()) {
        assert!(
            ["ok", "INTERNAL", "UNAVAILABLE"].contains(&code.as_str()),
            "unclean answer during the outage: {code} (reads {:?}, writes {:?})",
            read_tally.codes,
            write_tally.codes
        );
    }
    assert_eq!(pending, 0, "the outbox drained");

    auth_worker.stop().await;
    users.stop().await;
    auth.stop().await;
}

/// Answers by `extensions.code` ("ok" for success, "timeout" for none).
#[derive(Default)]
struct Tally {
    codes: BTreeMap<String, u64>,
}

impl Tally {
    /// Counts one answer; true if it was a success.
    fn add(&mut self, resp: Option<&Value>) -> bool {
        let code = match resp {
            Some(resp) if resp["errors"].is_null() => "ok".to_owned(),
            Some(resp) => testkit::error_code(resp).unwrap_or_else(|| resp.to_string()),
            None => "timeout".to_owned(),
        };
        let ok = code == "ok";
        *self.codes.entry(code).or_default() += 1;
        ok
    }

    fn failures(&self) -> u64 {
        self.codes
            .iter()
            .filter(|(code, _)| code.as_str() != "ok")
            .map(|(_, n)| n)
            .sum()
    }
}
