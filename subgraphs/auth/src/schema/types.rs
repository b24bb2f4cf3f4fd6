//! GraphQL object and input types of the auth subgraph.

use async_graphql::connection::PageInfo;
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::oauth::LinkedIdentity;
use crate::db::{accounts::Account, sessions::Session as SessionRow};
use crate::secrets::{
    AccessToken, DeviceToken, Password, RecoveryCode, RefreshToken, SecondFactorCode, TotpSecret,
};
use crate::service::security::{EventKind, EventPage};
use crate::service::{AuthService, IssuedTokens};

#[derive(InputObject)]
pub struct RegisterInput {
    pub email: String,
    pub password: Password,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: Password,
    /// The `deviceToken` an earlier sign-in of this account returned on
    /// this device. With it, attempts count against this device's limit
    /// instead of the account's, so others guessing the password cannot
    /// lock you out. Anything else (another account's, forged, expired) is
    /// ignored.
    pub device_token: Option<DeviceToken>,
}

/// Tokens for a signed-in session.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived JWT for `Authorization: Bearer …`.
    pub access_token: AccessToken,
    /// Opaque, single-use: `refresh` returns a new one each time.
    pub refresh_token: RefreshToken,
    /// When the access token expires.
    pub expires_at: DateTime<Utc>,
    /// When the refresh token expires.
    pub refresh_expires_at: DateTime<Utc>,
    pub user_id: ID,
    pub session_id: ID,
    /// A long-lived credential of this device for this account (after
    /// `login`, `register` and `exchangeOAuthCode`; null after `refresh`).
    /// Keep it and send it with later `login`s from this device: it exempts
    /// them from the per-account lockout others can cause. It signs no one
    /// in by itself; signing out does not end it.
    pub device_token: Option<DeviceToken>,
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
            device_token: tokens.device_token,
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

    /// Whether signing in asks for a TOTP code (two-factor sign-in is on);
    /// only the user sees it.
    async fn totp_enabled(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        let Some(account) = &self.account else {
            return Ok(None);
        };
        let (enabled, _) = ctx.data::<AuthService>()?.totp_status(account.id).await?;
        Ok(Some(enabled))
    }

    /// How many unused recovery codes are left (0 without TOTP); only the
    /// user sees it.
    async fn recovery_codes_left(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i32>> {
        let Some(account) = &self.account else {
            return Ok(None);
        };
        let (_, left) = ctx.data::<AuthService>()?.totp_status(account.id).await?;
        Ok(Some(i32::try_from(left).unwrap_or(i32::MAX)))
    }
}

/// What happened to an account, in its security log.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityEventKind {
    /// The account was created (with a password, or by a first sign-in
    /// with a provider: `provider` says which).
    Registered,
    /// Someone signed in: with the right password, or with a provider
    /// (`provider` says which).
    LoggedIn,
    /// Someone tried to sign in with a wrong password.
    LoginFailed,
    /// A refresh token was presented a second time; its session was ended.
    RefreshTokenReused,
    /// Every session was signed out.
    LoggedOutEverywhere,
    /// The password was changed; the other sessions were signed out.
    PasswordChanged,
    /// A sign-in with a provider (`provider`) was linked to the account,
    /// which had the email address the provider confirmed.
    AccountLinked,
    /// The account, which had no password (it signs in with a provider),
    /// got one.
    PasswordSet,
    /// A provider (`provider`) confirmed the email address of this account,
    /// which had never been confirmed: whoever had set it up before had
    /// not proved the address theirs, so its password was removed and all
    /// its sessions (and other linked sign-ins) were ended.
    UnverifiedAccountClaimed,
    /// The password was set with a reset link sent to the account's email
    /// address (which counts as confirmed since): every session was signed
    /// out, and the session it signed in (`sessionId`, if any) began.
    PasswordReset,
    /// One session (`sessionId`) was signed out with `revokeSession`.
    SessionRevoked,
    /// Sign-ins with a provider (`provider`) were unlinked from the
    /// account with `unlinkIdentity`.
    IdentityUnlinked,
    /// A change of the email address was asked for (with the password); a
    /// confirmation link went to the new address, a notice to the old one.
    EmailChangeRequested,
    /// The email address changed: the link sent to the new one was followed.
    EmailChanged,
    /// `startTotpEnrollment`: a TOTP secret was handed out (not in use
    /// until confirmed).
    TotpEnrollmentStarted,
    /// Two-factor sign-in was turned on (`confirmTotpEnrollment`).
    TotpEnabled,
    /// Two-factor sign-in was turned off (`disableTotp`).
    TotpDisabled,
    /// The password (or `provider`) was right and the second factor was
    /// asked for (`MFA_REQUIRED`); no session yet.
    MfaChallengeIssued,
    /// A second-factor code was accepted (a sign-in completed, or a
    /// sensitive change confirmed with `totpCode`).
    MfaChallengePassed,
    /// A wrong second-factor code was given.
    MfaChallengeFailed,
    /// A recovery code was used up.
    RecoveryCodeUsed,
}

impl From<EventKind> for SecurityEventKind {
    fn from(kind: EventKind) -> Self {
        match kind {
            EventKind::Registered => SecurityEventKind::Registered,
            EventKind::LoggedIn => SecurityEventKind::LoggedIn,
            EventKind::LoginFailed => SecurityEventKind::LoginFailed,
            EventKind::RefreshTokenReused => SecurityEventKind::RefreshTokenReused,
            EventKind::LoggedOutEverywhere => SecurityEventKind::LoggedOutEverywhere,
            EventKind::PasswordChanged => SecurityEventKind::PasswordChanged,
            EventKind::AccountLinked => SecurityEventKind::AccountLinked,
            EventKind::PasswordSet => SecurityEventKind::PasswordSet,
            EventKind::UnverifiedAccountClaimed => SecurityEventKind::UnverifiedAccountClaimed,
            EventKind::PasswordReset => SecurityEventKind::PasswordReset,
            EventKind::SessionRevoked => SecurityEventKind::SessionRevoked,
            EventKind::IdentityUnlinked => SecurityEventKind::IdentityUnlinked,
            EventKind::EmailChangeRequested => SecurityEventKind::EmailChangeRequested,
            EventKind::EmailChanged => SecurityEventKind::EmailChanged,
            EventKind::TotpEnrollmentStarted => SecurityEventKind::TotpEnrollmentStarted,
            EventKind::TotpEnabled => SecurityEventKind::TotpEnabled,
            EventKind::TotpDisabled => SecurityEventKind::TotpDisabled,
            EventKind::MfaChallengeIssued => SecurityEventKind::MfaChallengeIssued,
            EventKind::MfaChallengePassed => SecurityEventKind::MfaChallengePassed,
            EventKind::MfaChallengeFailed => SecurityEventKind::MfaChallengeFailed,
            EventKind::RecoveryCodeUsed => SecurityEventKind::RecoveryCodeUsed,
        }
    }
}

/// One entry of the caller's security log.
#[derive(SimpleObject)]
pub struct SecurityEvent {
    pub kind: SecurityEventKind,
    pub at: DateTime<Utc>,
    /// The session it happened in or to, where there is one.
    pub session_id: Option<ID>,
    /// The client's address, as this service saw it.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The sign-in provider (one of `oauthProviders`) it came through;
    /// null for email and password.
    pub provider: Option<String>,
}

/// The caller's security log, newest first.
#[derive(SimpleObject)]
pub struct SecurityEventConnection {
    pub edges: Vec<SecurityEventEdge>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject)]
pub struct SecurityEventEdge {
    /// Pass as `after` to get the events before this one.
    pub cursor: String,
    pub node: SecurityEvent,
}

impl From<EventPage> for SecurityEventConnection {
    fn from(page: EventPage) -> Self {
        let edges: Vec<SecurityEventEdge> = page
            .items
            .into_iter()
            .map(|event| SecurityEventEdge {
                cursor: event.cursor,
                node: SecurityEvent {
                    kind: event.kind.into(),
                    at: event.at,
                    session_id: event.session_id.map(|id| ID(id.to_string())),
                    ip: event.ip,
                    user_agent: event.user_agent,
                    provider: event.provider,
                },
            })
            .collect();
        // Forward paging only (`first`/`after`), so never a previous page.
        let page_info = PageInfo {
            has_previous_page: false,
            has_next_page: page.has_next_page,
            start_cursor: edges.first().map(|e| e.cursor.clone()),
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        };
        SecurityEventConnection { edges, page_info }
    }
}

/// What `oauthStart` answers.
#[derive(SimpleObject)]
#[graphql(name = "OAuthStartPayload")]
pub struct OAuthStartPayload {
    /// The URL to open in the browser: this service's
    /// `/oauth/{provider}/start?…`.
    pub url: String,
}

/// What `verifyEmail` answers.
#[derive(SimpleObject)]
pub struct VerifyEmailPayload {
    /// The account whose email address is now confirmed.
    pub user_id: ID,
}

/// What `resendVerificationEmail` answers: the same for every address,
/// known or not.
#[derive(SimpleObject)]
pub struct ResendVerificationEmailPayload {
    /// The address as the service reads it (normalised): a link goes
    /// there if it belongs to an account that has not confirmed it.
    pub email: String,
}

/// What `logout` answers.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// The session that is now signed out (the caller's).
    pub session_id: ID,
}

/// What `revokeSession` answers.
#[derive(SimpleObject)]
pub struct RevokeSessionPayload {
    /// The session that is now signed out.
    pub session_id: ID,
}

/// What `logoutEverywhere` answers.
#[derive(SimpleObject)]
pub struct LogoutEverywherePayload {
    /// How many sessions were signed out, the caller's included.
    pub sessions_ended: i32,
}

/// What `changePassword` answers.
#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    /// How many other sessions were signed out (the caller's stays).
    pub sessions_ended: i32,
}

/// What `setPassword` answers.
#[derive(SimpleObject)]
pub struct SetPasswordPayload {
    /// The caller, who can now also sign in with email and password.
    /// Nullable like every reference to a user: through the router, if
    /// the users service cannot answer its fields, the rest of the answer
    /// still arrives, with errors naming it.
    pub user: Option<User>,
}

/// What `requestPasswordReset` answers: the same for every address, known
/// or not.
#[derive(SimpleObject)]
pub struct RequestPasswordResetPayload {
    /// The address as the service reads it (normalised): a reset link goes
    /// there if it belongs to an account.
    pub email: String,
}

/// What `resetPassword` takes: the link's token and the new password
/// (BAD_USER_INPUT on either field, as `resetPassword` says).
#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The `token` of the link in the password reset email.
    pub token: String,
    /// 8 to 1024 characters.
    pub new_password: Password,
}

/// What `resetPassword` answers: the account is signed in anew.
#[derive(SimpleObject)]
pub struct ResetPasswordPayload {
    /// How many sessions of the account were signed out.
    pub sessions_ended: i32,
    /// Tokens for the new session (as `login` answers).
    pub auth: AuthPayload,
}

/// A provider sign-in (OpenID Connect) linked to the caller's account:
/// signing in with that provider account signs in to this one.
#[derive(SimpleObject)]
pub struct ProviderIdentity {
    /// The provider's name (one of `oauthProviders`), as configured at the
    /// last sign-in with it.
    pub provider: String,
    /// The email address the provider reported at the last sign-in.
    pub email: Option<String>,
    /// When it was linked: the first sign-in with it.
    pub linked_at: DateTime<Utc>,
    /// The last sign-in with it.
    pub last_used_at: DateTime<Utc>,
}

impl From<LinkedIdentity> for ProviderIdentity {
    fn from(identity: LinkedIdentity) -> Self {
        Self {
            provider: identity.provider,
            email: identity.email,
            linked_at: identity.created_at,
            last_used_at: identity.last_sign_in_at,
        }
    }
}

/// What `unlinkIdentity` answers.
#[derive(SimpleObject)]
pub struct UnlinkIdentityPayload {
    /// The provider whose sign-ins were unlinked.
    pub provider: String,
    /// The provider sign-ins still linked to the account (as `myIdentities`).
    pub identities: Vec<ProviderIdentity>,
}

/// What `requestEmailChange` takes (BAD_USER_INPUT on either field, or
/// CONFLICT on `newEmail`, as `requestEmailChange` says).
#[derive(InputObject)]
pub struct RequestEmailChangeInput {
    /// The address the account should have.
    pub new_email: String,
    /// The account's password (the change is throttled like a sign-in).
    pub password: Password,
}

/// What `requestEmailChange` answers.
#[derive(SimpleObject)]
pub struct RequestEmailChangePayload {
    /// The new address as the service reads it (normalised): the link that
    /// makes the change went there.
    pub new_email: String,
}

/// What `confirmEmailChange` answers.
#[derive(SimpleObject)]
pub struct ConfirmEmailChangePayload {
    /// The account's address now (confirmed).
    pub email: String,
    /// The account whose address changed (its private fields only for
    /// itself). Nullable like every reference to a user.
    pub user: Option<User>,
}

/// What `startTotpEnrollment` answers: the new secret, not in use until
/// `confirmTotpEnrollment`.
#[derive(SimpleObject)]
pub struct StartTotpEnrollmentPayload {
    /// The secret in base32 (RFC 4648, no padding), for typing into an
    /// authenticator app: HMAC-SHA1, 6 digits, 30-second steps.
    pub secret: TotpSecret,
    /// The same as an `otpauth://totp/…` URI (issuer and email in the
    /// label), for a QR code.
    pub otpauth_uri: TotpSecret,
}

/// What `confirmTotpEnrollment` answers: two-factor sign-in is on.
#[derive(SimpleObject)]
pub struct ConfirmTotpEnrollmentPayload {
    /// Ten single-use codes for signing in without the app
    /// (`XXXX-XXXX-XXXX-XXXX`). Shown this once: keep them somewhere safe.
    pub recovery_codes: Vec<RecoveryCode>,
    /// The caller. Nullable like every reference to a user.
    pub user: Option<User>,
}

/// What `disableTotp` answers: two-factor sign-in is off.
#[derive(SimpleObject)]
pub struct DisableTotpPayload {
    /// The caller. Nullable like every reference to a user.
    pub user: Option<User>,
}

/// What `completeLogin` takes.
#[derive(InputObject)]
pub struct CompleteLoginInput {
    /// `extensions.challengeId` of the `MFA_REQUIRED` answer.
    pub challenge_id: String,
    /// The current code of the authenticator app (6 digits), or one of the
    /// recovery codes.
    pub code: SecondFactorCode,
    /// The `deviceToken` this device sent to `login`, if any: it is then
    /// kept (otherwise the answer carries a new one).
    pub device_token: Option<DeviceToken>,
}
