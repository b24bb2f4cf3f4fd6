use api_errors::ApiError;
use async_graphql::{Context, ID, Object, Result};
use service_runtime::RequestMeta;
use uuid::Uuid;

use super::types::{
    AuthPayload, ChangePasswordPayload, CompleteLoginInput, ConfirmEmailChangePayload,
    ConfirmTotpEnrollmentPayload, DisableTotpPayload, LoginInput, LogoutEverywherePayload,
    LogoutPayload, OAuthStartPayload, RegisterInput, RegisterPayload, RequestEmailChangeInput,
    RequestEmailChangePayload, RequestPasswordResetPayload, ResendVerificationEmailPayload,
    ResetPasswordInput, ResetPasswordPayload, RevokeSessionPayload, SetPasswordPayload,
    StartTotpEnrollmentPayload, UnlinkIdentityPayload, User, VerifyEmailPayload,
};
use crate::secrets::{DeviceToken, Password, RefreshToken, SecondFactorCode};
use crate::service::email_change::ChangeLink;
use crate::service::{AuthService, ClientInfo, ResetLink};

/// Every mutation answers an object, so fields can be added later without
/// breaking clients.
pub struct Mutation;

/// A count for an `Int` field (saturating).
fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The caller as a `User` with its private fields.
async fn me_user(service: &AuthService, user_id: Uuid) -> Result<Option<User>> {
    let account = service.account(user_id).await?;
    Ok(Some(User {
        id: ID(user_id.to_string()),
        account,
    }))
}

fn client_info(ctx: &Context<'_>) -> ClientInfo {
    ctx.data_opt::<RequestMeta>()
        .map(|meta| ClientInfo {
            user_agent: meta.user_agent.clone(),
            ip: meta.client_ip.map(|ip| ip.to_string()),
        })
        .unwrap_or_default()
}

#[Object]
impl Mutation {
    /// Creates an account with email and password and signs it in.
    /// Errors: BAD_USER_INPUT (invalid email or password), CONFLICT (email
    /// taken), RATE_LIMITED (too many registrations from this address;
    /// `extensions.retryAfter` in seconds).
    /// When the service requires email confirmation, the account starts
    /// unconfirmed and a confirmation link is emailed; the answer has
    /// `emailVerificationRequired: true` and no `userId` or `auth`, and is
    /// the same whether or not the email was taken (never CONFLICT).
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<RegisterPayload> {
        let service = ctx.data::<AuthService>()?;
        let registration = service
            .register(&input.email, input.password, &client_info(ctx))
            .await?;
        Ok(RegisterPayload {
            email: registration.email,
            email_verification_required: registration.signed_in.is_none(),
            user_id: registration
                .signed_in
                .as_ref()
                .map(|tokens| tokens.user_id.into()),
            auth: registration.signed_in.map(Into::into),
        })
    }

    /// Signs in. Send the `deviceToken` an earlier sign-in returned on this
    /// device: attempts are then counted per device, not per account, so
    /// others guessing the password cannot lock you out. Errors:
    /// UNAUTHENTICATED ("invalid email or password") for an unknown email
    /// and a wrong password alike; EMAIL_NOT_VERIFIED when the password is
    /// right but the email address still awaits confirmation (only when the
    /// service requires it); RATE_LIMITED (too many attempts for this
    /// account — or, with its `deviceToken`, from this device — or from
    /// this address: every attempt fails, a right password too, for
    /// `extensions.retryAfter` seconds). MFA_REQUIRED when the password is
    /// right and the account uses two-factor sign-in: no tokens yet;
    /// `extensions.challengeId` and `extensions.expiresAt` (five minutes) —
    /// finish with `completeLogin` from the same client.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
        let service = ctx.data::<AuthService>()?;
        Ok(service
            .login(
                &input.email,
                input.password,
                input.device_token.as_ref().map(DeviceToken::expose),
                &client_info(ctx),
            )
            .await?
            .into())
    }

    /// Finishes a sign-in that answered MFA_REQUIRED (`login`,
    /// `exchangeOAuthCode`, `resetPassword`) with the code of the
    /// authenticator app or a recovery code (each works once); answers the
    /// tokens, as `login` does. Must come from the client that signed in
    /// (same address and user agent). Errors: UNAUTHENTICATED with
    /// `extensions.reason` WRONG_CODE (`extensions.attemptsLeft`: the
    /// challenge dies after 5 wrong codes), INVALID (not a challenge of
    /// this client), EXPIRED, USED or TOO_MANY_FAILURES (sign in again);
    /// RATE_LIMITED (each code counts as a sign-in attempt, and wrong codes
    /// are limited per account — per device with its `deviceToken`;
    /// `extensions.retryAfter` in seconds).
    async fn complete_login(
        &self,
        ctx: &Context<'_>,
        input: CompleteLoginInput,
    ) -> Result<AuthPayload> {
        let service = ctx.data::<AuthService>()?;
        Ok(service
            .complete_login(
                &input.challenge_id,
                &input.code,
                input.device_token.as_ref().map(DeviceToken::expose),
                &client_info(ctx),
            )
            .await?
            .into())
    }

    /// Starts turning on two-factor sign-in (TOTP, RFC 6238): a new secret
    /// for an authenticator app, not in use until `confirmTotpEnrollment`
    /// (starting again replaces it). `TOTP_ENROLLMENT_STARTED` is recorded.
    /// Errors: UNAUTHENTICATED; CONFLICT with `extensions.reason`
    /// TOTP_ALREADY_ENABLED (`disableTotp` first); FORBIDDEN with
    /// `extensions.reason` REAUTHENTICATION_REQUIRED (the session signed in
    /// more than 10 minutes ago: sign in again first) or EMAIL_NOT_VERIFIED
    /// (confirm the email address first: only a proven mailbox may add a
    /// second factor; a password reset confirms it too).
    async fn start_totp_enrollment(&self, ctx: &Context<'_>) -> Result<StartTotpEnrollmentPayload> {
        let me = auth_client::identity(ctx)?;
        let enrollment = ctx
            .data::<AuthService>()?
            .start_totp_enrollment(me.user_id, me.session_id, &client_info(ctx))
            .await?;
        Ok(StartTotpEnrollmentPayload {
            secret: enrollment.secret,
            otpauth_uri: enrollment.uri,
        })
    }

    /// Turns on two-factor sign-in with a current code of the secret
    /// `startTotpEnrollment` gave; answers 10 single-use recovery codes
    /// (shown only now). From then on `login` asks for a code
    /// (MFA_REQUIRED), and `changePassword` and `unlinkIdentity` need a
    /// second factor within 10 minutes (or a `totpCode`). Sessions stay
    /// signed in; this one counts as having given a second factor.
    /// `TOTP_ENABLED` is recorded. Errors: UNAUTHENTICATED; BAD_USER_INPUT
    /// with `extensions.field` `code` (`reason` WRONG_CODE); NOT_FOUND (no
    /// enrollment started); CONFLICT (`reason` TOTP_ALREADY_ENABLED);
    /// RATE_LIMITED (too many wrong codes).
    async fn confirm_totp_enrollment(
        &self,
        ctx: &Context<'_>,
        code: SecondFactorCode,
    ) -> Result<ConfirmTotpEnrollmentPayload> {
        let me = auth_client::identity(ctx)?;
        let service = ctx.data::<AuthService>()?;
        let recovery_codes = service
            .confirm_totp_enrollment(me.user_id, me.session_id, &code, &client_info(ctx))
            .await?;
        Ok(ConfirmTotpEnrollmentPayload {
            recovery_codes,
            user: me_user(service, me.user_id).await?,
        })
    }

    /// Turns off two-factor sign-in, with a current code of the
    /// authenticator app or a recovery code (the second factor this needs).
    /// The secret and recovery codes are deleted; sign-ins waiting for a
    /// code end. `TOTP_DISABLED` is recorded. Errors: UNAUTHENTICATED;
    /// BAD_USER_INPUT with `extensions.field` `code` (`reason` WRONG_CODE,
    /// `MFA_CHALLENGE_FAILED` recorded); CONFLICT with `extensions.reason`
    /// TOTP_NOT_ENABLED; RATE_LIMITED (too many wrong codes).
    async fn disable_totp(
        &self,
        ctx: &Context<'_>,
        code: SecondFactorCode,
    ) -> Result<DisableTotpPayload> {
        let me = auth_client::identity(ctx)?;
        let service = ctx.data::<AuthService>()?;
        service
            .disable_totp(me.user_id, me.session_id, &code, &client_info(ctx))
            .await?;
        Ok(DisableTotpPayload {
            user: me_user(service, me.user_id).await?,
        })
    }

    /// Trades a refresh token for new tokens. The old refresh token stops
    /// working; presenting it again signs the whole session out. Errors:
    /// UNAUTHENTICATED (`extensions.reason` says why), RATE_LIMITED (the
    /// session refreshed too often lately; the token stays valid).
    async fn refresh(&self, ctx: &Context<'_>, refresh_token: RefreshToken) -> Result<AuthPayload> {
        let service = ctx.data::<AuthService>()?;
        Ok(service
            .refresh(refresh_token.expose(), &client_info(ctx))
            .await?
            .into())
    }

    /// Starts signing in with an OpenID Connect provider (one of
    /// `oauthProviders`), for apps that navigate the browser themselves:
    /// returns the URL to open, this service's
    /// `/oauth/{provider}/start?redirect_uri=…&state=…`, which binds the
    /// sign-in to the browser that opens it (a cookie) and sends it on to
    /// the provider; the sign-in must end in that same browser. Afterwards
    /// the browser comes back to `redirectUri` with `?code=…` (give it to
    /// `exchangeOAuthCode`), or with `?error=…` after a page that said what
    /// went wrong; `state`, if given, comes back too (keep it and check it:
    /// it tells your sign-ins from ones someone else started). Errors:
    /// BAD_USER_INPUT (unknown provider, or a `redirectUri` not on the
    /// allow-list: `extensions.field` says which), UNAVAILABLE (the provider
    /// cannot be reached), RATE_LIMITED (too many sign-ins started from this
    /// address, here and at `/start` alike; `extensions.retryAfter` in
    /// seconds).
    async fn oauth_start(
        &self,
        ctx: &Context<'_>,
        provider: String,
        redirect_uri: String,
        state: Option<String>,
    ) -> Result<OAuthStartPayload> {
        let service = ctx.data::<AuthService>()?;
        let url = service
            .oauth_start_url(
                &provider,
                &redirect_uri,
                state.as_deref(),
                &client_info(ctx),
            )
            .await
            .map_err(ApiError::from)?;
        Ok(OAuthStartPayload { url: url.into() })
    }

    /// Signs in with the one-time code a provider sign-in brought back to
    /// the app. The first sign-in with a provider creates the account (its
    /// email already confirmed, no password), or links the account that has
    /// the email, when the provider confirmed the address. Linking an
    /// account whose address was never confirmed claims it: its password is
    /// removed and its sessions end (UNVERIFIED_ACCOUNT_CLAIMED in the
    /// security log). Errors: UNAUTHENTICATED with `extensions.reason`
    /// INVALID, EXPIRED or USED (codes work once, for a couple of minutes);
    /// CONFLICT (an account has this email and the provider has not
    /// confirmed it, `extensions.reason` EMAIL_NOT_VERIFIED_BY_PROVIDER, or
    /// is not trusted to, PROVIDER_NOT_TRUSTED_FOR_EMAIL: sign in with the
    /// password); FORBIDDEN with `extensions.reason` EMAIL_NOT_VERIFIED,
    /// EMAIL_MISSING or EMAIL_INVALID (no account was created: the provider
    /// did not confirm the email address, did not share one, or shared one
    /// that is not usable); MFA_REQUIRED (the account uses two-factor
    /// sign-in: as for `login`, finish with `completeLogin`).
    #[graphql(name = "exchangeOAuthCode")]
    async fn exchange_oauth_code(&self, ctx: &Context<'_>, code: String) -> Result<AuthPayload> {
        let service = ctx.data::<AuthService>()?;
        Ok(service
            .exchange_oauth_code(&code, &client_info(ctx))
            .await?
            .into())
    }

    /// Confirms an email address with the token from a confirmation link
    /// (for apps that open the link themselves; the link also works in a
    /// browser). Errors: BAD_USER_INPUT with `extensions.reason` INVALID
    /// (not a token we sent), EXPIRED or USED (already followed: the
    /// address is confirmed).
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> Result<VerifyEmailPayload> {
        let service = ctx.data::<AuthService>()?;
        let (outcome, account_id) = service.verify_email_of(&token).await?;
        outcome.into_result()?;
        let account_id =
            account_id.ok_or_else(|| ApiError::internal("confirmed without an account"))?;
        Ok(VerifyEmailPayload {
            user_id: ID(account_id.to_string()),
        })
    }

    /// Emails a new confirmation link if the address belongs to an account
    /// that has not confirmed it. The answer is the same for every address,
    /// known or not, so it cannot be used to find out who has an account.
    /// Errors: BAD_USER_INPUT (not an email address), RATE_LIMITED (too
    /// many emails to this address lately; `extensions.retryAfter` in
    /// seconds).
    async fn resend_verification_email(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> Result<ResendVerificationEmailPayload> {
        let service = ctx.data::<AuthService>()?;
        let email = service.resend_verification_email(&email).await?;
        Ok(ResendVerificationEmailPayload { email })
    }

    /// Emails a password reset link if the address belongs to an account
    /// (the link also works in a browser: a form at `/reset-password`). The
    /// answer, and the work behind it, is the same for every address, known
    /// or not, so it cannot be used to find out who has an account. A newer
    /// link replaces the older ones; links work once, for an hour by
    /// default. Errors: BAD_USER_INPUT (not an email address),
    /// RATE_LIMITED (too many emails to this address lately, counted with
    /// confirmation emails; `extensions.retryAfter` in seconds).
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> Result<RequestPasswordResetPayload> {
        let service = ctx.data::<AuthService>()?;
        let email = service.request_password_reset(&email).await?;
        Ok(RequestPasswordResetPayload { email })
    }

    /// Sets a new password with the token from a password reset link. The
    /// email address counts as confirmed from then on; every session of
    /// the account is signed out (and its remembered devices forgotten),
    /// `PASSWORD_RESET` is recorded, and a new session begins: the answer
    /// carries its tokens. Errors: BAD_USER_INPUT with `extensions.field`
    /// `newPassword` (not a valid password; the link still works) or
    /// `token` with `extensions.reason` INVALID (not a link we sent),
    /// EXPIRED (too old, or a newer link was sent) or USED (it already set
    /// a password). For an account with two-factor sign-in the password is
    /// set all the same (and the sessions end), but no session begins: the
    /// answer is MFA_REQUIRED, as for `login` (finish with `completeLogin`).
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        input: ResetPasswordInput,
    ) -> Result<ResetPasswordPayload> {
        let service = ctx.data::<AuthService>()?;
        let reset = service
            .reset_password(&input.token, input.new_password, true, &client_info(ctx))
            .await?
            .map_err(ResetLink::error)?;
        if let Some(challenge) = &reset.mfa_challenge {
            return Err(crate::service::totp::mfa_required(challenge).into());
        }
        let tokens = reset
            .signed_in
            .ok_or_else(|| ApiError::internal("reset without the session asked for"))?;
        Ok(ResetPasswordPayload {
            sessions_ended: count(reset.sessions_ended),
            auth: tokens.into(),
        })
    }

    /// Asks to change the caller's email address: a link that makes the
    /// change goes to the new address (it works once, for as long as a
    /// confirmation link), and a notice to the current one. Nothing changes
    /// until the link is followed (in a browser, or with
    /// `confirmEmailChange`); a newer request, a password change or a
    /// password reset ends the link. `EMAIL_CHANGE_REQUESTED` is recorded.
    /// Errors: UNAUTHENTICATED; BAD_USER_INPUT with `extensions.field`
    /// `password` (not the account's password) or `newEmail` (not an email
    /// address, or the account's already); CONFLICT with `extensions.field`
    /// `newEmail` (another account has it); FORBIDDEN with
    /// `extensions.reason` NO_PASSWORD (the account signs in with a
    /// provider only: `setPassword` first); RATE_LIMITED (too many wrong
    /// passwords, counted with sign-ins, or too many emails to the new
    /// address; `extensions.retryAfter` in seconds).
    async fn request_email_change(
        &self,
        ctx: &Context<'_>,
        input: RequestEmailChangeInput,
    ) -> Result<RequestEmailChangePayload> {
        let me = auth_client::identity(ctx)?;
        let new_email = ctx
            .data::<AuthService>()?
            .request_email_change(
                me.user_id,
                me.session_id,
                &input.new_email,
                input.password,
                &client_info(ctx),
            )
            .await?;
        Ok(RequestEmailChangePayload { new_email })
    }

    /// Changes an account's email address with the token from the link
    /// `requestEmailChange` sent to the new address (for apps that open the
    /// link themselves; it also works in a browser). The new address is
    /// confirmed by it; sessions stay. `EMAIL_CHANGED` is recorded. Errors:
    /// BAD_USER_INPUT with `extensions.field` `token` and
    /// `extensions.reason` INVALID (not a link we sent, or the account's
    /// address changed since it was asked for), EXPIRED (too old, or ended
    /// by a newer request or a new password) or USED; CONFLICT with
    /// `extensions.reason` EMAIL_TAKEN (another account has the address by
    /// now; the link still works if it becomes free).
    async fn confirm_email_change(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> Result<ConfirmEmailChangePayload> {
        let service = ctx.data::<AuthService>()?;
        let changed = service
            .confirm_email_change(&token)
            .await?
            .map_err(ChangeLink::error)?;
        let is_self = ctx
            .data_opt::<auth_client::Caller>()
            .and_then(|caller| caller.identity().ok())
            .is_some_and(|me| me.user_id == changed.account_id);
        let account = if is_self {
            service.account(changed.account_id).await?
        } else {
            None
        };
        Ok(ConfirmEmailChangePayload {
            email: changed.email,
            user: Some(User {
                id: ID(changed.account_id.to_string()),
                account,
            }),
        })
    }

    /// Signs out this session (signing out one already ended changes
    /// nothing).
    async fn logout(&self, ctx: &Context<'_>) -> Result<LogoutPayload> {
        let me = auth_client::identity(ctx)?;
        ctx.data::<AuthService>()?
            .logout(me.user_id, me.session_id)
            .await?;
        Ok(LogoutPayload {
            session_id: ID(me.session_id.to_string()),
        })
    }

    /// Signs out one session of the caller (an `id` from `mySessions`):
    /// another device, or this one. Its tokens stop working at once, as
    /// after `logout`; `SESSION_REVOKED` is recorded. Revoking one of the
    /// caller's sessions that already ended changes nothing. Errors:
    /// UNAUTHENTICATED (no valid token), NOT_FOUND (no session of the
    /// caller's has this id: unknown, or another user's), BAD_USER_INPUT
    /// (`extensions.field` `id`: not a session id).
    async fn revoke_session(&self, ctx: &Context<'_>, id: ID) -> Result<RevokeSessionPayload> {
        let me = auth_client::identity(ctx)?;
        let session_id =
            Uuid::parse_str(&id).map_err(|_| ApiError::invalid_field("id", "not a session id"))?;
        ctx.data::<AuthService>()?
            .revoke_session(me.user_id, me.session_id, session_id, &client_info(ctx))
            .await?;
        Ok(RevokeSessionPayload {
            session_id: ID(session_id.to_string()),
        })
    }

    /// Signs out every session of the caller, this one included.
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> Result<LogoutEverywherePayload> {
        let me = auth_client::identity(ctx)?;
        let ended = ctx
            .data::<AuthService>()?
            .logout_everywhere(me.user_id, me.session_id, &client_info(ctx))
            .await?;
        Ok(LogoutEverywherePayload {
            sessions_ended: count(ended),
        })
    }

    /// Changes the caller's password and signs out every other session
    /// (this one stays signed in). Errors: BAD_USER_INPUT
    /// (`extensions.field` `current`: not the current password; `new`: not
    /// a valid password), RATE_LIMITED (too many wrong attempts, counted
    /// with sign-ins), FORBIDDEN (the account has no password). With
    /// two-factor sign-in on, the session must have given a second factor
    /// within 10 minutes, or `totpCode` must be one (a current code of the
    /// app, or a recovery code): else FORBIDDEN with `extensions.reason`
    /// MFA_REQUIRED_RECENTLY; a wrong `totpCode` is BAD_USER_INPUT
    /// (`extensions.field` `totpCode`).
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current: Password,
        new: Password,
        totp_code: Option<SecondFactorCode>,
    ) -> Result<ChangePasswordPayload> {
        let me = auth_client::identity(ctx)?;
        let ended = ctx
            .data::<AuthService>()?
            .change_password(
                me.user_id,
                me.session_id,
                current,
                new,
                totp_code.as_ref(),
                &client_info(ctx),
            )
            .await?;
        Ok(ChangePasswordPayload {
            sessions_ended: count(ended),
        })
    }

    /// Unlinks the caller's sign-ins with `provider` (a `provider` of
    /// `myIdentities`): signing in with that provider account no longer
    /// signs in to this one (until a sign-in with it links it again, which
    /// a provider that confirms the account's email address does).
    /// `IDENTITY_UNLINKED` is recorded. Errors: UNAUTHENTICATED, NOT_FOUND
    /// (no sign-in with this provider is linked), CONFLICT with
    /// `extensions.reason` LAST_SIGN_IN_METHOD (the account has no password
    /// and no other provider: `setPassword` first). With two-factor sign-in
    /// on, a recent second factor or `totpCode`, as for `changePassword`.
    async fn unlink_identity(
        &self,
        ctx: &Context<'_>,
        provider: String,
        totp_code: Option<SecondFactorCode>,
    ) -> Result<UnlinkIdentityPayload> {
        let me = auth_client::identity(ctx)?;
        let left = ctx
            .data::<AuthService>()?
            .unlink_identity(
                me.user_id,
                me.session_id,
                &provider,
                totp_code.as_ref(),
                &client_info(ctx),
            )
            .await?;
        Ok(UnlinkIdentityPayload {
            provider,
            identities: left.into_iter().map(Into::into).collect(),
        })
    }

    /// Gives the caller's account a password when it has none (it was
    /// created by signing in with a provider), so that it can also sign in
    /// with email and password. Only within 10 minutes of signing in: sign
    /// in again with the provider first. Other sessions stay signed in.
    /// Errors: BAD_USER_INPUT (`extensions.field`
    /// `newPassword`: not a valid password), CONFLICT with
    /// `extensions.reason` PASSWORD_ALREADY_SET (use `changePassword`),
    /// FORBIDDEN with `extensions.reason` REAUTHENTICATION_REQUIRED (signed
    /// in too long ago), RATE_LIMITED (counted with sign-ins).
    async fn set_password(
        &self,
        ctx: &Context<'_>,
        new_password: Password,
    ) -> Result<SetPasswordPayload> {
        let me = auth_client::identity(ctx)?;
        let service = ctx.data::<AuthService>()?;
        service
            .set_password(me.user_id, me.session_id, new_password, &client_info(ctx))
            .await?;
        let account = service.account(me.user_id).await?;
        Ok(SetPasswordPayload {
            user: Some(User {
                id: ID(me.user_id.to_string()),
                account,
            }),
        })
    }
}
