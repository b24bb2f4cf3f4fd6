//! Handlers of events: the friend notifications users enqueues itself (in
//! both modes) and those other services send to users (in `EVENTS=broker`
//! mode; in outbox mode they call the gRPC API directly).

use grpc_api::users::v1::CreateUserRequest;
use grpc_api::users::v1::users_server::Users as _;
use outbox::{Event, Handler, HandlerError, TxHandler};
use uuid::Uuid;

use crate::grpc::UsersGrpc;
use crate::service::UsersService;
use crate::service::notifications::{self, FriendshipChanged};

pub use crate::service::notifications::FRIENDSHIP_CHANGED_EVENT;

/// Sent by auth for every new account.
pub const CREATE_USER_EVENT: &str = "users.create_user";

#[derive(Debug, serde::Deserialize)]
struct CreateUserEvent {
    account_id: Uuid,
    email: String,
}

/// Creates the user of a new account through the very code of the
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
impl Handler for CreateUser {
    async fn handle(&self, event: &Event) -> Result<(), HandlerError> {
        let payload: CreateUserEvent = event.payload_as()?;
        let request = tonic::Request::new(CreateUserRequest {
            account_id: payload.account_id.to_string(),
            email: payload.email,
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
impl TxHandler for FriendNotification {
    async fn handle(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        event: &Event,
    ) -> Result<(), HandlerError> {
        let payload: FriendshipChanged = event.payload_as()?;
        notifications::append(conn, event.event_id, &payload)
            .await
            .map_err(|e| HandlerError::retry(format!("appending to the feed: {e}")))?;
        Ok(())
    }
}
