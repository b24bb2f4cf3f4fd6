//! GraphQL object and input types of the auth subgraph.

use async_graphql::{ComplexObject, Context, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{accounts::Account, sessions::Session as SessionRow};
use crate::service::IssuedTokens;

#[derive(InputObject)]
pub struct RegisterInput {
    pub email: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

/// Tokens for a signed-in session.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived JWT for `Authorization: Bearer …`.
    pub access_token: String,
    /// Opaque, single-use: `refresh` returns a new one each time.
    pub refresh_token: String,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    /// When the refresh token expires.
    pub refresh_expires_at: DateTime<Utc>,
    pub user_id: ID,
    pub session_id: ID,
}

impl From<IssuedTokens> for AuthPayload {
    fn from(tokens: IssuedTokens) -> Self {
        Self {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            expires_at: tokens.expires_at,
            refresh_expires_at: tokens.refresh_expires_at,
            user_id: ID(tokens.user_id.to_string()),
            session_id: ID(tokens.session_id.to_string()),
        }
    }
}

/// The answer to `register`.
#[derive(SimpleObject)]
pub struct RegisterPayload {
    /// The normalised (trimmed, lower-cased) email.
    pub email: String,
    /// True when the account must confirm its email before signing in.
    pub email_verification_required: bool,
    /// The new user's id; null while email verification is pending.
    pub user_id: Option<ID>,
    /// Tokens for the new session; null while email verification is pending.
    pub auth: Option<AuthPayload>,
}

/// A signed-in device of the caller.
#[derive(SimpleObject)]
pub struct Session {
    pub id: ID,
    pub created_at: DateTime<Utc>,
    /// Last sign-in or token refresh.
    pub last_used_at: DateTime<Utc>,
    /// When the session ends unless refreshed.
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// True for the session of the token making this request.
    pub current: bool,
}

impl Session {
    pub fn from_row(row: SessionRow, current: Uuid) -> Self {
        Self {
            id: ID(row.id.to_string()),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
            user_agent: row.user_agent,
            ip: row.ip,
            current: row.id == current,
        }
    }
}

/// The account's private fields of the shared `User` entity. They are
/// visible only to that user: null for anyone else.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    #[graphql(skip)]
    pub account: Option<Account>,
}

#[ComplexObject]
impl User {
    /// The sign-in email; only the user sees it.
    async fn email(&self, _ctx: &Context<'_>) -> Option<&str> {
        self.account.as_ref().map(|a| a.email.as_str())
    }

    /// Whether the email has been confirmed; only the user sees it.
    async fn email_verified(&self) -> Option<bool> {
        self.account.as_ref().map(|a| a.email_verified)
    }
}
