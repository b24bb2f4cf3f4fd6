//! The messaging GraphQL API over real HTTP, with real auth and users
//! services and a real database.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use crate::common::{
    CONVERSATION, CONVERSATIONS, Chat as _, MARK_READ, MESSAGES, MessagingDb as _, SEND,
    history_of, nodes, spawn, spawn_with,
};
use messaging::cursor;
use serde_json::{Value, json};
use testkit::{assert_no_errors, error_code};

#[tokio::test]
async fn send_and_read_from_both_sides() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));

    let first = alice.send(&bob, "  hello Bob\n").await;
    assert_eq!(first["text"], "hello Bob", "text is stored trimmed");
    assert_eq!(first["sender"]["id"], alice.id.as_str());
    assert_eq!(first["recipient"]["id"], bob.id.as_str());
    let second = alice.send(&bob, "are you there?").await;
    assert_eq!(second["conversationId"], first["conversationId"]);
    // The reply lands in the same conversation, found from the other side.
    let reply = bob.send(&alice, "yes").await;
    assert_eq!(reply["conversationId"], first["conversationId"]);
    let third = alice.send(&bob, "good").await;

    let bobs = bob.conversations().await;
    assert_eq!(bobs.len(), 1);
    assert_eq!(bobs[0]["id"], first["conversationId"]);
    assert_eq!(bobs[0]["peer"]["id"], alice.id.as_str());
    assert_eq!(bobs[0]["lastMessage"]["id"], third["id"]);
    assert_eq!(
        bobs[0]["unreadCount"], 1,
        "Alice's message after his reply (sending read the two before)"
    );
    let alices = alice.conversations().await;
    assert_eq!(alices.len(), 1);
    assert_eq!(alices[0]["peer"]["id"], bob.id.as_str());
    assert_eq!(
        alices[0]["unreadCount"], 0,
        "Bob's reply, read by Alice's own message after it"
    );

    // History: newest first, the same from both sides.
    let history = bob.history(&alice, 100).await;
    let ids: Vec<&Value> = history.iter().map(|m| &m["id"]).collect();
    assert_eq!(
        ids,
        [&third["id"], &reply["id"], &second["id"], &first["id"]]
    );
    assert_eq!(alice.history(&bob, 2).await, history);

    let one = bob
        .gql
        .query(CONVERSATION, json!({"id": first["conversationId"]}))
        .await;
    assert_no_errors(&one);
    assert_eq!(one["data"]["conversation"]["unreadCount"], 1);
}

#[tokio::test]
async fn mark_read_moves_forward_only() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let m1 = alice.send(&bob, "one").await;
    let m2 = alice.send(&bob, "two").await;
    let m3 = alice.send(&bob, "three").await;
    let conversation = &m1["conversationId"];

    let read = bob.mark_read(conversation, &m2["id"]).await;
    assert_eq!(read["unreadCount"], 1);
    assert_eq!(read["lastMessage"]["id"], m3["id"]);
    assert_eq!(read["peer"]["id"], alice.id.as_str());
    // Backwards: nothing changes.
    let read = bob.mark_read(conversation, &m1["id"]).await;
    assert_eq!(read["unreadCount"], 1);
    let read = bob.mark_read(conversation, &m3["id"]).await;
    assert_eq!(read["unreadCount"], 0);
    // Marking read up to one's own message is allowed and changes nothing else.
    let mine = bob.send(&alice, "mine").await;
    assert_eq!(
        bob.mark_read(conversation, &mine["id"]).await["unreadCount"],
        0
    );
    // New messages count again; the sender's own never do.
    alice.send(&bob, "four").await;
    assert_eq!(bob.conversations().await[0]["unreadCount"], 1);
    // Sending reads up to one's own message: "mine" is read on Alice's side.
    assert_eq!(alice.conversations().await[0]["unreadCount"], 0);
    // Bob marking read does not touch Alice's side.
    let read = alice.mark_read(conversation, &mine["id"]).await;
    assert_eq!(read["unreadCount"], 0);
    assert_eq!(bob.conversations().await[0]["unreadCount"], 1);
}

#[tokio::test]
async fn unread_counts_stay_exact_under_concurrent_sends_and_marks() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let first = alice.send(&bob, "start").await;
    let conversation = first["conversationId"].clone();

    let sender = {
        let alice = alice.clone();
        let bob = bob.clone();
        tokio::spawn(async move {
            for i in 0..30 {
                alice.send(&bob, &format!("message {i}")).await;
            }
        })
    };
    // Meanwhile Bob keeps marking read up to the newest message he sees,
    // and each answer must match the history he can read afterwards.
    let mut marked = Vec::new();
    for _ in 0..10 {
        let resp = bob
            .gql
            .query(MESSAGES, json!({"with": alice.id, "first": 1}))
            .await;
        assert_no_errors(&resp);
        let newest = nodes(history_of(&resp))[0]["id"].clone();
        let read = bob.mark_read(&conversation, &newest).await;
        marked.push((newest, read["unreadCount"].as_i64().unwrap()));
    }
    sender.await.unwrap();

    // Whatever Bob marked last is the marker (markers only move forward and
    // he always marked the newest he saw); unread = messages after it.
    let history = bob.history(&alice, 100).await;
    assert_eq!(history.len(), 31);
    let (last_marked, _) = marked.last().unwrap();
    let after_marker = history
        .iter()
        .position(|m| &m["id"] == last_marked)
        .unwrap();
    assert_eq!(
        bob.conversations().await[0]["unreadCount"],
        after_marker as i64
    );
    // At each mark, the count matched the messages newer than the mark at
    // that moment: never negative, never more than what exists after it.
    for (id, unread) in &marked {
        let newer = history.iter().position(|m| &m["id"] == id).unwrap() as i64;
        assert!(
            (0..=newer).contains(unread),
            "{unread} unread after {id}, {newer} newer now"
        );
    }
    let read = bob.mark_read(&conversation, &history[0]["id"]).await;
    assert_eq!(read["unreadCount"], 0);
}

#[tokio::test]
async fn a_retry_returns_the_original_message() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let original = alice.send_with_id(&bob, "once", "cid-1").await;
    let retry = alice.send_with_id(&bob, "once", "cid-1").await;
    assert_eq!(retry, original, "same message, same timestamp");
    assert_eq!(bob.history(&alice, 100).await.len(), 1);
    assert_eq!(bob.conversations().await[0]["unreadCount"], 1);
    t.run_pending().await;
    assert_eq!(
        t.count("feed_events").await,
        2,
        "one entry each for Bob and Alice"
    );

    // The id is per sender: Bob may use the same one.
    bob.send_with_id(&alice, "mine", "cid-1").await;
    // Reusing it for another message is refused.
    let resp = alice
        .gql
        .query(
            SEND,
            json!({"to": bob.id, "text": "different", "cid": "cid-1"}),
        )
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("CONFLICT"), "{resp}");
    assert_eq!(resp["errors"][0]["extensions"]["field"], "clientMessageId");
    assert_eq!(t.count("messages").await, 2);
}

#[tokio::test]
async fn concurrent_retries_create_one_message() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    // The first message of a new conversation: the conversation is raced too.
    let tries = (0..12).map(|_| alice.send_with_id(&bob, "hi", "same-id"));
    let results = futures::future::join_all(tries).await;
    for result in &results {
        assert_eq!(result, &results[0]);
    }
    assert_eq!(t.count("messages").await, 1);
    assert_eq!(t.count("conversations").await, 1);
    t.run_pending().await;
    assert_eq!(t.count("feed_events").await, 2);
    assert_eq!(bob.conversations().await[0]["unreadCount"], 1);
}

#[tokio::test]
async fn first_messages_racing_both_ways_share_one_conversation() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let (a, b) = tokio::join!(alice.send(&bob, "hi Bob"), bob.send(&alice, "hi Alice"));
    assert_eq!(a["conversationId"], b["conversationId"]);
    assert_eq!(t.count("conversations").await, 1);
    // The later of the two read the earlier one by sending.
    let unread = alice.conversations().await[0]["unreadCount"]
        .as_i64()
        .unwrap()
        + bob.conversations().await[0]["unreadCount"]
            .as_i64()
            .unwrap();
    assert_eq!(unread, 1);
}

#[tokio::test]
async fn only_participants_can_read_a_conversation() {
    let t = spawn().await;
    let (alice, bob, eve) =
        tokio::join!(t.seed_user("alice"), t.seed_user("bob"), t.seed_user("eve"));
    let message = alice.send(&bob, "private").await;
    let conversation = &message["conversationId"];

    assert!(eve.conversations().await.is_empty());
    assert!(eve.history(&alice, 100).await.is_empty());
    assert!(eve.history(&bob, 100).await.is_empty());
    let resp = eve
        .gql
        .query(CONVERSATION, json!({"id": conversation}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");
    let unknown = eve
        .gql
        .query(
            CONVERSATION,
            json!({"id": uuid::Uuid::now_v7().to_string()}),
        )
        .await;
    assert_eq!(
        resp["errors"][0]["message"], unknown["errors"][0]["message"],
        "someone else's conversation looks like one that does not exist"
    );
    let resp = eve
        .gql
        .query(MARK_READ, json!({"c": conversation, "m": message["id"]}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");
    // A message of another conversation cannot be used as a marker either.
    let other = eve.send(&alice, "hello").await;
    let resp = bob
        .gql
        .query(MARK_READ, json!({"c": conversation, "m": other["id"]}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");
    assert_eq!(bob.conversations().await[0]["unreadCount"], 1);

    // Without a token nothing answers.
    for (query, vars) in [
        (CONVERSATIONS, json!({})),
        (CONVERSATION, json!({"id": conversation})),
        (MESSAGES, json!({"with": alice.id})),
        (MARK_READ, json!({"c": conversation, "m": message["id"]})),
        (SEND, json!({"to": bob.id, "text": "x", "cid": "c"})),
    ] {
        let resp = t.gql().query(query, vars.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
        let resp = t.gql().with_token("not-a-token").query(query, vars).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("UNAUTHENTICATED"),
            "{resp}"
        );
    }
}

#[tokio::test]
async fn history_pages_are_stable_under_concurrent_sends() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let mut sent = Vec::new();
    for i in 0..25 {
        sent.push(alice.send(&bob, &format!("before {i}")).await["id"].clone());
    }
    sent.reverse(); // newest first

    // Page through while more messages arrive from both sides.
    let writer = {
        let (alice, bob) = (alice.clone(), bob.clone());
        tokio::spawn(async move {
            for i in 0..20 {
                if i % 2 == 0 {
                    alice.send(&bob, &format!("during {i}")).await;
                } else {
                    bob.send(&alice, &format!("during {i}")).await;
                }
            }
        })
    };
    let mut seen: Vec<Value> = Vec::new();
    let mut before = Value::Null;
    loop {
        let page = bob
            .gql
            .query(
                MESSAGES,
                json!({"with": alice.id, "first": 7, "before": before}),
            )
            .await;
        assert_no_errors(&page);
        let connection = history_of(&page);
        seen.extend(nodes(connection).iter().map(|m| m["id"].clone()));
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        before = connection["pageInfo"]["endCursor"].clone();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    writer.await.unwrap();
    // Messages sent meanwhile can only be on the first page (they are newer
    // than any cursor); after them come exactly the earlier 25, in order.
    let first_old = seen.iter().position(|id| sent.contains(id)).unwrap();
    assert!(first_old <= 7, "new messages only on the first page");
    assert_eq!(&seen[first_old..], &sent[..], "no gaps, no repeats");
    let all = bob.history(&alice, 100).await;
    assert_eq!(all.len(), 45);
    let ids: std::collections::HashSet<_> = all.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 45);
}

#[tokio::test]
async fn conversations_page_by_recent_activity() {
    let t = spawn().await;
    let alice = t.seed_user("alice").await;
    let mut peers = Vec::new();
    for name in ["p0", "p1", "p2", "p3", "p4"] {
        let peer = t.seed_user(name).await;
        alice.send(&peer, "hi").await;
        peers.push(peer);
    }
    // p1 writes back: its conversation moves to the top.
    peers[1].send(&alice, "back").await;
    let expected: Vec<&str> = ["p1", "p4", "p3", "p2", "p0"]
        .iter()
        .map(|n| peers[n[1..].parse::<usize>().unwrap()].id.as_str())
        .collect();

    let mut got = Vec::new();
    let mut after = Value::Null;
    loop {
        let resp = alice
            .gql
            .query(CONVERSATIONS, json!({"first": 2, "after": after}))
            .await;
        assert_no_errors(&resp);
        let connection = &resp["data"]["conversations"];
        got.extend(
            nodes(connection)
                .iter()
                .map(|c| c["peer"]["id"].as_str().unwrap().to_owned()),
        );
        if connection["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(got, expected);
    assert_eq!(
        alice.conversations().await[0]["lastMessage"]["text"],
        "back"
    );
}

/// Every kind of bad input: BAD_USER_INPUT, and nothing written anywhere.
#[tokio::test]
async fn bad_input_is_refused_and_writes_nothing() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let long = "x".repeat(4001);
    let long_cid = "c".repeat(129);
    let sends = [
        json!({"to": bob.id, "text": "", "cid": "a"}),
        json!({"to": bob.id, "text": " \n\t ", "cid": "a"}),
        json!({"to": bob.id, "text": long, "cid": "a"}),
        json!({"to": bob.id, "text": "nul \u{0} here", "cid": "a"}),
        json!({"to": bob.id, "text": "escape \u{1b}[31m", "cid": "a"}),
        json!({"to": bob.id, "text": "carriage\r\nreturn", "cid": "a"}),
        json!({"to": bob.id, "text": "delete \u{7f}", "cid": "a"}),
        json!({"to": bob.id, "text": "ok", "cid": ""}),
        json!({"to": bob.id, "text": "ok", "cid": "has space"}),
        json!({"to": bob.id, "text": "ok", "cid": "ünïcode"}),
        json!({"to": bob.id, "text": "ok", "cid": long_cid}),
        json!({"to": "not-a-uuid", "text": "ok", "cid": "a"}),
        json!({"to": "", "text": "ok", "cid": "a"}),
        json!({"to": alice.id, "text": "note to self", "cid": "a"}),
        // Wrongly typed or missing variables.
        json!({"to": bob.id, "text": 5, "cid": "a"}),
        json!({"to": bob.id, "cid": "a"}),
        json!({"to": bob.id, "text": "ok", "cid": null}),
    ];
    for vars in sends {
        let resp = alice.gql.query(SEND, vars.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{vars} -> {resp}"
        );
        assert!(resp["data"].is_null() || resp["data"]["sendMessage"].is_null());
    }
    // Not valid UTF-8 (a lone surrogate) never reaches the resolver.
    let body = br#"{"query": "mutation($to: ID!, $t: String!) { sendMessage(input: {to: $to, text: $t, clientMessageId: \"x\"}) { message { id } } }", "variables": {"to": "TO", "t": "\ud800"}}"#;
    let body = String::from_utf8_lossy(body)
        .replace("TO", &bob.id)
        .into_bytes();
    let (status, resp) = alice.gql.post_raw(body, "application/json").await;
    assert_eq!(status, 400, "{resp}");
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
    let (_, resp) = alice
        .gql
        .post_raw(b"{not json".to_vec(), "application/json")
        .await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );

    // Reads and marks with bad arguments.
    let reads = [
        (MESSAGES, json!({"with": "nope"})),
        (MESSAGES, json!({"with": alice.id})),
        (CONVERSATIONS, json!({"first": 0})),
        (CONVERSATIONS, json!({"first": 1000})),
        (CONVERSATIONS, json!({"after": "garbage"})),
        (CONVERSATION, json!({"id": "nope"})),
        (
            MARK_READ,
            json!({"c": "nope", "m": uuid::Uuid::now_v7().to_string()}),
        ),
        (
            MARK_READ,
            json!({"c": uuid::Uuid::now_v7().to_string(), "m": "nope"}),
        ),
    ];
    for (query, vars) in reads {
        let resp = alice.gql.query(query, vars.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{vars} -> {resp}"
        );
    }

    for table in [
        "conversations",
        "conversation_members",
        "messages",
        "feed_events",
        "outbox",
    ] {
        assert_eq!(t.count(table).await, 0, "{table} must stay empty");
    }
    // After all that, a good message goes through.
    alice.send(&bob, "finally").await;
    assert_eq!(t.count("messages").await, 1);
    // Pages of its history with bad arguments.
    let pages = [
        json!({"with": bob.id, "first": 0}),
        json!({"with": bob.id, "first": 101}),
        json!({"with": bob.id, "first": -5}),
        json!({"with": bob.id, "before": "garbage"}),
        json!({"with": bob.id, "before": ""}),
        // A valid cursor of the other list is still not a message cursor.
        json!({"with": bob.id, "before": cursor::encode(cursor::Kind::Conversation, 1)}),
    ];
    for vars in pages {
        let resp = alice.gql.query(MESSAGES, vars.clone()).await;
        assert_eq!(
            error_code(&resp).as_deref(),
            Some("BAD_USER_INPUT"),
            "{vars} -> {resp}"
        );
    }
}

#[tokio::test]
async fn text_limits_count_characters_not_bytes() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let longest = "é".repeat(4000);
    let sent = alice.send(&bob, &format!("  {longest}\t")).await;
    assert_eq!(sent["text"], longest.as_str());
    let sent = alice.send(&bob, "line one\n\tline two 🎉").await;
    assert_eq!(sent["text"], "line one\n\tline two 🎉");
}

#[tokio::test]
async fn unknown_recipients_are_not_found() {
    let t = spawn().await;
    let alice = t.seed_user("alice").await;
    let stranger = uuid::Uuid::new_v4().to_string();
    let resp = alice
        .gql
        .query(SEND, json!({"to": stranger, "text": "hi", "cid": "a"}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("NOT_FOUND"), "{resp}");
    assert_eq!(t.count("messages").await, 0);
    assert_eq!(t.count("conversations").await, 0);
    // A user that appears later can be written to (unknown ids are not cached).
    let bob = t.seed_user("bob").await;
    alice.send(&bob, "now you exist").await;
}

#[tokio::test]
async fn users_down_is_unavailable_but_known_recipients_are_cached() {
    let t = spawn().await;
    let (alice, bob) = tokio::join!(t.seed_user("alice"), t.seed_user("bob"));
    let original = alice.send_with_id(&bob, "while users is up", "k1").await;

    // A messaging process whose users service is unreachable.
    let mut config = t.messaging_config();
    "http://127.0.0.1:9".clone_into(&mut config.users_grpc_url);
    config.service.db_pool_size = 2;
    let cut_off = messaging::start(
        &config,
        messaging::Parts {
            worker: false,
            ..messaging::Parts::ALL
        },
    )
    .await
    .unwrap();
    let gql = testkit::GraphqlClient::new(cut_off.graphql_url()).with_token(&alice.access_token);
    let resp = gql
        .query(SEND, json!({"to": bob.id, "text": "hi", "cid": "x"}))
        .await;
    assert_eq!(error_code(&resp).as_deref(), Some("UNAVAILABLE"), "{resp}");
    assert_eq!(t.count("messages").await, 1);
    // A retry of an already sent message needs no users at all.
    let retry = gql
        .query(
            SEND,
            json!({"to": bob.id, "text": "while users is up", "cid": "k1"}),
        )
        .await;
    assert_no_errors(&retry);
    assert_eq!(retry["data"]["sendMessage"]["message"], original);

    // The first process knows Bob exists: it keeps working with users gone.
    t.users().shutdown_handle().trigger();
    let mut gone = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let probe = grpc_api::channel::endpoint(&t.users().grpc_url()).unwrap();
        if probe.connect().await.is_err() {
            gone = true;
            break;
        }
    }
    assert!(gone, "users stopped listening");
    alice.send(&bob, "users is down").await;
    cut_off.stop().await;
}

/// Every service's HTTP `/healthz` and gRPC `grpc.health.v1.Health`
/// answer, the latter without the services' credential (probes hold no
/// secret); everything else on a gRPC port needs it.
#[tokio::test]
async fn health_endpoints_answer() {
    let t = spawn().await;
    let url = t.messaging().graphql_url().replace("/graphql", "/healthz");
    let body = reqwest_get(&url).await;
    assert_eq!(body, "ok");

    for (name, grpc_url) in [
        ("auth", t.auth().grpc_url()),
        ("users", t.users().grpc_url()),
        ("messaging", t.messaging().grpc_url()),
    ] {
        let channel = grpc_api::channel::endpoint(&grpc_url)
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
        for service in ["", name] {
            let status = health
                .check(tonic_health::pb::HealthCheckRequest {
                    service: service.to_owned(),
                })
                .await
                .unwrap_or_else(|status| panic!("{name} health {service:?}: {status:?}"))
                .into_inner()
                .status;
            assert_eq!(
                status,
                tonic_health::pb::health_check_response::ServingStatus::Serving as i32,
                "{name} health {service:?}"
            );
        }
        // Anything else on that port needs the credential, even a method
        // the port does not serve.
        let mut other = grpc_api::users::v1::users_client::UsersClient::new(channel);
        let status = other
            .get_users(grpc_api::users::v1::GetUsersRequest { ids: vec![] })
            .await
            .unwrap_err();
        assert_eq!(
            status.code(),
            tonic::Code::Unauthenticated,
            "{name}: {status:?}"
        );
    }
}

async fn reqwest_get(url: &str) -> String {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    client.get(url).send().await.unwrap().text().await.unwrap()
}

#[test]
fn federation_sdl_snapshot() {
    insta::assert_snapshot!(messaging::schema::sdl());
}

#[tokio::test]
async fn deep_queries_are_refused() {
    let t = spawn_with(|_| {}).await;
    let alice = t.seed_user("alice").await;
    let deep = "{ conversations { edges { node { lastMessage { sender { id } } } } pageInfo { hasNextPage } } }";
    assert_no_errors(&alice.gql.query(deep, json!({})).await);
    let introspection_bomb = format!(
        "{{ __schema {{ types {{ {} }} }} }}",
        "fields { type { ofType { ".repeat(6) + "name" + &" } } }".repeat(6)
    );
    let resp = alice.gql.query(&introspection_bomb, json!({})).await;
    assert_eq!(
        error_code(&resp).as_deref(),
        Some("BAD_USER_INPUT"),
        "{resp}"
    );
}
