use api_errors::ApiError;
use async_graphql::{Context, Result, Subscription as GraphqlSubscription};
use futures::{Stream, StreamExt as _};

use super::types::FriendEvent;
use super::{Streams, caller};
use crate::service::notifications;

pub struct Subscription;

#[GraphqlSubscription]
impl Subscription {
    /// The caller's friend notifications as they happen. With `after` (the
    /// cursor of the last event received), everything since is replayed
    /// first, then the stream goes live, nothing lost or repeated; without
    /// it, only new events come. Ends when the session is signed out.
    #[allow(clippy::unused_async)] // async-graphql needs resolvers to be async
    async fn friend_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<FriendEvent>>> {
        let me = caller(ctx)?;
        let after = after
            .as_deref()
            .map(feed::parse_cursor)
            .transpose()
            .map_err(|_| ApiError::invalid_field("after", "not a cursor of this subscription"))?;
        let streams = ctx.data::<Streams>()?;
        let events = streams
            .feed
            .subscribe(me, after)
            .filter_map(async |item| match item {
                Ok(event) => {
                    notifications::FriendEvent::from_feed(&event).map(|e| Ok(FriendEvent(e)))
                }
                // The feed ends the stream after an error; the client resubscribes
                // with the cursor of the last event it got.
                Err(err) => Some(Err(ApiError::unavailable(
                    "the event stream was interrupted; subscribe again with the last cursor",
                )
                .with_source(err)
                .into())),
            });
        // Signing out ends it: the connection's driver watches the session
        // (service_runtime::ws).
        Ok(events)
    }
}
