//! The messaging tests' stack (auth, users and messaging from
//! `crates/stack`) and what a user does in messaging.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
pub use stack::{PASSWORD, Stack, TestUser};
use testkit::{TestEvents, WsClient, assert_no_errors};

/// Auth, users and messaging; events delivered by `run_pending`.
pub async fn spawn() -> Stack {
    spawn_with(|_| {}).await
}

/// [`spawn`] with messaging's configuration adjusted (auth and users URLs
/// are set before `adjust` runs).
pub async fn spawn_with(adjust: impl FnOnce(&mut messaging::Config) + Send + 'static) -> Stack {
    Stack::builder().messaging(adjust).start().await
}

/// [`spawn`] with auth's configuration adjusted (token lifetimes, say).
pub async fn spawn_with_auth(
    adjust_auth: impl FnOnce(&mut auth::Config) + Send + 'static,
) -> Stack {
    Stack::builder()
        .auth(adjust_auth)
        .messaging(|_| {})
        .start()
        .await
}

/// The stack in `events`' mode, every worker delivering live.
pub async fn spawn_live(events: TestEvents) -> Stack {
    spawn_live_with(events, |_| {}).await
}

/// [`spawn_live`] with messaging's configuration adjusted.
pub async fn spawn_live_with(
    events: TestEvents,
    adjust: impl FnOnce(&mut messaging::Config) + Send + 'static,
) -> Stack {
    Stack::builder()
        .events(events)
        .messaging(adjust)
        .live_delivery()
        .start()
        .await
}

/// What the tests read of messaging's database.
pub trait MessagingDb {
    /// Rows in a messaging table (to check that nothing was written).
    async fn count(&self, table: &str) -> i64;

    /// Waits (up to 10 s) until messaging's outbox is empty: with live
    /// delivery, every event enqueued so far is in the feeds.
    async fn outbox_drained(&self);
}

impl MessagingDb for Stack {
    async fn count(&self, table: &str) -> i64 {
        let row = self
            .messaging_sql()
            .await
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap();
        row.get(0)
    }

    async fn outbox_drained(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let pending = self.count("outbox").await;
            if pending == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{pending} events stuck in the outbox"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub const SEND: &str = "mutation($to: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {to: $to, text: $text, clientMessageId: $cid}) {
    message { id conversationId kind sender { id } recipient { id } text sentAt clientMessageId }
  }
}";

/// `sendMessage` into a conversation (a group's or a direct one).
pub const SEND_IN: &str = "mutation($c: ID!, $text: String!, $cid: String!) {
  sendMessage(input: {conversationId: $c, text: $text, clientMessageId: $cid}) {
    message { id conversationId kind sender { id } recipient { id } text sentAt clientMessageId }
    conversation { id unreadCount lastMessage { id } }
  }
}";

pub const CONVERSATIONS: &str = "query($first: Int, $after: String) {
  conversations(first: $first, after: $after) {
    edges { cursor node { id kind title peer { id } unreadCount lastMessage { id text sender { id } } } }
    pageInfo { hasNextPage endCursor }
  }
}";

pub const CONVERSATION: &str = "query($id: ID!) {
  conversation(id: $id) { id peer { id } unreadCount lastMessage { id } }
}";

/// The history with user `with`, newest first, in the shape of the
/// former `messages(with:)` (`hasNextPage`: older messages follow).
pub const MESSAGES: &str = "query($with: ID!, $first: Int, $before: String) {
  directConversation(with: $with) {
    messages(last: $first, before: $before) {
      edges { cursor node { id conversationId text sender { id } recipient { id } sentAt } }
      pageInfo { hasNextPage: hasPreviousPage endCursor }
    }
  }
}";

/// The connection of a [`MESSAGES`] answer (null without a conversation).
pub fn history_of(resp: &Value) -> &Value {
    &resp["data"]["directConversation"]["messages"]
}

pub const MARK_READ: &str = "mutation($c: ID!, $m: ID!) {
  markRead(input: {conversationId: $c, upTo: $m}) {
    conversation { id unreadCount peer { id } lastMessage { id } }
  }
}";

pub const EVENTS: &str = "subscription($after: String) {
  messageEvents(after: $after) {
    cursor at kind conversationId readUpTo unreadCount unreadTotal user { id }
    message { id conversationId kind text sender { id } recipient { id } clientMessageId }
  }
}";

/// What a user does in messaging, over its GraphQL endpoint.
pub trait Chat {
    /// Sends and returns `sendMessage` (panics on errors).
    async fn send(&self, to: &TestUser, text: &str) -> Value;

    async fn send_with_id(&self, to: &TestUser, text: &str, cid: &str) -> Value;

    /// All of the caller's conversations (one page of 100).
    async fn conversations(&self) -> Vec<Value>;

    /// The whole history with `peer`, newest first, paged by `page`.
    async fn history(&self, peer: &TestUser, page: i64) -> Vec<Value>;

    async fn mark_read(&self, conversation: &Value, up_to: &Value) -> Value;

    /// The cursor of this user's feed as it stands now.
    async fn events_cursor(&self) -> Value;

    /// Subscribes `id` to `messageEvents` from now on, without a race with
    /// messages sent right after this returns.
    async fn subscribe_from_now(&self, ws: &mut WsClient, id: &str);
}

impl Chat for TestUser {
    async fn send(&self, to: &TestUser, text: &str) -> Value {
        self.send_with_id(to, text, &uuid::Uuid::new_v4().to_string())
            .await
    }

    async fn send_with_id(&self, to: &TestUser, text: &str, cid: &str) -> Value {
        let resp = self
            .gql
            .query(SEND, json!({"to": to.id, "text": text, "cid": cid}))
            .await;
        assert_no_errors(&resp);
        resp["data"]["sendMessage"]["message"].clone()
    }

    async fn conversations(&self) -> Vec<Value> {
        let resp = self.gql.query(CONVERSATIONS, json!({"first": 100})).await;
        assert_no_errors(&resp);
        nodes(&resp["data"]["conversations"])
    }

    async fn history(&self, peer: &TestUser, page: i64) -> Vec<Value> {
        let mut all = Vec::new();
        let mut before = Value::Null;
        loop {
            let resp = self
                .gql
                .query(
                    MESSAGES,
                    json!({"with": peer.id, "first": page, "before": before}),
                )
                .await;
            assert_no_errors(&resp);
            let connection = history_of(&resp);
            if connection.is_null() {
                return all;
            }
            all.extend(nodes(connection));
            if connection["pageInfo"]["hasNextPage"] != true {
                return all;
            }
            before = connection["pageInfo"]["endCursor"].clone();
        }
    }

    async fn mark_read(&self, conversation: &Value, up_to: &Value) -> Value {
        let resp = self
            .gql
            .query(MARK_READ, json!({"c": conversation, "m": up_to}))
            .await;
        assert_no_errors(&resp);
        resp["data"]["markRead"]["conversation"].clone()
    }

    async fn events_cursor(&self) -> Value {
        let resp = self.gql.query("{ messageEventsCursor }", json!({})).await;
        assert_no_errors(&resp);
        resp["data"]["messageEventsCursor"].clone()
    }

    async fn subscribe_from_now(&self, ws: &mut WsClient, id: &str) {
        let after = self.events_cursor().await;
        ws.subscribe(id, EVENTS, json!({ "after": after })).await;
    }
}

/// `edges[].node` of a connection.
pub fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no edges in {connection}"))
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

/// Reads `n` subscription events of subscription `id` (panics on anything else).
pub async fn next_events(ws: &mut WsClient, id: &str, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        let msg = ws
            .next_event(Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("only {} of {n} events arrived: {out:?}", out.len()));
        assert_eq!(msg["id"], id, "{msg}");
        assert_eq!(msg["type"], "next", "{msg}");
        assert!(msg["payload"]["errors"].is_null(), "{msg}");
        out.push(msg["payload"]["data"]["messageEvents"].clone());
    }
    out
}

/// The error code a subscription was refused with: from a `next` carrying
/// only errors (resolver errors), or from an `error` message (validation).
pub fn refusal_code(msg: &Value) -> Option<String> {
    if msg["type"] == "next" && !msg["payload"]["data"].is_null() {
        return None;
    }
    testkit::ws_error(msg).0
}

/// Runs `query` as `user` and returns its `data` (panics on errors).
pub async fn ok(user: &TestUser, query: &str, vars: Value) -> Value {
    let resp = user.gql.query(query, vars).await;
    assert_no_errors(&resp);
    resp["data"].clone()
}

/// The first error of `query` as `user`: (code, extensions); panics if it
/// was accepted.
pub async fn refused(user: &TestUser, query: &str, vars: Value) -> (String, Value) {
    let resp = user.gql.query(query, vars.clone()).await;
    let code = testkit::error_code(&resp).unwrap_or_else(|| panic!("{vars} was accepted: {resp}"));
    (code, resp["errors"][0]["extensions"].clone())
}

/// A group of `owner` (OWNER) with `members` (befriended first); its id.
pub async fn create_group(
    t: &Stack,
    owner: &TestUser,
    title: &str,
    members: &[&TestUser],
) -> Value {
    for member in members {
        t.befriend(owner, member).await;
    }
    let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
    ok(
        owner,
        "mutation($title: String!, $ids: [ID!]!) {
          createGroup(input: {title: $title, memberIds: $ids}) { conversation { id } }
        }",
        json!({"title": title, "ids": ids}),
    )
    .await["createGroup"]["conversation"]["id"]
        .clone()
}
