//! Messages.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::messages;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
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

#[derive(Debug, Insertable)]
#[diesel(table_name = messages)]
pub struct NewMessage<'a> {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub seq: i64,
    pub sender_id: Uuid,
    pub recipient_id: Uuid,
    pub body: &'a str,
    pub client_message_id: &'a str,
}

/// Inserts a message unless its sender already used its client message id;
/// `None` then (including when a concurrent insert of the same id commits
/// first: `ON CONFLICT` waits for it).
pub async fn insert(conn: &mut Conn, new: &NewMessage<'_>) -> QueryResult<Option<Message>> {
    diesel::insert_into(messages::table)
        .values(new)
        .on_conflict((messages::sender_id, messages::client_message_id))
        .do_nothing()
        .returning(Message::as_returning())
        .get_result(conn)
        .await
        .optional()
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
