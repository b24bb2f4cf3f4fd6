use async_graphql::{Context, ID, Object, Result};

use super::types::{
    Conversation, ConversationConnection, MessageConnection, conversation_connection,
    message_connection,
};
use crate::service::MessagingService;

pub struct Query;

#[Object]
impl Query {
    /// The caller's conversations, most recent activity first.
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
        Ok(conversation_connection(page))
    }

    /// One of the caller's conversations. NOT_FOUND for any other.
    async fn conversation(&self, ctx: &Context<'_>, id: ID) -> Result<Conversation> {
        let me = auth_client::identity(ctx)?;
        let view = ctx
            .data::<MessagingService>()?
            .conversation(me.user_id, &id)
            .await?;
        Ok(view.into())
    }

    /// The caller's history with user `with`, newest first; empty if they
    /// never wrote to each other. `first`: 1 to 100 (default 20); `before`:
    /// an `endCursor` of this list, for older messages.
    async fn messages(
        &self,
        ctx: &Context<'_>,
        with: ID,
        first: Option<i32>,
        before: Option<String>,
    ) -> Result<MessageConnection> {
        let me = auth_client::identity(ctx)?;
        let page = ctx
            .data::<MessagingService>()?
            .messages(me.user_id, &with, first, before.as_deref())
            .await?;
        Ok(message_connection(page))
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
}
