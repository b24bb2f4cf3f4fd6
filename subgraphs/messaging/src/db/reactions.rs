//! Reactions to messages: one of each emoji per user and message.

use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Int8, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::message_reactions as reactions;

/// `user` reacts to `message` with `emoji`; false if they had already.
pub async fn add(conn: &mut Conn, message: Uuid, user: Uuid, emoji: &str) -> QueryResult<bool> {
    diesel::insert_into(reactions::table)
        .values((
            reactions::message_id.eq(message),
            reactions::emoji.eq(emoji),
            reactions::user_id.eq(user),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// `user` takes back their `emoji` on `message`; false if there was none.
pub async fn remove(conn: &mut Conn, message: Uuid, user: Uuid, emoji: &str) -> QueryResult<bool> {
    diesel::delete(reactions::table.find((message, emoji, user)))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Whether `user` reacted to `message` with `emoji`.
pub async fn exists(conn: &mut Conn, message: Uuid, user: Uuid, emoji: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        reactions::table.find((message, emoji, user)),
    ))
    .get_result(conn)
    .await
}

/// The distinct emoji on `message`.
pub async fn emoji_of(conn: &mut Conn, message: Uuid) -> QueryResult<Vec<String>> {
    reactions::table
        .filter(reactions::message_id.eq(message))
        .select(reactions::emoji)
        .distinct()
        .load(conn)
        .await
}

/// Removes every reaction to `message` (it was deleted).
pub async fn clear(conn: &mut Conn, message: Uuid) -> QueryResult<()> {
    diesel::delete(reactions::table.filter(reactions::message_id.eq(message)))
        .execute(conn)
        .await
        .map(drop)
}

/// One emoji on one message, as `viewer` sees it.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Summary {
    #[diesel(sql_type = SqlUuid)]
    pub message_id: Uuid,
    #[diesel(sql_type = Text)]
    pub emoji: String,
    #[diesel(sql_type = Int8)]
    pub count: i64,
    /// Whether `viewer` is among those who reacted with it.
    #[diesel(sql_type = Bool)]
    pub mine: bool,
}

/// The reactions to each of `messages` as `viewer` sees them, each
/// message's emoji in the order they were first used, in one query.
pub async fn summaries(
    conn: &mut Conn,
    messages: &[Uuid],
    viewer: Uuid,
) -> QueryResult<Vec<Summary>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    prepared::sql(
        "SELECT message_id, emoji, count(*) AS count, bool_or(user_id = $2) AS mine \
         FROM message_reactions WHERE message_id = ANY($1) \
         GROUP BY message_id, emoji \
         ORDER BY message_id, min(created_at), emoji",
    )
    .bind::<Array<SqlUuid>, _>(messages)
    .bind::<SqlUuid, _>(viewer)
    .load(conn)
    .await
}
