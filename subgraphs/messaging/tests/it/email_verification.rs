//! With EMAIL_VERIFICATION=required, an account whose email awaits
//! confirmation may read but not send, edit or react to messages
//! (FORBIDDEN), decided from ValidateToken's answer alone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::{Chat as _, MessagingDb as _, PASSWORD, SEND, spawn};
use serde_json::json;
use testkit::{GraphqlClient, assert_no_errors, error_code};

#[tokio::test]
async fn an_unconfirmed_account_cannot_send_messages() {
    let stack = spawn().await;
    let ann = stack.seed_user("ann").await;
    let bob = stack.seed_user("bob").await;

    // A session from before confirmation was required, refreshed by an
    // auth process that requires it: its token says "not confirmed".
    let resp = stack
        .auth_gql()
        .query(
            "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { refreshToken } }",
            json!({ "e": ann.email, "p": PASSWORD }),
        )
        .await;
    assert_no_errors(&resp);
    let refresh = resp["data"]["login"]["refreshToken"].as_str().unwrap();
    let mut config = stack.auth_config();
    config.service.db_pool_size = 2;
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
    .unwrap();
    let resp = GraphqlClient::new(strict.graphql_url())
        .query(
            "mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_no_errors(&resp);
    let unconfirmed = stack
        .gql()
        .with_token(resp["data"]["refresh"]["accessToken"].as_str().unwrap());

    let resp = unconfirmed
        .query(
            SEND,
            json!({"to": bob.id, "text": "hi", "cid": uuid::Uuid::new_v4().to_string()}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("FORBIDDEN"), "{resp}");
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"],
        "EMAIL_NOT_VERIFIED"
    );
    assert_eq!(stack.count("messages").await, 0, "nothing was written");

    // Reading is fine, and others can still write to the account.
    assert_no_errors(
        &unconfirmed
            .query("{ messageEventsCursor }", json!({}))
            .await,
    );
    let hello = bob.send(&ann, "hello").await["id"].clone();
    for (query, vars) in [
        (
            "mutation($m: ID!, $e: String!) { addReaction(input: {messageId: $m, emoji: $e}) { message { id } } }",
            json!({"m": hello, "e": "👍"}),
        ),
        (
            "mutation($m: ID!, $t: String!) { editMessage(input: {messageId: $m, text: $t}) { message { id } } }",
            json!({"m": hello, "t": "mine"}),
        ),
    ] {
        let resp = unconfirmed.query(query, vars).await;
        assert_eq!(
            resp["errors"][0]["extensions"]["reason"], "EMAIL_NOT_VERIFIED",
            "{resp}"
        );
    }
    assert_eq!(stack.count("message_reactions").await, 0);
    strict.stop().await;
}
