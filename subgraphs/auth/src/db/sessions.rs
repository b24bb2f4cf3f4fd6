//! Sessions and their refresh tokens.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::{accounts, refresh_tokens, sessions};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: Uuid,
    pub account_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub struct NewSession<'a> {
    pub id: Uuid,
    pub account_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
}

pub async fn insert(conn: &mut Conn, new: &NewSession<'_>) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(new.id),
            sessions::account_id.eq(new.account_id),
            sessions::expires_at.eq(new.expires_at),
            sessions::user_agent.eq(new.user_agent),
            sessions::ip.eq(new.ip),
        ))
        .execute(conn)
        .await
        .map(drop)
}

pub async fn insert_refresh_token(
    conn: &mut Conn,
    hash: &[u8],
    session_id: Uuid,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// A refresh token with its session and account, locked for update.
#[derive(Debug, Queryable)]
pub struct RefreshTarget {
    pub token_expires_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
    pub session_id: Uuid,
    pub session_revoked_at: Option<DateTime<Utc>>,
    pub account_id: Uuid,
    pub email_verified: bool,
}

pub async fn lock_refresh_target(
    conn: &mut Conn,
    hash: &[u8],
) -> QueryResult<Option<RefreshTarget>> {
    refresh_tokens::table
        .inner_join(sessions::table.inner_join(accounts::table))
        .filter(refresh_tokens::token_hash.eq(hash))
        .select((
            refresh_tokens::expires_at,
            refresh_tokens::rotated_at,
            sessions::id,
            sessions::revoked_at,
            accounts::id,
            accounts::email_verified,
        ))
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Marks a token rotated; false if it already was (a concurrent refresh won).
pub async fn mark_rotated(conn: &mut Conn, hash: &[u8]) -> QueryResult<bool> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash))
            .filter(refresh_tokens::rotated_at.is_null()),
    )
    .set(refresh_tokens::rotated_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

pub async fn touch(
    conn: &mut Conn,
    session_id: Uuid,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(sessions::table.find(session_id))
        .set((
            sessions::last_used_at.eq(diesel::dsl::now),
            sessions::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Revokes one session of an account; returns whether it was active.
pub async fn revoke(
    conn: &mut Conn,
    account_id: Uuid,
    session_id: Uuid,
    reason: &str,
) -> QueryResult<bool> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(diesel::dsl::now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Revokes every active session of an account; returns their ids.
pub async fn revoke_all(conn: &mut Conn, account_id: Uuid, reason: &str) -> QueryResult<Vec<Uuid>> {
    diesel::update(
        sessions::table
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(diesel::dsl::now),
        sessions::revoked_reason.eq(reason),
    ))
    .returning(sessions::id)
    .get_results(conn)
    .await
}

/// Active (not revoked, not expired) sessions of an account, newest first.
pub async fn active_for(conn: &mut Conn, account_id: Uuid) -> QueryResult<Vec<Session>> {
    sessions::table
        .filter(sessions::account_id.eq(account_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(conn)
        .await
}

/// Sessions revoked after `since` (for warming the revocation cache).
pub async fn revoked_since(conn: &mut Conn, since: DateTime<Utc>) -> QueryResult<Vec<Uuid>> {
    sessions::table
        .filter(sessions::revoked_at.gt(since))
        .select(sessions::id)
        .load(conn)
        .await
}

/// Revokes every active session of an account but `keep`; returns their ids.
pub async fn revoke_all_except(
    conn: &mut Conn,
    account_id: Uuid,
    keep: Uuid,
    reason: &str,
) -> QueryResult<Vec<Uuid>> {
    diesel::update(
        sessions::table
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::id.ne(keep))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(diesel::dsl::now),
        sessions::revoked_reason.eq(reason),
    ))
    .returning(sessions::id)
    .get_results(conn)
    .await
}

/// Whether the session (active or not) is one of the account's.
pub async fn belongs_to(conn: &mut Conn, account_id: Uuid, session_id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::account_id.eq(account_id)),
    ))
    .get_result(conn)
    .await
}

/// When the session last passed a second factor; `None` for a session
/// that never did, or is not the account's.
pub async fn mfa_at(
    conn: &mut Conn,
    account_id: Uuid,
    session_id: Uuid,
) -> QueryResult<Option<DateTime<Utc>>> {
    sessions::table
        .filter(sessions::id.eq(session_id))
        .filter(sessions::account_id.eq(account_id))
        .select(sessions::mfa_at)
        .first::<Option<DateTime<Utc>>>(conn)
        .await
        .optional()
        .map(Option::flatten)
}

/// Records that the session passed a second factor just now.
pub async fn set_mfa_at(conn: &mut Conn, session_id: Uuid) -> QueryResult<()> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::mfa_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
        .map(drop)
}
