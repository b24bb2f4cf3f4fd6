//! Profiles over real HTTP, authenticated by a real auth service.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{PersonExt as _, Service, USER_FIELDS, is_default_nickname, start};
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

const UPDATE: &str = "mutation($input: UpdateProfileInput!) {
  updateProfile(input: $input) { user { id nickname about avatarUrl createdAt relationship } }
}";

#[tokio::test]
async fn a_registered_user_has_a_default_profile() {
    let s = start().await;
    // Signed up through auth, which tells users (its outbox).
    let alice = s.register("Alice.Smith+news@Example.com").await;
    s.run_pending().await;
    let me = alice.me().await;
    assert_eq!(me["id"], alice.id.as_str());
    // A random nickname, nothing of the email (which is private).
    let nickname = me["nickname"].as_str().unwrap().to_owned();
    assert!(is_default_nickname(&nickname), "{nickname}");
    assert_eq!(me["about"], Value::Null);
    assert_eq!(me["avatarUrl"], Value::Null);
    assert_eq!(me["relationship"], "SELF");
    assert!(me["createdAt"].as_str().unwrap().contains('T'));

    // Same local part elsewhere, a reserved one: random nicknames all,
    // each its own.
    let other = s.register("alice.smith@elsewhere.org").await;
    let admin = s.register("admin@example.com").await;
    s.run_pending().await;
    let others = [
        other.me().await["nickname"].as_str().unwrap().to_owned(),
        admin.me().await["nickname"].as_str().unwrap().to_owned(),
    ];
    for n in &others {
        assert!(is_default_nickname(n), "{n}");
        assert_ne!(*n, nickname);
    }
    assert_ne!(others[0], others[1]);
    // The local part finds nobody.
    for local in ["alice.smith", "Alice.Smith", "admin"] {
        let found = alice
            .query(
                "query($n: String!) { userByNickname(nickname: $n) { id } }",
                json!({ "n": local }),
            )
            .await;
        assert_no_errors(&found);
        assert_eq!(found["data"]["userByNickname"], Value::Null, "{local}");
    }
}

#[tokio::test]
async fn users_are_found_by_id_and_by_nickname_ignoring_case() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    alice.set_nickname("alice").await;
    let by_id = bob
        .query(
            &format!("query($id: ID!) {{ user(id: $id) {{ {USER_FIELDS} }} }}"),
            json!({ "id": alice.id }),
        )
        .await;
    assert_no_errors(&by_id);
    assert_eq!(by_id["data"]["user"]["nickname"], "alice");
    assert_eq!(by_id["data"]["user"]["relationship"], "NONE");

    for nickname in ["alice", "ALICE", "  Alice "] {
        let found = bob
            .query(
                "query($n: String!) { userByNickname(nickname: $n) { id relationship } }",
                json!({ "n": nickname }),
            )
            .await;
        assert_no_errors(&found);
        assert_eq!(
            found["data"]["userByNickname"]["id"],
            alice.id.as_str(),
            "{nickname}"
        );
    }
    for nobody in ["nobody", "a b", "x", "ünï", &"z".repeat(100_000)] {
        let found = bob
            .query(
                "query($n: String!) { userByNickname(nickname: $n) { id } }",
                json!({ "n": nobody }),
            )
            .await;
        assert_no_errors(&found);
        assert_eq!(found["data"]["userByNickname"], Value::Null);
    }
    let unknown = bob
        .query(
            "query($id: ID!) { user(id: $id) { id } }",
            json!({ "id": uuid::Uuid::now_v7().to_string() }),
        )
        .await;
    assert_no_errors(&unknown);
    assert_eq!(unknown["data"]["user"], Value::Null);
}

#[tokio::test]
async fn the_router_can_resolve_user_references() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    let query = "query($reps: [_Any!]!) {
      _entities(representations: $reps) { ... on User { id nickname relationship } }
    }";
    let reps = json!({ "reps": [
        { "__typename": "User", "id": alice.id },
        { "__typename": "User", "id": bob.id },
        { "__typename": "User", "id": uuid::Uuid::now_v7().to_string() },
    ]});
    let resp = bob.query(query, reps.clone()).await;
    assert_no_errors(&resp);
    let entities = resp["data"]["_entities"].as_array().unwrap();
    assert_eq!(entities[0]["nickname"], alice.me().await["nickname"]);
    assert_eq!(entities[0]["relationship"], "NONE");
    assert_eq!(entities[1]["relationship"], "SELF");
    assert_eq!(entities[2], Value::Null, "unknown users resolve to null");

    let anonymous = s.gql().query(query, reps).await;
    assert_eq!(error_code(&anonymous).as_deref(), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn update_profile_sets_keeps_and_clears_fields() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let old = alice.me().await["nickname"].clone();
    let resp = alice
        .query(
            UPDATE,
            json!({ "input": {
                "nickname": "Alice_W",
                "about": "  Likes tea.\nAnd cake.  ",
                "avatarUrl": "https://cdn.example.com/a.png",
            }}),
        )
        .await;
    assert_no_errors(&resp);
    let updated = &resp["data"]["updateProfile"]["user"];
    assert_eq!(updated["nickname"], "Alice_W");
    assert_eq!(updated["about"], "Likes tea.\nAnd cake.");
    assert_eq!(updated["avatarUrl"], "https://cdn.example.com/a.png");
    assert_eq!(updated["relationship"], "SELF");

    // Omitted fields stay; null clears about and avatarUrl.
    let resp = alice
        .query(UPDATE, json!({ "input": { "about": null } }))
        .await;
    assert_no_errors(&resp);
    let updated = &resp["data"]["updateProfile"]["user"];
    assert_eq!(updated["nickname"], "Alice_W");
    assert_eq!(updated["about"], Value::Null);
    assert_eq!(updated["avatarUrl"], "https://cdn.example.com/a.png");
    let resp = alice
        .query(
            UPDATE,
            json!({ "input": { "avatarUrl": null, "about": "hi" } }),
        )
        .await;
    assert_no_errors(&resp);
    assert_eq!(
        resp["data"]["updateProfile"]["user"]["avatarUrl"],
        Value::Null
    );
    assert_eq!(resp["data"]["updateProfile"]["user"]["about"], "hi");
    // A blank about is no about.
    let resp = alice
        .query(UPDATE, json!({ "input": { "about": "   " } }))
        .await;
    assert_eq!(resp["data"]["updateProfile"]["user"]["about"], Value::Null);
    // An empty input changes nothing.
    let resp = alice.query(UPDATE, json!({ "input": {} })).await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["updateProfile"]["user"]["nickname"], "Alice_W");

    // The new nickname is found, the old one is free again.
    let found = alice
        .query(
            "{ userByNickname(nickname: \"alice_w\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(found["data"]["userByNickname"]["id"], alice.id.as_str());
    let bob = s.seed_user("bob@example.com").await;
    let resp = bob
        .query(UPDATE, json!({ "input": { "nickname": old } }))
        .await;
    assert_no_errors(&resp);
}

#[tokio::test]
async fn nicknames_are_unique_ignoring_case() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let bob = s.seed_user("bob@example.com").await;
    alice.set_nickname("alice").await;
    bob.set_nickname("bob").await;
    for taken in ["alice", "ALICE", "Alice"] {
        let resp = bob
            .query(UPDATE, json!({ "input": { "nickname": taken } }))
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("CONFLICT"),
            "{taken}: {resp}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], "nickname");
    }
    assert_eq!(bob.me().await["nickname"], "bob");
    // Changing the case of one's own nickname is no conflict.
    let resp = alice
        .query(UPDATE, json!({ "input": { "nickname": "ALICE" } }))
        .await;
    assert_no_errors(&resp);
    assert_eq!(resp["data"]["updateProfile"]["user"]["nickname"], "ALICE");
    // Reserved names are refused whatever their case.
    for reserved in ["admin", "Support", "SYSTEM"] {
        let resp = bob
            .query(UPDATE, json!({ "input": { "nickname": reserved } }))
            .await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{reserved}: {resp}"
        );
    }
}

#[tokio::test]
async fn concurrent_claims_of_one_nickname_have_one_winner() {
    let s = start().await;
    let mut people = Vec::new();
    for i in 0..4 {
        people.push(s.seed_user(&format!("racer{i}@example.com")).await);
    }
    for round in 0..5 {
        let wanted = format!("Winner{round}");
        let attempts = people.iter().enumerate().map(|(i, p)| {
            // Different spellings of the same nickname.
            let nickname = if i % 2 == 0 {
                wanted.to_lowercase()
            } else {
                wanted.to_uppercase()
            };
            let gql = p.gql.clone();
            async move {
                gql.query(UPDATE, json!({ "input": { "nickname": nickname } }))
                    .await
            }
        });
        let results = futures::future::join_all(attempts).await;
        let winners = results.iter().filter(|r| r["errors"].is_null()).count();
        assert_eq!(winners, 1, "round {round}: {results:?}");
        for r in results.iter().filter(|r| !r["errors"].is_null()) {
            assert_eq!(error_code(r).as_deref(), Some("CONFLICT"), "{r}");
        }
        let holders = s
            .users_sql()
            .await
            .query_one(
                "SELECT count(*) FROM users WHERE lower(nickname) = lower($1)",
                &[&wanted],
            )
            .await
            .unwrap()
            .get::<_, i64>(0);
        assert_eq!(holders, 1);
    }
}

#[tokio::test]
async fn bad_profile_input_is_refused_and_changes_nothing() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let before = alice.me().await;
    let huge = "x".repeat(1024 * 1024);
    let ok_url = "https://cdn.example.com/a.png";
    let cases = [
        json!({ "input": { "nickname": "ab" } }),
        json!({ "input": { "nickname": "x".repeat(33) } }),
        json!({ "input": { "nickname": "1abc" } }),
        json!({ "input": { "nickname": "_abc" } }),
        json!({ "input": { "nickname": "ab-cd" } }),
        json!({ "input": { "nickname": "two words" } }),
        json!({ "input": { "nickname": "héllo" } }),
        json!({ "input": { "nickname": "abc\u{0}" } }),
        json!({ "input": { "nickname": "" } }),
        json!({ "input": { "nickname": null } }),
        json!({ "input": { "nickname": "admin" } }),
        json!({ "input": { "nickname": huge } }),
        json!({ "input": { "nickname": 42 } }),
        json!({ "input": { "about": "a".repeat(501) } }),
        json!({ "input": { "about": huge } }),
        json!({ "input": { "about": "nul \u{0} inside" } }),
        json!({ "input": { "avatarUrl": "" } }),
        json!({ "input": { "avatarUrl": "http://cdn.example.com/a.png" } }),
        json!({ "input": { "avatarUrl": "ftp://cdn.example.com/a.png" } }),
        json!({ "input": { "avatarUrl": "javascript:alert(1)" } }),
        json!({ "input": { "avatarUrl": "/relative/a.png" } }),
        json!({ "input": { "avatarUrl": "https://user:pw@cdn.example.com/a.png" } }),
        json!({ "input": { "avatarUrl": format!("https://e.com/{}", "a".repeat(2040)) } }),
        json!({ "input": { "avatarUrl": huge } }),
        // One bad field spoils the whole update: the good ones are not applied.
        json!({ "input": { "nickname": "fine_name", "about": "ok", "avatarUrl": "http://x.com/a" } }),
        json!({ "input": { "nickname": "fine_name", "avatarUrl": ok_url, "about": "a".repeat(501) } }),
        json!({ "input": { "nickname": "fine_name", "unknownField": 1 } }),
        json!({ "input": null }),
        json!({}),
        json!({ "input": "nickname" }),
    ];
    for vars in cases {
        let resp = alice.query(UPDATE, vars.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{}: {resp}",
            vars.to_string().chars().take(120).collect::<String>()
        );
    }
    assert_eq!(alice.me().await, before, "nothing was written");

    // Malformed ids and lookups.
    for (query, vars) in [
        (
            "query($id: ID!) { user(id: $id) { id } }",
            json!({ "id": "nope" }),
        ),
        (
            "query($id: ID!) { user(id: $id) { id } }",
            json!({ "id": "" }),
        ),
        (
            "query($id: ID!) { user(id: $id) { id } }",
            json!({ "id": huge }),
        ),
        (
            "query($id: ID!) { user(id: $id) { id } }",
            json!({ "id": null }),
        ),
        (
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }",
            json!({ "r": [{ "__typename": "User", "id": "nope" }] }),
        ),
        ("{ me { id nope } }", json!({})),
        ("{ me { id ", json!({})),
    ] {
        let resp = alice.query(query, vars).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{query}: {resp}"
        );
    }
}

#[tokio::test]
async fn every_field_needs_a_valid_token() {
    let s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    let someone = format!("\"{}\"", alice.id);
    let queries = [
        "{ me { id } }".to_owned(),
        format!("{{ user(id: {someone}) {{ id }} }}"),
        "{ userByNickname(nickname: \"alice\") { id } }".to_owned(),
        "{ searchUsers(query: \"al\") { edges { cursor } } }".to_owned(),
        "{ friends { edges { cursor } } }".to_owned(),
        "{ incomingFriendRequests { edges { cursor } } }".to_owned(),
        "{ outgoingFriendRequests { edges { cursor } } }".to_owned(),
        "mutation { updateProfile(input: {about: \"x\"}) { user { id } } }".to_owned(),
        format!("mutation {{ sendFriendRequest(userId: {someone}) {{ relationship }} }}"),
        format!("mutation {{ cancelFriendRequest(userId: {someone}) {{ relationship }} }}"),
        format!("mutation {{ acceptFriendRequest(userId: {someone}) {{ relationship }} }}"),
        format!("mutation {{ declineFriendRequest(userId: {someone}) {{ relationship }} }}"),
        format!("mutation {{ removeFriend(userId: {someone}) {{ relationship }} }}"),
    ];
    let anonymous = s.gql().clone();
    let junk = s.gql().with_token("not-a-jwt");
    let basic = s.gql().with_header("authorization", "Basic abc");
    for query in &queries {
        for client in [&anonymous, &junk, &basic] {
            let resp = client.query(query, json!({})).await;
            assert_eq!(
                error_code(&resp).as_deref(),
                Some("UNAUTHENTICATED"),
                "{query}: {resp}"
            );
        }
    }
    // A signed-out session's token stops working at once.
    alice.logout().await;
    let resp = alice.query("{ me { id } }", json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("UNAUTHENTICATED"),
        "{resp}"
    );
}

#[tokio::test]
async fn auth_being_down_is_unavailable_not_unauthenticated() {
    let mut s = start().await;
    let alice = s.seed_user("alice@example.com").await;
    s.stop(Service::Auth).await;
    let resp = alice.query("{ me { id } }", json!({})).await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAVAILABLE"), "{resp}");
}

#[tokio::test]
async fn health() {
    let s = start().await;
    let url = format!("http://{}/healthz", s.users().http_addr.unwrap());
    let health = reqwest::get(url).await.unwrap();
    assert_eq!(health.status(), 200);
}

#[test]
fn federation_sdl_snapshot() {
    insta::assert_snapshot!(users::schema::sdl());
}
