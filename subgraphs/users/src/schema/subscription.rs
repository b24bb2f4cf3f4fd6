use api_errors::ApiError;
use async_graphql::{Context, Result, Subscription as GraphqlSubscription};
use futures::{Stream, StreamExt as _};

use super::types::FriendEvent;
use super::{Streams, caller};
use crate::service::notifications;

pub struct Subscription;

#[GraphqlSubscription]
impl Subscription {
    /// The caller's friend notifications as they happen, also those of the
    /// caller's own changes made on other devices. With `after` (the cursor
    /// of the last event received, or `friendEventsCursor`), everything
    /// since is replayed first, then the stream goes live, nothing lost or
    /// repeated; without it, only new events come. Ends when the session is
    /// signed out. Errors: BAD_USER_INPUT on `after` (not a cursor of this
    /// subscription; or `extensions.reason` CURSOR_EXPIRED: events after it
    /// are no longer kept, see FEED_RETENTION_DAYS: refetch the lists and
    /// subscribe with a fresh `friendEventsCursor`).
    async fn friend_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = Result<FriendEvent>>> {
        let me = caller(ctx)?;
        let after = after
            .as_deref()
            .map(|c| notifications::CURSORS.parse(c))
            .transpose()
            .map_err(ApiError::from)?;
        let streams = ctx.data::<Streams>()?;
        if let Some(after) = after {
            // Refused here rather than by the stream's first item.
            streams
                .feed
                .check_cursor(me, after)
                .await
                .map_err(ApiError::from)?;
        }
        let events = streams
            .feed
            .subscribe(me, after)
            .filter_map(async |item| match item {
                Ok(event) => {
                    notifications::FriendEvent::from_feed(&event).map(|e| Ok(FriendEvent(e)))
                }
                // The feed ends the stream after an error; the client resubscribes
                // with the cursor of the last event it got.
                Err(err) => Some(Err(ApiError::from(err).into())),
            });
        // Signing out ends it: the connection's driver watches the session
        // (service_runtime::ws).
        Ok(events)
    }
}
