//! Conversations and each member's side of them (role, stretch of
//! membership, read marker, place in their list).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Int8, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::{conversation_members as members, conversations};

/// `conversations.kind` of a pair's conversation.
pub const DIRECT: &str = "DIRECT";
/// `conversations.kind` of a group.
pub const GROUP: &str = "GROUP";

/// A member's role (`conversation_members.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "OWNER",
            Role::Admin => "ADMIN",
            Role::Member => "MEMBER",
        }
    }

    /// The stored value; anything unknown reads as the least privileged.
    pub fn parse(value: &str) -> Role {
        match value {
            "OWNER" => Role::Owner,
            "ADMIN" => Role::Admin,
            _ => Role::Member,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations, check_for_backend(diesel::pg::Pg))]
pub struct Conversation {
    pub id: Uuid,
    pub kind: String,
    pub title: Option<String>,
    pub user_low: Option<Uuid>,
    pub user_high: Option<Uuid>,
    pub last_seq: i64,
    pub last_message_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Conversation {
    pub fn is_group(&self) -> bool {
        self.kind == GROUP
    }
}

/// One member's side of a conversation. They see the messages with
/// `joined_seq < seq <= left_seq` (no upper bound while they are in).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members, check_for_backend(diesel::pg::Pg))]
pub struct Membership {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub peer_id: Option<Uuid>,
    pub last_read_seq: i64,
    pub last_activity: i64,
    pub role: String,
    pub joined_at: DateTime<Utc>,
    pub joined_seq: i64,
    pub left_at: Option<DateTime<Utc>>,
    pub left_seq: Option<i64>,
}

impl Membership {
    pub fn is_current(&self) -> bool {
        self.left_seq.is_none()
    }

    pub fn role(&self) -> Role {
        Role::parse(&self.role)
    }

    /// The newest sequence number this member may see in a conversation
    /// whose newest is `last_seq`.
    pub fn visible_up_to(&self, last_seq: i64) -> i64 {
        self.left_seq.map_or(last_seq, |left| left.min(last_seq))
    }

    /// Messages after the read marker that this member may see.
    pub fn unread(&self, last_seq: i64) -> i64 {
        (self.visible_up_to(last_seq) - self.last_read_seq.max(self.joined_seq)).max(0)
    }
}

/// A membership with its conversation.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub member: Membership,
    pub conversation: Conversation,
}

/// The two users of a pair in the order the table stores them.
pub fn ordered(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a < b { (a, b) } else { (b, a) }
}

/// The direct conversation of a pair, if any.
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

/// Conversation `id`.
pub async fn by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Conversation>> {
    conversations::table
        .find(id)
        .select(Conversation::as_select())
        .first(conn)
        .await
        .optional()
}

/// Conversation `id`, locked against concurrent sends and membership
/// changes until the transaction ends.
pub async fn lock(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Conversation>> {
    conversations::table
        .find(id)
        .select(Conversation::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()
}

/// `user`'s membership of conversation `id` (current or former).
pub async fn membership(conn: &mut Conn, id: Uuid, user: Uuid) -> QueryResult<Option<Membership>> {
    members::table
        .find((id, user))
        .select(Membership::as_select())
        .first(conn)
        .await
        .optional()
}

/// Moves a member's read marker (never back).
pub async fn set_read_marker(
    conn: &mut Conn,
    id: Uuid,
    user: Uuid,
    last_read_seq: i64,
) -> QueryResult<()> {
    diesel::update(members::table.find((id, user)))
        .filter(members::last_read_seq.lt(last_read_seq))
        .set(members::last_read_seq.eq(last_read_seq))
        .execute(conn)
        .await
        .map(drop)
}

/// `user`'s side of conversation `id` (current or former member); `None`
/// if they never were in it.
pub async fn member_view(conn: &mut Conn, id: Uuid, user: Uuid) -> QueryResult<Option<MemberView>> {
    members::table
        .inner_join(conversations::table)
        .filter(members::conversation_id.eq(id))
        .filter(members::user_id.eq(user))
        .select((Membership::as_select(), Conversation::as_select()))
        .first::<(Membership, Conversation)>(conn)
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
        .select((Membership::as_select(), Conversation::as_select()))
        .order(members::last_activity.desc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(members::last_activity.lt(after));
    }
    let rows: Vec<(Membership, Conversation)> = query.load(conn).await?;
    Ok(rows.into_iter().map(into_view).collect())
}

fn into_view((member, conversation): (Membership, Conversation)) -> MemberView {
    MemberView {
        member,
        conversation,
    }
}

/// Current members of conversation `id`.
pub async fn current_members(conn: &mut Conn, id: Uuid) -> QueryResult<Vec<Membership>> {
    members::table
        .filter(members::conversation_id.eq(id))
        .filter(members::left_seq.is_null())
        .select(Membership::as_select())
        .order((members::joined_at, members::user_id))
        .load(conn)
        .await
}

/// How many current members conversation `id` has.
pub async fn member_count(conn: &mut Conn, id: Uuid) -> QueryResult<i64> {
    members::table
        .filter(members::conversation_id.eq(id))
        .filter(members::left_seq.is_null())
        .count()
        .get_result(conn)
        .await
}

/// A current member as the member list shows them.
#[derive(Debug, Clone, QueryableByName)]
pub struct MemberRow {
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub role: String,
    #[diesel(sql_type = Timestamptz)]
    pub joined_at: DateTime<Utc>,
    /// The newest message they have read, if any.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub read_up_to: Option<Uuid>,
}

/// Current members of conversation `id`, longest-standing first, from
/// position `offset`.
pub async fn member_page(
    conn: &mut Conn,
    id: Uuid,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<MemberRow>> {
    diesel::sql_query(
        "SELECT m.user_id, m.role, m.joined_at, r.id AS read_up_to \
         FROM conversation_members m \
         LEFT JOIN messages r ON r.conversation_id = m.conversation_id \
             AND r.seq = m.last_read_seq AND m.last_read_seq > m.joined_seq \
         WHERE m.conversation_id = $1 AND m.left_seq IS NULL \
         ORDER BY m.joined_at, m.user_id OFFSET $2 LIMIT $3",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<BigInt, _>(offset)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// The user's unread messages over all their conversations, and in how
/// many conversations they are: derived from the read markers and the
/// conversations' newest sequence numbers, the rows every send and
/// markRead writes, so they cannot drift.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct UnreadTotals {
    #[diesel(sql_type = Int8)]
    pub messages: i64,
    #[diesel(sql_type = Int8)]
    pub conversations: i64,
}

pub async fn unread_totals(conn: &mut Conn, user: Uuid) -> QueryResult<UnreadTotals> {
    diesel::sql_query(
        "SELECT COALESCE(sum(unread), 0)::int8 AS messages, \
             count(*) FILTER (WHERE unread > 0) AS conversations \
         FROM ( \
             SELECT GREATEST(r.high - r.low - CASE WHEN r.high <= r.low THEN 0 ELSE ( \
                 SELECT count(*) FROM messages d WHERE d.conversation_id = r.id \
                     AND d.deleted_at IS NOT NULL AND d.seq > r.low AND d.seq <= r.high) END, \
                 0) AS unread \
             FROM ( \
                 SELECT m.conversation_id AS id, GREATEST(m.last_read_seq, m.joined_seq) AS low, \
                     LEAST(c.last_seq, COALESCE(m.left_seq, c.last_seq)) AS high \
                 FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id \
                 WHERE m.user_id = $1 \
             ) r \
         ) per_conversation",
    )
    .bind::<SqlUuid, _>(user)
    .get_result(conn)
    .await
}

/// Creates a group: the conversation and its members (`owner` first), all
/// joined before its first message.
pub async fn create_group(
    conn: &mut Conn,
    id: Uuid,
    title: &str,
    owner: Uuid,
    others: &[Uuid],
) -> QueryResult<Conversation> {
    let conversation: Conversation = diesel::insert_into(conversations::table)
        .values((
            conversations::id.eq(id),
            conversations::kind.eq(GROUP),
            conversations::title.eq(title),
        ))
        .returning(Conversation::as_returning())
        .get_result(conn)
        .await?;
    let rows: Vec<_> = std::iter::once((owner, Role::Owner))
        .chain(others.iter().map(|&user| (user, Role::Member)))
        .map(|(user, role)| {
            (
                members::conversation_id.eq(id),
                members::user_id.eq(user),
                members::role.eq(role.as_str()),
            )
        })
        .collect();
    diesel::insert_into(members::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(conversation)
}

/// Adds `users` (not current members) to conversation `id` as MEMBERs
/// that see from message `after_seq + 1` on; a former member starts a new
/// stretch. Call with the conversation locked.
pub async fn add_members(
    conn: &mut Conn,
    id: Uuid,
    users: &[Uuid],
    after_seq: i64,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO conversation_members AS m \
             (conversation_id, user_id, role, joined_seq, last_read_seq) \
         SELECT $1, u, 'MEMBER', $3, $3 FROM unnest($2::uuid[]) AS u \
         ON CONFLICT (conversation_id, user_id) DO UPDATE \
         SET role = 'MEMBER', joined_at = now(), joined_seq = $3, last_read_seq = $3, \
             left_at = NULL, left_seq = NULL \
         WHERE m.left_seq IS NOT NULL",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<diesel::sql_types::Array<SqlUuid>, _>(users)
    .bind::<BigInt, _>(after_seq)
    .execute(conn)
    .await
    .map(drop)
}

/// Ends `user`'s membership at message `seq` (the one announcing it), and
/// tells every replica's typing listeners (delivered at commit): the
/// former member's `typing` subscriptions of the conversation end, and a
/// typing indicator of theirs turns off for the others.
pub async fn end_membership(conn: &mut Conn, id: Uuid, user: Uuid, seq: i64) -> QueryResult<()> {
    let ended = diesel::update(members::table.find((id, user)))
        .filter(members::left_seq.is_null())
        .set((
            members::left_seq.eq(seq),
            members::left_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    if ended > 0 {
        let payload = crate::typing::Signal::left(id, user).to_payload();
        super::typing::notify(conn, &payload, None).await?;
    }
    Ok(())
}

pub async fn set_role(conn: &mut Conn, id: Uuid, user: Uuid, role: Role) -> QueryResult<()> {
    diesel::update(members::table.find((id, user)))
        .set(members::role.eq(role.as_str()))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn set_title(conn: &mut Conn, id: Uuid, title: &str) -> QueryResult<()> {
    diesel::update(conversations::table.find(id))
        .set(conversations::title.eq(title))
        .execute(conn)
        .await
        .map(drop)
}

/// The users of `candidates` who are current members of conversation `id`.
pub async fn current_among(
    conn: &mut Conn,
    id: Uuid,
    candidates: &[Uuid],
) -> QueryResult<Vec<Uuid>> {
    members::table
        .filter(members::conversation_id.eq(id))
        .filter(members::left_seq.is_null())
        .filter(members::user_id.eq_any(candidates))
        .select(members::user_id)
        .load(conn)
        .await
}

/// Who receives the feed entries of message `seq` of conversation `id`:
/// everyone who was a member when it was written (a member removed by it
/// included: `left_seq = seq`).
pub async fn audience(conn: &mut Conn, id: Uuid, seq: i64) -> QueryResult<Vec<Uuid>> {
    members::table
        .filter(members::conversation_id.eq(id))
        .filter(members::joined_seq.lt(seq))
        .filter(members::left_seq.is_null().or(members::left_seq.ge(seq)))
        .select(members::user_id)
        .load(conn)
        .await
}

/// Who learns of a change to message `seq` of conversation `id` made when
/// its newest message was `at_seq`: the members at that moment who may see
/// the message (joined before it, not gone by then).
pub async fn change_audience(
    conn: &mut Conn,
    id: Uuid,
    seq: i64,
    at_seq: i64,
) -> QueryResult<Vec<Uuid>> {
    members::table
        .filter(members::conversation_id.eq(id))
        .filter(members::joined_seq.lt(seq))
        .filter(members::left_seq.is_null().or(members::left_seq.gt(at_seq)))
        .select(members::user_id)
        .load(conn)
        .await
}
