//! Friendships and friend requests: one row per pair of users.

use chrono::{DateTime, Utc};
use diesel::dsl::now;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::friendships;
use super::users::User;

pub const PENDING: &str = "pending";
pub const ACCEPTED: &str = "accepted";

/// Two distinct users in the order the table stores them (least first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub a: Uuid,
    pub b: Uuid,
}

impl Pair {
    /// `None` for a user paired with itself.
    pub fn of(x: Uuid, y: Uuid) -> Option<Pair> {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => Some(Pair { a: x, b: y }),
            std::cmp::Ordering::Greater => Some(Pair { a: y, b: x }),
            std::cmp::Ordering::Equal => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = friendships, check_for_backend(diesel::pg::Pg))]
pub struct Friendship {
    pub user_a: Uuid,
    pub user_b: Uuid,
    pub state: String,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

impl Friendship {
    pub fn is_accepted(&self) -> bool {
        self.state == ACCEPTED
    }
}

/// The users among `others` who are friends of `user` (one query).
pub async fn friends_among(conn: &mut Conn, user: Uuid, others: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    if others.is_empty() {
        return Ok(Vec::new());
    }
    friendships::table
        .filter(friendships::state.eq(ACCEPTED))
        .filter(
            friendships::user_a
                .eq(user)
                .and(friendships::user_b.eq_any(others))
                .or(friendships::user_b
                    .eq(user)
                    .and(friendships::user_a.eq_any(others))),
        )
        .select((friendships::user_a, friendships::user_b))
        .load::<(Uuid, Uuid)>(conn)
        .await
        .map(|pairs| {
            pairs
                .into_iter()
                .map(|(a, b)| if a == user { b } else { a })
                .collect()
        })
}

/// The pair's row, if any.
pub async fn get(conn: &mut Conn, pair: Pair) -> QueryResult<Option<Friendship>> {
    friendships::table
        .find((pair.a, pair.b))
        .select(Friendship::as_select())
        .first(conn)
        .await
        .optional()
}

/// The pair's row, locked until the end of the transaction.
pub async fn lock(conn: &mut Conn, pair: Pair) -> QueryResult<Option<Friendship>> {
    friendships::table
        .find((pair.a, pair.b))
        .select(Friendship::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Records a pending request from `requested_by`; `None` if the pair already
/// has a row (a concurrent transaction may have just written it).
pub async fn insert_request(
    conn: &mut Conn,
    pair: Pair,
    requested_by: Uuid,
) -> QueryResult<Option<Friendship>> {
    diesel::insert_into(friendships::table)
        .values((
            friendships::user_a.eq(pair.a),
            friendships::user_b.eq(pair.b),
            friendships::state.eq(PENDING),
            friendships::requested_by.eq(requested_by),
        ))
        .on_conflict_do_nothing()
        .returning(Friendship::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Turns the pair's pending request into a friendship.
pub async fn accept(conn: &mut Conn, pair: Pair) -> QueryResult<Friendship> {
    diesel::update(
        friendships::table
            .find((pair.a, pair.b))
            .filter(friendships::state.eq(PENDING)),
    )
    .set((
        friendships::state.eq(ACCEPTED),
        friendships::accepted_at.eq(now),
    ))
    .returning(Friendship::as_returning())
    .get_result(conn)
    .await
}

pub async fn delete(conn: &mut Conn, pair: Pair) -> QueryResult<()> {
    diesel::delete(friendships::table.find((pair.a, pair.b)))
        .execute(conn)
        .await
        .map(drop)
}

/// Requests `user` has sent that are still pending.
pub async fn pending_sent_count(conn: &mut Conn, user: Uuid) -> QueryResult<i64> {
    friendships::table
        .filter(friendships::requested_by.eq(user))
        .filter(friendships::state.eq(PENDING))
        .count()
        .get_result(conn)
        .await
}

/// The three lists a user sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// Friends, newest friendship first.
    Friends,
    /// Pending requests sent to the user, newest first.
    Incoming,
    /// Pending requests the user sent, newest first.
    Outgoing,
}

/// A position in a list: the item's time and the other user's id. Lists are
/// ordered by both, descending, so positions stay valid while rows come and go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub at: DateTime<Utc>,
    pub user_id: Uuid,
}

/// One entry of a list: the other user and the time it is ordered by
/// (friends since / requested at).
#[derive(Debug, Clone, QueryableByName)]
pub struct Listed {
    #[diesel(embed)]
    pub user: User,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
}

impl Listed {
    pub fn position(&self) -> Position {
        Position {
            at: self.at,
            user_id: self.user.id,
        }
    }
}

/// Up to `limit` entries of `me`'s `list` after `after`.
pub async fn list(
    conn: &mut Conn,
    list: List,
    me: Uuid,
    after: Option<Position>,
    limit: i64,
) -> QueryResult<Vec<Listed>> {
    // `f(other, at)`: the list's rows; the keyset condition and the join
    // are shared. Six fixed texts, each a prepared statement of its own.
    macro_rules! listed {
        ($rows:literal) => {
            (
                concat!(
                    "SELECT u.id, u.nickname, u.about, u.avatar_url, u.created_at, u.avatar_key, f.at \
                     FROM (", $rows, ") f JOIN users u ON u.id = f.other \
                     ORDER BY f.at DESC, f.other DESC LIMIT $2"
                ),
                concat!(
                    "SELECT u.id, u.nickname, u.about, u.avatar_url, u.created_at, u.avatar_key, f.at \
                     FROM (", $rows, ") f JOIN users u ON u.id = f.other \
                     WHERE (f.at, f.other) < ($3, $4) \
                     ORDER BY f.at DESC, f.other DESC LIMIT $2"
                ),
            )
        };
    }
    let (first_page, next_page) = match list {
        List::Friends => listed!(
            "SELECT user_b AS other, accepted_at AS at FROM friendships \
               WHERE user_a = $1 AND state = 'accepted' \
             UNION ALL \
             SELECT user_a, accepted_at FROM friendships \
               WHERE user_b = $1 AND state = 'accepted'"
        ),
        List::Incoming => listed!(
            "SELECT requested_by AS other, requested_at AS at FROM friendships \
               WHERE requested_of = $1 AND state = 'pending'"
        ),
        List::Outgoing => listed!(
            "SELECT requested_of AS other, requested_at AS at FROM friendships \
               WHERE requested_by = $1 AND state = 'pending'"
        ),
    };
    match after {
        Some(position) => {
            prepared::sql(next_page)
                .bind::<SqlUuid, _>(me)
                .bind::<BigInt, _>(limit)
                .bind::<Timestamptz, _>(position.at)
                .bind::<SqlUuid, _>(position.user_id)
                .load(conn)
                .await
        }
        None => {
            prepared::sql(first_page)
                .bind::<SqlUuid, _>(me)
                .bind::<BigInt, _>(limit)
                .load(conn)
                .await
        }
    }
}
