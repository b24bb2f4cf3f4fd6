use api_errors::ApiError;
use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

use super::types::{Conversation, ConversationConnection, User, conversation_connection};
use crate::service::MessagingService;

pub struct Query;

#[Object]
impl Query {
    /// The caller's conversations (direct and groups, including those they
    /// have left), most recent activity first.
    /// `first`: 1 to 100 (default 20); `after`: an `endCursor` of this list.
    async fn conversations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ConversationConnection> {
        let me = auth_client::identity(ctx)?;
        let page = ctx
            .data::<MessagingService>()?
            .conversations(me.user_id, first, after.as_deref())
            .await?;
        Ok(conversation_connection(page, me.user_id))
    }

    /// A conversation the caller is or was a member of. NOT_FOUND for any
    /// other.
    async fn conversation(&self, ctx: &Context<'_>, id: ID) -> Result<Conversation> {
        let me = auth_client::identity(ctx)?;
        let view = ctx
            .data::<MessagingService>()?
            .conversation(me.user_id, &id)
            .await?;
        Ok(Conversation::new(view, me.user_id))
    }

    /// The caller's direct conversation with user `with`; null if they
    /// have none (it is created by the first `sendMessage` with `to`).
    async fn direct_conversation(
        &self,
        ctx: &Context<'_>,
        with: ID,
    ) -> Result<Option<Conversation>> {
        let me = auth_client::identity(ctx)?;
        let view = ctx
            .data::<MessagingService>()?
            .direct_conversation(me.user_id, &with)
            .await?;
        Ok(view.map(|view| Conversation::new(view, me.user_id)))
    }

    /// Where the caller's message feed stands now. Read it before loading
    /// conversations and history, then subscribe to `messageEvents` with it
    /// as `after`: nothing sent in between is missed.
    async fn message_events_cursor(&self, ctx: &Context<'_>) -> Result<String> {
        let me = auth_client::identity(ctx)?;
        Ok(ctx
            .data::<MessagingService>()?
            .message_events_cursor(me.user_id)
            .await?)
    }

    /// Resolves `User` references for the router (messaging's fields of
    /// the caller's own User).
    #[graphql(entity)]
    #[allow(clippy::unused_async)] // async-graphql requires resolvers to be async
    async fn find_user_by_id(&self, id: ID) -> Result<User> {
        let user = Uuid::parse_str(&id)
            .map_err(|_| ApiError::invalid_field("id", "not a valid user id"))?;
        Ok(user.into())
    }
}
