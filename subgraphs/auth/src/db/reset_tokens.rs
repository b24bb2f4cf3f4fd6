//! Password reset tokens: only their SHA-256 is stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::password_reset_tokens as tokens;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tokens)]
pub struct ResetToken {
    pub account_id: Uuid,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

/// Stores a new token of the account and ends its older unused ones (a
/// newer link replaces them: they answer "expired" from now on).
pub async fn replace(
    conn: &mut Conn,
    hash: &[u8],
    account_id: Uuid,
    email: &str,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    end_unused(conn, account_id).await?;
    diesel::insert_into(tokens::table)
        .values((
            tokens::token_hash.eq(hash),
            tokens::account_id.eq(account_id),
            tokens::email.eq(email),
            tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Makes every unused, unexpired token of the account expire now; returns
/// how many.
pub async fn end_unused(conn: &mut Conn, account_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        tokens::table
            .filter(tokens::account_id.eq(account_id))
            .filter(tokens::used_at.is_null())
            .filter(tokens::expires_at.gt(diesel::dsl::now)),
    )
    .set(tokens::expires_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

/// The token with this hash, without locking it (to tell a link's state
/// before spending anything on it).
pub async fn find(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<ResetToken>> {
    tokens::table
        .find(hash)
        .select(ResetToken::as_select())
        .first(conn)
        .await
        .optional()
}

/// The token with this hash, locked until the transaction ends (two
/// submissions of one link are applied one after the other).
pub async fn lock(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<ResetToken>> {
    tokens::table
        .find(hash)
        .select(ResetToken::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn mark_used(conn: &mut Conn, hash: &[u8]) -> QueryResult<()> {
    diesel::update(tokens::table.find(hash))
        .set(tokens::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn delete(conn: &mut Conn, hash: &[u8]) -> QueryResult<()> {
    diesel::delete(tokens::table.find(hash))
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes tokens that expired before `cutoff` (used or not); returns how many.
pub async fn prune(conn: &mut Conn, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(tokens::table.filter(tokens::expires_at.lt(cutoff)))
        .execute(conn)
        .await
}
