use async_graphql::{Context, Object, Result};
use service_runtime::RequestMeta;

use super::types::{AuthPayload, LoginInput, RegisterInput, RegisterPayload};
use crate::service::{AuthService, ClientInfo};

pub struct Mutation;

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
    /// Errors: BAD_USER_INPUT (invalid email or password), CONFLICT (email taken).
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

    /// Signs in. Errors: UNAUTHENTICATED ("invalid email or password") for
    /// an unknown email and a wrong password alike; EMAIL_NOT_VERIFIED when
    /// the password is right but the email address still awaits confirmation
    /// (only when the service requires it).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
        let service = ctx.data::<AuthService>()?;
        Ok(service
            .login(&input.email, input.password, &client_info(ctx))
            .await?
            .into())
    }

    /// Trades a refresh token for new tokens. The old refresh token stops
    /// working; presenting it again signs the whole session out.
    async fn refresh(&self, ctx: &Context<'_>, refresh_token: String) -> Result<AuthPayload> {
        let service = ctx.data::<AuthService>()?;
        Ok(service.refresh(&refresh_token).await?.into())
    }

    /// Confirms an email address with the token from a confirmation link
    /// (for apps that open the link themselves; the link also works in a
    /// browser). Returns true. Errors: BAD_USER_INPUT with
    /// `extensions.reason` INVALID (not a token we sent), EXPIRED or USED
    /// (already followed: the address is confirmed).
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> Result<bool> {
        let service = ctx.data::<AuthService>()?;
        service.verify_email(&token).await?.into_result()?;
        Ok(true)
    }

    /// Emails a new confirmation link if the address belongs to an account
    /// that has not confirmed it. Returns true for every address, known or
    /// not, so it cannot be used to find out who has an account. Errors:
    /// BAD_USER_INPUT (not an email address), RATE_LIMITED (too many emails
    /// to this address lately; `extensions.retryAfter` in seconds).
    async fn resend_verification_email(&self, ctx: &Context<'_>, email: String) -> Result<bool> {
        let service = ctx.data::<AuthService>()?;
        service.resend_verification_email(&email).await?;
        Ok(true)
    }

    /// Signs out this session.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let me = auth_client::identity(ctx)?;
        Ok(ctx
            .data::<AuthService>()?
            .logout(me.user_id, me.session_id)
            .await?)
    }

    /// Signs out every session of the caller, this one included; returns how many.
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> Result<i32> {
        let me = auth_client::identity(ctx)?;
        let count = ctx
            .data::<AuthService>()?
            .logout_everywhere(me.user_id)
            .await?;
        Ok(i32::try_from(count).unwrap_or(i32::MAX))
    }
}
