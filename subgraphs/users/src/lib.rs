//! The users subgraph: profiles, nicknames, friendships and friend
//! notifications.
//!
//! [`start`] builds and runs the whole service (HTTP with WebSocket
//! subscriptions, gRPC, outbox worker, feed listener) on the given
//! addresses; `main` and the tests both use it.

pub mod config;
pub mod cursor;
pub mod db;
pub mod grpc;
pub mod schema;
pub mod service;
pub mod validate;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use service_runtime::GraphqlApp;
use service_runtime::shutdown::Shutdown;
use tokio::task::JoinHandle;

pub use config::Config;
use service::UsersService;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/users");

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] service_runtime::db::DbError),
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("bad auth gRPC URL: {0}")]
    AuthUrl(#[from] tonic::transport::Error),
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

/// A started users service.
pub struct Running {
    pub http_addr: Option<SocketAddr>,
    pub grpc_addr: Option<SocketAddr>,
    pub service: UsersService,
    shutdown: Shutdown,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    pub fn graphql_url(&self) -> String {
        self.http_addr
            .map(|a| format!("http://{a}/graphql"))
            .unwrap_or_default()
    }

    pub fn ws_url(&self) -> String {
        self.http_addr
            .map(|a| format!("ws://{a}/ws"))
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

/// Starts the parts of the service in `parts`. Addresses with port 0 get a
/// free port; the bound addresses are in [`Running`].
pub async fn start(config: &Config, parts: Parts) -> Result<Running, StartError> {
    let pool = service_runtime::db::pool(&config.database_url, config.db_pool_size)?;
    let service = UsersService {
        pool: pool.clone(),
        max_pending_requests: i64::from(config.max_pending_friend_requests),
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

    if parts.http {
        let listener = bind(config.http_addr).await?;
        running.http_addr = listener.local_addr().ok();
        let streams = schema::Streams {
            feed: feed::Feed::start(pool.clone(), config.database_url.clone(), shutdown.wait()),
            auth_check: config.subscription_auth_check(),
        };
        let schema = schema::build(service.clone(), streams);
        let authenticator: auth_client::SharedAuthenticator = Arc::new(
            auth_client::GrpcAuthenticator::connect_lazy(&config.auth_grpc_url)?,
        );
        let router = GraphqlApp::new(schema, authenticator).router(Router::new());
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            if let Err(err) = service_runtime::http::serve(listener, router, stop.wait()).await {
                tracing::error!(%err, "users HTTP server failed");
            }
            stop.trigger();
        }));
    }

    if parts.grpc {
        let listener = bind(config.grpc_addr).await?;
        running.grpc_addr = listener.local_addr().ok();
        let server = grpc_api::users::v1::users_server::UsersServer::new(grpc::UsersGrpc {
            service: service.clone(),
        });
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            let incoming = tcp_incoming(listener);
            if let Err(err) = tonic::transport::Server::builder()
                .tcp_nodelay(true)
                .add_service(server)
                .serve_with_incoming_shutdown(incoming, stop.wait())
                .await
            {
                tracing::error!(%err, "users gRPC server failed");
            }
            stop.trigger();
        }));
    }

    if parts.worker {
        // Users announces nothing to other services yet, so no handlers are
        // registered; the worker runs so that the first event kind added
        // later is delivered without changing how the service is deployed.
        let worker_config = outbox::WorkerConfig {
            poll_interval: Duration::from_millis(config.outbox_poll_interval_ms),
            max_attempts: config.outbox_max_attempts,
            ..outbox::WorkerConfig::default()
        };
        let worker = outbox::Worker::new(pool, config.database_url.clone(), worker_config);
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

fn tcp_incoming(
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
