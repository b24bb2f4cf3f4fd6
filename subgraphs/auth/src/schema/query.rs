use api_errors::ApiError;
use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

use super::types::{ProviderIdentity, SecurityEventConnection, Session, User};
use crate::service::AuthService;

pub struct Query;

#[Object]
impl Query {
    /// The caller's active sessions (devices), newest first.
    async fn my_sessions(&self, ctx: &Context<'_>) -> Result<Vec<Session>> {
        let me = auth_client::identity(ctx)?;
        let rows = ctx.data::<AuthService>()?.sessions(me.user_id).await?;
        Ok(rows
            .into_iter()
            .map(|row| Session::from_row(row, me.session_id))
            .collect())
    }

    /// The provider sign-ins (OpenID Connect) linked to the caller's
    /// account, oldest first. Errors: UNAUTHENTICATED.
    async fn my_identities(&self, ctx: &Context<'_>) -> Result<Vec<ProviderIdentity>> {
        let me = auth_client::identity(ctx)?;
        let identities = ctx.data::<AuthService>()?.identities(me.user_id).await?;
        Ok(identities.into_iter().map(Into::into).collect())
    }

    /// The names of the OpenID Connect providers users can sign in with
    /// (`oauthStart`): in the order configured, or by name when configured
    /// as JSON.
    #[allow(clippy::unused_async)] // async-graphql needs resolvers to be async
    async fn oauth_providers(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(ctx.data::<AuthService>()?.oauth.provider_names())
    }

    /// The caller's security log, newest first: sign-ins (and failed
    /// attempts), password changes, sessions ended, with the address and
    /// app they came from. `first`: 1 to 100 (default 20); `after`: the
    /// `cursor` of the last event of the previous page.
    async fn my_security_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SecurityEventConnection> {
        let me = auth_client::identity(ctx)?;
        let page = ctx
            .data::<AuthService>()?
            .security_events(me.user_id, first, after.as_deref())
            .await?;
        Ok(page.into())
    }

    /// Resolves `User` references for the router.
    #[graphql(entity)]
    async fn find_user_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let user_id = Uuid::parse_str(&id)
            .map_err(|_| ApiError::invalid_field("id", "not a valid user id"))?;
        let is_self = ctx
            .data_opt::<auth_client::Caller>()
            .and_then(|caller| caller.identity().ok())
            .is_some_and(|me| me.user_id == user_id);
        let account = if is_self {
            ctx.data::<AuthService>()?.account(user_id).await?
        } else {
            None
        };
        Ok(User { id, account })
    }
}
