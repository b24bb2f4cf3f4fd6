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
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<RegisterPayload> {
        let service = ctx.data::<AuthService>()?;
        let (tokens, email) = service
            .register(&input.email, input.password, &client_info(ctx))
            .await?;
        Ok(RegisterPayload {
            email,
            email_verification_required: false,
            user_id: Some(tokens.user_id.into()),
            auth: Some(tokens.into()),
        })
    }

    /// Signs in. Errors: UNAUTHENTICATED ("invalid email or password") for
    /// an unknown email and a wrong password alike.
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
