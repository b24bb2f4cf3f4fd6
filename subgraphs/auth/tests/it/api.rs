//! The auth GraphQL API over real HTTP against a real database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::{LOGIN, REFRESH, REGISTER, login, register, spawn, str_of};
use serde_json::json;
use testkit::{assert_no_errors, error_code};

#[tokio::test]
async fn register_then_login() {
    let t = spawn().await;
    let resp = t
        .gql
        .query(
            REGISTER,
            json!({"email": "  Alice@Example.COM ", "password": "correct horse"}),
        )
        .await;
    assert_no_errors(&resp);
    let reg = &resp["data"]["register"];
    assert_eq!(reg["email"], "alice@example.com");
    assert_eq!(reg["emailVerificationRequired"], false);
    assert_eq!(reg["userId"], reg["auth"]["userId"]);

    let auth = login(&t.gql, "alice@example.com", "correct horse").await;
    assert_eq!(auth["userId"], reg["userId"]);
    assert_ne!(
        auth["sessionId"], reg["auth"]["sessionId"],
        "each login is a new session"
    );
    // The token works for the caller's own queries.
    let me = t.gql.with_token(str_of(&auth, "accessToken"));
    let sessions = me
        .query("{ mySessions { id current userAgent } }", json!({}))
        .await;
    assert_no_errors(&sessions);
    let list = sessions["data"]["mySessions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
}

#[tokio::test]
async fn duplicate_email_is_a_conflict() {
    let t = spawn().await;
    register(&t.gql, "bob@example.com", "password-1").await;
    let resp = t
        .gql
        .query(
            REGISTER,
            json!({"email": "BOB@example.com", "password": "password-2"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_look_the_same() {
    let t = spawn().await;
    register(&t.gql, "carol@example.com", "password-1").await;
    let wrong = t
        .gql
        .query(
            LOGIN,
            json!({"email": "carol@example.com", "password": "password-2"}),
        )
        .await;
    let unknown = t
        .gql
        .query(
            LOGIN,
            json!({"email": "nobody@example.com", "password": "password-2"}),
        )
        .await;
    assert_eq!(error_code(&wrong).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    assert_eq!(
        wrong["errors"][0]["extensions"],
        unknown["errors"][0]["extensions"]
    );
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    let t = spawn().await;
    let first = register(&t.gql, "dave@example.com", "password-1").await;
    let r1 = str_of(&first, "refreshToken").to_owned();

    let resp = t.gql.query(REFRESH, json!({"t": r1})).await;
    assert_no_errors(&resp);
    let second = &resp["data"]["refresh"];
    let r2 = str_of(second, "refreshToken").to_owned();
    assert_ne!(r1, r2);
    assert_eq!(second["sessionId"], first["sessionId"]);
    let access2 = str_of(second, "accessToken").to_owned();
    assert_no_errors(
        &t.gql
            .with_token(&access2)
            .query("{ mySessions { id } }", json!({}))
            .await,
    );

    // The rotated token presented again: refused, and the whole session ends.
    let reuse = t.gql.query(REFRESH, json!({"t": r1})).await;
    assert_eq!(error_code(&reuse).as_deref(), Some("UNAUTHENTICATED"));
    assert_eq!(reuse["errors"][0]["extensions"]["reason"], "REUSED");
    let after = t.gql.query(REFRESH, json!({"t": r2})).await;
    assert_eq!(
        error_code(&after).as_deref(),
        Some("UNAUTHENTICATED"),
        "newest token dies too"
    );
    let denied = t
        .gql
        .with_token(&access2)
        .query("{ mySessions { id } }", json!({}))
        .await;
    assert_eq!(error_code(&denied).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_cannot_both_win() {
    let t = spawn().await;
    let first = register(&t.gql, "erin@example.com", "password-1").await;
    let r1 = str_of(&first, "refreshToken").to_owned();
    let (a, b) = tokio::join!(
        t.gql.query(REFRESH, json!({"t": r1})),
        t.gql.query(REFRESH, json!({"t": r1}))
    );
    let wins = [&a, &b].iter().filter(|r| r["errors"].is_null()).count();
    assert!(wins <= 1, "{a}\n{b}");
}

#[tokio::test]
async fn logout_and_logout_everywhere() {
    let t = spawn().await;
    let s1 = register(&t.gql, "frank@example.com", "password-1").await;
    let s2 = login(&t.gql, "frank@example.com", "password-1").await;
    let s3 = login(&t.gql, "frank@example.com", "password-1").await;

    let one = t.gql.with_token(str_of(&s1, "accessToken"));
    let resp = one
        .query("mutation { logout { sessionId } }", json!({}))
        .await;
    assert_no_errors(&resp);
    assert!(resp["data"]["logout"]["sessionId"].is_string(), "{resp}");
    // The very next request with that token is refused.
    let denied = one.query("{ mySessions { id } }", json!({})).await;
    assert_eq!(error_code(&denied).as_deref(), Some("UNAUTHENTICATED"));
    let refresh = t
        .gql
        .query(REFRESH, json!({"t": str_of(&s1, "refreshToken")}))
        .await;
    assert_eq!(error_code(&refresh).as_deref(), Some("UNAUTHENTICATED"));

    let two = t.gql.with_token(str_of(&s2, "accessToken"));
    let resp = two
        .query("mutation { logoutEverywhere { sessionsEnded } }", json!({}))
        .await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["logoutEverywhere"]["sessionsEnded"], 2);
    for s in [&s2, &s3] {
        let denied = t
            .gql
            .with_token(str_of(s, "accessToken"))
            .query("{ mySessions { id } }", json!({}))
            .await;
        assert_eq!(error_code(&denied).as_deref(), Some("UNAUTHENTICATED"));
    }
}

#[tokio::test]
async fn signed_in_fields_need_a_token() {
    let t = spawn().await;
    for query in [
        "{ mySessions { id } }",
        "mutation { logout { sessionId } }",
        "mutation { logoutEverywhere { sessionsEnded } }",
    ] {
        let resp = t.gql.query(query, json!({})).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{query}: {resp}"
        );
        let resp = t.gql.with_token("not-a-jwt").query(query, json!({})).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{query}: {resp}"
        );
        let resp = t
            .gql
            .with_header("authorization", "Basic abc")
            .query(query, json!({}))
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{query}: {resp}"
        );
    }
}

#[tokio::test]
async fn email_is_visible_only_to_its_owner() {
    let t = spawn().await;
    let alice = register(&t.gql, "alice@example.com", "password-1").await;
    let bob = register(&t.gql, "bob@example.com", "password-1").await;
    let query = "query($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id email emailVerified } } }";
    let reps = json!({"reps": [{"__typename": "User", "id": alice["userId"]}]});
    let own = t
        .gql
        .with_token(str_of(&alice, "accessToken"))
        .query(query, reps.clone())
        .await;
    assert_no_errors(&own);
    assert_eq!(own["data"]["_entities"][0]["email"], "alice@example.com");
    assert_eq!(own["data"]["_entities"][0]["emailVerified"], false);
    let other = t
        .gql
        .with_token(str_of(&bob, "accessToken"))
        .query(query, reps.clone())
        .await;
    assert_no_errors(&other);
    assert_eq!(
        other["data"]["_entities"][0]["email"],
        serde_json::Value::Null
    );
    let anonymous = t.gql.query(query, reps).await;
    assert_eq!(
        anonymous["data"]["_entities"][0]["email"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn bad_input_gets_bad_user_input() {
    let t = spawn().await;
    let huge = "x".repeat(1024 * 1024);
    let cases = [
        json!({"email": "", "password": "password-1"}),
        json!({"email": "no-at-sign", "password": "password-1"}),
        json!({"email": "a@b@example.com", "password": "password-1"}),
        json!({"email": "user@localhost", "password": "password-1"}),
        json!({"email": huge, "password": "password-1"}),
        json!({"email": "ok@example.com", "password": ""}),
        json!({"email": "ok@example.com", "password": "short"}),
        json!({"email": "ok@example.com", "password": huge}),
        json!({"email": 42, "password": "password-1"}),
        json!({"email": null, "password": "password-1"}),
        json!({"password": "password-1"}),
    ];
    for vars in cases {
        let resp = t.gql.query(REGISTER, vars.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{}: {resp}",
            vars.to_string().chars().take(100).collect::<String>()
        );
    }
    // Nothing was half-written: the valid email is still free.
    register(&t.gql, "ok@example.com", "password-1").await;

    let (status, body) = t
        .gql
        .post_raw(b"{not json".to_vec(), "application/json")
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_code(&body).as_deref(), Some("BAD_USER_INPUT"));
    let (_, body) = t
        .gql
        .post_raw(
            br#"{"query": "{ mySessions { "}"#.to_vec(),
            "application/json",
        )
        .await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    let (_, body) = t
        .gql
        .post_raw(br#"{"query": "{ nope }"}"#.to_vec(), "application/json")
        .await;
    assert_eq!(
        error_code(&body).as_deref(),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
    let (status, body) = t
        .gql
        .post_raw(vec![b' '; 3 * 1024 * 1024], "application/json")
        .await;
    assert_eq!(status, 413);
    assert_eq!(error_code(&body).as_deref(), Some("BAD_USER_INPUT"));
    let resp = t.gql.query(REFRESH, json!({"t": ""})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn health_and_jwks() {
    let t = spawn().await;
    let base = format!("http://{}", t.running.http_addr.unwrap());
    let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    let jwks: serde_json::Value = reqwest::get(format!("{base}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert!(key["kid"].as_str().is_some_and(|k| !k.is_empty()));
}

#[test]
fn federation_sdl_snapshot() {
    insta::assert_snapshot!(auth::schema::sdl());
}
