//! Telling messaging about blocks and privacy settings: messaging keeps a
//! replica of both and refuses, in the statement that sends a message, what
//! they forbid (docs/privacy.md).
//!
//! Every change is told twice: its outbox event (`users.user_blocked`,
//! `users.user_unblocked`, `users.privacy_changed`, committed with the
//! change, delivered at least once) and, before the mutation answers, a
//! direct call ([`Messaging::confirm_block`], [`Messaging::confirm_privacy`]).
//! The call is what makes "blocked, then a send" safe: `blockUser` answers
//! only once messaging has applied the block, so a send that starts after
//! the answer is refused. The event is what makes it certain to arrive
//! even when the call failed. Both carry a version ([`crate::db::blocks::next_version`]);
//! messaging keeps the newest, so duplicates and late arrivals are harmless.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use api_errors::{ApiError, ApiResult};
use grpc_api::messaging::v1::messaging_client::MessagingClient;
use grpc_api::messaging::v1::{ApplyBlockRequest, ApplyPrivacyRequest};
use grpc_api::{ServiceChannel, ServiceToken};
use uuid::Uuid;

use crate::db::privacy::Settings;

/// Pauses between the attempts of a confirming call (so three attempts
/// over about 0.6 s before the mutation answers UNAVAILABLE).
const RETRY_PAUSES: [Duration; 2] = [Duration::from_millis(100), Duration::from_millis(500)];

/// A client of messaging's `messaging.v1.Messaging`, connecting lazily.
/// Clones share the connection; [`Messaging::connect_to`] moves all of
/// them to another address (tests start users before messaging).
#[derive(Clone)]
pub struct Messaging {
    client: Arc<RwLock<MessagingClient<ServiceChannel>>>,
    token: ServiceToken,
}

/// A block's state as told to messaging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockState {
    pub blocker: Uuid,
    pub blocked: Uuid,
    pub blocks: bool,
    pub version: i64,
}

impl Messaging {
    /// Every call carries `token` (messaging refuses calls without it).
    pub fn connect_lazy(url: &str, token: &ServiceToken) -> Result<Self, tonic::transport::Error> {
        Ok(Self {
            client: Arc::new(RwLock::new(MessagingClient::new(grpc_api::channel::lazy(
                url, token,
            )?))),
            token: token.clone(),
        })
    }

    /// From now on calls go to `url` (for this value and all its clones).
    pub fn connect_to(&self, url: &str) -> Result<(), tonic::transport::Error> {
        let client = MessagingClient::new(grpc_api::channel::lazy(url, &self.token)?);
        *self.client.write().unwrap_or_else(PoisonError::into_inner) = client;
        Ok(())
    }

    fn client(&self) -> MessagingClient<ServiceChannel> {
        self.client
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// One `ApplyBlock` call.
    pub async fn apply_block(&self, state: BlockState) -> Result<(), tonic::Status> {
        let request = ApplyBlockRequest {
            blocker_id: state.blocker.to_string(),
            blocked_id: state.blocked.to_string(),
            blocked: state.blocks,
            version: state.version,
        };
        self.client().apply_block(request).await.map(drop)
    }

    /// One `ApplyPrivacy` call.
    pub async fn apply_privacy(
        &self,
        user: Uuid,
        settings: &Settings,
        version: i64,
    ) -> Result<(), tonic::Status> {
        let request = ApplyPrivacyRequest {
            user_id: user.to_string(),
            who_may_message: settings.who_may_message.clone(),
            who_may_add: settings.who_may_add.clone(),
            read_receipts: settings.read_receipts,
            show_last_seen: settings.show_last_seen.clone(),
            version,
        };
        self.client().apply_privacy(request).await.map(drop)
    }

    /// Tells messaging `state`, retrying briefly; `UNAVAILABLE` if it
    /// could not be told (the change is recorded and its event will tell
    /// messaging later: repeating the mutation confirms it).
    pub async fn confirm_block(&self, state: BlockState) -> ApiResult<()> {
        retrying(|| self.apply_block(state)).await
    }

    /// Tells messaging `user`'s `settings`, as [`Self::confirm_block`].
    pub async fn confirm_privacy(
        &self,
        user: Uuid,
        settings: &Settings,
        version: i64,
    ) -> ApiResult<()> {
        retrying(|| self.apply_privacy(user, settings, version)).await
    }
}

async fn retrying<F: Future<Output = Result<(), tonic::Status>>>(
    mut call: impl FnMut() -> F,
) -> ApiResult<()> {
    let mut pauses = RETRY_PAUSES.iter();
    loop {
        let status = match call().await {
            Ok(()) => return Ok(()),
            Err(status) => status,
        };
        match pauses.next() {
            Some(pause) => tokio::time::sleep(*pause).await,
            None => {
                return Err(ApiError::unavailable(
                    "the change is saved but not yet in effect everywhere; \
                     repeat the request to confirm it",
                )
                .with_source(format!(
                    "messaging ApplyBlock/ApplyPrivacy: {:?} {}",
                    status.code(),
                    status.message()
                )));
            }
        }
    }
}
