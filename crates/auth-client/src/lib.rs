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
use grpc_api::auth::v1::{ValidateTokenRequest, auth_client::AuthClient};
use tonic::transport::Endpoint;
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

/// The raw bearer token of a WebSocket connection, kept so long-lived
/// subscriptions can re-check it (see [`until_revoked`]).
#[derive(Clone)]
pub struct BearerToken(pub String);

/// Ends `stream` as soon as the connection's session stops being valid
/// (revoked, expired), checking every `interval`. Subscriptions wrap their
/// streams in this so that signing out also closes open streams. A token
/// check that fails because auth is unreachable keeps the stream open; the
/// next check decides.
pub fn until_revoked<S>(
    ctx: &async_graphql::Context<'_>,
    stream: S,
    interval: Duration,
) -> impl futures::Stream<Item = S::Item> + Send + 'static + use<S>
where
    S: futures::Stream + Send + 'static,
{
    use futures::StreamExt as _;
    let token = ctx.data_opt::<BearerToken>().cloned();
    let authenticator = ctx.data_opt::<SharedAuthenticator>().cloned();
    let ended = async move {
        let (Some(BearerToken(token)), Some(authenticator)) = (token, authenticator) else {
            // Not a WebSocket connection with a token: nothing to watch.
            return std::future::pending::<()>().await;
        };
        loop {
            tokio::time::sleep(interval).await;
            match authenticator.validate(&token).await {
                Caller::Authenticated(_) | Caller::Unavailable => {}
                Caller::Anonymous | Caller::Rejected(_) => {
                    tracing::info!("session no longer valid; ending subscription");
                    return;
                }
            }
        }
    };
    stream.take_until(Box::pin(ended))
}

/// Checks access tokens.
pub trait Authenticator: Send + Sync + 'static {
    fn validate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Caller>;
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
}

impl GrpcAuthenticator {
    /// Connects lazily: a service starts even while auth is still coming up.
    /// Every call carries `token` (auth refuses calls without it).
    pub fn connect_lazy(
        url: &str,
        token: &grpc_api::ServiceToken,
    ) -> Result<Self, tonic::transport::Error> {
        let endpoint = Endpoint::from_shared(url.to_owned())?
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(30));
        Ok(Self {
            client: AuthClient::new(token.connect_lazy(&endpoint)),
        })
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
