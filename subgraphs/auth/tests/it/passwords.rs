//! Password hash upgrades and `changePassword`, over real HTTP against a
//! real database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::{LOGIN, REFRESH, login, register, spawn, str_of};
use auth::passwords::{HashParams, Hasher};
use auth::secrets::Password;
use serde_json::json;
use testkit::{assert_no_errors, error_code};

const CHANGE: &str = "mutation($current: String!, $new: String!) {
  changePassword(current: $current, new: $new) { sessionsEnded }
}";

async fn stored_hash(db_url: &str, email: &str) -> String {
    let client = testkit::connect_pg(db_url).await;
    client
        .query_one(
            "SELECT password_hash FROM accounts WHERE email = $1",
            &[&email],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn a_hash_with_older_parameters_is_upgraded_at_the_next_sign_in() {
    let t = spawn().await;
    register(&t.gql, "old@example.com", "correct horse").await;
    // As if hashed years ago, with cheaper parameters.
    let old = Hasher::new(
        1,
        HashParams {
            m_kib: 8 * 1024,
            t: 1,
            p: 1,
        },
    )
    .hash(Password::new("correct horse"))
    .await
    .unwrap();
    let client = testkit::connect_pg(t.db.url()).await;
    client
        .execute(
            "UPDATE accounts SET password_hash = $1 WHERE email = 'old@example.com'",
            &[&old],
        )
        .await
        .unwrap();

    // A wrong password changes nothing.
    let resp = t
        .gql
        .query(
            LOGIN,
            json!({"email": "old@example.com", "password": "wrong horse"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(stored_hash(t.db.url(), "old@example.com").await, old);

    login(&t.gql, "old@example.com", "correct horse").await;
    let upgraded = stored_hash(t.db.url(), "old@example.com").await;
    assert!(
        upgraded.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{upgraded}"
    );
    login(&t.gql, "old@example.com", "correct horse").await;
    assert_eq!(stored_hash(t.db.url(), "old@example.com").await, upgraded);
}

#[tokio::test]
async fn change_password_signs_out_every_other_session() {
    let t = spawn().await;
    let here = register(&t.gql, "pat@example.com", "old password").await;
    let elsewhere = login(&t.gql, "pat@example.com", "old password").await;
    let me = t.gql.with_token(str_of(&here, "accessToken"));

    let resp = me
        .query(
            CHANGE,
            json!({"current": "not it at all", "new": "new password"}),
        )
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(resp["errors"][0]["extensions"]["field"], "current");
    let resp = me
        .query(CHANGE, json!({"current": "old password", "new": "short"}))
        .await;
    assert_eq!(resp["errors"][0]["extensions"]["field"], "new", "{resp}");
    let resp = t
        .gql
        .query(
            CHANGE,
            json!({"current": "old password", "new": "new password"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));

    let resp = me
        .query(
            CHANGE,
            json!({"current": "old password", "new": "new password"}),
        )
        .await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["changePassword"]["sessionsEnded"], 1);

    // The other session is over, access and refresh token alike ...
    let denied = t
        .gql
        .with_token(str_of(&elsewhere, "accessToken"))
        .query("{ mySessions { id } }", json!({}))
        .await;
    assert_eq!(error_code(&denied).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(
        denied["errors"][0]["extensions"]["reason"],
        "SESSION_REVOKED"
    );
    let refused = t
        .gql
        .query(REFRESH, json!({"t": str_of(&elsewhere, "refreshToken")}))
        .await;
    assert_eq!(error_code(&refused).as_deref(), Some("UNAUTHENTICATED"));
    // ... this one goes on.
    let sessions = me.query("{ mySessions { id current } }", json!({})).await;
    assert_no_errors(&sessions);
    assert_eq!(sessions["data"]["mySessions"].as_array().unwrap().len(), 1);
    assert_no_errors(
        &t.gql
            .query(REFRESH, json!({"t": str_of(&here, "refreshToken")}))
            .await,
    );
    // Only the new password signs in.
    let old = t
        .gql
        .query(
            LOGIN,
            json!({"email": "pat@example.com", "password": "old password"}),
        )
        .await;
    assert_eq!(error_code(&old).as_deref(), Some("UNAUTHENTICATED"));
    login(&t.gql, "pat@example.com", "new password").await;
}
