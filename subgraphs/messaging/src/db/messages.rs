//! Messages.

use chrono::{DateTime, Utc};
use diesel::data_types::PgInterval;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use diesel::sql_types::{Bool, Interval, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::conversations::ordered;
use super::schema::messages;
use crate::events::MessageSent;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = messages, check_for_backend(diesel::pg::Pg))]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: i64,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: String,
    pub client_message_id: String,
    pub sent_at: DateTime<Utc>,
}

/// A message to send: what [`send`] writes.
#[derive(Debug)]
pub struct Outgoing<'a> {
    pub id: Uuid,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: &'a str,
    pub client_message_id: &'a str,
    /// The id of the pair's conversation should this message start it.
    pub new_conversation_id: Uuid,
}

/// Why [`send`] wrote nothing.
#[derive(Debug)]
pub enum SendError {
    /// The sender used this client message id already (possibly in a
    /// concurrent send that committed first).
    Duplicate,
    /// The rate limit refused it ([`ratelimit::refused`] says until when).
    Limited,
    Db(Error),
}

/// The unique constraint behind [`SendError::Duplicate`].
const CLIENT_ID_KEY: &str = "messages_sender_client_id_key";

/// Sends a message in one statement, hence one implicit transaction and one
/// round trip: counts it against the sender's rate limit (`charge`, if
/// any), creates the pair's conversation (and both memberships) or locks
/// it, numbers the message under that lock, inserts it, moves the
/// conversation's newest message, both members' place in their lists and
/// the recipient's unread count, and queues the [`MessageSent`] event in the
/// outbox: a JSON built in SQL, which must be exactly the type's (a test,
/// `tests/it/send_statement.rs`, holds the two to the same keys and
/// values). Nothing is written if any part fails or the limit refuses: a
/// repeated client message id fails the unique key, which also takes back
/// the count, so a retry costs no allowance.
///
/// Written as one statement because the send path is the hot path: the same
/// work as separate statements took ten round trips inside a transaction,
/// each one a wake-up of this process and of PostgreSQL (see
/// bench/RESULTS.md). Sub-statements of a `WITH` see the database as it was
/// before the statement, so everything that needs the conversation reads
/// it from `conv`'s `RETURNING`, which also orders it after the lock.
/// It runs as a prepared statement ([`prepared::sql`]): planning this
/// `WITH` was half of its cost (0.50 ms a call unprepared, 0.23 ms
/// prepared, one pgbench client).
pub async fn send(
    conn: &mut Conn,
    message: &Outgoing<'_>,
    charge: Option<&ratelimit::Charge<'_>>,
) -> Result<Message, SendError> {
    let (low, high) = ordered(message.sender_id, message.recipient_id);
    let zero = || PgInterval::from_microseconds(0);
    let sent: Option<Message> = prepared::sql(concat!(
        "WITH allowed AS (",
        ratelimit::gcra_sql!("$10", "$11", "$12", "$13"),
        "    RETURNING 1 \
         ), conv AS ( \
             INSERT INTO conversations AS c (id, user_low, user_high, last_seq, last_message_id) \
             SELECT $1, $2, $3, 1, $4 WHERE NOT $13 OR EXISTS (SELECT FROM allowed) \
             ON CONFLICT (user_low, user_high) DO UPDATE \
             SET last_seq = c.last_seq + 1, last_message_id = EXCLUDED.last_message_id \
             RETURNING c.id, c.last_seq \
         ), message AS ( \
             INSERT INTO messages \
                 (id, conversation_id, seq, sender_id, recipient_id, body, client_message_id) \
             SELECT $4, conv.id, conv.last_seq, $5, $6, $7, $8 FROM conv \
             RETURNING id, conversation_id, seq, sender_id, recipient_id, body, \
                 client_message_id, sent_at \
         ), activity AS MATERIALIZED ( \
             SELECT conv.id, nextval('conversation_activity_seq') AS value FROM conv \
         ), members AS ( \
             INSERT INTO conversation_members AS m \
                 (conversation_id, user_id, peer_id, unread_count, last_activity) \
             SELECT activity.id, side.user_id, side.peer_id, side.unread, activity.value \
             FROM activity, \
                 (VALUES ($5::uuid, $6::uuid, 0), ($6::uuid, $5::uuid, 1)) \
                     AS side (user_id, peer_id, unread) \
             ON CONFLICT (conversation_id, user_id) DO UPDATE \
             SET last_activity = EXCLUDED.last_activity, \
                 unread_count = m.unread_count + EXCLUDED.unread_count \
         ), event AS ( \
             INSERT INTO outbox (kind, payload) \
             SELECT $9, jsonb_build_object( \
                 'id', id, 'conversationId', conversation_id, 'senderId', sender_id, \
                 'recipientId', recipient_id, 'text', body, 'sentAt', sent_at) \
             FROM message \
         ) \
         SELECT * FROM message"
    ))
    .bind::<SqlUuid, _>(message.new_conversation_id)
    .bind::<SqlUuid, _>(low)
    .bind::<SqlUuid, _>(high)
    .bind::<SqlUuid, _>(message.id)
    .bind::<SqlUuid, _>(message.sender_id)
    .bind::<SqlUuid, _>(message.recipient_id)
    .bind::<Text, _>(message.body)
    .bind::<Text, _>(message.client_message_id)
    .bind::<Text, _>(<MessageSent as outbox::Event>::KIND)
    .bind::<Text, _>(charge.map_or("", |c| c.key))
    .bind::<Interval, _>(charge.map_or_else(zero, |c| c.step))
    .bind::<Interval, _>(charge.map_or_else(zero, |c| c.period))
    .bind::<Bool, _>(charge.is_some())
    .get_result(conn)
    .await
    .optional()
    .map_err(|err| match &err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some(CLIENT_ID_KEY) =>
        {
            SendError::Duplicate
        }
        _ => SendError::Db(err),
    })?;
    sent.ok_or(SendError::Limited)
}

/// The message `sender` sent with `client_message_id`, if any.
pub async fn by_client_id(
    conn: &mut Conn,
    sender: Uuid,
    client_message_id: &str,
) -> QueryResult<Option<Message>> {
    messages::table
        .filter(messages::sender_id.eq(sender))
        .filter(messages::client_message_id.eq(client_message_id))
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()
}

/// Message `id` if it belongs to conversation `conversation_id`.
pub async fn in_conversation(
    conn: &mut Conn,
    conversation_id: Uuid,
    id: Uuid,
) -> QueryResult<Option<Message>> {
    messages::table
        .filter(messages::id.eq(id))
        .filter(messages::conversation_id.eq(conversation_id))
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn by_ids(conn: &mut Conn, ids: &[Uuid]) -> QueryResult<Vec<Message>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    messages::table
        .filter(messages::id.eq_any(ids))
        .select(Message::as_select())
        .load(conn)
        .await
}

/// One page of a conversation, newest first, older than `before` (exclusive).
pub async fn page(
    conn: &mut Conn,
    conversation_id: Uuid,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let mut query = messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .select(Message::as_select())
        .order(messages::seq.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(messages::seq.lt(before));
    }
    query.load(conn).await
}

/// Messages `recipient` received in a conversation after `after_seq`.
pub async fn count_received_after(
    conn: &mut Conn,
    conversation_id: Uuid,
    recipient: Uuid,
    after_seq: i64,
) -> QueryResult<i64> {
    messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::recipient_id.eq(recipient))
        .filter(messages::seq.gt(after_seq))
        .count()
        .get_result(conn)
        .await
}
