//! Accounts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::schema::accounts;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub email_verified: bool,
    pub created_at: DateTime<Utc>,
}

/// Inserts an account unless the email is taken; `None` when it is.
pub async fn insert(
    conn: &mut Conn,
    id: Uuid,
    email: &str,
    password_hash: &str,
) -> QueryResult<Option<Account>> {
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(id),
            accounts::email.eq(email),
            accounts::password_hash.eq(password_hash),
        ))
        .on_conflict(accounts::email)
        .do_nothing()
        .returning(Account::as_returning())
        .get_result(conn)
        .await
        .optional()
}

pub async fn by_email(conn: &mut Conn, email: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::email.eq(email))
        .select(Account::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn by_id(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Account>> {
    accounts::table
        .find(id)
        .select(Account::as_select())
        .first(conn)
        .await
        .optional()
}

/// Marks the account's email confirmed, if the account still has `email`.
/// Returns whether the account has that (now confirmed) address.
pub async fn mark_verified(conn: &mut Conn, id: Uuid, email: &str) -> QueryResult<bool> {
    diesel::update(
        accounts::table
            .filter(accounts::id.eq(id))
            .filter(accounts::email.eq(email)),
    )
    .set((
        accounts::email_verified.eq(true),
        accounts::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Replaces the password hash if it is still `current` (a concurrent
/// change wins otherwise); returns whether it was replaced.
pub async fn replace_password_hash(
    conn: &mut Conn,
    id: Uuid,
    current: &str,
    new_hash: &str,
) -> QueryResult<bool> {
    diesel::update(
        accounts::table
            .filter(accounts::id.eq(id))
            .filter(accounts::password_hash.eq(current)),
    )
    .set((
        accounts::password_hash.eq(new_hash),
        accounts::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Gives a password to an account that has none (it signs in with a
/// provider); `false` if it has one by now.
pub async fn set_first_password_hash(
    conn: &mut Conn,
    id: Uuid,
    new_hash: &str,
) -> QueryResult<bool> {
    diesel::update(
        accounts::table
            .filter(accounts::id.eq(id))
            .filter(accounts::password_hash.is_null()),
    )
    .set((
        accounts::password_hash.eq(new_hash),
        accounts::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// The account's password hash, locked until the transaction ends.
pub async fn lock_password_hash(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Option<String>>> {
    accounts::table
        .find(id)
        .select(accounts::password_hash)
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The account, locked until the transaction ends.
pub async fn lock(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Account>> {
    accounts::table
        .find(id)
        .select(Account::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Sets the password after a reset link proved the address the account's:
/// the address counts as confirmed from now on.
pub async fn reset_password(conn: &mut Conn, id: Uuid, new_hash: &str) -> QueryResult<bool> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((
            accounts::password_hash.eq(new_hash),
            accounts::email_verified.eq(true),
            accounts::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// Gives the account a new email address, confirmed (a link sent there was
/// followed). Fails with a unique violation when another account has it.
pub async fn change_email(conn: &mut Conn, id: Uuid, new_email: &str) -> QueryResult<bool> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((
            accounts::email.eq(new_email),
            accounts::email_verified.eq(true),
            accounts::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|n| n == 1)
}
