use std::time::Duration;

use async_graphql::{Context, Result, Subscription};
use futures::StreamExt as _;
use futures::stream::BoxStream;

use super::types::MessageEvent;
use crate::service::MessagingService;

pub struct Subscription;

/// How often an open stream re-checks the caller's session.
#[derive(Debug, Clone, Copy)]
pub struct SessionCheckInterval(pub Duration);

#[Subscription]
impl Subscription {
    /// The caller's messages as they are sent and received, on every
    /// device. With `after` (the `cursor` of the last event seen) it first
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
            .message_events(me.user_id, after.as_deref())?;
        let interval = ctx
            .data_opt::<SessionCheckInterval>()
            .map_or(Duration::from_secs(10), |i| i.0);
        // The feed ends the stream after delivering an error; the client
        // resubscribes from its last cursor.
        let events = events.map(|item| item.map(MessageEvent::from).map_err(Into::into));
        Ok(Box::pin(auth_client::until_revoked(ctx, events, interval)))
    }
}
