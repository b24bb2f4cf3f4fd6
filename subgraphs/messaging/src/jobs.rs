//! Handlers of messaging's own outbox events (in both `EVENTS` modes), and
//! of users' blocks and privacy settings (`EVENTS=broker`).

use diesel_async::AsyncPgConnection;
use outbox::{Envelope, Handler, HandlerError, TxHandler};
use service_runtime::db::PgPool;

use crate::db::contacts::Privacy;
use crate::events::{self, MessageChanged, MessageSent};
use crate::service::replica;

/// Writes a sent message into its recipient's feed and its sender's
/// (idempotent by event id), in the transaction the outbox worker or the
/// consumer gives it.
pub struct MessageNotification;

#[outbox::async_trait]
impl TxHandler<MessageSent> for MessageNotification {
    async fn handle(
        &self,
        conn: &mut AsyncPgConnection,
        message: MessageSent,
        envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        events::append(conn, envelope.event_id, &message)
            .await
            .map_err(|e| HandlerError::retry(format!("appending to the feeds: {e}")))?;
        Ok(())
    }
}

/// Writes a message's change (edit, deletion) into the feeds of the
/// members who may see it (idempotent by event id).
pub struct ChangeNotification;

#[outbox::async_trait]
impl TxHandler<MessageChanged> for ChangeNotification {
    async fn handle(
        &self,
        conn: &mut AsyncPgConnection,
        change: MessageChanged,
        envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        events::append_change(conn, envelope.event_id, &change)
            .await
            .map_err(|e| HandlerError::retry(format!("appending to the feeds: {e}")))?;
        Ok(())
    }
}

/// Applies what users tells of blocks and privacy settings, with
/// `EVENTS=broker` (with `EVENTS=outbox` users calls
/// `messaging.v1.Messaging` instead): the same functions as the gRPC
/// calls, so both paths validate and ignore stale versions alike.
pub struct FromUsers {
    pub pool: PgPool,
}

fn applied(result: api_errors::ApiResult<()>) -> Result<(), HandlerError> {
    match result {
        Ok(()) => Ok(()),
        Err(err) if err.code() == api_errors::ErrorCode::BadUserInput => {
            Err(HandlerError::permanent(err.message().to_owned()))
        }
        Err(err) => Err(HandlerError::retry(format!(
            "applying users' change: {}",
            err.message()
        ))),
    }
}

#[outbox::async_trait]
impl Handler<contracts::UserBlocked> for FromUsers {
    async fn handle(
        &self,
        event: contracts::UserBlocked,
        _envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        applied(
            replica::apply_block(
                &self.pool,
                event.blocker_id,
                event.blocked_id,
                true,
                event.version,
            )
            .await,
        )
    }
}

#[outbox::async_trait]
impl Handler<contracts::UserUnblocked> for FromUsers {
    async fn handle(
        &self,
        event: contracts::UserUnblocked,
        _envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        applied(
            replica::apply_block(
                &self.pool,
                event.blocker_id,
                event.blocked_id,
                false,
                event.version,
            )
            .await,
        )
    }
}

#[outbox::async_trait]
impl Handler<contracts::PrivacyChanged> for FromUsers {
    async fn handle(
        &self,
        event: contracts::PrivacyChanged,
        _envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        let settings = Privacy {
            who_may_message: &event.who_may_message,
            who_may_add: &event.who_may_add,
            read_receipts: event.read_receipts,
            show_last_seen: &event.show_last_seen,
        };
        applied(replica::apply_privacy(&self.pool, event.user_id, &settings, event.version).await)
    }
}
