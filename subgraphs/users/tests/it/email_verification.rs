//! With EMAIL_VERIFICATION=required, an account whose email awaits
//! confirmation may read but not send friend requests (FORBIDDEN), decided
//! from ValidateToken's answer alone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{PersonExt as _, Stack, start};
use serde_json::json;
use testkit::{GraphqlClient, assert_no_errors, error_code};

/// An access token for `email` (password `stack::PASSWORD`) as auth issues it
/// once confirmation is required: a session from before the switch,
/// refreshed by an auth process with the new setting.
async fn unconfirmed_token(stack: &Stack, email: &str) -> (String, auth::Running) {
    let resp = stack
        .auth_gql()
        .query(
            "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { refreshToken } }",
            json!({ "e": email, "p": stack::PASSWORD }),
        )
        .await;
    assert_no_errors(&resp);
    let refresh = resp["data"]["login"]["refreshToken"].as_str().unwrap();

    let mut config = stack.auth_config();
    config.email.email_verification = auth::config::EmailVerification::Required;
    let strict = auth::start(
        &config,
        auth::Parts {
            http: true,
            grpc: false,
            worker: false,
        },
    )
    .await
    .expect("auth starts");
    let resp = GraphqlClient::new(strict.graphql_url())
        .query(
            "mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_no_errors(&resp);
    let token = resp["data"]["refresh"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    (token, strict)
}

#[tokio::test]
async fn an_unconfirmed_account_cannot_send_friend_requests() {
    let stack = start().await;
    let ann = stack.seed_user("ann@example.com").await;
    let bob = stack.seed_user("bob@example.com").await;
    let (token, strict) = unconfirmed_token(&stack, &ann.email).await;
    let unconfirmed = stack.gql().with_token(&token);

    // Reading is fine.
    let me = unconfirmed.query("{ me { id } }", json!({})).await;
    assert_no_errors(&me);
    assert_eq!(me["data"]["me"]["id"], ann.id.as_str());

    let resp = unconfirmed
        .query(
            "mutation($id: ID!) { sendFriendRequest(userId: $id) { user { id } relationship } }",
            json!({ "id": bob.id }),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"],
        "EMAIL_NOT_VERIFIED"
    );
    assert!(bob.list_all("incomingFriendRequests").await.is_empty());

    // A confirmed (or, with confirmation off, any) account still reaches it.
    assert_eq!(
        bob.act_ok("sendFriendRequest", &ann.id).await,
        "REQUEST_SENT"
    );
    strict.stop().await;
}
