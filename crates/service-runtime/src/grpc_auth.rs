//! The server side of the service credential ([`grpc_api::service_token`]):
//! every gRPC call must carry `INTERNAL_SERVICE_TOKEN`, except the standard
//! health service (probes hold no secret). A call without it, or with
//! another one, is answered UNAUTHENTICATED before any handler runs, so it
//! reads and writes nothing. [`Running::serve_grpc`](crate::Running::serve_grpc)
//! puts this layer in front of every service it serves.

use std::task::{Context, Poll};

use futures::future::{Either, Ready, ready};
use grpc_api::ServiceToken;
use grpc_api::service_token::METADATA_KEY;

/// Paths anyone may call: `grpc.health.v1.Health/Check` and `/Watch`.
const OPEN_PREFIX: &str = "/grpc.health.v1.Health/";

/// The credential setting every service flattens into its `Config`.
#[derive(Debug, Clone, clap::Args)]
pub struct InternalAuth {
    /// Secret that every internal gRPC call carries (metadata
    /// `x-service-token`) and every gRPC server requires: at least 32
    /// printable ASCII bytes, the same for all services of one deployment
    /// (`openssl rand -hex 32`). Required to serve; `cargo xtask up`
    /// generates one per run.
    #[arg(long, env = "INTERNAL_SERVICE_TOKEN", hide_env_values = true)]
    pub internal_service_token: Option<ServiceToken>,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "INTERNAL_SERVICE_TOKEN is not set: the services of a deployment prove their gRPC calls \
     to each other with it (at least 32 bytes, the same value for every service; \
     generate one with `openssl rand -hex 32`)"
)]
pub struct MissingServiceToken;

impl InternalAuth {
    /// The token; a service refuses to start without one (fail closed).
    pub fn token(&self) -> Result<&ServiceToken, MissingServiceToken> {
        self.internal_service_token
            .as_ref()
            .ok_or(MissingServiceToken)
    }
}

/// Wraps a gRPC server's routes in [`RequireServiceToken`].
#[derive(Clone)]
pub struct RequireServiceTokenLayer {
    token: ServiceToken,
    service: &'static str,
}

impl RequireServiceTokenLayer {
    /// `service` names the server in the log line of a refused call.
    pub fn new(token: ServiceToken, service: &'static str) -> Self {
        Self { token, service }
    }
}

impl<S> tower::Layer<S> for RequireServiceTokenLayer {
    type Service = RequireServiceToken<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireServiceToken {
            inner,
            token: self.token.clone(),
            service: self.service,
        }
    }
}

/// Passes a call on only if it carries the token (or asks for health).
#[derive(Clone)]
pub struct RequireServiceToken<S> {
    inner: S,
    token: ServiceToken,
    service: &'static str,
}

impl<S, B> tower::Service<http::Request<B>> for RequireServiceToken<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<tonic::body::Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Either<S::Future, Ready<Result<S::Response, S::Error>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let path = request.uri().path();
        let allowed = path.starts_with(OPEN_PREFIX)
            || request
                .headers()
                .get(METADATA_KEY)
                .is_some_and(|presented| self.token.matches(presented.as_bytes()));
        if allowed {
            return Either::Left(self.inner.call(request));
        }
        tracing::warn!(
            service = self.service,
            path,
            "gRPC call refused: missing or wrong service credential"
        );
        Either::Right(ready(Ok(tonic::Status::unauthenticated(
            "this call needs the service credential (x-service-token)",
        )
        .into_http())))
    }
}
