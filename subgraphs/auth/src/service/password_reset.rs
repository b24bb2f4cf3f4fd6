//! Password reset: asking for a link by email, and following it.
//!
//! Asking answers the same for every address and does the same work for
//! each (the per-address email count, a look-up, one queued email job), so
//! neither the answer nor its timing tells who has an account. The link's
//! token is made by the outbox worker when it sends the email, like a
//! confirmation link's: 256 random bits, only the SHA-256 stored, one use,
//! `PASSWORD_RESET_TTL_SECS`; a newer link of the account ends the older
//! ones. Following it proves the address the account's: the password is
//! replaced, the address counts as confirmed, every session and remembered
//! device is signed out, and (through GraphQL) a new session begins.

use api_errors::{ApiError, ApiResult};
use chrono::Utc;
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::security::{self, EventKind};
use super::{AuthService, ClientInfo, IssuedTokens, hash_token, is_token_shaped, new_token, totp};
use crate::db::{
    accounts, device_tokens, email_change_tokens, mfa_challenges, oauth, reset_tokens, sessions,
};
use crate::events::EmailJob;
use crate::secrets::{DeviceToken, Password};
use crate::validate;

/// What a reset link is, before or instead of resetting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetLink {
    /// Unused and within its lifetime.
    Usable,
    /// It reset the password before.
    Used,
    /// Too old, or replaced by a newer link.
    Expired,
    /// Not a link we sent: mistyped, truncated or made up (or its account
    /// has another address by now).
    Invalid,
}

impl ResetLink {
    /// The reason code clients see in `extensions.reason` (as `verifyEmail`'s).
    pub const fn reason(self) -> &'static str {
        match self {
            ResetLink::Usable => "USABLE",
            ResetLink::Used => "USED",
            ResetLink::Expired => "EXPIRED",
            ResetLink::Invalid => "INVALID",
        }
    }

    /// BAD_USER_INPUT on the `token` field with the reason.
    pub fn error(self) -> ApiError {
        let message = match self {
            ResetLink::Used => "this password reset link was already used; ask for a new one",
            ResetLink::Expired => {
                "this password reset link has expired or was replaced by a newer one; ask for a new one"
            }
            ResetLink::Usable | ResetLink::Invalid => "this is not a valid password reset link",
        };
        ApiError::invalid_field("token", message)
            .with_extension("reason", serde_json::Value::from(self.reason()))
    }

    fn of(token: &reset_tokens::ResetToken) -> Self {
        if token.used_at.is_some() {
            ResetLink::Used
        } else if token.expires_at <= Utc::now() {
            ResetLink::Expired
        } else {
            ResetLink::Usable
        }
    }
}

/// What a reset did.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub account_id: Uuid,
    /// How many sessions were signed out.
    pub sessions_ended: usize,
    /// The new session, when one was asked for (and the account does not
    /// use TOTP).
    pub signed_in: Option<IssuedTokens>,
    /// For an account with TOTP, when a session was asked for: the sign-in
    /// waits for its second factor (answered as `MFA_REQUIRED`).
    pub mfa_challenge: Option<super::totp::Challenge>,
}

fn invalid_new_password() -> ApiError {
    ApiError::invalid_field(
        "newPassword",
        format!(
            "the password must be {} to {} characters, without NUL",
            validate::MIN_PASSWORD_CHARS,
            validate::MAX_PASSWORD_CHARS
        ),
    )
}

impl AuthService {
    /// Emails a password reset link if `email` belongs to an account. The
    /// answer (the address as normalised, or RATE_LIMITED) and the work done
    /// are the same for every address, known or not.
    pub async fn request_password_reset(&self, email: &str) -> ApiResult<String> {
        let email = validate::normalize_email(email)?;
        let mut conn = self.pool.get().await?;
        let limited = conn
            .transaction::<_, ApiError, _>(async |conn| {
                if let Some(retry_after) = self.verification.take_email(conn, &email).await? {
                    return Ok(Some(retry_after));
                }
                let account_id = accounts::by_email(conn, &email).await?.map(|a| a.id);
                let job = EmailJob::PasswordReset {
                    account_id,
                    email: email.clone(),
                };
                outbox::enqueue(conn, &job).await?;
                Ok(None)
            })
            .await?;
        match limited {
            Some(retry_after) => Err(ApiError::rate_limited(retry_after)),
            None => Ok(email),
        }
    }

    /// What the link with `token` is, without spending it (the page shows
    /// its form only for a usable link).
    pub async fn reset_link(&self, token: &str) -> ApiResult<ResetLink> {
        let token = token.trim();
        if !is_token_shaped(token) {
            return Ok(ResetLink::Invalid);
        }
        let mut conn = self.pool.get().await?;
        Ok(reset_tokens::find(&mut conn, &hash_token(token))
            .await?
            .as_ref()
            .map_or(ResetLink::Invalid, ResetLink::of))
    }

    /// Follows a reset link: checks the new password's rules (a refused
    /// password spends nothing), spends the token, sets the password,
    /// confirms the address, signs out every session and forgets every
    /// remembered device, and records `PASSWORD_RESET`. With `sign_in`, a
    /// new session begins in the same transaction — for an account with
    /// TOTP, a sign-in challenge instead (the mailbox is one factor; the
    /// second is still asked for). `Ok(Err(link))` when the
    /// link cannot be used (and then nothing changed).
    pub async fn reset_password(
        &self,
        token: &str,
        new: Password,
        sign_in: bool,
        client: &ClientInfo,
    ) -> ApiResult<Result<PasswordReset, ResetLink>> {
        validate::check_password(new.expose()).map_err(|_| invalid_new_password())?;
        let token = token.trim();
        let link = self.reset_link(token).await?;
        if link != ResetLink::Usable {
            return Ok(Err(link));
        }
        // Hashing only for a link that works: made-up tokens cost a look-up.
        let new_hash = self.hasher.hash(new).await?;
        let hash = hash_token(token);
        let session_id = Uuid::new_v4();
        let session_expires_at = Utc::now() + self.refresh_ttl;
        let (refresh_token, refresh_hash) = new_token();
        let mut conn = self.pool.get().await?;
        let outcome = conn
            .transaction::<_, ApiError, _>(async |conn| {
                // Checked again under the lock: of two submissions of one
                // link, the second finds it used.
                let Some(row) = reset_tokens::lock(conn, &hash).await? else {
                    return Ok(Err(ResetLink::Invalid));
                };
                let link = ResetLink::of(&row);
                if link != ResetLink::Usable {
                    return Ok(Err(link));
                }
                let account = accounts::lock(conn, row.account_id).await?;
                let Some(account) = account.filter(|a| a.email == row.email) else {
                    // The account's address changed since the link was sent.
                    reset_tokens::mark_used(conn, &hash).await?;
                    return Ok(Err(ResetLink::Invalid));
                };
                reset_tokens::mark_used(conn, &hash).await?;
                reset_tokens::end_unused(conn, account.id).await?;
                // As with a password change: a pending change of address
                // (asked for with the old password) dies.
                email_change_tokens::end_unused(conn, account.id).await?;
                accounts::reset_password(conn, account.id, &new_hash).await?;
                mfa_challenges::end_unused(conn, account.id).await?;
                if !account.email_verified {
                    // Whoever linked a provider to an address nobody had
                    // proved theirs loses it to the address's owner (as a
                    // provider sign-in claims such an account). TOTP stays:
                    // the mailbox is the factor it backs up (with
                    // EMAIL_VERIFICATION=off no address is ever confirmed).
                    let unlinked = oauth::delete_all_identities(conn, account.id).await?;
                    if unlinked > 0 {
                        tracing::warn!(account_id = %account.id, unlinked, "password reset of an unconfirmed account: linked sign-ins removed");
                    }
                }
                let revoked = sessions::revoke_all(conn, account.id, "password_reset").await?;
                device_tokens::delete_all(conn, account.id).await?;
                let challenge = if sign_in && totp::is_enabled(conn, account.id).await? {
                    Some(totp::issue_challenge(conn, account.id, client, None, None).await?)
                } else {
                    None
                };
                let device = if sign_in && challenge.is_none() {
                    sessions::insert(
                        conn,
                        &sessions::NewSession {
                            id: session_id,
                            account_id: account.id,
                            expires_at: session_expires_at,
                            user_agent: client.user_agent.as_deref(),
                            ip: client.ip.as_deref(),
                        },
                    )
                    .await?;
                    sessions::insert_refresh_token(
                        conn,
                        &refresh_hash,
                        session_id,
                        session_expires_at,
                    )
                    .await?;
                    Some(super::remember_device(conn, account.id).await?)
                } else {
                    None
                };
                security::record(
                    conn,
                    EventKind::PasswordReset,
                    Some(account.id),
                    device.is_some().then_some(session_id),
                    client,
                )
                .await?;
                Ok(Ok((account.id, revoked, device, challenge)))
            })
            .await?;
        let (account_id, revoked, device, mfa_challenge) = match outcome {
            Ok(done) => done,
            Err(link) => return Ok(Err(link)),
        };
        let sessions_ended = revoked.len();
        tracing::info!(%account_id, signed_out = sessions_ended, "password reset by email link");
        self.revocations.insert(revoked);
        let signed_in = match device {
            Some(device) => {
                let mut tokens = self.tokens(
                    account_id,
                    session_id,
                    self.ev_claim(true),
                    refresh_token,
                    session_expires_at,
                )?;
                tokens.device_token = Some(DeviceToken::new(device));
                Some(tokens)
            }
            None => None,
        };
        Ok(Ok(PasswordReset {
            account_id,
            sessions_ended,
            signed_in,
            mfa_challenge,
        }))
    }

    /// For the email worker: a fresh reset token for the account, if it
    /// still has `email` (else `None`, and no email should be sent). It
    /// replaces the account's older links.
    pub async fn new_reset_token(
        &self,
        account_id: Uuid,
        email: &str,
    ) -> ApiResult<Option<(String, Vec<u8>)>> {
        let mut conn = self.pool.get().await?;
        let Some(account) = accounts::by_id(&mut conn, account_id).await? else {
            return Ok(None);
        };
        if account.email != email {
            return Ok(None);
        }
        let (token, hash) = new_token();
        let expires_at = Utc::now() + self.verification.reset_ttl;
        conn.transaction::<_, ApiError, _>(async |conn| {
            Ok(reset_tokens::replace(conn, &hash, account_id, email, expires_at).await?)
        })
        .await?;
        Ok(Some((token, hash)))
    }

    /// Forgets a reset token whose email could not be sent.
    pub async fn discard_reset_token(&self, hash: &[u8]) -> ApiResult<()> {
        let mut conn = self.pool.get().await?;
        reset_tokens::delete(&mut conn, hash).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_why() {
        for (link, reason) in [
            (ResetLink::Used, "USED"),
            (ResetLink::Expired, "EXPIRED"),
            (ResetLink::Invalid, "INVALID"),
        ] {
            let err: async_graphql::Error = link.error().into();
            let ext = err.extensions.unwrap();
            assert_eq!(
                ext.get("code"),
                Some(&async_graphql::Value::from("BAD_USER_INPUT"))
            );
            assert_eq!(ext.get("reason"), Some(&async_graphql::Value::from(reason)));
            assert_eq!(ext.get("field"), Some(&async_graphql::Value::from("token")));
        }
    }
}
