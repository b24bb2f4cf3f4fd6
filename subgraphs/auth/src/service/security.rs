//! Account security: throttling of sign-in, registration and refresh (state
//! in PostgreSQL, shared by every replica: `crates/ratelimit`), the
//! append-only audit log (`security_events`), changing the password and
//! revoking one session.

use api_errors::{ApiError, ApiResult};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use ratelimit::Rate;
use uuid::Uuid;

use super::{AuthService, ClientInfo};
use crate::db::security_events::{self as events, NewEvent};
use crate::db::{Conn, accounts, email_change_tokens, mfa_challenges, sessions};
use crate::secrets::{Password, SecondFactorCode};
use crate::validate;

/// The rates auth enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub login_per_account: Rate,
    pub login_per_device: Rate,
    pub login_per_ip: Rate,
    pub register_per_ip: Rate,
    pub refresh_per_session: Rate,
    pub oauth_start_per_ip: Rate,
    /// Wrong second-factor codes per account (per device for a sign-in
    /// from one of its known devices): only failures count.
    pub mfa_failures: Rate,
}

impl Limits {
    pub const OFF: Limits = Limits {
        login_per_account: Rate::OFF,
        login_per_device: Rate::OFF,
        login_per_ip: Rate::OFF,
        register_per_ip: Rate::OFF,
        refresh_per_session: Rate::OFF,
        oauth_start_per_ip: Rate::OFF,
        mfa_failures: Rate::OFF,
    };
}

/// What the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Registered,
    LoggedIn,
    LoginFailed,
    RefreshTokenReused,
    LoggedOutEverywhere,
    PasswordChanged,
    /// A provider identity was linked to an existing account.
    AccountLinked,
    /// An account without a password (signed up with a provider) got one.
    PasswordSet,
    /// A provider confirmed the email of an account whose address had never
    /// been confirmed: its password, sessions and other linked identities
    /// were removed (whoever set them never proved the address theirs).
    UnverifiedAccountClaimed,
    /// The password was set with a reset link sent by email; every session
    /// was signed out.
    PasswordReset,
    /// One session was signed out by the account from another (or itself).
    SessionRevoked,
    /// The account's sign-ins with a provider were unlinked.
    IdentityUnlinked,
    /// A change of the email address was asked for (with the password).
    EmailChangeRequested,
    /// The email address changed: the link sent to the new one was followed.
    EmailChanged,
    /// TOTP enrollment began: a secret was handed out, not yet in use.
    TotpEnrollmentStarted,
    /// TOTP was turned on (a code from the new secret confirmed it).
    TotpEnabled,
    /// TOTP was turned off.
    TotpDisabled,
    /// The password (or provider) was right and the second factor was asked
    /// for: no session yet.
    MfaChallengeIssued,
    /// A second factor was given and accepted.
    MfaChallengePassed,
    /// A wrong second-factor code was given.
    MfaChallengeFailed,
    /// A recovery code was spent (it works no more).
    RecoveryCodeUsed,
}

impl EventKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Registered => "REGISTERED",
            EventKind::LoggedIn => "LOGGED_IN",
            EventKind::LoginFailed => "LOGIN_FAILED",
            EventKind::RefreshTokenReused => "REFRESH_TOKEN_REUSED",
            EventKind::LoggedOutEverywhere => "LOGGED_OUT_EVERYWHERE",
            EventKind::PasswordChanged => "PASSWORD_CHANGED",
            EventKind::AccountLinked => "ACCOUNT_LINKED",
            EventKind::PasswordSet => "PASSWORD_SET",
            EventKind::UnverifiedAccountClaimed => "UNVERIFIED_ACCOUNT_CLAIMED",
            EventKind::PasswordReset => "PASSWORD_RESET",
            EventKind::SessionRevoked => "SESSION_REVOKED",
            EventKind::IdentityUnlinked => "IDENTITY_UNLINKED",
            EventKind::EmailChangeRequested => "EMAIL_CHANGE_REQUESTED",
            EventKind::EmailChanged => "EMAIL_CHANGED",
            EventKind::TotpEnrollmentStarted => "TOTP_ENROLLMENT_STARTED",
            EventKind::TotpEnabled => "TOTP_ENABLED",
            EventKind::TotpDisabled => "TOTP_DISABLED",
            EventKind::MfaChallengeIssued => "MFA_CHALLENGE_ISSUED",
            EventKind::MfaChallengePassed => "MFA_CHALLENGE_PASSED",
            EventKind::MfaChallengeFailed => "MFA_CHALLENGE_FAILED",
            EventKind::RecoveryCodeUsed => "RECOVERY_CODE_USED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s)
    }

    pub const ALL: [EventKind; 21] = [
        EventKind::Registered,
        EventKind::LoggedIn,
        EventKind::LoginFailed,
        EventKind::RefreshTokenReused,
        EventKind::LoggedOutEverywhere,
        EventKind::PasswordChanged,
        EventKind::AccountLinked,
        EventKind::PasswordSet,
        EventKind::UnverifiedAccountClaimed,
        EventKind::PasswordReset,
        EventKind::SessionRevoked,
        EventKind::IdentityUnlinked,
        EventKind::EmailChangeRequested,
        EventKind::EmailChanged,
        EventKind::TotpEnrollmentStarted,
        EventKind::TotpEnabled,
        EventKind::TotpDisabled,
        EventKind::MfaChallengeIssued,
        EventKind::MfaChallengePassed,
        EventKind::MfaChallengeFailed,
        EventKind::RecoveryCodeUsed,
    ];
}

/// Appends one event to the audit log (inside the caller's transaction when
/// it records a change: the event and the change commit together).
pub async fn record(
    conn: &mut Conn,
    kind: EventKind,
    account_id: Option<Uuid>,
    session_id: Option<Uuid>,
    client: &ClientInfo,
) -> ApiResult<()> {
    record_via(conn, kind, account_id, session_id, client, None).await
}

/// [`record`] for an event that came through a sign-in provider.
pub async fn record_via(
    conn: &mut Conn,
    kind: EventKind,
    account_id: Option<Uuid>,
    session_id: Option<Uuid>,
    client: &ClientInfo,
    provider: Option<&str>,
) -> ApiResult<()> {
    events::insert(
        conn,
        &NewEvent {
            account_id,
            kind: kind.as_str(),
            session_id,
            ip: client.ip.as_deref(),
            user_agent: client.user_agent.as_deref(),
            provider,
        },
    )
    .await?;
    Ok(())
}

/// One audit event, as its account sees it.
#[derive(Debug, Clone)]
pub struct SecurityEvent {
    pub cursor: String,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    pub session_id: Option<Uuid>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The sign-in provider it came through; `None` for email and password.
    pub provider: Option<String>,
}

/// A page of events, newest first.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub items: Vec<SecurityEvent>,
    pub has_next_page: bool,
}

const DEFAULT_PAGE: i64 = 20;
const MAX_PAGE: i64 = 100;
const CURSOR_TAG: &str = "se1";

pub fn encode_cursor(id: i64) -> String {
    cursor::encode(CURSOR_TAG, &id)
}

/// The event id a cursor stands for; `None` for anything else (another
/// spelling of an id included: a cursor is exactly what `encode_cursor`
/// hands out).
pub fn decode_cursor(cursor: &str) -> Option<i64> {
    cursor::decode(CURSOR_TAG, cursor).filter(|id| *id > 0)
}

fn client_ip(client: &ClientInfo) -> Option<std::net::IpAddr> {
    client.ip.as_deref().and_then(|ip| ip.parse().ok())
}

impl AuthService {
    /// Counts a sign-in attempt for the address and for the account (by
    /// email, whether or not it exists, so the answer says nothing about
    /// that). Checked before the password: once over, a right password
    /// fails too, until the wait is over.
    pub(crate) async fn throttle_login(
        &self,
        email: Option<&str>,
        client: &ClientInfo,
    ) -> ApiResult<()> {
        self.throttle_login_from(email, None, client).await
    }

    /// [`throttle_login`](Self::throttle_login), but an attempt from a
    /// `known_device` (the hash of a device token that belongs to the
    /// account of `email`) is counted per device instead of per account:
    /// strangers who exhaust the account's attempts do not lock out its
    /// owner's devices, and a device that guesses too often locks itself.
    pub(crate) async fn throttle_login_from(
        &self,
        email: Option<&str>,
        known_device: Option<&[u8]>,
        client: &ClientInfo,
    ) -> ApiResult<()> {
        self.throttle_ip("login", client, self.limits.login_per_ip)
            .await?;
        if let Some(device) = known_device {
            let key = format!("login:device:{}", URL_SAFE_NO_PAD.encode(device));
            self.limiter
                .check(&key, self.limits.login_per_device)
                .await?;
        } else if let Some(email) = email {
            let key = format!("login:account:{}", ratelimit::hashed(email));
            self.limiter
                .check(&key, self.limits.login_per_account)
                .await?;
        }
        Ok(())
    }

    /// Counts a sign-in with a provider started from the client's address
    /// (each start stores a flow and may make the service fetch the
    /// provider's discovery document).
    pub(crate) async fn throttle_oauth_start(&self, client: &ClientInfo) -> ApiResult<()> {
        self.throttle_ip("oauth_start", client, self.limits.oauth_start_per_ip)
            .await
    }

    pub(crate) async fn throttle_register(&self, client: &ClientInfo) -> ApiResult<()> {
        self.throttle_ip("register", client, self.limits.register_per_ip)
            .await
    }

    /// Counts an `action` from the client's address (`<action>:ip:<key>`);
    /// nothing when the address is unknown.
    async fn throttle_ip(&self, action: &str, client: &ClientInfo, rate: Rate) -> ApiResult<()> {
        if let Some(ip) = client_ip(client) {
            let key = format!("{action}:ip:{}", ratelimit::ip_key(ip));
            self.limiter.check(&key, rate).await?;
        }
        Ok(())
    }

    /// Counts a refresh of `session` (inside the refresh transaction: a
    /// refused one changes nothing).
    pub(crate) async fn throttle_refresh(&self, conn: &mut Conn, session: Uuid) -> ApiResult<()> {
        let key = format!("refresh:session:{session}");
        ratelimit::check(conn, &key, self.limits.refresh_per_session)
            .await?
            .into_result()
    }

    /// Records a failed sign-in (outside any transaction: nothing changed).
    pub(crate) async fn record_failed_login(&self, account_id: Option<Uuid>, client: &ClientInfo) {
        let result = async {
            let mut conn = self.pool.get().await?;
            record(&mut conn, EventKind::LoginFailed, account_id, None, client).await
        }
        .await;
        if let Err(err) = result {
            // The sign-in still fails; the log line keeps the trace.
            tracing::error!(code = %err.code(), "recording a failed sign-in");
        }
    }

    /// The caller's audit events, newest first.
    pub async fn security_events(
        &self,
        account_id: Uuid,
        first: Option<i32>,
        after: Option<&str>,
    ) -> ApiResult<EventPage> {
        let limit = match first {
            None => DEFAULT_PAGE,
            Some(n) if (1..=MAX_PAGE).contains(&i64::from(n)) => i64::from(n),
            Some(_) => {
                return Err(ApiError::invalid_field(
                    "first",
                    format!("first must be between 1 and {MAX_PAGE}"),
                ));
            }
        };
        let before = after
            .map(|cursor| {
                decode_cursor(cursor)
                    .ok_or_else(|| ApiError::invalid_field("after", "not a cursor of this list"))
            })
            .transpose()?;
        let mut conn = self.pool.get().await?;
        let mut rows = events::page(&mut conn, account_id, before, limit + 1).await?;
        let has_next_page = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let items = rows
            .into_iter()
            .filter_map(|row| {
                let kind = EventKind::parse(&row.kind).or_else(|| {
                    tracing::warn!(kind = row.kind, "unknown security event kind");
                    None
                })?;
                Some(SecurityEvent {
                    cursor: encode_cursor(row.id),
                    kind,
                    at: row.created_at,
                    session_id: row.session_id,
                    ip: row.ip,
                    user_agent: row.user_agent,
                    provider: row.provider,
                })
            })
            .collect();
        Ok(EventPage {
            items,
            has_next_page,
        })
    }

    /// Changes the caller's password after checking the current one, and
    /// signs out every other session (this one stays); returns how many it
    /// signed out. The current password is throttled like a sign-in of the
    /// account. An account with TOTP also needs a recent second factor
    /// (`totp_code` gives one: [`require_recent_second_factor`](Self::require_recent_second_factor)).
    pub async fn change_password(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        current: Password,
        new: Password,
        totp_code: Option<&SecondFactorCode>,
        client: &ClientInfo,
    ) -> ApiResult<usize> {
        validate::check_password(new.expose()).map_err(|_| {
            ApiError::invalid_field(
                "new",
                format!(
                    "the new password must be {} to {} characters, without NUL",
                    validate::MIN_PASSWORD_CHARS,
                    validate::MAX_PASSWORD_CHARS
                ),
            )
        })?;
        if current.expose().chars().count() > validate::MAX_PASSWORD_CHARS {
            return Err(wrong_current_password());
        }
        let account = self
            .account(account_id)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
        self.throttle_login(Some(&account.email), client).await?;
        let Some(stored) = account.password_hash else {
            return Err(ApiError::forbidden(
                "this account has no password: it signs in with a provider",
            ));
        };
        if !self.hasher.verify(current, Some(stored.clone())).await? {
            self.record_failed_login(Some(account_id), client).await;
            return Err(wrong_current_password());
        }
        self.require_recent_second_factor(account_id, session_id, totp_code, client)
            .await?;
        let new_hash = self.hasher.hash(new).await?;
        let mut conn = self.pool.get().await?;
        let revoked = conn
            .transaction::<_, ApiError, _>(async |conn| {
                // Another change since we checked: the checked password is
                // no longer the current one.
                if !accounts::replace_password_hash(conn, account_id, &stored, &new_hash).await? {
                    return Err(ApiError::conflict(
                        "the password was changed meanwhile; try again",
                    ));
                }
                let revoked =
                    sessions::revoke_all_except(conn, account_id, session_id, "password_changed")
                        .await?;
                // A change of address asked for with the old password dies
                // with it (the notice tells the owner to do just this), and
                // so do sign-ins waiting for their second factor.
                email_change_tokens::end_unused(conn, account_id).await?;
                mfa_challenges::end_unused(conn, account_id).await?;
                record(
                    conn,
                    EventKind::PasswordChanged,
                    Some(account_id),
                    Some(session_id),
                    client,
                )
                .await?;
                Ok(revoked)
            })
            .await?;
        let ended = revoked.len();
        tracing::info!(%account_id, signed_out = ended, "password changed");
        self.revocations.insert(revoked);
        Ok(ended)
    }

    /// Signs out one session of the caller's account, by id: another
    /// device's, or this one. Its access tokens stop working at once (as at
    /// sign-out) and its refresh token with them. NOT_FOUND unless the
    /// session is the account's; one already ended is left as it is.
    pub async fn revoke_session(
        &self,
        account_id: Uuid,
        current_session: Uuid,
        session_id: Uuid,
        client: &ClientInfo,
    ) -> ApiResult<()> {
        let mut conn = self.pool.get().await?;
        let revoked = conn
            .transaction::<_, ApiError, _>(async |conn| {
                if sessions::revoke(conn, account_id, session_id, "revoked").await? {
                    record(
                        conn,
                        EventKind::SessionRevoked,
                        Some(account_id),
                        Some(session_id),
                        client,
                    )
                    .await?;
                    return Ok(true);
                }
                if sessions::belongs_to(conn, account_id, session_id).await? {
                    return Ok(false);
                }
                Err(ApiError::not_found("no such session of yours"))
            })
            .await?;
        if revoked {
            tracing::info!(%account_id, %session_id, by = %current_session, "session revoked");
            self.revocations.insert([session_id]);
        }
        Ok(())
    }

    /// Gives the caller's account a password when it has none (it was
    /// created by signing in with a provider), so it can also sign in with
    /// email and password. Only from a session signed in within
    /// [`SET_PASSWORD_WITHIN`]: a stolen access token of an older session
    /// cannot plant a password. Other sessions stay.
    pub async fn set_password(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        new: Password,
        client: &ClientInfo,
    ) -> ApiResult<()> {
        validate::check_password(new.expose()).map_err(|_| {
            ApiError::invalid_field(
                "newPassword",
                format!(
                    "the password must be {} to {} characters, without NUL",
                    validate::MIN_PASSWORD_CHARS,
                    validate::MAX_PASSWORD_CHARS
                ),
            )
        })?;
        let account = self
            .account(account_id)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
        if account.password_hash.is_some() {
            return Err(password_already_set());
        }
        let signed_in_at = {
            let mut conn = self.pool.get().await?;
            sessions::active_for(&mut conn, account_id)
                .await?
                .into_iter()
                .find(|session| session.id == session_id)
                .map(|session| session.created_at)
                .ok_or_else(|| ApiError::unauthenticated("this session has ended"))?
        };
        if Utc::now() - signed_in_at > SET_PASSWORD_WITHIN {
            return Err(ApiError::forbidden(
                "sign in again (with your provider) just before setting a password",
            )
            .with_extension(
                "reason",
                serde_json::Value::from("REAUTHENTICATION_REQUIRED"),
            ));
        }
        // Hashing costs as much as a sign-in: counted like one.
        self.throttle_login(Some(&account.email), client).await?;
        let hash = self.hasher.hash(new).await?;
        let mut conn = self.pool.get().await?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            if !accounts::set_first_password_hash(conn, account_id, &hash).await? {
                return Err(password_already_set());
            }
            // Checked again under the account's row lock: a provider
            // sign-in that claimed the account meanwhile ended this session,
            // and its password must not be planted after all.
            let still_signed_in = sessions::active_for(conn, account_id)
                .await?
                .iter()
                .any(|session| session.id == session_id);
            if !still_signed_in {
                return Err(ApiError::unauthenticated("this session has ended"));
            }
            record(
                conn,
                EventKind::PasswordSet,
                Some(account_id),
                Some(session_id),
                client,
            )
            .await
        })
        .await?;
        tracing::info!(%account_id, "password set on an account that had none");
        Ok(())
    }

    /// After a successful sign-in with `password`: replaces a hash made
    /// with other parameters than the current ones. Best effort: a failure
    /// is logged, the sign-in goes on.
    pub(crate) async fn upgrade_hash(&self, account_id: Uuid, stored: &str, password: Password) {
        if !self.hasher.needs_rehash(stored) {
            return;
        }
        let result = async {
            let new_hash = self.hasher.hash(password).await?;
            let mut conn = self.pool.get().await?;
            Ok::<_, ApiError>(
                accounts::replace_password_hash(&mut conn, account_id, stored, &new_hash).await?,
            )
        }
        .await;
        match result {
            Ok(true) => {
                tracing::info!(%account_id, "password hash upgraded to the current parameters");
            }
            Ok(false) => {}
            Err(err) => {
                tracing::warn!(%account_id, code = %err.code(), "upgrading a password hash failed");
            }
        }
    }
}

/// How recently the session must have signed in to set a first password.
pub const SET_PASSWORD_WITHIN: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

fn password_already_set() -> ApiError {
    ApiError::conflict("this account has a password already: change it with changePassword")
        .with_extension("reason", serde_json::Value::from("PASSWORD_ALREADY_SET"))
}

fn wrong_current_password() -> ApiError {
    ApiError::invalid_field("current", "the current password is not correct")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        for junk in ["", "42", "c2UxOg", "c2UxOi0x", "!!!", &"a".repeat(100)] {
            assert_eq!(decode_cursor(junk), None, "{junk:?}");
        }
        // Other spellings (the property of the `cursors` fuzz target: a
        // cursor is exactly what `encode_cursor` gives).
        for text in ["se1:042", "se1:00", "se1:+1"] {
            let junk = URL_SAFE_NO_PAD.encode(text);
            assert_eq!(decode_cursor(&junk), None, "{text:?}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        let mut names: Vec<_> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventKind::ALL.len());
        assert_eq!(EventKind::parse("NOPE"), None);
    }
}
