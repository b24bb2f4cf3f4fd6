//! How users and messaging (and auth itself) learn who is calling.
//!
//! A request carries `Authorization: Bearer <access token>` (HTTP) or the same
//! key in the WebSocket `connection_init` payload. The token is checked by an
//! [`Authenticator`] — over gRPC ([`GrpcAuthenticator`]) everywhere but in auth
//! itself — and the outcome, a [`Caller`], goes into the GraphQL context.
//! Resolvers that need a signed-in user call [`identity`].

use std::sync::Arc;
use std::time::Duration;

use api_errors::{ApiError, ApiResult};
use futures::future::BoxFuture;
use grpc_api::auth::v1::{ValidateTokenRequest, WatchRevocationsRequest, auth_client::AuthClient};
use uuid::Uuid;

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub email_verified: bool,
    /// Unix seconds when the access token expires.
    pub expires_at: i64,
}

/// The outcome of authenticating one request (or one WebSocket connection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No token was presented.
    Anonymous,
    Authenticated(Identity),
    /// A token was presented and refused; the reason code says why.
    Rejected(String),
    /// The token could not be checked (auth unreachable). Never let through.
    Unavailable,
}

impl Caller {
    /// The identity, or the error a field that needs one must return.
    pub fn identity(&self) -> ApiResult<&Identity> {
        match self {
            Caller::Authenticated(identity) => Ok(identity),
            Caller::Anonymous => Err(ApiError::unauthenticated("sign in first: no access token")),
            Caller::Rejected(reason) => Err(ApiError::unauthenticated(
                "the access token is not valid; refresh it or sign in again",
            )
            .with_extension("reason", serde_json::Value::from(reason.as_str()))),
            Caller::Unavailable => Err(ApiError::unavailable(
                "the authentication service is unavailable, try again later",
            )),
        }
    }
}

impl Identity {
    /// The identity if the account may write (its email is confirmed, or
    /// confirmation is not required), else FORBIDDEN with reason
    /// `EMAIL_NOT_VERIFIED`. The flag comes with the token check: no lookup.
    pub fn require_verified(&self) -> ApiResult<&Self> {
        if self.email_verified {
            Ok(self)
        } else {
            Err(ApiError::forbidden("confirm your email address first")
                .with_extension("reason", serde_json::Value::from("EMAIL_NOT_VERIFIED")))
        }
    }
}

/// The signed-in caller of the current request, or `UNAUTHENTICATED`.
pub fn identity<'a>(ctx: &'a async_graphql::Context<'_>) -> ApiResult<&'a Identity> {
    match ctx.data_opt::<Caller>() {
        Some(caller) => caller.identity(),
        None => Err(ApiError::unauthenticated("sign in first: no access token")),
    }
}

/// The raw bearer token of a WebSocket connection, kept so that the
/// connection can re-check it at every `subscribe`.
#[derive(Clone)]
pub struct BearerToken(pub String);

/// What auth announces about sessions, as a subscription connection hears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// This session was revoked: its connections end now.
    Session(Uuid),
    /// Revocations may have been missed (the feed was (re)connected, or this
    /// reader fell behind): every connection re-checks its token.
    Resync,
}

/// How many announcements a slow reader may fall behind before it is told
/// to resync instead.
const REVOCATION_BUFFER: usize = 1024;

/// A process-wide feed of [`Revocation`]s: one sender, a receiver per
/// connection.
#[derive(Clone)]
pub struct RevocationFeed {
    sender: Arc<tokio::sync::broadcast::Sender<Revocation>>,
}

impl Default for RevocationFeed {
    fn default() -> Self {
        Self {
            sender: Arc::new(tokio::sync::broadcast::channel(REVOCATION_BUFFER).0),
        }
    }
}

impl RevocationFeed {
    /// Announces `revocation` to every current receiver.
    pub fn announce(&self, revocation: Revocation) {
        // No receiver: nobody to tell.
        let _ = self.sender.send(revocation);
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Revocation> {
        self.sender.subscribe()
    }

    fn downgrade(&self) -> std::sync::Weak<tokio::sync::broadcast::Sender<Revocation>> {
        Arc::downgrade(&self.sender)
    }
}

/// Checks access tokens.
pub trait Authenticator: Send + Sync + 'static {
    fn validate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Caller>;

    /// Revocations as auth announces them, for connections that outlive a
    /// request (subscriptions). `None`: this authenticator cannot push
    /// them; connections then rely on the check at every `subscribe` and on
    /// the token's expiry.
    fn revocations(&self) -> Option<tokio::sync::broadcast::Receiver<Revocation>> {
        None
    }
}

pub type SharedAuthenticator = Arc<dyn Authenticator>;

/// Authenticates a request from its headers; no `Authorization` header means anonymous.
pub async fn authenticate_headers(auth: &dyn Authenticator, headers: &http::HeaderMap) -> Caller {
    match bearer_token(headers) {
        Some(Ok(token)) => auth.validate(token).await,
        Some(Err(())) => Caller::Rejected("MALFORMED_AUTHORIZATION_HEADER".to_owned()),
        None => Caller::Anonymous,
    }
}

/// Authenticates a WebSocket connection from its `connection_init` payload.
pub async fn authenticate_init_payload(
    auth: &dyn Authenticator,
    payload: &serde_json::Value,
) -> Caller {
    match token_from_init_payload(payload) {
        Some(Ok(token)) => auth.validate(&token).await,
        Some(Err(())) => Caller::Rejected("MALFORMED_AUTHORIZATION_HEADER".to_owned()),
        None => Caller::Anonymous,
    }
}

/// The bearer token of an `Authorization` header: `None` when absent,
/// `Err` when present but not `Bearer <token>`.
pub fn bearer_token(headers: &http::HeaderMap) -> Option<Result<&str, ()>> {
    let value = headers.get(http::header::AUTHORIZATION)?;
    Some(value.to_str().map_err(|_| ()).and_then(parse_bearer))
}

/// The token of an `Authorization` value `Bearer <token>` (scheme in any
/// case), or `Err` for anything else. A token is one word of visible ASCII
/// (as every access token is): spaces or control characters inside it
/// make the value malformed rather than a token that fails later.
#[expect(
    clippy::result_unit_err,
    reason = "callers turn `Err` into their own MALFORMED_AUTHORIZATION_HEADER"
)]
pub fn parse_bearer(value: &str) -> Result<&str, ()> {
    let (scheme, token) = value.trim().split_once(' ').ok_or(())?;
    let token = token.trim();
    if scheme.eq_ignore_ascii_case("bearer")
        && !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_graphic())
    {
        Ok(token)
    } else {
        Err(())
    }
}

/// The bearer token of a `connection_init` payload: key `Authorization` or
/// `authorization`, at the top level (what the federation router sends) or
/// under `headers` (what browser clients often send).
pub fn token_from_init_payload(payload: &serde_json::Value) -> Option<Result<String, ()>> {
    let find = |obj: &serde_json::Value| {
        obj.get("authorization")
            .or_else(|| obj.get("Authorization"))
            .cloned()
    };
    let value = find(payload).or_else(|| payload.get("headers").and_then(find))?;
    Some(
        value
            .as_str()
            .ok_or(())
            .and_then(parse_bearer)
            .map(str::to_owned),
    )
}

/// auth's gRPC client, its calls carrying the service credential.
pub type Client = AuthClient<grpc_api::ServiceChannel>;

/// Validates tokens by calling `auth.v1.Auth/ValidateToken`.
#[derive(Clone)]
pub struct GrpcAuthenticator {
    client: Client,
    /// Started by the first connection that asks for revocations.
    feed: Arc<std::sync::OnceLock<RevocationFeed>>,
}

impl GrpcAuthenticator {
    /// Connects lazily: a service starts even while auth is still coming up.
    /// Every call carries `token` (auth refuses calls without it).
    pub fn connect_lazy(
        url: &str,
        token: &grpc_api::ServiceToken,
    ) -> Result<Self, tonic::transport::Error> {
        Ok(Self {
            client: AuthClient::new(grpc_api::channel::lazy(url, token)?),
            feed: Arc::default(),
        })
    }

    /// The feed of this process, fed by one `WatchRevocations` stream
    /// (started on first use, reconnected with backoff while the feed lives).
    fn feed(&self) -> &RevocationFeed {
        self.feed.get_or_init(|| {
            let feed = RevocationFeed::default();
            tokio::spawn(watch_revocations(self.client.clone(), feed.downgrade()));
            feed
        })
    }
}

/// Keeps one `WatchRevocations` stream open while anyone holds the feed,
/// announcing what arrives. Every (re)connected stream begins with a
/// resync, so what was revoked while it was down is caught up on.
async fn watch_revocations(
    client: Client,
    feed: std::sync::Weak<tokio::sync::broadcast::Sender<Revocation>>,
) {
    const FIRST_BACKOFF: Duration = Duration::from_millis(100);
    let mut backoff = FIRST_BACKOFF;
    loop {
        if feed.strong_count() == 0 {
            return;
        }
        let mut client = client.clone();
        match client.watch_revocations(WatchRevocationsRequest {}).await {
            Ok(response) => {
                let mut events = response.into_inner();
                loop {
                    match events.message().await {
                        Ok(Some(event)) => {
                            backoff = FIRST_BACKOFF;
                            let Some(sender) = feed.upgrade() else { return };
                            announce(&sender, &event);
                        }
                        Ok(None) => break,
                        Err(status) => {
                            tracing::warn!(code = ?status.code(), "revocation feed interrupted; reconnecting");
                            break;
                        }
                    }
                }
            }
            Err(status) => {
                tracing::warn!(code = ?status.code(), message = status.message(), "cannot watch revocations; retrying");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

fn announce(
    sender: &tokio::sync::broadcast::Sender<Revocation>,
    event: &grpc_api::auth::v1::RevocationEvent,
) {
    if event.resync {
        let _ = sender.send(Revocation::Resync);
    }
    for id in &event.session_ids {
        match Uuid::parse_str(id) {
            Ok(session) => {
                let _ = sender.send(Revocation::Session(session));
            }
            Err(_) => {
                tracing::error!("auth announced a malformed session id; resyncing");
                let _ = sender.send(Revocation::Resync);
            }
        }
    }
}

impl Authenticator for GrpcAuthenticator {
    fn validate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Caller> {
        Box::pin(async move {
            let mut client = self.client.clone();
            let request = ValidateTokenRequest {
                token: token.to_owned(),
            };
            match client.validate_token(request).await {
                Ok(response) => identity_from_response(&response.into_inner()),
                Err(status) if status.code() == tonic::Code::Unauthenticated => {
                    Caller::Rejected(status.message().to_owned())
                }
                Err(status) => {
                    tracing::warn!(code = ?status.code(), message = status.message(), "token check failed");
                    Caller::Unavailable
                }
            }
        })
    }

    fn revocations(&self) -> Option<tokio::sync::broadcast::Receiver<Revocation>> {
        Some(self.feed().subscribe())
    }
}

fn identity_from_response(response: &grpc_api::auth::v1::ValidateTokenResponse) -> Caller {
    if let (Ok(user_id), Ok(session_id)) = (
        Uuid::parse_str(&response.user_id),
        Uuid::parse_str(&response.session_id),
    ) {
        Caller::Authenticated(Identity {
            user_id,
            session_id,
            email_verified: response.email_verified,
            expires_at: response.expires_at,
        })
    } else {
        tracing::error!("auth answered ValidateToken with malformed ids");
        Caller::Unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bearer_parsing() {
        assert_eq!(parse_bearer("Bearer abc"), Ok("abc"));
        assert_eq!(parse_bearer("bearer  abc "), Ok("abc"));
        assert_eq!(parse_bearer("Basic abc"), Err(()));
        assert_eq!(parse_bearer("Bearer "), Err(()));
        assert_eq!(parse_bearer("abc"), Err(()));
    }

    /// Inputs `cargo xtask fuzz` (target `bearer`) found, and their kin.
    #[test]
    fn fuzz_regressions() {
        for bad in [
            "Bearer abc.\u{2}\0\0\0\0\0\0\0def.ghi",
            "Bearer a b",
            "Bearer a\tb",
            "Bearer tok\u{7f}en",
            "Bearer tok\u{e9}n",
            "Bearer to\u{a0}ken",
        ] {
            assert_eq!(parse_bearer(bad), Err(()), "{bad:?}");
        }
        assert_eq!(parse_bearer("Bearer a.b-c_d~e+f/g="), Ok("a.b-c_d~e+f/g="));
    }

    #[test]
    fn init_payload_keys() {
        let token = |v| token_from_init_payload(&v);
        assert_eq!(
            token(json!({"authorization": "Bearer a"})),
            Some(Ok("a".into()))
        );
        assert_eq!(
            token(json!({"Authorization": "Bearer b"})),
            Some(Ok("b".into()))
        );
        assert_eq!(
            token(json!({"headers": {"authorization": "Bearer c"}})),
            Some(Ok("c".into()))
        );
        assert_eq!(
            token(json!({"headers": {"Authorization": "Bearer d"}})),
            Some(Ok("d".into()))
        );
        assert_eq!(token(json!({"authorization": 5})), Some(Err(())));
        assert_eq!(token(json!({})), None);
        assert_eq!(token(json!(null)), None);
    }

    #[test]
    fn callers_without_identity_are_refused() {
        use api_errors::ErrorCode;
        assert_eq!(
            Caller::Anonymous.identity().unwrap_err().code(),
            ErrorCode::Unauthenticated
        );
        assert_eq!(
            Caller::Rejected("EXPIRED".into())
                .identity()
                .unwrap_err()
                .code(),
            ErrorCode::Unauthenticated
        );
        assert_eq!(
            Caller::Unavailable.identity().unwrap_err().code(),
            ErrorCode::Unavailable
        );
    }
}
