//! The shape every service process has: some of HTTP, gRPC and the outbox
//! worker ([`Parts`]), running as tasks under one [`Shutdown`], with the
//! addresses they bound ([`Running`]). `main` and the tests use the same code.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::grpc_health::GrpcHealth;
use crate::shutdown::Shutdown;

/// Which parts of a service to run in this process.
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

#[derive(Debug, thiserror::Error)]
#[error("binding {addr}: {source}")]
pub struct BindError {
    pub addr: SocketAddr,
    #[source]
    pub source: std::io::Error,
}

/// A started service: its bound addresses, its state `S` (for tests), and
/// the tasks that run it. Any server task that ends triggers shutdown of
/// the rest, so a process never limps on half-alive.
pub struct Running<S> {
    pub http_addr: Option<SocketAddr>,
    pub grpc_addr: Option<SocketAddr>,
    pub service: S,
    name: &'static str,
    shutdown: Shutdown,
    tasks: Vec<JoinHandle<()>>,
}

impl<S> Running<S> {
    pub fn new(name: &'static str, service: S) -> Self {
        Self {
            http_addr: None,
            grpc_addr: None,
            service,
            name,
            shutdown: Shutdown::new(),
            tasks: Vec::new(),
        }
    }

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

    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Runs a background task until it ends (it should watch `shutdown`).
    pub fn spawn(&mut self, task: impl Future<Output = ()> + Send + 'static) {
        self.tasks.push(tokio::spawn(task));
    }

    /// Binds `addr` and serves `router` there until shutdown.
    pub async fn serve_http(
        &mut self,
        addr: SocketAddr,
        router: axum::Router,
    ) -> Result<(), BindError> {
        let listener = bind(addr).await?;
        self.http_addr = listener.local_addr().ok();
        let stop = self.shutdown.clone();
        let name = self.name;
        self.spawn(async move {
            if let Err(err) = crate::http::serve(listener, router, stop.wait()).await {
                tracing::error!(%err, service = name, "HTTP server failed");
            }
            stop.trigger();
        });
        Ok(())
    }

    /// Binds `addr` and serves the gRPC `routes` there until shutdown, with
    /// the standard health service beside them ([`crate::grpc_health`]):
    /// the returned [`GrpcHealth`] reports more than "running" if the
    /// service wants. Every call but the health service's must carry
    /// `token` ([`crate::grpc_auth`]).
    pub async fn serve_grpc(
        &mut self,
        addr: SocketAddr,
        routes: tonic::service::Routes,
        token: &grpc_api::ServiceToken,
    ) -> Result<GrpcHealth, BindError> {
        let listener = bind(addr).await?;
        self.grpc_addr = listener.local_addr().ok();
        let stop = self.shutdown.clone();
        let name = self.name;
        let (health, health_server) = GrpcHealth::new(name, stop.clone()).await;
        let routes = routes.add_service(health_server);
        // NOT_SERVING goes out before the server stops taking calls.
        let draining = health.clone().not_serving_after_shutdown();
        let require_token = crate::grpc_auth::RequireServiceTokenLayer::new(token.clone(), name);
        self.spawn(async move {
            if let Err(err) = tonic::transport::Server::builder()
                .tcp_nodelay(true)
                .layer(require_token)
                .add_routes(routes)
                .serve_with_incoming_shutdown(incoming(listener), draining)
                .await
            {
                tracing::error!(%err, service = name, "gRPC server failed");
            }
            stop.trigger();
        });
        Ok(health)
    }

    /// For `main`: logs where the service listens, stops on Ctrl-C or
    /// SIGTERM, and returns once everything has drained.
    pub async fn run_until_signal(self) {
        if let Some(addr) = self.http_addr {
            tracing::info!(
                service = self.name,
                "GraphQL on http://{addr}/graphql, subscriptions on ws://{addr}/ws"
            );
        }
        if let Some(addr) = self.grpc_addr {
            tracing::info!(service = self.name, "gRPC on {addr}");
        }
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            crate::shutdown::os_signal().await;
            shutdown.trigger();
        });
        self.wait().await;
    }

    /// Resolves when every task has ended (after shutdown or a failure).
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
}

pub async fn bind(addr: SocketAddr) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| BindError { addr, source })
}

/// Accepted connections with Nagle off: gRPC calls are small and latency-bound.
fn incoming(listener: TcpListener) -> impl futures::Stream<Item = std::io::Result<TcpStream>> {
    futures::stream::unfold(listener, |listener| async move {
        let accepted = listener.accept().await.map(|(stream, _)| {
            let _ = stream.set_nodelay(true);
            stream
        });
        Some((accepted, listener))
    })
}
