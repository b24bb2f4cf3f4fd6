//! Outbox handlers: what auth's events cause elsewhere.

pub mod email;

use grpc_api::users::v1::CreateUserRequest;
use grpc_api::users::v1::users_client::UsersClient;
use grpc_api::{ServiceChannel, ServiceToken};
use outbox::{Envelope, Handler, HandlerError};

use crate::service::AuthService;

/// Delivers [`contracts::CreateUser`] with `EVENTS=outbox`: asks the users
/// service to create the user of a new account. CreateUser is idempotent,
/// so a redelivered event is harmless.
pub struct CreateUser {
    client: UsersClient<ServiceChannel>,
}

impl CreateUser {
    /// Every call carries `token` (users refuses calls without it).
    pub fn new(
        users_grpc_url: &str,
        token: &ServiceToken,
    ) -> Result<Self, tonic::transport::Error> {
        Ok(Self {
            client: UsersClient::new(grpc_api::channel::lazy(users_grpc_url, token)?),
        })
    }
}

#[async_trait::async_trait]
impl Handler<contracts::CreateUser> for CreateUser {
    async fn handle(
        &self,
        event: contracts::CreateUser,
        _envelope: &Envelope,
    ) -> Result<(), HandlerError> {
        let request = CreateUserRequest {
            account_id: event.account_id.to_string(),
            email: event.email,
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

/// Every `every` until `shutdown`: deletes what has expired for good —
/// spent or stale confirmation tokens, ended per-address email windows,
/// provider sign-in flows and login codes, second-factor challenges. Run by the outbox worker's
/// process.
pub async fn prune_periodically(
    service: AuthService,
    every: std::time::Duration,
    shutdown: impl Future<Output = ()> + Send,
) {
    let mut ticks = tokio::time::interval(every);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => {
                match service.prune_email_state().await {
                    Ok((tokens, windows)) if tokens + windows > 0 => {
                        tracing::info!(tokens, windows, "pruned email confirmation state");
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(?err, "pruning email confirmation state failed"),
                }
                match service.prune_oauth_state().await {
                    Ok((states, codes)) if states + codes > 0 => {
                        tracing::info!(states, codes, "pruned provider sign-in state");
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(?err, "pruning provider sign-in state failed"),
                }
                match service.prune_mfa_challenges().await {
                    Ok(0) => {}
                    Ok(challenges) => tracing::info!(challenges, "pruned sign-in challenges"),
                    Err(err) => tracing::warn!(?err, "pruning sign-in challenges failed"),
                }
            }
        }
    }
}
