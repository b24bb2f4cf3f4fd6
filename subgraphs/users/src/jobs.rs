//! Handlers of events: the friend notifications users enqueues itself (in
//! both modes) and those other services send to users (in `EVENTS=broker`
//! mode; in outbox mode they call the gRPC API directly).

use grpc_api::users::v1::CreateUserRequest;
use grpc_api::users::v1::users_server::Users as _;
use outbox::{Envelope, Handler, HandlerError, TxHandler};

use crate::events::FriendshipChanged;
use crate::grpc::UsersGrpc;
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
