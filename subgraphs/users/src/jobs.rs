//! Handlers of events: the friend notifications users enqueues itself (in
//! both modes) and those other services send to users (in `EVENTS=broker`
//! mode; in outbox mode they call the gRPC API directly).

use grpc_api::users::v1::CreateUserRequest;
use grpc_api::users::v1::users_server::Users as _;
use outbox::{Envelope, Handler, HandlerError, TxHandler};

use crate::db::privacy::Settings;
use crate::events::FriendshipChanged;
use crate::grpc::UsersGrpc;
use crate::replica::{BlockState, Messaging};
use crate::service::UsersService;
use crate::service::notifications;

/// Handles [`contracts::CreateUser`], which auth sends for every new
/// account: creates the user through the very code of the
/// `CreateUser` gRPC call (same validation, idempotent by account id), and
/// classifies its outcome as auth's outbox handler does.
pub struct CreateUser {
    grpc: UsersGrpc,
}

impl CreateUser {
    pub fn new(service: UsersService) -> Self {
        Self {
            grpc: UsersGrpc { service },
        }
    }
}

#[async_trait::async_trait]
impl Handler<contracts::CreateUser> for CreateUser {
    async fn handle(
        &self,
        event: contracts::CreateUser,
        _envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        let request = tonic::Request::new(CreateUserRequest {
            account_id: event.account_id.to_string(),
            email: event.email,
        });
        match self.grpc.create_user(request).await {
            Ok(_) => Ok(()),
            Err(status) if status.code() == tonic::Code::InvalidArgument => Err(
                HandlerError::permanent(format!("CreateUser refused: {}", status.message())),
            ),
            Err(status) => Err(HandlerError::retry(format!(
                "CreateUser failed: {:?} {}",
                status.code(),
                status.message()
            ))),
        }
    }
}

/// Writes the feed entry of a friend notification (idempotent by event
/// id), in the transaction the outbox worker or the consumer gives it.
pub struct FriendNotification;

#[async_trait::async_trait]
impl TxHandler<FriendshipChanged> for FriendNotification {
    async fn handle(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        event: FriendshipChanged,
        envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        notifications::append(conn, envelope.event_id, &event)
            .await
            .map_err(|e| HandlerError::retry(format!("appending to the feed: {e}")))?;
        Ok(())
    }
}

/// Delivers the events of blocks and privacy settings to messaging with
/// `EVENTS=outbox` (`ApplyBlock`, `ApplyPrivacy`). Messaging keeps the
/// newest version it has seen, so a redelivered or late event is harmless.
pub struct TellMessaging(pub Messaging);

fn told(result: Result<(), tonic::Status>) -> Result<(), HandlerError> {
    match result {
        Ok(()) => Ok(()),
        Err(status) if status.code() == tonic::Code::InvalidArgument => Err(
            HandlerError::permanent(format!("messaging refused: {}", status.message())),
        ),
        Err(status) => Err(HandlerError::retry(format!(
            "telling messaging failed: {:?} {}",
            status.code(),
            status.message()
        ))),
    }
}

#[async_trait::async_trait]
impl Handler<contracts::UserBlocked> for TellMessaging {
    async fn handle(
        &self,
        event: contracts::UserBlocked,
        _envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        told(
            self.0
                .apply_block(BlockState {
                    blocker: event.blocker_id,
                    blocked: event.blocked_id,
                    blocks: true,
                    version: event.version,
                })
                .await,
        )
    }
}

#[async_trait::async_trait]
impl Handler<contracts::UserUnblocked> for TellMessaging {
    async fn handle(
        &self,
        event: contracts::UserUnblocked,
        _envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        told(
            self.0
                .apply_block(BlockState {
                    blocker: event.blocker_id,
                    blocked: event.blocked_id,
                    blocks: false,
                    version: event.version,
                })
                .await,
        )
    }
}

#[async_trait::async_trait]
impl Handler<contracts::PrivacyChanged> for TellMessaging {
    async fn handle(
        &self,
        event: contracts::PrivacyChanged,
        _envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        let settings = Settings {
            who_may_message: event.who_may_message,
            who_may_add: event.who_may_add,
            read_receipts: event.read_receipts,
            show_last_seen: event.show_last_seen,
        };
        told(
            self.0
                .apply_privacy(event.user_id, &settings, event.version)
                .await,
        )
    }
}
