//! The messaging subgraph: direct conversations, messages, read markers,
//! and a live per-user message feed.
//!
//! [`start`] builds and runs the whole service (HTTP, gRPC health, outbox
//! worker) on the given addresses; `main` and the tests both use it.

pub mod config;
pub mod cursor;
pub mod db;
pub mod directory;
pub mod events;
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
use service_runtime::db::PgPool;
use service_runtime::shutdown::Shutdown;
use tokio::task::JoinHandle;

pub use config::Config;
use directory::Directory;
use service::MessagingService;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/messaging");

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] service_runtime::db::DbError),
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("bad auth or users gRPC URL: {0}")]
    GrpcUrl(#[from] tonic::transport::Error),
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

/// A started messaging service.
pub struct Running {
    pub http_addr: Option<SocketAddr>,
    pub grpc_addr: Option<SocketAddr>,
    pub pool: PgPool,
    shutdown: Shutdown,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    pub fn graphql_url(&self) -> String {
        self.http_addr
            .map(|a| format!("http://{a}/graphql"))
            .unwrap_or_default()
    }

    /// Where subscriptions are served (`graphql-transport-ws`).
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
    let shutdown = Shutdown::new();
    let mut tasks = Vec::new();
    let mut running = Running {
        http_addr: None,
        grpc_addr: None,
        pool: pool.clone(),
        shutdown: shutdown.clone(),
        tasks: Vec::new(),
    };

    if parts.http {
        let listener = bind(config.http_addr).await?;
        running.http_addr = listener.local_addr().ok();
        let service = MessagingService {
            pool: pool.clone(),
            directory: Directory::connect_lazy(
                &config.users_grpc_url,
                config.known_users_cache_size,
                config.known_users_ttl(),
            )?,
            feed: feed::Feed::start(pool.clone(), config.database_url.clone(), shutdown.wait()),
        };
        let schema = schema::build(
            service,
            schema::SessionCheckInterval(config.subscription_auth_check()),
        );
        let authenticator: auth_client::SharedAuthenticator = Arc::new(
            auth_client::GrpcAuthenticator::connect_lazy(&config.auth_grpc_url)?,
        );
        let router = GraphqlApp::new(schema, authenticator).router(Router::new());
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            if let Err(err) = service_runtime::http::serve(listener, router, stop.wait()).await {
                tracing::error!(%err, "messaging HTTP server failed");
            }
            stop.trigger();
        }));
    }

    if parts.grpc {
        let listener = bind(config.grpc_addr).await?;
        running.grpc_addr = listener.local_addr().ok();
        let (reporter, health) = grpc::health_service().await;
        tasks.push(tokio::spawn(grpc::report_health(
            reporter,
            pool.clone(),
            shutdown.wait(),
        )));
        let stop = shutdown.clone();
        tasks.push(tokio::spawn(async move {
            let incoming = tokio_stream_incoming(listener);
            if let Err(err) = tonic::transport::Server::builder()
                .tcp_nodelay(true)
                .add_service(health)
                .serve_with_incoming_shutdown(incoming, stop.wait())
                .await
            {
                tracing::error!(%err, "messaging gRPC server failed");
            }
            stop.trigger();
        }));
    }

    if parts.worker {
        // Messaging emits no outbox events yet; the worker runs so that the
        // service has the same shape as the others and any future event
        // kind only needs a handler here.
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
