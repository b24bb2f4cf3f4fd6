//! Email confirmation tokens: only their SHA-256 is stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::email_verification_tokens as tokens;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tokens)]
pub struct VerificationToken {
    pub account_id: Uuid,
    pub email: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    conn: &mut Conn,
    hash: &[u8],
    account_id: Uuid,
    email: &str,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
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

/// The token with this hash, locked until the transaction ends (two clicks
/// on one link are applied one after the other).
pub async fn lock(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<VerificationToken>> {
    tokens::table
        .find(hash)
        .select(VerificationToken::as_select())
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
