//! Outbox handlers: what auth's events cause elsewhere.

pub mod email;

use std::time::Duration;

use grpc_api::users::v1::CreateUserRequest;
use grpc_api::users::v1::users_client::UsersClient;
use outbox::{Event, Handler, HandlerError};
use tonic::transport::{Channel, Endpoint};

use crate::service::CreateUserEvent;

/// Asks the users service to create the user of a new account. CreateUser is
/// idempotent, so a redelivered event is harmless.
pub struct CreateUser {
    client: UsersClient<Channel>,
}

impl CreateUser {
    pub fn new(users_grpc_url: &str) -> Result<Self, tonic::transport::Error> {
        let channel = Endpoint::from_shared(users_grpc_url.to_owned())?
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(10))
            .connect_lazy();
        Ok(Self {
            client: UsersClient::new(channel),
        })
    }
}

#[async_trait::async_trait]
impl Handler for CreateUser {
    async fn handle(&self, event: &Event) -> Result<(), HandlerError> {
        let payload: CreateUserEvent = event.payload_as()?;
        let request = CreateUserRequest {
            account_id: payload.account_id.to_string(),
            email: payload.email,
        };
        match self.client.clone().create_user(request).await {
            Ok(_) => Ok(()),
            Err(status) if status.code() == tonic::Code::InvalidArgument => Err(
                HandlerError::permanent(format!("users refused CreateUser: {}", status.message())),
            ),
            Err(status) => Err(HandlerError::retry(format!(
                "users CreateUser failed: {:?} {}",
                status.code(),
                status.message()
            ))),
        }
    }
}
