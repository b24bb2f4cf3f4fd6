//! Registration asks the users service to create the user, through the outbox.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::time::Duration;

use crate::common::recording_users::RecordingUsers;
use crate::common::{register, spawn_with};

#[tokio::test]
async fn registration_reaches_users_via_the_outbox() {
    let (users, addr) = RecordingUsers::serve().await;

    let t = spawn_with(
        |c| c.users_grpc_url = format!("http://{addr}"),
        auth::Parts::ALL,
    )
    .await;
    let auth = register(&t.gql, "Newbie@Example.com", "password-1").await;
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = users.created();
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.len(), 1, "CreateUser called once");
    assert_eq!(seen[0].account_id, auth["userId"].as_str().unwrap());
    assert_eq!(seen[0].email, "newbie@example.com");
}

#[tokio::test]
async fn a_failed_registration_enqueues_nothing() {
    let t = spawn_with(
        |_| {},
        auth::Parts {
            worker: false,
            ..auth::Parts::ALL
        },
    )
    .await;
    register(&t.gql, "once@example.com", "password-1").await;
    let resp = t
        .gql
        .query(
            crate::common::REGISTER,
            serde_json::json!({"email": "once@example.com", "password": "password-2"}),
        )
        .await;
    assert_eq!(testkit::error_code(&resp).as_deref(), Some("CONFLICT"));
    let mut conn = t.running.service.pool.get().await.unwrap();
    assert_eq!(outbox::pending_count(&mut conn).await.unwrap(), 1);
}
