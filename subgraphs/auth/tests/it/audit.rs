//! The security audit log: what is recorded, `mySecurityEvents`, and that
//! the table refuses changes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::{LOGIN, REFRESH, REGISTER, login, spawn, str_of};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const EVENTS: &str = "query($first: Int, $after: String) {
  mySecurityEvents(first: $first, after: $after) {
    edges { cursor node { kind at sessionId ip userAgent } }
    pageInfo { hasNextPage endCursor }
  }
}";

fn kinds(resp: &Value) -> Vec<String> {
    resp["data"]["mySecurityEvents"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {resp}"))
        .iter()
        .map(|edge| edge["node"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_users_security_events_are_recorded_and_listed_newest_first() {
    let t = spawn().await;
    let app = t.gql.with_header("user-agent", "AuditTest/1.0");
    let resp = app
        .query(
            REGISTER,
            json!({"email": "eve@example.com", "password": "password-1"}),
        )
        .await;
    assert_no_errors(&resp);
    let first = resp["data"]["register"]["auth"].clone();
    let wrong = app
        .query(
            LOGIN,
            json!({"email": "eve@example.com", "password": "password-2"}),
        )
        .await;
    assert_eq!(error_code(&wrong).as_deref(), Some("UNAUTHENTICATED"));
    let second = login(&app, "eve@example.com", "password-1").await;
    // Refresh, then present the spent token again: reuse.
    let r1 = str_of(&second, "refreshToken");
    assert_no_errors(&app.query(REFRESH, json!({"t": r1})).await);
    app.query(REFRESH, json!({"t": r1})).await;
    let me = app.with_token(str_of(&first, "accessToken"));
    assert_no_errors(
        &me.query(
            "mutation { changePassword(current: \"password-1\", new: \"password-3\") { sessionsEnded } }",
            json!({}),
        )
        .await,
    );
    assert_no_errors(
        &me.query("mutation { logoutEverywhere { sessionsEnded } }", json!({}))
            .await,
    );
    // Someone else's events are theirs alone.
    let other = crate::common::register(&t.gql, "mallory@example.com", "password-1").await;

    let third = login(&app, "eve@example.com", "password-3").await;
    let me = app.with_token(str_of(&third, "accessToken"));
    let resp = me.query(EVENTS, json!({})).await;
    assert_no_errors(&resp);
    assert_eq!(
        kinds(&resp),
        [
            "LOGGED_IN",
            "LOGGED_OUT_EVERYWHERE",
            "PASSWORD_CHANGED",
            "REFRESH_TOKEN_REUSED",
            "LOGGED_IN",
            "LOGIN_FAILED",
            "REGISTERED"
        ]
    );
    let edges = resp["data"]["mySecurityEvents"]["edges"]
        .as_array()
        .unwrap();
    for edge in edges {
        assert_eq!(edge["node"]["ip"], "127.0.0.1", "{edge}");
        assert_eq!(edge["node"]["userAgent"], "AuditTest/1.0", "{edge}");
    }
    assert_eq!(edges[0]["node"]["sessionId"], third["sessionId"]);
    assert_eq!(edges[3]["node"]["sessionId"], second["sessionId"]);
    assert_eq!(edges[5]["node"]["sessionId"], Value::Null);

    // Pages.
    let page = me.query(EVENTS, json!({"first": 3})).await;
    assert_eq!(kinds(&page).len(), 3);
    assert_eq!(
        page["data"]["mySecurityEvents"]["pageInfo"]["hasNextPage"],
        true
    );
    let after = page["data"]["mySecurityEvents"]["pageInfo"]["endCursor"].clone();
    let older = me.query(EVENTS, json!({"first": 10, "after": after})).await;
    assert_eq!(kinds(&older), kinds(&resp)[3..].to_vec());
    assert_eq!(
        older["data"]["mySecurityEvents"]["pageInfo"]["hasNextPage"],
        false
    );
    for bad in [
        json!({"first": 0}),
        json!({"first": 101}),
        json!({"after": "nope"}),
    ] {
        let resp = me.query(EVENTS, bad.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{bad}: {resp}"
        );
    }

    let theirs = t
        .gql
        .with_token(str_of(&other, "accessToken"))
        .query(EVENTS, json!({}))
        .await;
    assert_eq!(kinds(&theirs), ["REGISTERED"]);
    let anonymous = t.gql.query(EVENTS, json!({})).await;
    assert_eq!(error_code(&anonymous).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn the_log_is_append_only_in_the_database() {
    let t = spawn().await;
    crate::common::register(&t.gql, "log@example.com", "password-1").await;
    let client = testkit::connect_pg(t.db.url()).await;
    for sql in [
        "UPDATE security_events SET kind = 'LOGGED_IN'",
        "DELETE FROM security_events",
        "TRUNCATE security_events",
    ] {
        let err = client.batch_execute(sql).await.unwrap_err();
        let message = err
            .as_db_error()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert!(message.contains("append-only"), "{sql}: {err}");
    }
    client
        .batch_execute("INSERT INTO security_events (kind) VALUES ('LOGIN_FAILED')")
        .await
        .unwrap();
    let row = client
        .query_one("SELECT count(*) FROM security_events", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 2);
}
