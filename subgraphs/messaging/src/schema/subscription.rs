use async_graphql::{Context, Result, Subscription};
use futures::StreamExt as _;
use futures::stream::BoxStream;

use super::types::{MessageEvent, TypingEvent};
use crate::service::MessagingService;

pub struct Subscription;

#[Subscription]
impl Subscription {
    /// The caller's messages as they are sent and received (SYSTEM
    /// messages of their groups included) and read markers as they move,
    /// on every device. With `after` (the `cursor` of the last event seen) it first
    /// replays what came since, then goes live; nothing is lost or repeated.
    /// The stream ends when the session is signed out.
    #[allow(clippy::unused_async)] // async-graphql requires subscription fields to be async
    async fn message_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<BoxStream<'static, Result<MessageEvent>>> {
        let me = auth_client::identity(ctx)?;
        let events = ctx
            .data::<MessagingService>()?
            .message_events(me.user_id, after.as_deref())
            .await?;
        // The feed ends the stream after delivering an error; the client
        // resubscribes from its last cursor.
        let me = me.user_id;
        let events = events.map(move |item| {
            item.map(|event| MessageEvent::new(event, me))
                .map_err(Into::into)
        });
        // Signing out ends it: the connection's driver watches the session
        // (service_runtime::ws).
        Ok(Box::pin(events))
    }

    /// The other members of conversation `conversationId` starting and
    /// stopping to type (`setTyping`), from now on: a true lapses into a
    /// false 6 s after the member's last true. Ephemeral: no cursor, no
    /// replay. Errors: BAD_USER_INPUT (an invalid id), NOT_FOUND (not a
    /// conversation the caller is in; also when the caller is removed or
    /// leaves later, and the stream ends). The stream ends when the session
    /// is signed out.
    #[allow(clippy::unused_async)] // async-graphql requires subscription fields to be async
    async fn typing(
        &self,
        ctx: &Context<'_>,
        conversation_id: async_graphql::ID,
    ) -> Result<BoxStream<'static, Result<TypingEvent>>> {
        let me = auth_client::identity(ctx)?;
        let events = ctx
            .data::<MessagingService>()?
            .typing_events(me.user_id, &conversation_id)
            .await?;
        // A member removed meanwhile gets NOT_FOUND, and the stream ends.
        Ok(Box::pin(events.map(|heard| {
            heard.map(TypingEvent::from).map_err(Into::into)
        })))
    }
}
