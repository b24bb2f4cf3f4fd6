//! The TOTP second factor of an account (`totp_credentials`) and its
//! recovery codes (`totp_recovery_codes`, by SHA-256).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::{totp_credentials as creds, totp_recovery_codes as codes};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = creds)]
pub struct Credential {
    pub account_id: Uuid,
    pub secret: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// `None` while the enrollment awaits its first code.
    pub enabled_at: Option<DateTime<Utc>>,
    /// The time step of the last code accepted.
    pub last_step: Option<i64>,
}

impl Credential {
    pub fn is_enabled(&self) -> bool {
        self.enabled_at.is_some()
    }
}

/// The account's credential, enabled or pending.
pub async fn of(conn: &mut Conn, account_id: Uuid) -> QueryResult<Option<Credential>> {
    creds::table
        .find(account_id)
        .select(Credential::as_select())
        .first(conn)
        .await
        .optional()
}

/// Whether the account has TOTP turned on.
pub async fn is_enabled(conn: &mut Conn, account_id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        creds::table
            .filter(creds::account_id.eq(account_id))
            .filter(creds::enabled_at.is_not_null()),
    ))
    .get_result(conn)
    .await
}

/// Starts (or starts again) an enrollment with `secret`; `false` when the
/// account has TOTP turned on already (nothing changes then).
pub async fn start(conn: &mut Conn, account_id: Uuid, secret: &[u8]) -> QueryResult<bool> {
    prepared::sql(
        "INSERT INTO totp_credentials AS c (account_id, secret) VALUES ($1, $2) \
         ON CONFLICT (account_id) DO UPDATE \
         SET secret = EXCLUDED.secret, created_at = now(), last_step = NULL \
         WHERE c.enabled_at IS NULL",
    )
    .bind::<diesel::sql_types::Uuid, _>(account_id)
    .bind::<diesel::sql_types::Bytea, _>(secret)
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Turns the pending enrollment on; `step`: the step of the code that did.
pub async fn enable(conn: &mut Conn, account_id: Uuid, step: i64) -> QueryResult<bool> {
    diesel::update(
        creds::table
            .filter(creds::account_id.eq(account_id))
            .filter(creds::enabled_at.is_null()),
    )
    .set((
        creds::enabled_at.eq(diesel::dsl::now),
        creds::last_step.eq(step),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Remembers the step of a code just accepted.
pub async fn set_last_step(conn: &mut Conn, account_id: Uuid, step: i64) -> QueryResult<()> {
    diesel::update(creds::table.find(account_id))
        .set(creds::last_step.eq(step))
        .execute(conn)
        .await
        .map(drop)
}

/// Removes the account's TOTP and recovery codes; returns whether it had
/// TOTP turned on.
pub async fn delete(conn: &mut Conn, account_id: Uuid) -> QueryResult<bool> {
    let enabled = diesel::delete(creds::table.find(account_id))
        .returning(creds::enabled_at)
        .get_results::<Option<DateTime<Utc>>>(conn)
        .await?
        .into_iter()
        .any(|at| at.is_some());
    diesel::delete(codes::table.filter(codes::account_id.eq(account_id)))
        .execute(conn)
        .await?;
    Ok(enabled)
}

/// Replaces the account's recovery codes with these (SHA-256 of each).
pub async fn replace_recovery_codes(
    conn: &mut Conn,
    account_id: Uuid,
    hashes: &[Vec<u8>],
) -> QueryResult<()> {
    diesel::delete(codes::table.filter(codes::account_id.eq(account_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = hashes
        .iter()
        .map(|hash| (codes::account_id.eq(account_id), codes::code_hash.eq(hash)))
        .collect();
    diesel::insert_into(codes::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// Spends one unused recovery code of the account; `false` if it has none
/// with this hash (unknown, or used).
pub async fn spend_recovery_code(
    conn: &mut Conn,
    account_id: Uuid,
    hash: &[u8],
) -> QueryResult<bool> {
    diesel::update(
        codes::table
            .filter(codes::account_id.eq(account_id))
            .filter(codes::code_hash.eq(hash))
            .filter(codes::used_at.is_null()),
    )
    .set(codes::used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// How many unused recovery codes the account has.
pub async fn recovery_codes_left(conn: &mut Conn, account_id: Uuid) -> QueryResult<i64> {
    codes::table
        .filter(codes::account_id.eq(account_id))
        .filter(codes::used_at.is_null())
        .count()
        .get_result(conn)
        .await
}
