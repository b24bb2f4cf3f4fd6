//! Messages.

use chrono::{DateTime, Utc};
use diesel::data_types::PgInterval;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use diesel::sql_types::{Bool, Interval, Jsonb, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::contacts::contact_allowed_sql;
use super::conversations::ordered;
use super::schema::messages;
use crate::events::MessageSent;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = messages, check_for_backend(diesel::pg::Pg))]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: i64,
    /// `TEXT` or `SYSTEM`.
    pub kind: String,
    /// `None` for SYSTEM messages.
    pub sender_id: Option<Uuid>,
    /// The peer of a direct message; `None` in groups.
    pub recipient_id: Option<Uuid>,
    pub body: String,
    pub client_message_id: Option<String>,
    /// What a SYSTEM message describes ([`crate::events::SystemMessage`]).
    pub system: Option<serde_json::Value>,
    pub sent_at: DateTime<Utc>,
    /// When its text last changed.
    pub edited_at: Option<DateTime<Utc>>,
    /// Set when it was deleted: a tombstone, whose `body` is empty.
    pub deleted_at: Option<DateTime<Utc>>,
    /// The earlier message of the conversation it answers.
    pub reply_to_id: Option<Uuid>,
}

impl Message {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// The columns of [`Message`], for the `RETURNING` of statements written
/// as SQL text.
macro_rules! returning_message {
    () => {
        " RETURNING id, conversation_id, seq, kind, sender_id, recipient_id, body, \
          client_message_id, system, sent_at, edited_at, deleted_at, reply_to_id "
    };
}

/// `messages.kind` of a message someone wrote.
pub const TEXT: &str = "TEXT";
/// `messages.kind` of a membership change or rename.
pub const SYSTEM: &str = "SYSTEM";

/// A message to send: what [`send`] and [`send_in`] write.
#[derive(Debug)]
pub struct Outgoing<'a> {
    pub id: Uuid,
    pub sender_id: Uuid,
    /// [`send`]: the other user of the pair; [`send_in`]: ignored.
    pub recipient_id: Uuid,
    pub body: &'a str,
    pub client_message_id: &'a str,
    /// [`send`]: the id of the pair's conversation should this message
    /// start it; [`send_in`]: the conversation.
    pub new_conversation_id: Uuid,
    /// The message it answers (checked by the caller: an earlier message
    /// of the same conversation the sender may see).
    pub reply_to_id: Option<Uuid>,
    /// Users said the two are friends (asked only when the recipient takes
    /// direct messages from friends only; `false` otherwise).
    pub friends: bool,
}

/// Why [`send`] or [`send_in`] wrote nothing.
#[derive(Debug)]
pub enum SendError {
    /// The sender used this client message id already (possibly in a
    /// concurrent send that committed first).
    Duplicate,
    /// The rate limit refused it ([`ratelimit::refused`] says until when),
    /// or ([`send_in`]) the sender is not a member of the conversation, or
    /// (a direct message) a block or the recipient's privacy setting
    /// refused it ([`super::contacts::refusal`] says which).
    Limited,
    Db(Error),
}

/// The unique constraint behind [`SendError::Duplicate`].
const CLIENT_ID_KEY: &str = "messages_sender_client_id_key";

/// The outbox row of a sent message: the JSON of [`MessageSent`] built in
/// SQL from the `message` CTE (`tests/it/send_statement.rs` holds the two
/// to the same keys and values).
macro_rules! message_event_sql {
    ($kind:literal) => {
        concat!(
            "event AS ( \
                 INSERT INTO outbox (kind, payload) \
                 SELECT ",
            $kind,
            ", jsonb_build_object( \
                     'id', id, 'conversationId', conversation_id, 'seq', seq, 'kind', kind, \
                     'senderId', sender_id, 'recipientId', recipient_id, 'text', body, \
                     'system', system, 'clientMessageId', client_message_id, 'sentAt', sent_at) \
                 FROM message \
             )"
        )
    };
}

/// Sends a direct message in one statement, hence one implicit transaction
/// and one round trip: counts it against the sender's rate limit (`charge`,
/// if any), creates the pair's conversation (and both memberships) or
/// locks it, numbers the message under that lock, inserts it, moves the
/// conversation's newest message, both members' place in their lists and
/// the sender's read marker, and queues the [`MessageSent`] event in the
/// outbox; unless a block or the recipient's privacy setting refuses it,
/// read from messaging's replica in this very statement
/// ([`contact_allowed_sql!`]). Nothing is written if any part fails or the limit refuses: a
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
             INSERT INTO conversations AS c (id, kind, user_low, user_high, last_seq, last_message_id) \
             SELECT $1, 'DIRECT', $2, $3, 1, $4 \
             WHERE (NOT $13 OR EXISTS (SELECT FROM allowed)) AND ",
        contact_allowed_sql!("$5", "$6", "$15"),
        " ON CONFLICT (user_low, user_high) DO UPDATE \
             SET last_seq = c.last_seq + 1, last_message_id = EXCLUDED.last_message_id \
             RETURNING c.id, c.last_seq \
         ), message AS ( \
             INSERT INTO messages \
                 (id, conversation_id, seq, kind, sender_id, recipient_id, body, client_message_id, \
                  reply_to_id) \
             SELECT $4, conv.id, conv.last_seq, 'TEXT', $5, $6, $7, $8, $14 FROM conv",
        returning_message!(),
        "), activity AS MATERIALIZED ( \
             SELECT conv.id, conv.last_seq, nextval('conversation_activity_seq') AS value FROM conv \
         ), members AS ( \
             INSERT INTO conversation_members AS m \
                 (conversation_id, user_id, peer_id, last_read_seq, last_activity) \
             SELECT activity.id, side.user_id, side.peer_id, \
                 CASE WHEN side.is_sender THEN activity.last_seq ELSE 0 END, activity.value \
             FROM activity, \
                 (VALUES ($5::uuid, $6::uuid, true), ($6::uuid, $5::uuid, false)) \
                     AS side (user_id, peer_id, is_sender) \
             ON CONFLICT (conversation_id, user_id) DO UPDATE \
             SET last_activity = EXCLUDED.last_activity, \
                 last_read_seq = GREATEST(m.last_read_seq, EXCLUDED.last_read_seq) \
         ), ",
        message_event_sql!("$9"),
        " SELECT * FROM message"
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
    .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(message.reply_to_id)
    .bind::<Bool, _>(message.friends)
    .get_result(conn)
    .await
    .optional()
    .map_err(send_error)?;
    sent.ok_or(SendError::Limited)
}

/// Sends a message into conversation `message.new_conversation_id`, of
/// which the sender must be a current member ([`SendError::Limited`]
/// otherwise: the caller tells the two apart), in one statement like
/// [`send`]: the conversation's lock and counters, the message (a direct
/// one names the peer as recipient), every current member's place in
/// their list, the sender's read marker and the [`MessageSent`] event.
pub async fn send_in(
    conn: &mut Conn,
    message: &Outgoing<'_>,
    charge: Option<&ratelimit::Charge<'_>>,
) -> Result<Message, SendError> {
    let zero = || PgInterval::from_microseconds(0);
    let sent: Option<Message> = prepared::sql(concat!(
        "WITH allowed AS (",
        ratelimit::gcra_sql!("$6", "$7", "$8", "$9"),
        "    RETURNING 1 \
         ), conv AS ( \
             UPDATE conversations c SET last_seq = c.last_seq + 1, last_message_id = $2 \
             WHERE c.id = $1 AND (NOT $9 OR EXISTS (SELECT FROM allowed)) \
                 AND EXISTS (SELECT FROM conversation_members \
                             WHERE conversation_id = $1 AND user_id = $3 AND left_seq IS NULL) \
                 AND (c.kind = 'GROUP' OR ",
        contact_allowed_sql!(
            "$3",
            "(CASE WHEN c.user_low = $3 THEN c.user_high ELSE c.user_low END)",
            "$12"
        ),
        ") RETURNING c.id, c.last_seq, \
                 CASE WHEN c.user_low = $3 THEN c.user_high ELSE c.user_low END AS peer \
         ), message AS ( \
             INSERT INTO messages \
                 (id, conversation_id, seq, kind, sender_id, recipient_id, body, client_message_id, \
                  reply_to_id) \
             SELECT $2, conv.id, conv.last_seq, 'TEXT', $3, conv.peer, $4, $5, $11 FROM conv",
        returning_message!(),
        "), activity AS MATERIALIZED ( \
             SELECT conv.id, conv.last_seq, nextval('conversation_activity_seq') AS value FROM conv \
         ), members AS ( \
             UPDATE conversation_members m SET last_activity = activity.value, \
                 last_read_seq = CASE WHEN m.user_id = $3 THEN activity.last_seq \
                                      ELSE m.last_read_seq END \
             FROM activity \
             WHERE m.conversation_id = activity.id AND m.left_seq IS NULL \
         ), ",
        message_event_sql!("$10"),
        " SELECT * FROM message"
    ))
    .bind::<SqlUuid, _>(message.new_conversation_id)
    .bind::<SqlUuid, _>(message.id)
    .bind::<SqlUuid, _>(message.sender_id)
    .bind::<Text, _>(message.body)
    .bind::<Text, _>(message.client_message_id)
    .bind::<Text, _>(charge.map_or("", |c| c.key))
    .bind::<Interval, _>(charge.map_or_else(zero, |c| c.step))
    .bind::<Interval, _>(charge.map_or_else(zero, |c| c.period))
    .bind::<Bool, _>(charge.is_some())
    .bind::<Text, _>(<MessageSent as outbox::Event>::KIND)
    .bind::<diesel::sql_types::Nullable<SqlUuid>, _>(message.reply_to_id)
    .bind::<Bool, _>(message.friends)
    .get_result(conn)
    .await
    .optional()
    .map_err(send_error)?;
    sent.ok_or(SendError::Limited)
}

fn send_error(err: Error) -> SendError {
    match &err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some(CLIENT_ID_KEY) =>
        {
            SendError::Duplicate
        }
        _ => SendError::Db(err),
    }
}

/// Writes a SYSTEM message into conversation `id` (locked by the caller's
/// transaction): numbers it, moves the conversation's newest message, the
/// place in their lists of every current member (and of a member whose
/// stretch it ends, `left_seq = seq`), and the actor's read marker. The
/// caller enqueues its event.
pub async fn insert_system(
    conn: &mut Conn,
    id: Uuid,
    message_id: Uuid,
    actor: Uuid,
    text: &str,
    system: &serde_json::Value,
) -> QueryResult<Message> {
    prepared::sql(concat!(
        "WITH conv AS ( \
             UPDATE conversations SET last_seq = last_seq + 1, last_message_id = $2 \
             WHERE id = $1 RETURNING id, last_seq \
         ), message AS ( \
             INSERT INTO messages (id, conversation_id, seq, kind, body, system) \
             SELECT $2, conv.id, conv.last_seq, 'SYSTEM', $4, $5 FROM conv",
        returning_message!(),
        "), activity AS MATERIALIZED ( \
             SELECT conv.id, conv.last_seq, nextval('conversation_activity_seq') AS value FROM conv \
         ), members AS ( \
             UPDATE conversation_members m SET last_activity = activity.value, \
                 last_read_seq = CASE WHEN m.user_id = $3 THEN activity.last_seq \
                                      ELSE m.last_read_seq END \
             FROM activity \
             WHERE m.conversation_id = activity.id \
                 AND (m.left_seq IS NULL OR m.left_seq = activity.last_seq) \
         ) \
         SELECT * FROM message"
    ))
    .bind::<SqlUuid, _>(id)
    .bind::<SqlUuid, _>(message_id)
    .bind::<SqlUuid, _>(actor)
    .bind::<Text, _>(text)
    .bind::<Jsonb, _>(system)
    .get_result(conn)
    .await
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

/// Which way a page of a conversation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Oldest first, after a position.
    Forward,
    /// Newest first, before a position.
    Backward,
}

/// Up to `limit` messages of a conversation with `low < seq <= high`,
/// oldest first from `low` (forward) or newest first from `high` (backward).
pub async fn page(
    conn: &mut Conn,
    conversation_id: Uuid,
    low: i64,
    high: i64,
    direction: Direction,
    limit: i64,
) -> QueryResult<Vec<Message>> {
    let query = messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::seq.gt(low))
        .filter(messages::seq.le(high))
        .select(Message::as_select())
        .limit(limit);
    match direction {
        Direction::Forward => query.order(messages::seq.asc()).load(conn).await,
        Direction::Backward => query.order(messages::seq.desc()).load(conn).await,
    }
}

/// Message number `seq` of a conversation.
pub async fn by_seq(
    conn: &mut Conn,
    conversation_id: Uuid,
    seq: i64,
) -> QueryResult<Option<Message>> {
    messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::seq.eq(seq))
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()
}

/// Message `id`, in whichever conversation.
pub async fn by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Message>> {
    messages::table
        .find(id)
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()
}

/// Replaces a message's text and stamps `edited_at`.
pub async fn set_text(conn: &mut Conn, id: Uuid, text: &str) -> QueryResult<Message> {
    diesel::update(messages::table.find(id))
        .set((
            messages::body.eq(text),
            messages::edited_at.eq(diesel::dsl::now),
        ))
        .returning(Message::as_returning())
        .get_result(conn)
        .await
}

/// Turns a message into its tombstone: the text goes, `deleted_at` stays.
pub async fn tombstone(conn: &mut Conn, id: Uuid) -> QueryResult<Message> {
    diesel::update(messages::table.find(id))
        .set((
            messages::body.eq(""),
            messages::deleted_at.eq(diesel::dsl::now),
        ))
        .returning(Message::as_returning())
        .get_result(conn)
        .await
}

/// The newest message of a conversation with `low < seq <= high` that is
/// not deleted.
pub async fn newest_not_deleted(
    conn: &mut Conn,
    conversation_id: Uuid,
    low: i64,
    high: i64,
) -> QueryResult<Option<Message>> {
    messages::table
        .filter(messages::conversation_id.eq(conversation_id))
        .filter(messages::seq.gt(low))
        .filter(messages::seq.le(high))
        .filter(messages::deleted_at.is_null())
        .order(messages::seq.desc())
        .select(Message::as_select())
        .first(conn)
        .await
        .optional()
}

#[derive(QueryableByName)]
struct Deleted {
    #[diesel(sql_type = SqlUuid)]
    conversation_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Int8)]
    deleted: i64,
}

/// For each `(conversation, low, high)`, how many deleted messages it has
/// with `low < seq <= high` (conversations without any are left out), in
/// one query (`messages_deleted_idx`).
pub async fn deleted_between(
    conn: &mut Conn,
    ranges: &[(Uuid, i64, i64)],
) -> QueryResult<Vec<(Uuid, i64)>> {
    if ranges.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = ranges.iter().map(|r| r.0).collect();
    let lows: Vec<i64> = ranges.iter().map(|r| r.1).collect();
    let highs: Vec<i64> = ranges.iter().map(|r| r.2).collect();
    let rows: Vec<Deleted> = prepared::sql(
        "SELECT r.id AS conversation_id, count(d.seq) AS deleted \
         FROM unnest($1::uuid[], $2::int8[], $3::int8[]) AS r (id, low, high) \
         JOIN messages d ON d.conversation_id = r.id AND d.deleted_at IS NOT NULL \
             AND d.seq > r.low AND d.seq <= r.high \
         GROUP BY r.id",
    )
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(&ids)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Int8>, _>(&lows)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Int8>, _>(&highs)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.conversation_id, r.deleted))
        .collect())
}
