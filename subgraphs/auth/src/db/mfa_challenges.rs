//! Sign-ins waiting for their second factor (`mfa_challenges`), by the
//! SHA-256 of the challenge id.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::mfa_challenges as challenges;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = challenges)]
pub struct Challenge {
    pub id_hash: Vec<u8>,
    pub account_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub failures: i32,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub device_hash: Option<Vec<u8>>,
    pub provider: Option<String>,
}

pub struct NewChallenge<'a> {
    pub id_hash: &'a [u8],
    pub account_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub device_hash: Option<&'a [u8]>,
    pub provider: Option<&'a str>,
}

pub async fn insert(conn: &mut Conn, new: &NewChallenge<'_>) -> QueryResult<()> {
    diesel::insert_into(challenges::table)
        .values((
            challenges::id_hash.eq(new.id_hash),
            challenges::account_id.eq(new.account_id),
            challenges::expires_at.eq(new.expires_at),
            challenges::user_agent.eq(new.user_agent),
            challenges::ip.eq(new.ip),
            challenges::device_hash.eq(new.device_hash),
            challenges::provider.eq(new.provider),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn by_hash(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<Challenge>> {
    challenges::table
        .find(hash)
        .select(Challenge::as_select())
        .first(conn)
        .await
        .optional()
}

/// The challenge, locked until the transaction ends.
pub async fn lock(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<Challenge>> {
    challenges::table
        .find(hash)
        .select(Challenge::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn mark_used(conn: &mut Conn, hash: &[u8]) -> QueryResult<()> {
    diesel::update(challenges::table.find(hash))
        .set(challenges::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
        .map(drop)
}

/// Counts a wrong code; returns the failures so far.
pub async fn add_failure(conn: &mut Conn, hash: &[u8]) -> QueryResult<i32> {
    diesel::update(challenges::table.find(hash))
        .set(challenges::failures.eq(challenges::failures + 1))
        .returning(challenges::failures)
        .get_result(conn)
        .await
}

/// Ends the account's pending challenges (TOTP turned off, a new password):
/// they expire now.
pub async fn end_unused(conn: &mut Conn, account_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        challenges::table
            .filter(challenges::account_id.eq(account_id))
            .filter(challenges::used_at.is_null())
            .filter(challenges::expires_at.gt(diesel::dsl::now)),
    )
    .set(challenges::expires_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

/// Deletes challenges that expired before `cutoff`; returns how many.
pub async fn prune(conn: &mut Conn, cutoff: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(challenges::table.filter(challenges::expires_at.lt(cutoff)))
        .execute(conn)
        .await
}
