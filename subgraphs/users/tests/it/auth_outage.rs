//! Auth stopped: users refuses every request with `UNAVAILABLE` (never lets
//! one through, never calls the caller signed out), and serves again on its
//! own once auth is back on the same address.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use crate::common::{PersonExt as _, Service, start};
use serde_json::json;
use testkit::error_code;

#[tokio::test]
async fn auth_stopped_refuses_with_unavailable_and_recovers() {
    let mut s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    s.stop(Service::Auth).await;

    let read = alice.query("{ me { id about } }", json!({})).await;
    assert_eq!(error_code(&read).as_deref(), Some("UNAVAILABLE"), "{read}");
    let write = alice
        .query(
            r#"mutation { updateProfile(input: {about: "while auth was down"}) { user { about } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        error_code(&write).as_deref(),
        Some("UNAVAILABLE"),
        "{write}"
    );

    // Auth comes back on the same addresses, over the same database (so
    // with the same signing keys): the same token works again.
    let mut refused = 2;
    let restarted = Instant::now();
    s.restart(Service::Auth).await;
    let recovery = loop {
        let resp = alice.query("{ me { id about } }", json!({})).await;
        if resp["errors"].is_null() {
            // The refused write did not happen.
            assert!(resp["data"]["me"]["about"].is_null(), "{resp}");
            break restarted.elapsed();
        }
        assert_eq!(error_code(&resp).as_deref(), Some("UNAVAILABLE"), "{resp}");
        refused += 1;
        assert!(
            restarted.elapsed() < Duration::from_secs(30),
            "no recovery: {resp}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    testkit::FaultFigures {
        test: "auth_stopped/users".to_owned(),
        sent: refused,
        received: refused,
        recovery,
        note: format!(
            "{refused} requests refused with UNAVAILABLE while auth was down, none let through"
        ),
        ..testkit::FaultFigures::default()
    }
    .report();
}
