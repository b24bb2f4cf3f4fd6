//! Conversations and each participant's side of them (read marker, unread
//! count, place in their list).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::{conversation_members as members, conversations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations, check_for_backend(diesel::pg::Pg))]
pub struct Conversation {
    pub id: Uuid,
    pub user_low: Uuid,
    pub user_high: Uuid,
    pub last_seq: i64,
    pub last_message_id: Option<Uuid>,
}

/// One participant's view of a conversation.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members, check_for_backend(diesel::pg::Pg))]
pub struct Membership {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub peer_id: Uuid,
    pub last_read_seq: i64,
    pub unread_count: i32,
    pub last_activity: i64,
}

/// A membership with what its conversation says about the newest message.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub member: Membership,
    pub last_message_id: Option<Uuid>,
}

/// The two users of a pair in the order the table stores them.
pub fn ordered(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a < b { (a, b) } else { (b, a) }
}

/// The conversation of a pair, if any.
pub async fn by_pair(conn: &mut Conn, a: Uuid, b: Uuid) -> QueryResult<Option<Conversation>> {
    let (low, high) = ordered(a, b);
    conversations::table
        .filter(conversations::user_low.eq(low))
        .filter(conversations::user_high.eq(high))
        .select(Conversation::as_select())
        .first(conn)
        .await
        .optional()
}

/// A conversation `user` takes part in, locked; `None` for anyone else.
pub async fn lock_for_member(
    conn: &mut Conn,
    id: Uuid,
    user: Uuid,
) -> QueryResult<Option<Conversation>> {
    conversations::table
        .filter(conversations::id.eq(id))
        .filter(
            conversations::user_low
                .eq(user)
                .or(conversations::user_high.eq(user)),
        )
        .select(Conversation::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()
}

/// Sets a member's read marker and the unread count that follows from it.
pub async fn set_read_marker(
    conn: &mut Conn,
    id: Uuid,
    user: Uuid,
    last_read_seq: i64,
    unread_count: i32,
) -> QueryResult<()> {
    diesel::update(members::table.find((id, user)))
        .set((
            members::last_read_seq.eq(last_read_seq),
            members::unread_count.eq(unread_count),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// `user`'s side of conversation `id`; `None` if they are not in it.
pub async fn member_view(conn: &mut Conn, id: Uuid, user: Uuid) -> QueryResult<Option<MemberView>> {
    members::table
        .inner_join(conversations::table)
        .filter(members::conversation_id.eq(id))
        .filter(members::user_id.eq(user))
        .select((Membership::as_select(), conversations::last_message_id))
        .first::<(Membership, Option<Uuid>)>(conn)
        .await
        .optional()
        .map(|row| row.map(into_view))
}

/// One page of `user`'s conversations, most recent activity first, starting
/// after the activity value `after` (exclusive).
pub async fn page_for(
    conn: &mut Conn,
    user: Uuid,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<MemberView>> {
    let mut query = members::table
        .inner_join(conversations::table)
        .filter(members::user_id.eq(user))
        .select((Membership::as_select(), conversations::last_message_id))
        .order(members::last_activity.desc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(members::last_activity.lt(after));
    }
    let rows: Vec<(Membership, Option<Uuid>)> = query.load(conn).await?;
    Ok(rows.into_iter().map(into_view).collect())
}

fn into_view((member, last_message_id): (Membership, Option<Uuid>)) -> MemberView {
    MemberView {
        member,
        last_message_id,
    }
}
