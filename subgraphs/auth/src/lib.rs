//! The auth subgraph: accounts, sessions, access tokens.
//!
//! [`start`] builds and runs the whole service (HTTP, gRPC, outbox worker,
//! cache listener) on the given addresses; `main` and the tests both use it.

pub mod config;
pub mod db;
pub mod grpc;
pub mod jobs;
pub mod keys;
pub mod listener;
pub mod passwords;
pub mod revocations;
pub mod schema;
pub mod service;
pub mod tokens;
pub mod validate;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use auth_client::{Authenticator, Caller, Identity};
use axum::Router;
use axum::routing::get;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use futures::future::BoxFuture;
use service_runtime::GraphqlApp;
use service_runtime::shutdown::Shutdown;
use tokio::task::JoinHandle;

pub use config::Config;
use keys::{KeySource, Keys};
use service::AuthService;
use tokens::TokenSettings;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/auth");

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] service_runtime::db::DbError),
    #[error("signing keys: {0}")]
    Keys(#[from] keys::KeyError),
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("bad users gRPC URL: {0}")]
    UsersUrl(#[from] tonic::transport::Error),
}

/// Which parts of the service to run in this process.
#[derive(Debug, Clone, Copy)]
pub struct Parts {
    pub http: bool,
    pub grpc: bool,
    pub worker: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        http: true,
        grpc: true,
        worker: true,
    };
    pub const WORKER_ONLY: Parts = Parts {
        http: false,
        grpc: false,
        worker: true,
    };
}

/// A started auth service.
pub struct Running {
    pub http_addr: Option<SocketAddr>,
    pub grpc_addr: Option<SocketAddr>,
    pub service: AuthService,
    shutdown: Shutdown,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    pub fn graphql_url(&self) -> String {
        self.http_addr
            .map(|a| format!("http://{a}/graphql"))
            .unwrap_or_default()
    }

    pub fn grpc_url(&self) -> String {
        self.grpc_addr
            .map(|a| format!("http://{a}"))
            .unwrap_or_default()
    }

    /// Resolves when every task has ended (after `shutdown` or a failure).
    pub async fn wait(self) {
        for task in self.tasks {
            let _ = task.await;
        }
    }

    /// Stops everything and waits for it.
    pub async fn stop(self) {
        self.shutdown.trigger();
        self.wait().await;
    }

    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }
}

/// Validates tokens in-process for auth's own GraphQL requests.
struct LocalAuthenticator(AuthService);

impl Authenticator for LocalAuthenticator {
    fn validate<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Caller> {
        Box::pin(async move {
            match self.0.validate_token(token) {
                Ok(claims) => Caller::Authenticated(Identity {
                    user_id: claims.sub,
                    session_id: claims.sid,
                    email_verified: claims.ev,
                    expires_at: claims.exp,
                }),
                Err(rejection) => Caller::Rejected(rejection.as_str().to_owned()),
            }
        })
    }
}

/// Starts the parts of the service in `parts`. Addresses with port 0 get a
/// free port; the bound addresses are in [`Running`].
pub async fn start(config: &Config, parts: Parts) -> Result<Running, StartError> {
    let pool = service_runtime::db::pool(&config.database_url, config.db_pool_size)?;
    let key_source = KeySource::new(config.signing_key_file.as_deref())?;
    let keys = Keys::new(key_source.load(&pool).await?);
    let settings = TokenSettings {
        issuer: config.jwt_issuer.clone(),
        audience: config.jwt_audience.clone(),
        ttl: config.access_token_ttl(),
        leeway: Duration::from_secs(config.jwt_leeway_secs),
    };
    let horizon = settings.ttl + settings.leeway + Duration::from_mins(1);
    let service = AuthService {
        pool: pool.clone(),
        hasher: passwords::Hasher::new(config.hash_concurrency()),
        keys,
        revocations: revocations::Revocations::new(horizon),
        settings,
        refresh_ttl: config.refresh_token_ttl(),
    };
    let shutdown = Shutdown::new();
    let mut tasks = Vec::new();
    let mut running = Running {
        http_addr: None,
        grpc_addr: None,
        service: service.clone(),
        shutdown: shutdown.clone(),
        tasks: Vec::new(),
    };

    if parts.http || parts.grpc {
        tasks.push(tokio::spawn(listener::run(
            service.clone(),
            key_source.clone(),
            config.database_url.clone(),
            shutdown.wait(),
        )));
    }

    if parts.http {
        let listener = bind(config.http_addr).await?;
        running.http_addr = listener.local_addr().ok();
        let schema = schema::build(service.clone());
        let authenticator: auth_client::SharedAuthenticator =
            Arc::new(LocalAuthenticator(service.clone()));
        let jwks_keys = service.keys.clone();
        let extra = Router::new().route(
            "/.well-known/jwks.json",
            get(move || {
                let keys = jwks_keys.current();
                async move {
                    (
                        [(axum::http::header::CACHE_CONTROL, "public, max-age=300")],
                        axum::Json(keys.jwks.clone()),
                    )
                }
            }),
        );
        let router = GraphqlApp::new(schema, authenticator).router(extra);
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            if let Err(err) = service_runtime::http::serve(listener, router, stop.wait()).await {
                tracing::error!(%err, "auth HTTP server failed");
            }
            stop.trigger();
        }));
    }

    if parts.grpc {
        let listener = bind(config.grpc_addr).await?;
        running.grpc_addr = listener.local_addr().ok();
        let server = grpc_api::auth::v1::auth_server::AuthServer::new(grpc::AuthGrpc {
            service: service.clone(),
        });
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            let incoming = tokio_stream_incoming(listener);
            if let Err(err) = tonic::transport::Server::builder()
                .tcp_nodelay(true)
                .add_service(server)
                .serve_with_incoming_shutdown(incoming, stop.wait())
                .await
            {
                tracing::error!(%err, "auth gRPC server failed");
            }
            stop.trigger();
        }));
    }

    if parts.worker {
        let worker_config = outbox::WorkerConfig {
            poll_interval: Duration::from_millis(config.outbox_poll_interval_ms),
            max_attempts: config.outbox_max_attempts,
            ..outbox::WorkerConfig::default()
        };
        let worker = outbox::Worker::new(pool, config.database_url.clone(), worker_config).handler(
            service::CREATE_USER_EVENT,
            jobs::CreateUser::new(&config.users_grpc_url)?,
        );
        tasks.push(tokio::spawn(worker.run(shutdown.wait())));
    }

    running.tasks = tasks;
    Ok(running)
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })
}

fn tokio_stream_incoming(
    listener: tokio::net::TcpListener,
) -> impl futures::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    futures::stream::unfold(listener, |listener| async move {
        let accepted = listener.accept().await.map(|(stream, _)| {
            let _ = stream.set_nodelay(true);
            stream
        });
        Some((accepted, listener))
    })
}
