//! Email change links: only their SHA-256 is stored.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::email_change_tokens as tokens;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tokens)]
pub struct ChangeToken {
    pub account_id: Uuid,
    pub old_email: String,
    pub new_email: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

pub struct NewChange<'a> {
    pub account_id: Uuid,
    pub old_email: &'a str,
    pub new_email: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// Stores a new token and ends the account's older unused ones (a newer
/// link replaces them: they answer "expired" from now on).
pub async fn replace(conn: &mut Conn, hash: &[u8], new: &NewChange<'_>) -> QueryResult<()> {
    end_unused(conn, new.account_id).await?;
    diesel::insert_into(tokens::table)
        .values((
            tokens::token_hash.eq(hash),
            tokens::account_id.eq(new.account_id),
            tokens::old_email.eq(new.old_email),
            tokens::new_email.eq(new.new_email),
            tokens::expires_at.eq(new.expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Makes every unused, unexpired token of the account expire now.
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

/// The token with this hash, locked until the transaction ends.
pub async fn lock(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<ChangeToken>> {
    tokens::table
        .find(hash)
        .select(ChangeToken::as_select())
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
