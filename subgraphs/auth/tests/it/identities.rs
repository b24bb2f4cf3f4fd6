//! `myIdentities` and `unlinkIdentity`: the provider sign-ins linked to an
//! account. The links are seeded in the database (signing in with a
//! provider is `oauth.rs`'s subject); the last way to sign in stays.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::{TestAuth, register, spawn, str_of};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const IDENTITIES: &str = "{ myIdentities { provider email linkedAt lastUsedAt } }";
const UNLINK: &str = "mutation($p: String!) {
  unlinkIdentity(provider: $p) { provider identities { provider email } }
}";
const EVENTS: &str = "{ mySecurityEvents { edges { node { kind provider sessionId } } } }";

/// Links a provider identity to the account of `user_id`, as a sign-in
/// with that provider would have.
async fn link(t: &TestAuth, user_id: &str, provider: &str, subject: &str, email: &str) {
    let sql = testkit::connect_pg(t.db.url()).await;
    sql.execute(
        "INSERT INTO oauth_identities (issuer, subject, account_id, provider, email)
         VALUES ($1, $2, $3::text::uuid, $4, $5)",
        &[
            &format!("https://{provider}.test"),
            &subject,
            &user_id,
            &provider,
            &email,
        ],
    )
    .await
    .unwrap();
}

/// Makes the account one without a password (as a first sign-in with a
/// provider creates it).
async fn drop_password(t: &TestAuth, user_id: &str) {
    let sql = testkit::connect_pg(t.db.url()).await;
    sql.execute(
        "UPDATE accounts SET password_hash = NULL WHERE id = $1::text::uuid",
        &[&user_id],
    )
    .await
    .unwrap();
}

fn providers(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|identity| identity["provider"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_user_lists_and_unlinks_their_provider_sign_ins() {
    let t = spawn().await;
    let ann = register(&t.gql, "ann@example.com", "password-1").await;
    let me = t.gql.with_token(str_of(&ann, "accessToken"));
    let resp = me.query(IDENTITIES, json!({})).await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["myIdentities"], json!([]));

    let user_id = str_of(&ann, "userId");
    link(&t, user_id, "google", "g-1", "ann@gmail.test").await;
    link(&t, user_id, "corp", "c-1", "ann@corp.test").await;
    let resp = me.query(IDENTITIES, json!({})).await;
    assert_no_errors(&resp);
    let list = &resp["data"]["myIdentities"];
    assert_eq!(providers(list), ["google", "corp"], "oldest first: {resp}");
    assert_eq!(list[0]["email"], "ann@gmail.test");
    assert!(list[0]["linkedAt"].is_string() && list[0]["lastUsedAt"].is_string());

    let resp = me.query(UNLINK, json!({"p": "google"})).await;
    assert_no_errors(&resp);
    let payload = &resp["data"]["unlinkIdentity"];
    assert_eq!(payload["provider"], "google");
    assert_eq!(providers(&payload["identities"]), ["corp"]);
    let resp = me.query(IDENTITIES, json!({})).await;
    assert_eq!(providers(&resp["data"]["myIdentities"]), ["corp"]);
    let events = me.query(EVENTS, json!({})).await;
    let newest = &events["data"]["mySecurityEvents"]["edges"][0]["node"];
    assert_eq!(newest["kind"], "IDENTITY_UNLINKED", "{events}");
    assert_eq!(newest["provider"], "google");
    assert_eq!(newest["sessionId"], ann["sessionId"]);

    // Gone: a second time there is nothing to unlink.
    let resp = me.query(UNLINK, json!({"p": "google"})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");
    // With a password, the last provider may go too.
    let resp = me.query(UNLINK, json!({"p": "corp"})).await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["unlinkIdentity"]["identities"], json!([]));
}

#[tokio::test]
async fn the_last_way_to_sign_in_cannot_be_unlinked() {
    let t = spawn().await;
    let bea = register(&t.gql, "bea@example.com", "password-1").await;
    let user_id = str_of(&bea, "userId");
    drop_password(&t, user_id).await;
    link(&t, user_id, "google", "g-2", "bea@example.com").await;
    let me = t.gql.with_token(str_of(&bea, "accessToken"));

    let resp = me.query(UNLINK, json!({"p": "google"})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"],
        "LAST_SIGN_IN_METHOD"
    );
    let resp = me.query(IDENTITIES, json!({})).await;
    assert_eq!(providers(&resp["data"]["myIdentities"]), ["google"]);

    // With another provider linked, one of the two may go; not the other.
    link(&t, user_id, "corp", "c-2", "bea@example.com").await;
    assert_no_errors(&me.query(UNLINK, json!({"p": "google"})).await);
    let resp = me.query(UNLINK, json!({"p": "corp"})).await;
    assert_eq!(
        resp["errors"][0]["extensions"]["reason"], "LAST_SIGN_IN_METHOD",
        "{resp}"
    );

    // Once the account has a password, the provider may go.
    let resp = me
        .query(
            "mutation { setPassword(newPassword: \"password-2\") { user { id } } }",
            json!({}),
        )
        .await;
    assert_no_errors(&resp);
    assert_no_errors(&me.query(UNLINK, json!({"p": "corp"})).await);
    crate::common::login(&t.gql, "bea@example.com", "password-2").await;
}

#[tokio::test]
async fn nobody_sees_or_unlinks_another_users_sign_ins() {
    let t = spawn().await;
    let cy = register(&t.gql, "cy@example.com", "password-1").await;
    let dee = register(&t.gql, "dee@example.com", "password-2").await;
    link(&t, str_of(&cy, "userId"), "google", "g-3", "cy@example.com").await;

    let as_dee = t.gql.with_token(str_of(&dee, "accessToken"));
    let resp = as_dee.query(IDENTITIES, json!({})).await;
    assert_eq!(resp["data"]["myIdentities"], json!([]), "{resp}");
    let resp = as_dee.query(UNLINK, json!({"p": "google"})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");
    for (query, variables) in [(IDENTITIES, json!({})), (UNLINK, json!({"p": "google"}))] {
        let resp = t.gql.query(query, variables).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }

    let as_cy = t.gql.with_token(str_of(&cy, "accessToken"));
    let resp = as_cy.query(IDENTITIES, json!({})).await;
    assert_eq!(providers(&resp["data"]["myIdentities"]), ["google"]);
}
