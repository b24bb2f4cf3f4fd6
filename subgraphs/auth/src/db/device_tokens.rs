//! Device credentials (`device_tokens`): which account a device token was
//! handed to, looked up by the SHA-256 of the token.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::device_tokens;

/// Devices remembered per account; the least recently used are forgotten
/// first (a client that never keeps its token cannot fill the table).
pub const KEPT_PER_ACCOUNT: i64 = 20;

/// The account an unexpired device token belongs to.
pub async fn account_of(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<Uuid>> {
    device_tokens::table
        .find(hash)
        .filter(device_tokens::expires_at.gt(diesel::dsl::now))
        .select(device_tokens::account_id)
        .first(conn)
        .await
        .optional()
}

/// Remembers a device of `account_id`, and forgets the account's devices
/// beyond the [`KEPT_PER_ACCOUNT`] most recently used.
pub async fn insert(
    conn: &mut Conn,
    hash: &[u8],
    account_id: Uuid,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(device_tokens::table)
        .values((
            device_tokens::token_hash.eq(hash),
            device_tokens::account_id.eq(account_id),
            device_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    prepared::sql(
        "DELETE FROM device_tokens WHERE account_id = $1 AND token_hash NOT IN \
         (SELECT token_hash FROM device_tokens WHERE account_id = $1 \
          ORDER BY last_used_at DESC LIMIT $2)",
    )
    .bind::<diesel::sql_types::Uuid, _>(account_id)
    .bind::<diesel::sql_types::BigInt, _>(KEPT_PER_ACCOUNT)
    .execute(conn)
    .await
    .map(drop)
}

/// A sign-in with the device token: it lives on from now.
pub async fn touch(conn: &mut Conn, hash: &[u8], expires_at: DateTime<Utc>) -> QueryResult<()> {
    diesel::update(device_tokens::table.find(hash))
        .set((
            device_tokens::last_used_at.eq(diesel::dsl::now),
            device_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Forgets every device of an account; returns how many.
pub async fn delete_all(conn: &mut Conn, account_id: Uuid) -> QueryResult<usize> {
    diesel::delete(device_tokens::table.filter(device_tokens::account_id.eq(account_id)))
        .execute(conn)
        .await
}
