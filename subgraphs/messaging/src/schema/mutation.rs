use async_graphql::{Context, ID, Object, Result};

use super::types::{Conversation, Message, SendMessageInput};
use crate::service::MessagingService;

pub struct Mutation;

#[Object]
impl Mutation {
    /// Sends a direct message, exactly once per `clientMessageId`: a retry
    /// returns the original message. Errors: BAD_USER_INPUT (invalid text or
    /// id, sending to yourself), NOT_FOUND (no such recipient), CONFLICT
    /// (the clientMessageId was used for a different message), UNAVAILABLE,
    /// RATE_LIMITED (too many messages lately; `extensions.retryAfter` in
    /// seconds; retries of a sent message are never limited),
    /// FORBIDDEN (the caller's email address awaits confirmation).
    async fn send_message(&self, ctx: &Context<'_>, input: SendMessageInput) -> Result<Message> {
        let me = auth_client::identity(ctx)?.require_verified()?;
        let message = ctx
            .data::<MessagingService>()?
            .send(me.user_id, &input.to, &input.text, &input.client_message_id)
            .await?;
        Ok(message.into())
    }

    /// Marks the conversation read up to and including message `upTo`.
    /// The marker only moves forward: an older `upTo` changes nothing.
    /// Errors: NOT_FOUND (not the caller's conversation, or not its message).
    async fn mark_read(
        &self,
        ctx: &Context<'_>,
        conversation_id: ID,
        up_to: ID,
    ) -> Result<Conversation> {
        let me = auth_client::identity(ctx)?;
        let view = ctx
            .data::<MessagingService>()?
            .mark_read(me.user_id, &conversation_id, &up_to)
            .await?;
        Ok(view.into())
    }
}
