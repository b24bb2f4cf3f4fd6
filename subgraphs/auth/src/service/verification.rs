//! Email confirmation: following a link, asking for a new one, and the
//! tokens behind the links.
//!
//! A token is 256 random bits; only its SHA-256 is stored, it works once and
//! for `EMAIL_VERIFICATION_TTL_SECS`. Tokens are made by the outbox worker
//! when it sends the email (see `jobs::email`), so the raw token never
//! touches the database. Every email to an address counts against one
//! per-address limit, whether or not the address has an account.

use std::time::Duration;

use api_errors::{ApiError, ApiResult};
use chrono::Utc;
use diesel::QueryResult;
use diesel_async::AsyncConnection as _;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::{AuthService, hash_token, new_token};
use crate::db::email_limits::{self, Take};
use crate::db::{Conn, accounts, email_change_tokens, reset_tokens, verification_tokens};
use crate::events::EmailJob;
use crate::validate;

/// How long spent tokens are kept after they expire, so that an old link
/// still gets "expired" or "used" rather than "invalid".
const KEEP_SPENT_TOKENS: Duration = Duration::from_hours(7 * 24);

/// Whether an account must confirm its email address before signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EmailVerification {
    /// Accounts are usable at once; no emails are sent at registration.
    #[default]
    Off,
    /// Registration sends a confirmation link; signing in, and writing in
    /// users and messaging, wait until it has been followed.
    Required,
}

#[derive(Debug, Clone)]
pub struct VerificationPolicy {
    pub mode: EmailVerification,
    /// How long a confirmation link works.
    pub ttl: Duration,
    /// How long a password reset link works.
    pub reset_ttl: Duration,
    /// Emails one address may be sent per `window`.
    pub emails_per_address: u32,
    pub window: Duration,
}

impl VerificationPolicy {
    /// Counts one email to `email`; `Some(seconds until the window ends)`
    /// when that is over the limit.
    pub(crate) async fn take_email(
        &self,
        conn: &mut Conn,
        email: &str,
    ) -> QueryResult<Option<u64>> {
        let address = Sha256::digest(email.as_bytes());
        Ok(
            match email_limits::take(conn, &address, self.emails_per_address, self.window).await? {
                Take::Allowed => None,
                Take::Limited { retry_after_secs } => Some(retry_after_secs),
            },
        )
    }
}

/// What following a confirmation link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The address is confirmed.
    Confirmed,
    /// The link had been followed before (so the address is confirmed).
    AlreadyUsed,
    Expired,
    /// Not a link we sent: mistyped, truncated or made up.
    Invalid,
}

impl Verification {
    /// The reason code clients see in `extensions.reason`.
    pub const fn reason(self) -> &'static str {
        match self {
            Verification::Confirmed => "CONFIRMED",
            Verification::AlreadyUsed => "USED",
            Verification::Expired => "EXPIRED",
            Verification::Invalid => "INVALID",
        }
    }

    /// `Ok` when the link confirmed the address, else BAD_USER_INPUT on the
    /// `token` field with the reason.
    pub fn into_result(self) -> ApiResult<()> {
        let message = match self {
            Verification::Confirmed => return Ok(()),
            Verification::AlreadyUsed => {
                "this confirmation link was already used; the email address is confirmed"
            }
            Verification::Expired => "this confirmation link has expired; ask for a new one",
            Verification::Invalid => "this is not a valid confirmation link",
        };
        Err(ApiError::invalid_field("token", message)
            .with_extension("reason", serde_json::Value::from(self.reason())))
    }
}

/// Tokens we make are 32 bytes in unpadded base64url: 43 characters.
fn is_well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl AuthService {
    /// Follows a confirmation link: confirms the address it was sent to,
    /// once. Tokens issued afterwards (sign-in, refresh) carry `ev = true`.
    pub async fn verify_email(&self, token: &str) -> ApiResult<Verification> {
        Ok(self.verify_email_of(token).await?.0)
    }

    /// [`Self::verify_email`], with the account the link was sent for
    /// (none for a link we did not send).
    pub async fn verify_email_of(&self, token: &str) -> ApiResult<(Verification, Option<Uuid>)> {
        let token = token.trim();
        if !is_well_formed(token) {
            return Ok((Verification::Invalid, None));
        }
        let hash = hash_token(token);
        let mut conn = self.pool.get().await?;
        let (outcome, account_id) = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let Some(row) = verification_tokens::lock(conn, &hash).await? else {
                    return Ok((Verification::Invalid, None));
                };
                if row.used_at.is_some() {
                    return Ok((Verification::AlreadyUsed, Some(row.account_id)));
                }
                if row.expires_at <= Utc::now() {
                    return Ok((Verification::Expired, Some(row.account_id)));
                }
                verification_tokens::mark_used(conn, &hash).await?;
                if !accounts::mark_verified(conn, row.account_id, &row.email).await? {
                    // The account's address changed since the link was sent.
                    return Ok((Verification::Invalid, Some(row.account_id)));
                }
                Ok((Verification::Confirmed, Some(row.account_id)))
            })
            .await?;
        tracing::info!(
            account_id = account_id.map(tracing::field::display),
            outcome = outcome.reason(),
            "confirmation link followed"
        );
        Ok((outcome, account_id))
    }

    /// Sends a new confirmation link if `email` belongs to an account that
    /// has not confirmed it. The answer is the same for every address, known
    /// or not, confirmed or not (RATE_LIMITED included): it tells nothing.
    /// Returns the address as normalised.
    pub async fn resend_verification_email(&self, email: &str) -> ApiResult<String> {
        let email = validate::normalize_email(email)?;
        let mut conn = self.pool.get().await?;
        let limited = conn
            .transaction::<_, ApiError, _>(async |conn| {
                if let Some(retry_after) = self.verification.take_email(conn, &email).await? {
                    return Ok(Some(retry_after));
                }
                if let Some(account) = accounts::by_email(conn, &email).await?
                    && !account.email_verified
                {
                    let job = EmailJob::Verify {
                        account_id: account.id,
                        email: email.clone(),
                    };
                    outbox::enqueue(conn, &job).await?;
                }
                Ok(None)
            })
            .await?;
        match limited {
            Some(retry_after) => Err(ApiError::rate_limited(retry_after)),
            None => Ok(email),
        }
    }

    /// For the email worker: a fresh token for confirming `email` of the
    /// account, stored hashed, valid from now for the TTL. `None` when there
    /// is nothing to confirm any more (confirmed, address changed, account
    /// gone), and then no email should be sent.
    pub async fn new_verification_token(
        &self,
        account_id: Uuid,
        email: &str,
    ) -> ApiResult<Option<(String, Vec<u8>)>> {
        let mut conn = self.pool.get().await?;
        let Some(account) = accounts::by_id(&mut conn, account_id).await? else {
            return Ok(None);
        };
        if account.email_verified || account.email != email {
            return Ok(None);
        }
        let (token, hash) = new_token();
        let expires_at = Utc::now() + self.verification.ttl;
        verification_tokens::insert(&mut conn, &hash, account_id, email, expires_at).await?;
        Ok(Some((token, hash)))
    }

    /// Forgets a token whose email could not be sent (its link exists nowhere).
    pub async fn discard_verification_token(&self, hash: &[u8]) -> ApiResult<()> {
        let mut conn = self.pool.get().await?;
        verification_tokens::delete(&mut conn, hash).await?;
        Ok(())
    }

    /// Deletes tokens long expired (confirmation, password reset, email
    /// change) and
    /// per-address counts whose window ended.
    pub async fn prune_email_state(&self) -> ApiResult<(usize, usize)> {
        let mut conn = self.pool.get().await?;
        let cutoff = Utc::now() - KEEP_SPENT_TOKENS;
        let tokens = verification_tokens::prune(&mut conn, cutoff).await?
            + reset_tokens::prune(&mut conn, cutoff).await?
            + email_change_tokens::prune(&mut conn, cutoff).await?;
        let limits = email_limits::prune(&mut conn, Utc::now() - self.verification.window).await?;
        Ok((tokens, limits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_shaped_like_ours_are_looked_up() {
        let (token, _) = new_token();
        assert!(is_well_formed(&token), "{token}");
        assert!(!is_well_formed(""));
        assert!(!is_well_formed(&token[..42]));
        assert!(!is_well_formed(&format!("{token}A")));
        assert!(!is_well_formed(&format!("{}+", &token[..42])));
    }

    #[test]
    fn failures_say_why() {
        assert!(Verification::Confirmed.into_result().is_ok());
        for (outcome, reason) in [
            (Verification::AlreadyUsed, "USED"),
            (Verification::Expired, "EXPIRED"),
            (Verification::Invalid, "INVALID"),
        ] {
            let err: async_graphql::Error = outcome.into_result().unwrap_err().into();
            let ext = err.extensions.unwrap();
            assert_eq!(
                ext.get("code"),
                Some(&async_graphql::Value::from("BAD_USER_INPUT"))
            );
            assert_eq!(ext.get("reason"), Some(&async_graphql::Value::from(reason)));
        }
    }
}
