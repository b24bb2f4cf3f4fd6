//! The one-statement send (`db::messages::send`) against a real database,
//! without the services around it and behind `sendMessage`: what it writes,
//! that the outbox payload it builds in SQL is exactly the `MessageSent`
//! the event's handlers read, and the rate limit it counts in the same
//! statement.

#![allow(clippy::expect_used)]
use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use messaging::db::conversations;
use messaging::db::messages::{self, Outgoing, SendError};
use messaging::events::MessageSent;
use outbox::Event as _;
use serde_json::Value;
use testkit::TestDatabase;
use uuid::Uuid;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/messaging");

fn outgoing<'a>(sender: Uuid, recipient: Uuid, text: &'a str, cid: &'a str) -> Outgoing<'a> {
    Outgoing {
        id: Uuid::now_v7(),
        sender_id: sender,
        recipient_id: recipient,
        body: text,
        client_message_id: cid,
        new_conversation_id: Uuid::now_v7(),
        reply_to_id: None,
        friends: false,
    }
}

#[derive(QueryableByName)]
struct OutboxRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    payload: serde_json::Value,
}

async fn outbox(conn: &mut AsyncPgConnection) -> Vec<OutboxRow> {
    diesel::sql_query("SELECT kind, payload FROM outbox ORDER BY id")
        .load(conn)
        .await
        .expect("read outbox")
}

/// `payload` decoded into `E` as strictly as `#[serde(deny_unknown_fields)]`
/// would, and more: no key the type does not know, and every key it has
/// present (none filled by a default or left `None` for want of it). The
/// types themselves stay lenient, so that a field added later does not
/// park the events a worker of the version before reads.
fn decode_exactly<E: outbox::Event>(payload: &Value) -> E {
    let event: E = serde_json::from_value(payload.clone())
        .unwrap_or_else(|e| panic!("{payload} is not a {}: {e}", E::KIND));
    let keys = |value: &Value| -> BTreeSet<String> {
        value
            .as_object()
            .unwrap_or_else(|| panic!("{value} is not an object"))
            .keys()
            .cloned()
            .collect()
    };
    let typed = serde_json::to_value(&event).expect("serialize");
    assert_eq!(
        keys(payload),
        keys(&typed),
        "the keys written are not those of a {}",
        E::KIND
    );
    event
}

/// (unread count as the API derives it, last_activity) of `user` in
/// conversation `id`.
async fn member(conn: &mut AsyncPgConnection, id: Uuid, user: Uuid) -> (i64, i64) {
    let view = conversations::member_view(conn, id, user)
        .await
        .expect("read membership")
        .expect("membership");
    (
        view.member.unread(view.conversation.last_seq),
        view.member.last_activity,
    )
}

#[tokio::test]
async fn a_send_writes_message_counters_and_an_event_the_handler_reads() {
    let db = TestDatabase::new(MIGRATIONS).await;
    let mut conn = AsyncPgConnection::establish(db.url())
        .await
        .expect("connect");
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());

    let first = messages::send(&mut conn, &outgoing(alice, bob, "hi ☃ \"bob\"", "c1"), None)
        .await
        .expect("first send");
    let second = messages::send(&mut conn, &outgoing(bob, alice, "hello", "c1"), None)
        .await
        .expect("reply");
    let third = messages::send(&mut conn, &outgoing(alice, bob, "again", "c2"), None)
        .await
        .expect("third send");

    assert_eq!((first.seq, second.seq, third.seq), (1, 2, 3));
    assert_eq!(first.conversation_id, second.conversation_id);
    assert_eq!(first.conversation_id, third.conversation_id);
    assert_eq!(first.body, "hi ☃ \"bob\"");

    let conversation = conversations::by_pair(&mut conn, alice, bob)
        .await
        .expect("read conversation")
        .expect("conversation exists");
    assert_eq!(conversation.id, first.conversation_id);
    assert_eq!(conversation.last_seq, 3);
    assert_eq!(conversation.last_message_id, Some(third.id));

    // Bob has one unread from Alice (his reply read her first), Alice
    // none (her second read his reply); both members moved to the same,
    // newest place in their lists.
    let (bob_unread, bob_activity) = member(&mut conn, conversation.id, bob).await;
    let (alice_unread, alice_activity) = member(&mut conn, conversation.id, alice).await;
    assert_eq!((bob_unread, alice_unread), (1, 0));
    assert_eq!(bob_activity, alice_activity);

    let events = outbox(&mut conn).await;
    assert_eq!(events.len(), 3);
    for (row, message) in events.iter().zip([&first, &second, &third]) {
        assert_eq!(row.kind, MessageSent::KIND);
        let payload: MessageSent = decode_exactly(&row.payload);
        assert_eq!(payload, MessageSent::try_from(message).expect("typed"));
    }
}

/// `sendMessage` through the API; the stack's workers deliver only on
/// `run_pending`, so the event stays in the outbox: the row the statement
/// wrote is exactly the `MessageSent` of the message the client got back.
#[tokio::test]
async fn send_message_queues_exactly_the_message_sent_event() {
    use crate::common::Chat as _;
    let stack = crate::common::spawn().await;
    let (alice, bob) = tokio::join!(stack.seed_user("alice"), stack.seed_user("bob"));
    let sent = alice.send(&bob, "hi ☃ \"bob\"\n\ttabbed").await;

    let mut conn = AsyncPgConnection::establish(stack.messaging_db().url())
        .await
        .expect("connect");
    let rows = outbox(&mut conn).await;
    assert_eq!(rows.len(), 1, "one event, still queued");
    assert_eq!(rows[0].kind, MessageSent::KIND);
    let event: MessageSent = decode_exactly(&rows[0].payload);

    let uuid = |v: &Value| Uuid::parse_str(v.as_str().expect("an id")).expect("a uuid");
    let sent_at = sent["sentAt"].as_str().expect("sentAt");
    let expected = MessageSent {
        id: uuid(&sent["id"]),
        conversation_id: uuid(&sent["conversationId"]),
        seq: 1,
        kind: "TEXT".to_owned(),
        sender_id: Some(uuid(&sent["sender"]["id"])),
        recipient_id: Some(uuid(&sent["recipient"]["id"])),
        text: sent["text"].as_str().expect("text").to_owned(),
        system: None,
        client_message_id: Some(sent["clientMessageId"].as_str().expect("cid").to_owned()),
        sent_at: chrono::DateTime::parse_from_rfc3339(sent_at)
            .expect("RFC 3339")
            .to_utc(),
    };
    assert_eq!(event, expected);
    assert_eq!(expected.text, "hi ☃ \"bob\"\n\ttabbed");
    assert_eq!(expected.sender_id.map(|id| id.to_string()), Some(alice.id));
    assert_eq!(expected.recipient_id.map(|id| id.to_string()), Some(bob.id));
}

#[tokio::test]
async fn a_used_client_message_id_writes_nothing() {
    let db = TestDatabase::new(MIGRATIONS).await;
    let mut conn = AsyncPgConnection::establish(db.url())
        .await
        .expect("connect");
    let (alice, bob, carol) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let first = messages::send(&mut conn, &outgoing(alice, bob, "hi", "same"), None)
        .await
        .expect("first send");

    // The same id again, to the same peer and to another one.
    for to in [bob, carol] {
        let again = messages::send(&mut conn, &outgoing(alice, to, "other", "same"), None).await;
        assert!(matches!(again, Err(SendError::Duplicate)), "{again:?}");
    }

    let conversation = conversations::by_pair(&mut conn, alice, bob)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(conversation.last_seq, 1, "the seq bump was rolled back");
    assert_eq!(conversation.last_message_id, Some(first.id));
    assert_eq!(member(&mut conn, conversation.id, bob).await.0, 1);
    assert!(
        conversations::by_pair(&mut conn, alice, carol)
            .await
            .expect("read")
            .is_none(),
        "no conversation was started with carol"
    );
    assert_eq!(outbox(&mut conn).await.len(), 1);
}

/// The limiter's state for `key`: its theoretical arrival time, in
/// microseconds since the epoch (None: no row).
async fn tat(conn: &mut AsyncPgConnection, key: &str) -> Option<i64> {
    #[derive(QueryableByName)]
    struct Tat {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        micros: i64,
    }
    diesel::sql_query(
        "SELECT (EXTRACT(EPOCH FROM tat) * 1000000)::int8 AS micros FROM rate_limits WHERE key = $1",
    )
    .bind::<diesel::sql_types::Text, _>(key)
    .get_result::<Tat>(conn)
    .await
    .optional()
    .expect("read rate_limits")
    .map(|t| t.micros)
}

#[tokio::test]
async fn the_rate_limit_counts_in_the_statement_and_a_retry_costs_nothing() {
    let db = TestDatabase::new(MIGRATIONS).await;
    let mut conn = AsyncPgConnection::establish(db.url())
        .await
        .expect("connect");
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let rate: ratelimit::Rate = "2/1m".parse().expect("rate");
    let key = format!("message:{alice}");
    let charge = ratelimit::Charge::new(&key, rate).expect("a rate that is on");

    let url = db.url().to_owned();
    let send = |cid: &'static str, text: &'static str| {
        let (charge, url) = (charge.clone(), url.clone());
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await.expect("connect");
            messages::send(&mut conn, &outgoing(alice, bob, text, cid), Some(&charge)).await
        }
    };
    send("c1", "hi").await.expect("within the burst of 2");
    let counted = tat(&mut conn, &key).await.expect("a row for the key");
    // A retry of c1 is refused as a duplicate and counts nothing.
    let retry = send("c1", "hi").await;
    assert!(matches!(retry, Err(SendError::Duplicate)), "{retry:?}");
    assert_eq!(tat(&mut conn, &key).await, Some(counted));

    send("c2", "hi").await.expect("within the burst of 2");
    let counted = tat(&mut conn, &key).await.expect("a row for the key");
    // At the limit even a retry is refused before its key can clash (the
    // service then finds the original by its id).
    let retry = send("c2", "hi").await;
    assert!(matches!(retry, Err(SendError::Limited)), "{retry:?}");

    // A third new message is over the rate: refused, nothing written.
    let third = send("c3", "third").await;
    assert!(matches!(third, Err(SendError::Limited)), "{third:?}");
    assert_eq!(tat(&mut conn, &key).await, Some(counted));
    let conversation = conversations::by_pair(&mut conn, alice, bob)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(conversation.last_seq, 2);
    assert_eq!(member(&mut conn, conversation.id, bob).await.0, 2);
    assert_eq!(outbox(&mut conn).await.len(), 2);
    let retry_after = ratelimit::refused(&mut conn, &key, rate)
        .await
        .expect("read the wait");
    let ratelimit::Decision::Limited { retry_after } = retry_after else {
        panic!("refused() always answers Limited")
    };
    assert!(
        retry_after > std::time::Duration::from_secs(25)
            && retry_after <= std::time::Duration::from_secs(30),
        "one step of 30 s, minus the moments since: {retry_after:?}"
    );

    // Without a charge (the limit was checked elsewhere) nothing counts.
    messages::send(&mut conn, &outgoing(alice, bob, "uncounted", "c4"), None)
        .await
        .expect("no limit applied");
    assert_eq!(tat(&mut conn, &key).await, Some(counted));
}
