//! `auth.v1.Auth` over gRPC.
//!
//! `ValidateToken` is called for every request users and messaging serve.
//! Most of its cost is the Ed25519 signature check and the JWT parsing, and
//! the same token comes back many times in its 15 minutes; so a token that
//! verified is remembered ([`Checked`]) and its next checks only look at
//! what can change: the clock (`exp`), the signing keys (a reload, e.g. a
//! retired key, forgets everything checked under the old set) and the
//! session's revocation, which is checked on every call as before.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use auth_client::Revocation;
use futures::StreamExt as _;
use futures::stream::BoxStream;
use grpc_api::auth::v1::auth_server::Auth;
use grpc_api::auth::v1::{
    RevocationEvent, ValidateTokenRequest, ValidateTokenResponse, WatchRevocationsRequest,
};
use tokio::sync::broadcast::error::RecvError;
use tonic::{Request, Response, Status};

use crate::keys::KeySet;
use crate::service::AuthService;
use crate::tokens::{Claims, Rejection};

/// Tokens remembered at most; the memory is then about 10 MB (a token is
/// a few hundred bytes). When full, everything is forgotten at once: the
/// next calls verify again, as after a restart.
const CHECKED_CAPACITY: usize = 20_000;

pub struct AuthGrpc {
    pub service: AuthService,
    checked: Checked,
}

impl AuthGrpc {
    pub fn new(service: AuthService) -> Self {
        Self {
            service,
            checked: Checked::default(),
        }
    }

    fn validate(&self, token: &str) -> Result<Claims, Rejection> {
        let keys = self.service.keys.current();
        let now = chrono::Utc::now().timestamp();
        if let Some(claims) = self.checked.get(token, &keys, now) {
            if self.service.revocations.is_revoked(claims.sid) {
                return Err(Rejection::SessionRevoked);
            }
            return Ok(claims);
        }
        let claims = self.service.validate_token(token)?;
        self.checked.insert(token, &keys, &claims);
        Ok(claims)
    }
}

/// Tokens whose signature and claims were verified, with the key set they
/// were verified under.
#[derive(Default)]
struct Checked {
    tokens: RwLock<HashMap<Box<str>, Verified>>,
}

type Verified = (Arc<KeySet>, Claims);

impl Checked {
    /// The claims of `token` if it was verified under `keys` and has not
    /// expired (`exp` strictly in the future: the leeway is left to the full
    /// check).
    fn get(&self, token: &str, keys: &Arc<KeySet>, now: i64) -> Option<Claims> {
        let tokens = self.tokens.read().unwrap_or_else(PoisonError::into_inner);
        let (verified_under, claims) = tokens.get(token)?;
        (Arc::ptr_eq(verified_under, keys) && now < claims.exp).then(|| claims.clone())
    }

    fn insert(&self, token: &str, keys: &Arc<KeySet>, claims: &Claims) {
        let mut tokens = self.tokens.write().unwrap_or_else(PoisonError::into_inner);
        if tokens.len() >= CHECKED_CAPACITY {
            tokens.clear();
        }
        tokens.insert(token.into(), (Arc::clone(keys), claims.clone()));
    }
}

#[tonic::async_trait]
impl Auth for AuthGrpc {
    type WatchRevocationsStream = BoxStream<'static, Result<RevocationEvent, Status>>;

    async fn watch_revocations(
        &self,
        _request: Request<WatchRevocationsRequest>,
    ) -> Result<Response<Self::WatchRevocationsStream>, Status> {
        let receiver = self.service.revocations.feed().subscribe();
        // First a resync: whatever was revoked before this stream opened
        // (while the watcher was disconnected) is caught by a re-check.
        let first = RevocationEvent {
            session_ids: Vec::new(),
            resync: true,
        };
        let rest = futures::stream::unfold(receiver, |mut receiver| async move {
            let event = match receiver.recv().await {
                Ok(Revocation::Session(session)) => RevocationEvent {
                    session_ids: vec![session.to_string()],
                    resync: false,
                },
                Ok(Revocation::Resync) | Err(RecvError::Lagged(_)) => RevocationEvent {
                    session_ids: Vec::new(),
                    resync: true,
                },
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(event), receiver))
        });
        let stream = futures::stream::once(std::future::ready(Ok(first))).chain(rest);
        Ok(Response::new(Box::pin(stream)))
    }

    async fn validate_token(
        &self,
        request: Request<ValidateTokenRequest>,
    ) -> Result<Response<ValidateTokenResponse>, Status> {
        match self.validate(&request.get_ref().token) {
            Ok(claims) => Ok(Response::new(ValidateTokenResponse {
                user_id: claims.sub.to_string(),
                session_id: claims.sid.to_string(),
                expires_at: claims.exp,
                email_verified: claims.ev,
            })),
            Err(rejection) => {
                let mut status = Status::unauthenticated(rejection.as_str());
                if let Ok(value) = rejection.as_str().parse() {
                    status.metadata_mut().insert("x-reason", value);
                }
                Err(status)
            }
        }
    }
}
