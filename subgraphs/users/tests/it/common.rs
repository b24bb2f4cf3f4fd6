//! The users tests' stack (auth and users from `crates/stack`) and what a
//! person does in users: profile, friendships, friend events.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
pub use stack::{Service, Stack, TestUser as Person};
use testkit::{TestEvents, WsClient};

/// Every field of `User`, for queries.
pub const USER_FIELDS: &str = "id nickname about avatarUrl createdAt relationship";

/// Auth and users; events delivered by `run_pending`.
pub async fn start() -> Stack {
    start_with(|_| {}).await
}

/// [`start`] with users' configuration adjusted.
pub async fn start_with(adjust: impl FnOnce(&mut users::Config) + Send + 'static) -> Stack {
    Stack::builder().users(adjust).start().await
}

/// Auth and users in `events`' mode, every worker delivering live.
pub async fn start_live(events: TestEvents) -> Stack {
    Stack::builder()
        .events(events)
        .users(|_| {})
        .live_delivery()
        .start()
        .await
}

/// Waits (up to 10 s) until `me` answers for `person`; returns it. For
/// the tests of live delivery: elsewhere users are seeded, or
/// `run_pending` delivers.
pub async fn wait_for_me(person: &Person) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let resp = person
            .gql
            .query(&format!("{{ me {{ {USER_FIELDS} }} }}"), json!({}))
            .await;
        if resp["errors"].is_null() {
            return resp["data"]["me"].clone();
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared in users: {resp}",
            person.email
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What a person does in users, over its GraphQL endpoint.
pub trait PersonExt {
    async fn query(&self, query: &str, variables: Value) -> Value;

    /// `me`, asserting success.
    async fn me(&self) -> Value;

    /// Runs a friendship mutation (`sendFriendRequest`, …) on `user_id`;
    /// returns the whole response.
    async fn act(&self, mutation: &str, user_id: &str) -> Value;

    /// Like [`act`](Self::act), asserting success; returns the new relationship.
    async fn act_ok(&self, mutation: &str, user_id: &str) -> String;

    /// How `user_id` stands to this person.
    async fn relationship(&self, user_id: &str) -> String;

    /// All of one list (`friends`, `incomingFriendRequests`,
    /// `outgoingFriendRequests`), as user ids, following the cursors.
    async fn list_all(&self, list: &str) -> Vec<String>;

    /// One page of a list, asserting success.
    async fn page(&self, list: &str, first: i32, after: &Value) -> Value;

    /// Signs this session out in auth.
    async fn logout(&self);

    /// Gives this person `nickname` (`updateProfile`), asserting success:
    /// new users get a random one.
    async fn set_nickname(&self, nickname: &str);
}

impl PersonExt for Person {
    async fn query(&self, query: &str, variables: Value) -> Value {
        self.gql.query(query, variables).await
    }

    async fn me(&self) -> Value {
        let resp = self
            .query(&format!("{{ me {{ {USER_FIELDS} }} }}"), json!({}))
            .await;
        testkit::assert_no_errors(&resp);
        resp["data"]["me"].clone()
    }

    async fn act(&self, mutation: &str, user_id: &str) -> Value {
        self.query(
            &format!(
                "mutation($id: ID!) {{ {mutation}(userId: $id) {{ user {{ id }} relationship }} }}"
            ),
            json!({ "id": user_id }),
        )
        .await
    }

    async fn act_ok(&self, mutation: &str, user_id: &str) -> String {
        let resp = self.act(mutation, user_id).await;
        testkit::assert_no_errors(&resp);
        assert_eq!(resp["data"][mutation]["user"]["id"], user_id);
        resp["data"][mutation]["relationship"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn relationship(&self, user_id: &str) -> String {
        let resp = self
            .query(
                "query($id: ID!) { user(id: $id) { relationship } }",
                json!({ "id": user_id }),
            )
            .await;
        testkit::assert_no_errors(&resp);
        resp["data"]["user"]["relationship"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn list_all(&self, list: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = self.page(list, 2, &after).await;
            for edge in page["edges"].as_array().unwrap() {
                ids.push(edge["node"]["id"].as_str().unwrap().to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                return ids;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
    }

    async fn page(&self, list: &str, first: i32, after: &Value) -> Value {
        let resp = self
            .query(
                &format!(
                    "query($first: Int, $after: String) {{ {list}(first: $first, after: $after) {{
                       edges {{ cursor node {{ id nickname relationship }} }}
                       pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
                     }} }}"
                ),
                json!({ "first": first, "after": after }),
            )
            .await;
        testkit::assert_no_errors(&resp);
        resp["data"][list].clone()
    }

    async fn logout(&self) {
        let resp = self
            .auth_gql
            .query("mutation { logout { sessionId } }", json!({}))
            .await;
        testkit::assert_no_errors(&resp);
    }

    async fn set_nickname(&self, nickname: &str) {
        let resp = self
            .query(
                "mutation($n: String!) { updateProfile(input: {nickname: $n}) { user { nickname } } }",
                json!({ "n": nickname }),
            )
            .await;
        testkit::assert_no_errors(&resp);
        assert_eq!(resp["data"]["updateProfile"]["user"]["nickname"], nickname);
    }
}

/// Whether `nickname` has the shape of a default one: `user_` and six of
/// `a-z 0-9`.
pub fn is_default_nickname(nickname: &str) -> bool {
    nickname.strip_prefix("user_").is_some_and(|suffix| {
        suffix.len() == 6
            && suffix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The error code of a WebSocket `next`/`error` message, if it carries one.
pub fn ws_error_code(msg: &Value) -> Option<String> {
    testkit::ws_error(msg).0
}

pub const FRIEND_EVENTS: &str = "subscription($after: String) {
  friendEvents(after: $after) { cursor kind at user { id nickname relationship } }
}";

/// The next `friendEvents` payload on `ws` (within 5 s), asserting it is one.
pub async fn next_friend_event(ws: &mut WsClient) -> Value {
    let msg = ws
        .next_event(Duration::from_secs(5))
        .await
        .expect("a friend event within 5 s");
    assert_eq!(msg["type"], "next", "{msg}");
    assert!(msg["payload"]["errors"].is_null(), "{msg}");
    msg["payload"]["data"]["friendEvents"].clone()
}
