//! `revokeSession`: signing out one of one's own sessions by id, and
//! nobody else's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::{REFRESH, login, register, spawn, str_of};
use grpc_api::auth::v1::ValidateTokenRequest;
use grpc_api::auth::v1::auth_client::AuthClient;
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const REVOKE: &str = "mutation($id: ID!) { revokeSession(id: $id) { sessionId } }";
const SESSIONS: &str = "{ mySessions { id current } }";
const EVENTS: &str = "{ mySecurityEvents { edges { node { kind sessionId } } } }";

/// What ValidateToken (the check users and messaging make) says of a token:
/// `Ok(())`, or the rejection.
async fn validate(grpc_url: &str, token: &str) -> Result<(), String> {
    let channel = grpc_api::channel::connect(grpc_url, &grpc_api::ServiceToken::ephemeral())
        .await
        .unwrap();
    match AuthClient::new(channel)
        .validate_token(ValidateTokenRequest {
            token: token.to_owned(),
        })
        .await
    {
        Ok(_) => Ok(()),
        Err(status) => Err(status.message().to_owned()),
    }
}

fn session_ids(resp: &Value) -> Vec<String> {
    resp["data"]["mySessions"]
        .as_array()
        .unwrap_or_else(|| panic!("no sessions in {resp}"))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_user_signs_out_another_of_their_sessions_by_id() {
    let t = spawn().await;
    let laptop = register(&t.gql, "ann@example.com", "password-1").await;
    let phone = login(&t.gql, "ann@example.com", "password-1").await;
    let me = t.gql.with_token(str_of(&laptop, "accessToken"));
    let phone_id = str_of(&phone, "sessionId");
    assert_eq!(session_ids(&me.query(SESSIONS, json!({})).await).len(), 2);

    let resp = me.query(REVOKE, json!({"id": phone_id})).await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["revokeSession"]["sessionId"], phone_id);

    // The phone's tokens stop working at once, here and for the services
    // that ask auth (ValidateToken); its refresh token too.
    let resp = t
        .gql
        .with_token(str_of(&phone, "accessToken"))
        .query(SESSIONS, json!({}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
    let grpc = t.running.grpc_url();
    assert_eq!(
        validate(&grpc, str_of(&phone, "accessToken")).await,
        Err("SESSION_REVOKED".to_owned())
    );
    let resp = t
        .gql
        .query(REFRESH, json!({"t": str_of(&phone, "refreshToken")}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
    assert_eq!(resp["errors"][0]["extensions"]["reason"], "SESSION_REVOKED");

    // The laptop is still signed in, and the log says what happened.
    assert_eq!(
        validate(&grpc, str_of(&laptop, "accessToken")).await,
        Ok(())
    );
    assert_eq!(
        session_ids(&me.query(SESSIONS, json!({})).await),
        [str_of(&laptop, "sessionId")]
    );
    let events = me.query(EVENTS, json!({})).await;
    let newest = &events["data"]["mySecurityEvents"]["edges"][0]["node"];
    assert_eq!(newest["kind"], "SESSION_REVOKED", "{events}");
    assert_eq!(newest["sessionId"], phone_id);

    // Again: nothing changes, nothing more is recorded.
    assert_no_errors(&me.query(REVOKE, json!({"id": phone_id})).await);
    let again = me.query(EVENTS, json!({})).await;
    assert_eq!(
        again["data"]["mySecurityEvents"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        events["data"]["mySecurityEvents"]["edges"]
            .as_array()
            .unwrap()
            .len()
    );

    // A session may end itself this way too, like `logout`.
    let resp = me
        .query(REVOKE, json!({"id": str_of(&laptop, "sessionId")}))
        .await;
    assert_no_errors(&resp);
    let resp = me.query(SESSIONS, json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
}

#[tokio::test]
async fn nobody_signs_out_another_users_session_or_learns_it_exists() {
    let t = spawn().await;
    let ann = register(&t.gql, "ann@example.com", "password-1").await;
    let bob = register(&t.gql, "bob@example.com", "password-2").await;
    let as_bob = t.gql.with_token(str_of(&bob, "accessToken"));

    let theirs = as_bob
        .query(REVOKE, json!({"id": str_of(&ann, "sessionId")}))
        .await;
    assert_eq!(
        error_code(&theirs).as_deref(),
        Some("NOT_FOUND"),
        "{theirs}"
    );
    let unknown = as_bob
        .query(REVOKE, json!({"id": uuid::Uuid::new_v4().to_string()}))
        .await;
    assert_eq!(error_code(&unknown).as_deref(), Some("NOT_FOUND"));
    // Another user's session and no session at all look the same.
    assert_eq!(
        theirs["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    let resp = as_bob.query(REVOKE, json!({"id": "not-an-id"})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    assert_eq!(resp["errors"][0]["extensions"]["field"], "id");
    // Without a token, nothing at all.
    let resp = t
        .gql
        .query(REVOKE, json!({"id": str_of(&ann, "sessionId")}))
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );

    // Ann is still signed in, and nothing was recorded in her log.
    let as_ann = t.gql.with_token(str_of(&ann, "accessToken"));
    assert_eq!(
        session_ids(&as_ann.query(SESSIONS, json!({})).await),
        [str_of(&ann, "sessionId")]
    );
    let events = as_ann.query(EVENTS, json!({})).await;
    assert_no_errors(&events);
    assert!(!events.to_string().contains("SESSION_REVOKED"), "{events}");
}
