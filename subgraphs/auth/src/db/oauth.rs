//! Sign-in with OpenID Connect providers: flows in progress (`oauth_states`),
//! one-time login codes and the provider identities linked to accounts.
//! States and codes are looked up by the SHA-256 of the secret value.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::accounts::Account;
use super::schema::{accounts, oauth_identities, oauth_login_codes, oauth_states};

/// What spending a single-use secret found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spent<T> {
    /// Unused and within its lifetime: now spent.
    Fresh(T),
    /// Unused but too old (now spent too).
    Expired(T),
    /// Spent before.
    Used(T),
    /// Never issued, or pruned long ago.
    Unknown,
}

impl<T> Spent<T> {
    /// `spent_now`: the row this statement spent; `before`: the row found
    /// already spent otherwise.
    fn classify(spent_now: Option<T>, before: Option<T>, expired: impl Fn(&T) -> bool) -> Self {
        match spent_now {
            Some(row) if expired(&row) => Spent::Expired(row),
            Some(row) => Spent::Fresh(row),
            None => before.map_or(Spent::Unknown, Spent::Used),
        }
    }
}

/// A sign-in between `start` and the callback.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = oauth_states)]
pub struct State {
    pub provider: String,
    pub nonce_hash: Vec<u8>,
    pub pkce_verifier: String,
    pub redirect_uri: String,
    pub app_state: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// SHA-256 of the secret in the cookie of the browser that started it.
    pub browser_hash: Option<Vec<u8>>,
}

pub struct NewState<'a> {
    pub state_hash: &'a [u8],
    pub provider: &'a str,
    pub nonce_hash: &'a [u8],
    pub pkce_verifier: &'a str,
    pub redirect_uri: &'a str,
    pub app_state: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
    pub browser_hash: &'a [u8],
}

pub async fn insert_state(conn: &mut Conn, new: &NewState<'_>) -> QueryResult<()> {
    diesel::insert_into(oauth_states::table)
        .values((
            oauth_states::state_hash.eq(new.state_hash),
            oauth_states::provider.eq(new.provider),
            oauth_states::nonce_hash.eq(new.nonce_hash),
            oauth_states::pkce_verifier.eq(new.pkce_verifier),
            oauth_states::redirect_uri.eq(new.redirect_uri),
            oauth_states::app_state.eq(new.app_state),
            oauth_states::expires_at.eq(new.expires_at),
            oauth_states::browser_hash.eq(new.browser_hash),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The flow of a state, spent or not, without spending it.
pub async fn find_state(conn: &mut Conn, hash: &[u8]) -> QueryResult<Option<State>> {
    oauth_states::table
        .find(hash)
        .select(State::as_select())
        .first(conn)
        .await
        .optional()
}

/// Spends a state: of two callbacks with one state, exactly one gets `Fresh`.
pub async fn spend_state(conn: &mut Conn, hash: &[u8]) -> QueryResult<Spent<State>> {
    let spent_now = diesel::update(
        oauth_states::table
            .filter(oauth_states::state_hash.eq(hash))
            .filter(oauth_states::used_at.is_null()),
    )
    .set(oauth_states::used_at.eq(diesel::dsl::now))
    .returning(State::as_returning())
    .get_result(conn)
    .await
    .optional()?;
    let before = if spent_now.is_none() {
        oauth_states::table
            .find(hash)
            .select(State::as_select())
            .first(conn)
            .await
            .optional()?
    } else {
        None
    };
    let now = Utc::now();
    Ok(Spent::classify(spent_now, before, |row| {
        row.expires_at <= now
    }))
}

/// What the provider's verified ID token said, waiting for the app to
/// exchange its login code.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = oauth_login_codes)]
pub struct LoginCode {
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_login_code(
    conn: &mut Conn,
    code_hash: &[u8],
    code: &LoginCode,
) -> QueryResult<()> {
    diesel::insert_into(oauth_login_codes::table)
        .values((
            oauth_login_codes::code_hash.eq(code_hash),
            oauth_login_codes::provider.eq(&code.provider),
            oauth_login_codes::issuer.eq(&code.issuer),
            oauth_login_codes::subject.eq(&code.subject),
            oauth_login_codes::email.eq(&code.email),
            oauth_login_codes::email_verified.eq(code.email_verified),
            oauth_login_codes::expires_at.eq(code.expires_at),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Spends a login code: of two exchanges of one code, exactly one gets `Fresh`.
pub async fn spend_login_code(conn: &mut Conn, hash: &[u8]) -> QueryResult<Spent<LoginCode>> {
    let spent_now = diesel::update(
        oauth_login_codes::table
            .filter(oauth_login_codes::code_hash.eq(hash))
            .filter(oauth_login_codes::used_at.is_null()),
    )
    .set(oauth_login_codes::used_at.eq(diesel::dsl::now))
    .returning(LoginCode::as_returning())
    .get_result(conn)
    .await
    .optional()?;
    let before = if spent_now.is_none() {
        oauth_login_codes::table
            .find(hash)
            .select(LoginCode::as_select())
            .first(conn)
            .await
            .optional()?
    } else {
        None
    };
    let now = Utc::now();
    Ok(Spent::classify(spent_now, before, |row| {
        row.expires_at <= now
    }))
}

/// Deletes states and login codes that expired before `cutoff`; returns how many.
pub async fn prune(conn: &mut Conn, cutoff: DateTime<Utc>) -> QueryResult<(usize, usize)> {
    let states = diesel::delete(oauth_states::table.filter(oauth_states::expires_at.lt(cutoff)))
        .execute(conn)
        .await?;
    let codes =
        diesel::delete(oauth_login_codes::table.filter(oauth_login_codes::expires_at.lt(cutoff)))
            .execute(conn)
            .await?;
    Ok((states, codes))
}

/// Serialises sign-ins of one provider identity until the transaction ends,
/// so two first sign-ins at once create one account.
pub async fn lock_identity(conn: &mut Conn, issuer: &str, subject: &str) -> QueryResult<()> {
    prepared::sql("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(format!("auth.oauth_identity {issuer} {subject}"))
        .execute(conn)
        .await
        .map(drop)
}

/// The account linked to a provider identity, if any.
pub async fn linked_account(
    conn: &mut Conn,
    issuer: &str,
    subject: &str,
) -> QueryResult<Option<Uuid>> {
    oauth_identities::table
        .find((issuer, subject))
        .select(oauth_identities::account_id)
        .first(conn)
        .await
        .optional()
}

#[derive(Clone, Copy)]
pub struct NewIdentity<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub account_id: Uuid,
    pub provider: &'a str,
    pub email: Option<&'a str>,
}

pub async fn insert_identity(conn: &mut Conn, new: &NewIdentity<'_>) -> QueryResult<()> {
    diesel::insert_into(oauth_identities::table)
        .values((
            oauth_identities::issuer.eq(new.issuer),
            oauth_identities::subject.eq(new.subject),
            oauth_identities::account_id.eq(new.account_id),
            oauth_identities::provider.eq(new.provider),
            oauth_identities::email.eq(new.email),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Records a sign-in with a linked identity.
pub async fn touch_identity(conn: &mut Conn, new: &NewIdentity<'_>) -> QueryResult<()> {
    diesel::update(oauth_identities::table.find((new.issuer, new.subject)))
        .set((
            oauth_identities::provider.eq(new.provider),
            oauth_identities::email.eq(new.email),
            oauth_identities::last_sign_in_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The account with this email, locked until the transaction ends.
pub async fn lock_account_by_email(conn: &mut Conn, email: &str) -> QueryResult<Option<Account>> {
    accounts::table
        .filter(accounts::email.eq(email))
        .select(Account::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Inserts an account without a password, its email confirmed when the
/// provider's word counts; `None` when the email is taken (by a concurrent
/// registration).
pub async fn insert_account(
    conn: &mut Conn,
    id: Uuid,
    email: &str,
    email_verified: bool,
) -> QueryResult<Option<Account>> {
    diesel::insert_into(accounts::table)
        .values((
            accounts::id.eq(id),
            accounts::email.eq(email),
            accounts::email_verified.eq(email_verified),
        ))
        .on_conflict(accounts::email)
        .do_nothing()
        .returning(Account::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Marks a linked account's email confirmed.
pub async fn confirm_linked_account(conn: &mut Conn, id: Uuid) -> QueryResult<()> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((
            accounts::email_verified.eq(true),
            accounts::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Takes an account whose email was never confirmed away from whoever set
/// it up (see `service::oauth`): its password and the provider identities
/// linked to it go, its email counts as confirmed. Returns how many
/// identities were unlinked.
pub async fn claim_unconfirmed_account(conn: &mut Conn, id: Uuid) -> QueryResult<usize> {
    diesel::update(accounts::table.filter(accounts::id.eq(id)))
        .set((
            accounts::email_verified.eq(true),
            accounts::password_hash.eq(None::<String>),
            accounts::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    diesel::delete(oauth_identities::table.filter(oauth_identities::account_id.eq(id)))
        .execute(conn)
        .await
}

/// A provider identity as its account sees it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = oauth_identities)]
pub struct LinkedIdentity {
    pub provider: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: DateTime<Utc>,
}

/// The provider identities linked to an account, oldest link first.
pub async fn identities_of(conn: &mut Conn, account_id: Uuid) -> QueryResult<Vec<LinkedIdentity>> {
    oauth_identities::table
        .filter(oauth_identities::account_id.eq(account_id))
        .order((oauth_identities::created_at, oauth_identities::provider))
        .select(LinkedIdentity::as_select())
        .load(conn)
        .await
}

/// Unlinks the account's identities of one provider; returns how many.
pub async fn delete_identities(
    conn: &mut Conn,
    account_id: Uuid,
    provider: &str,
) -> QueryResult<usize> {
    diesel::delete(
        oauth_identities::table
            .filter(oauth_identities::account_id.eq(account_id))
            .filter(oauth_identities::provider.eq(provider)),
    )
    .execute(conn)
    .await
}

/// Unlinks every identity of the account; returns how many.
pub async fn delete_all_identities(conn: &mut Conn, account_id: Uuid) -> QueryResult<usize> {
    diesel::delete(oauth_identities::table.filter(oauth_identities::account_id.eq(account_id)))
        .execute(conn)
        .await
}
