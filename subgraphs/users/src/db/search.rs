//! `searchUsers`: users by nickname prefix, in three groups (the exact
//! match, the caller's friends, everyone else), each in nickname order.
//!
//! Every group is a range of `users_nickname_lower_key`, the unique index on
//! `lower(nickname) text_pattern_ops`: its order is the byte order of the
//! lower-cased nickname (`~<~`), and a prefix `p` is the range
//! `p <= key < p || '~'` (nicknames are ASCII `a-z 0-9 _ .` once
//! lower-cased, all below `~`). The `LIKE` with the escaped prefix says the
//! rule itself; the range bounds are what the index is searched by, given as
//! parameters so that no plan depends on the planner reading a `LIKE`
//! pattern. The plans are in docs/data.md; `tests/it/search.rs` checks them
//! with `EXPLAIN` over a table of 20,000 users.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::users::User;

/// Blocks: the SQL condition that keeps a user who blocked the caller out
/// of the caller's results, `candidate` being the SQL of that user's id and
/// `me` the caller's (a look-up of `blocks`' primary key per candidate).
/// The one place where search learns of blocks. A macro, so that each
/// statement stays one `&'static str`.
macro_rules! exclude_blocked {
    ($candidate:literal, $me:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = ",
            $candidate,
            " AND b.blocked_id = ",
            $me,
            ")"
        )
    };
}

/// The three groups of results, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// The user whose nickname is the query, ignoring case.
    Exact,
    /// The caller's friends.
    Friends,
    /// Everyone else.
    Others,
}

impl Group {
    pub const ALL: [Group; 3] = [Group::Exact, Group::Friends, Group::Others];
}

/// A position in the results: the group and the lower-cased nickname of
/// the last user shown (unique, so a total order within the group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub group: Group,
    pub key: String,
}

/// A user found, with how the pair stands (the caller's friendship row, if
/// any): no lookup per result.
#[derive(Debug, Clone, QueryableByName)]
pub struct Found {
    #[diesel(embed)]
    pub user: User,
    /// `lower(nickname)`: the position's key.
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub friendship_state: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub requested_by: Option<Uuid>,
    /// The caller blocked this user (they are still found, as BLOCKED).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub blocked_by_me: bool,
}

/// The exact match: `$1` the caller, `$2` the lower-cased query.
pub const EXACT: &str = concat!(
    "SELECT u.id, u.nickname, u.about, u.avatar_url, u.created_at, u.avatar_key, \
            lower(u.nickname) AS key, \
            f.state AS friendship_state, f.requested_by, \
            EXISTS (SELECT 1 FROM blocks bm WHERE bm.blocker_id = $1 AND bm.blocked_id = u.id) AS blocked_by_me \
     FROM users u \
     LEFT JOIN friendships f \
       ON f.user_a = LEAST(u.id, $1) AND f.user_b = GREATEST(u.id, $1) \
     WHERE lower(u.nickname) = $2 AND u.id <> $1 AND ",
    exclude_blocked!("u.id", "$1"),
);

/// The caller's friends in the prefix's range, from the friendship
/// indexes (a user's friends are few next to all users). `$1` the caller,
/// `$2` the lower bound (exclusive: the query itself, whose exact match is
/// the first group's, or the last key shown), `$3` the upper bound, `$4`
/// the escaped `LIKE` pattern, `$5` the most rows to answer.
pub const FRIENDS: &str = concat!(
    "SELECT u.id, u.nickname, u.about, u.avatar_url, u.created_at, u.avatar_key, \
            lower(u.nickname) AS key, \
            'accepted'::text AS friendship_state, NULL::uuid AS requested_by, \
            FALSE AS blocked_by_me \
     FROM (SELECT user_b AS other FROM friendships WHERE user_a = $1 AND state = 'accepted' \
           UNION ALL \
           SELECT user_a FROM friendships WHERE user_b = $1 AND state = 'accepted') f \
     JOIN users u ON u.id = f.other \
     WHERE lower(u.nickname) ~>~ $2 AND lower(u.nickname) ~<~ $3 \
       AND lower(u.nickname) LIKE $4 ESCAPE '\\' AND ",
    exclude_blocked!("u.id", "$1"),
    " ORDER BY lower(u.nickname) USING ~<~ LIMIT $5"
);

/// Everyone else in the prefix's range, walking the nickname index in
/// order and stopping at `$5` rows: the caller, friends (the pair's row,
/// by its primary key) and users who blocked the caller are skipped on the
/// way. Parameters as [`FRIENDS`]'.
pub const OTHERS: &str = concat!(
    "SELECT u.id, u.nickname, u.about, u.avatar_url, u.created_at, u.avatar_key, \
            lower(u.nickname) AS key, \
            f.state AS friendship_state, f.requested_by, \
            EXISTS (SELECT 1 FROM blocks bm WHERE bm.blocker_id = $1 AND bm.blocked_id = u.id) AS blocked_by_me \
     FROM users u \
     LEFT JOIN friendships f \
       ON f.user_a = LEAST(u.id, $1) AND f.user_b = GREATEST(u.id, $1) \
     WHERE lower(u.nickname) ~>~ $2 AND lower(u.nickname) ~<~ $3 \
       AND lower(u.nickname) LIKE $4 ESCAPE '\\' \
       AND u.id <> $1 AND f.state IS DISTINCT FROM 'accepted' AND ",
    exclude_blocked!("u.id", "$1"),
    " ORDER BY lower(u.nickname) USING ~<~ LIMIT $5"
);

/// The prefix `query` (lower-cased) as a `LIKE` pattern: `%`, `_` and `\`
/// stand for themselves, then any rest.
pub fn like_prefix(query: &str) -> String {
    let mut pattern = String::with_capacity(query.len() + 2);
    for c in query.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The first key past every key that starts with `query`: `query` and a
/// character above every one a nickname may have.
pub fn upper_bound(query: &str) -> String {
    format!("{query}~")
}

/// Up to `limit` users of `group` for `me` whose nickname starts with
/// `query` (lower-cased), after `after` (a key of that group), in order.
pub async fn group(
    conn: &mut Conn,
    group: Group,
    me: Uuid,
    query: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Found>> {
    let lower = after.unwrap_or(query);
    match group {
        // One row at most; a cursor in this group is past it.
        Group::Exact if after.is_some() => Ok(Vec::new()),
        Group::Exact => {
            prepared::sql(EXACT)
                .bind::<SqlUuid, _>(me)
                .bind::<Text, _>(query)
                .load(conn)
                .await
        }
        Group::Friends => {
            prepared::sql(FRIENDS)
                .bind::<SqlUuid, _>(me)
                .bind::<Text, _>(lower)
                .bind::<Text, _>(upper_bound(query))
                .bind::<Text, _>(like_prefix(query))
                .bind::<BigInt, _>(limit)
                .load(conn)
                .await
        }
        // Planned on every call, on purpose: how many nicknames a prefix
        // matches decides the plan (`us` matches nearly everyone, since
        // default nicknames are `user_…`: walk the index in order and stop
        // at the limit; a rare prefix: fetch its few rows and sort them),
        // and a prepared statement may settle on one generic plan for all.
        Group::Others => {
            diesel::sql_query(OTHERS)
                .bind::<SqlUuid, _>(me)
                .bind::<Text, _>(lower)
                .bind::<Text, _>(upper_bound(query))
                .bind::<Text, _>(like_prefix(query))
                .bind::<BigInt, _>(limit)
                .load(conn)
                .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_prefix("al"), "al%");
        assert_eq!(like_prefix("a_b"), "a\\_b%");
        assert_eq!(like_prefix("50%"), "50\\%%");
        assert_eq!(like_prefix("a\\b"), "a\\\\b%");
        assert_eq!(upper_bound("al"), "al~");
        // Every nickname character sorts below the bound's last one.
        assert!(
            ('a'..='z')
                .chain('0'..='9')
                .chain(['_', '.'])
                .all(|c| c < '~')
        );
    }
}
