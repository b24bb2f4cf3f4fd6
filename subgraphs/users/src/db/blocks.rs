//! Blocks: one row per blocker and blocked user.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::friendships::{Listed, Position};
use super::schema::blocks;

/// Records that `by` blocks `whom`; `false` if it was so already.
pub async fn insert(conn: &mut Conn, by: Uuid, whom: Uuid) -> QueryResult<bool> {
    diesel::insert_into(blocks::table)
        .values((blocks::blocker_id.eq(by), blocks::blocked_id.eq(whom)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Ends `by`'s block of `whom`; `false` if there was none.
pub async fn delete(conn: &mut Conn, by: Uuid, whom: Uuid) -> QueryResult<bool> {
    diesel::delete(blocks::table.find((by, whom)))
        .execute(conn)
        .await
        .map(|n| n > 0)
}

/// Whether `by` blocks `whom`.
pub async fn exists(conn: &mut Conn, by: Uuid, whom: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(blocks::table.find((by, whom))))
        .get_result(conn)
        .await
}

/// Whether either of `a` and `b` blocks the other.
pub async fn either(conn: &mut Conn, a: Uuid, b: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        blocks::table.filter(
            blocks::blocker_id
                .eq(a)
                .and(blocks::blocked_id.eq(b))
                .or(blocks::blocker_id.eq(b).and(blocks::blocked_id.eq(a))),
        ),
    ))
    .get_result(conn)
    .await
}

/// The users among `others` that `user` blocks or that block `user`.
pub async fn either_among(conn: &mut Conn, user: Uuid, others: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    if others.is_empty() {
        return Ok(Vec::new());
    }
    blocks::table
        .filter(
            blocks::blocker_id
                .eq(user)
                .and(blocks::blocked_id.eq_any(others))
                .or(blocks::blocked_id
                    .eq(user)
                    .and(blocks::blocker_id.eq_any(others))),
        )
        .select((blocks::blocker_id, blocks::blocked_id))
        .load::<(Uuid, Uuid)>(conn)
        .await
        .map(|pairs| {
            pairs
                .into_iter()
                .map(|(blocker, blocked)| if blocker == user { blocked } else { blocker })
                .collect()
        })
}

/// The next version of a replicated state (`replica_versions`): taken
/// under the lock of what it versions, so versions of one key grow in
/// commit order.
pub async fn next_version(conn: &mut Conn) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = BigInt)]
        version: i64,
    }
    prepared::sql("SELECT nextval('replica_versions') AS version")
        .get_result::<Version>(conn)
        .await
        .map(|v| v.version)
}

/// Up to `limit` users `me` blocks, newest block first, after `after`.
pub async fn list(
    conn: &mut Conn,
    me: Uuid,
    after: Option<Position>,
    limit: i64,
) -> QueryResult<Vec<Listed>> {
    match after {
        Some(position) => {
            prepared::sql(
                "SELECT u.id, u.nickname, u.about, u.avatar_url, u.created_at, \
                 u.avatar_key, b.created_at AS at FROM blocks b JOIN users u ON u.id = b.blocked_id \
                 WHERE b.blocker_id = $1 AND (b.created_at, b.blocked_id) < ($3, $4) \
                 ORDER BY b.created_at DESC, b.blocked_id DESC LIMIT $2",
            )
            .bind::<SqlUuid, _>(me)
            .bind::<BigInt, _>(limit)
            .bind::<Timestamptz, _>(position.at)
            .bind::<SqlUuid, _>(position.user_id)
            .load(conn)
            .await
        }
        None => {
            prepared::sql(
                "SELECT u.id, u.nickname, u.about, u.avatar_url, u.created_at, \
                 u.avatar_key, b.created_at AS at FROM blocks b JOIN users u ON u.id = b.blocked_id \
                 WHERE b.blocker_id = $1 \
                 ORDER BY b.created_at DESC, b.blocked_id DESC LIMIT $2",
            )
            .bind::<SqlUuid, _>(me)
            .bind::<BigInt, _>(limit)
            .load(conn)
            .await
        }
    }
}
