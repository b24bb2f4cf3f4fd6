//! Changing an account's email address: asked for with the password, done
//! when the link sent to the new address is followed.
//!
//! Asking checks the password (throttled like a sign-in) and that no other
//! account has the address, then queues two emails: a confirmation link to
//! the new address and a notice to the current one (so an intruder who
//! knows the password cannot move the account away unseen). The link's
//! token is made by the worker when it sends it, like every link here (256
//! random bits, only the SHA-256 kept, one use, `EMAIL_VERIFICATION_TTL_SECS`,
//! a newer one ends the older). Following it changes the address (which
//! counts as confirmed: the link proved it) if the account still has the
//! address it had when asked and no other account has taken the new one.

use api_errors::{ApiError, ApiResult, ErrorCode};
use chrono::Utc;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::security::{self, EventKind};
use super::{AuthService, ClientInfo, hash_token, is_token_shaped, new_token};
use crate::db::accounts;
use crate::db::email_change_tokens::{self as tokens, NewChange};
use crate::events::EmailJob;
use crate::secrets::Password;
use crate::validate;

/// What following an email change link did, when it changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeLink {
    /// It changed the address before.
    Used,
    /// Too old, or replaced by a newer link.
    Expired,
    /// Not a link we sent (or the account's address changed since).
    Invalid,
    /// Another account has the new address by now.
    Taken,
}

impl ChangeLink {
    /// The reason code clients see in `extensions.reason`.
    pub const fn reason(self) -> &'static str {
        match self {
            ChangeLink::Used => "USED",
            ChangeLink::Expired => "EXPIRED",
            ChangeLink::Invalid => "INVALID",
            ChangeLink::Taken => "EMAIL_TAKEN",
        }
    }

    /// BAD_USER_INPUT on `token` with the reason; CONFLICT for a taken address.
    pub fn error(self) -> ApiError {
        let message = match self {
            ChangeLink::Taken => return email_taken(),
            ChangeLink::Used => "this link was already used; the email address was changed then",
            ChangeLink::Expired => {
                "this link has expired or was replaced by a newer one; ask for the change again"
            }
            ChangeLink::Invalid => "this is not a valid email change link",
        };
        ApiError::invalid_field("token", message)
            .with_extension("reason", serde_json::Value::from(self.reason()))
    }
}

/// The account whose address a link changed, and its new address.
#[derive(Debug, Clone)]
pub struct EmailChanged {
    pub account_id: Uuid,
    pub email: String,
}

fn email_taken() -> ApiError {
    ApiError::conflict("another account has this email address")
        .with_extension("field", serde_json::Value::from("newEmail"))
        .with_extension("reason", serde_json::Value::from("EMAIL_TAKEN"))
}

fn wrong_password() -> ApiError {
    ApiError::invalid_field("password", "the password is not correct")
}

impl AuthService {
    /// Asks to change the caller's address to `new_email`: checks the
    /// password and that no other account has the address, counts one
    /// email to each address (refused with RATE_LIMITED when the new one is
    /// over its limit), and queues the link to the new address and the
    /// notice to the current one. Returns the new address as normalised.
    pub async fn request_email_change(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        new_email: &str,
        password: Password,
        client: &ClientInfo,
    ) -> ApiResult<String> {
        let new_email = validate::normalize_email(new_email)
            .map_err(|err| ApiError::invalid_field("newEmail", err.message().to_owned()))?;
        if password.expose().chars().count() > validate::MAX_PASSWORD_CHARS {
            return Err(wrong_password());
        }
        let account = self
            .account(account_id)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
        if account.email == new_email {
            return Err(ApiError::invalid_field(
                "newEmail",
                "this is the account's address already",
            ));
        }
        self.throttle_login(Some(&account.email), client).await?;
        let Some(stored) = account.password_hash else {
            return Err(ApiError::forbidden(
                "this account has no password: set one first (setPassword)",
            )
            .with_extension("reason", serde_json::Value::from("NO_PASSWORD")));
        };
        if !self.hasher.verify(password, Some(stored)).await? {
            self.record_failed_login(Some(account_id), client).await;
            return Err(wrong_password());
        }
        let old_email = account.email;
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            if accounts::by_email(conn, &new_email).await?.is_some() {
                return Err(email_taken());
            }
            if let Some(retry_after) = self.verification.take_email(conn, &new_email).await? {
                return Err(ApiError::rate_limited(retry_after));
            }
            // The notice goes out whatever the old address's count: it is
            // how the owner learns of a change they did not ask for.
            self.verification.take_email(conn, &old_email).await?;
            let confirm = EmailJob::ConfirmEmailChange {
                account_id,
                old_email: old_email.clone(),
                new_email: new_email.clone(),
            };
            outbox::enqueue(conn, &confirm).await?;
            let notice = EmailJob::EmailChangeNotice {
                old_email: old_email.clone(),
                new_email: new_email.clone(),
            };
            outbox::enqueue(conn, &notice).await?;
            security::record(
                conn,
                EventKind::EmailChangeRequested,
                Some(account_id),
                Some(session_id),
                client,
            )
            .await
        })
        .await?;
        tracing::info!(%account_id, "email change asked for; confirmation link queued");
        Ok(new_email)
    }

    /// Follows an email change link: changes the account's address, once.
    /// `Ok(Err(…))` when the link changed nothing.
    pub async fn confirm_email_change(
        &self,
        token: &str,
    ) -> ApiResult<Result<EmailChanged, ChangeLink>> {
        let token = token.trim();
        if !is_token_shaped(token) {
            return Ok(Err(ChangeLink::Invalid));
        }
        let hash = hash_token(token);
        let mut conn = self.pool.get().await?;
        let outcome = conn
            .transaction::<_, ApiError, _>(async |conn| {
                let Some(row) = tokens::lock(conn, &hash).await? else {
                    return Ok(Err(ChangeLink::Invalid));
                };
                if row.used_at.is_some() {
                    return Ok(Err(ChangeLink::Used));
                }
                if row.expires_at <= Utc::now() {
                    return Ok(Err(ChangeLink::Expired));
                }
                let account = accounts::lock(conn, row.account_id).await?;
                if account.is_none_or(|a| a.email != row.old_email) {
                    // Changed again (or gone) since this change was asked for.
                    tokens::mark_used(conn, &hash).await?;
                    return Ok(Err(ChangeLink::Invalid));
                }
                // Checked now, not only when asked: someone may have
                // registered the address meanwhile. The link stays usable.
                if accounts::by_email(conn, &row.new_email).await?.is_some() {
                    return Ok(Err(ChangeLink::Taken));
                }
                match accounts::change_email(conn, row.account_id, &row.new_email).await {
                    Ok(_) => {}
                    // Taken by a registration that committed just now; the
                    // failed statement ends the transaction: roll back.
                    Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                        return Err(email_taken());
                    }
                    Err(err) => return Err(err.into()),
                }
                tokens::mark_used(conn, &hash).await?;
                tokens::end_unused(conn, row.account_id).await?;
                security::record(
                    conn,
                    EventKind::EmailChanged,
                    Some(row.account_id),
                    None,
                    &ClientInfo::default(),
                )
                .await?;
                Ok(Ok(EmailChanged {
                    account_id: row.account_id,
                    email: row.new_email,
                }))
            })
            .await;
        let outcome = match outcome {
            Err(err) if err.code() == ErrorCode::Conflict => Err(ChangeLink::Taken),
            other => other?,
        };
        match &outcome {
            Ok(changed) => {
                tracing::info!(account_id = %changed.account_id, "email address changed");
            }
            Err(link) => tracing::info!(outcome = link.reason(), "email change link refused"),
        }
        Ok(outcome)
    }

    /// For the email worker: a fresh token for the change, if the account
    /// still has `old_email` (else `None`, and no email should be sent). It
    /// replaces the account's older change links.
    pub async fn new_email_change_token(
        &self,
        account_id: Uuid,
        old_email: &str,
        new_email: &str,
    ) -> ApiResult<Option<(String, Vec<u8>)>> {
        let mut conn = self.pool.get().await?;
        let Some(account) = accounts::by_id(&mut conn, account_id).await? else {
            return Ok(None);
        };
        if account.email != old_email {
            return Ok(None);
        }
        let (token, hash) = new_token();
        let change = NewChange {
            account_id,
            old_email,
            new_email,
            expires_at: Utc::now() + self.verification.ttl,
        };
        conn.transaction::<_, ApiError, _>(async |conn| {
            Ok(tokens::replace(conn, &hash, &change).await?)
        })
        .await?;
        Ok(Some((token, hash)))
    }

    /// Forgets an email change token whose email could not be sent.
    pub async fn discard_email_change_token(&self, hash: &[u8]) -> ApiResult<()> {
        let mut conn = self.pool.get().await?;
        tokens::delete(&mut conn, hash).await?;
        Ok(())
    }
}
