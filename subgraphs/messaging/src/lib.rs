//! The messaging subgraph: direct conversations, messages, read markers,
//! and a live per-user message feed.
//!
//! [`start`] builds and runs the whole service (HTTP, gRPC: health and
//! `messaging.v1.Messaging` for users' blocks and privacy settings, outbox
//! worker) on the given addresses; `main` and the tests both use it.

pub mod config;
pub mod cursor;
pub mod db;
pub mod directory;
pub mod events;
pub mod grpc;
pub mod jobs;
pub mod schema;
pub mod service;
pub mod typing;
pub mod validate;

use std::sync::Arc;

use axum::Router;
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use service_runtime::GraphqlApp;
use service_runtime::db::PgPool;

pub use config::Config;
use directory::Directory;
use service::MessagingService;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/messaging");

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] service_runtime::db::DbError),
    #[error(transparent)]
    Bind(#[from] service_runtime::BindError),
    #[error("bad auth or users gRPC URL: {0}")]
    GrpcUrl(#[from] tonic::transport::Error),
    #[error(transparent)]
    ServiceToken(#[from] service_runtime::MissingServiceToken),
}

pub use service_runtime::Parts;

/// A started messaging service.
pub type Running = service_runtime::Running<PgPool>;

/// Starts the parts of the service in `parts`. Addresses with port 0 get a
/// free port; the bound addresses are in [`Running`].
pub async fn start(config: &Config, parts: Parts) -> Result<Running, StartError> {
    let token = config.service.internal_auth.token()?;
    let pool =
        service_runtime::db::pool(&config.service.database_url, config.service.db_pool_size)?;
    let mut running = Running::new("messaging", pool.clone());
    let shutdown = running.shutdown_handle();

    if parts.http {
        let service = MessagingService {
            pool: pool.clone(),
            directory: Directory::connect_lazy(
                &config.users_grpc_url,
                token,
                config.known_users_cache_size,
                config.known_users_ttl(),
            )?,
            feed: feed::Feed::start(
                pool.clone(),
                config.service.database_url.clone(),
                shutdown.wait(),
            ),
            limiter: ratelimit::Limiter::new(pool.clone()),
            message_rate: config.message_rate,
            report_rate: config.report_rate,
            typing: typing::Hub::start(config.service.database_url.clone(), shutdown.wait()),
            typing_rate: config.typing_rate,
            typing_expires: config.typing_expires(),
            outbox: outbox::Waker::start(pool.clone()),
            max_group_members: i64::from(config.max_group_members),
        };
        running.spawn(
            service
                .limiter
                .clone()
                .prune_periodically(ratelimit::PRUNE_EVERY, shutdown.wait()),
        );
        let schema = schema::build(service, config.service.http.query_limits());
        let authenticator: auth_client::SharedAuthenticator = Arc::new(
            auth_client::GrpcAuthenticator::connect_lazy(&config.auth_grpc_url, token)?,
        );
        let router = GraphqlApp::new(schema, authenticator)
            .with_settings(&config.service.http)
            .router(Router::new());
        running.serve_http(config.service.http_addr, router).await?;
    }

    if parts.grpc {
        let server =
            grpc_api::messaging::v1::messaging_server::MessagingServer::new(grpc::MessagingGrpc {
                pool: pool.clone(),
            });
        let health = running
            .serve_grpc(
                config.service.grpc_addr,
                tonic::service::Routes::new(server),
                token,
            )
            .await?;
        running.spawn(grpc::report_health(health, pool.clone(), shutdown.wait()));
    }

    if parts.worker {
        let (worker, consumer) = outbox(config, &running);
        running.spawn(worker.run(shutdown.wait()));
        // Old feed entries go with the worker: one pruner per worker
        // process, whatever serves the subscriptions.
        running.spawn(
            feed::Retention::days(config.service.feed_retention_days).prune_periodically(
                pool.clone(),
                feed::PRUNE_EVERY,
                shutdown.wait(),
            ),
        );
        if let Some(consumer) = consumer {
            running.spawn(consumer.run(shutdown.wait()));
        }
    }

    Ok(running)
}

/// The outbox worker of `running`'s database and, with `EVENTS=broker`, the
/// JetStream consumer: [`start`] runs them for [`Parts::worker`]; tests may
/// instead drive the worker one batch at a time ([`outbox::Worker::run_once`]).
pub fn outbox(
    config: &Config,
    running: &Running,
) -> (outbox::Worker, Option<outbox::broker::Consumer>) {
    // Message notifications: enqueued by sendMessage (and group changes)
    // and by edits and deletions, appended to the members' feeds by these
    // handlers, in commit order, directly (EVENTS=outbox) or through
    // JetStream (EVENTS=broker: in order per kind).
    config
        .service
        .outbox
        .pipeline(
            "messaging",
            running.service.clone(),
            config.service.database_url.clone(),
        )
        .local_in_order(jobs::MessageNotification)
        .local_in_order(jobs::ChangeNotification)
        // Users' blocks and privacy settings for the replica (broker mode
        // only: in outbox mode users calls messaging.v1.Messaging).
        .incoming::<contracts::UserBlocked>(jobs::FromUsers {
            pool: running.service.clone(),
        })
        .incoming::<contracts::UserUnblocked>(jobs::FromUsers {
            pool: running.service.clone(),
        })
        .incoming::<contracts::PrivacyChanged>(jobs::FromUsers {
            pool: running.service.clone(),
        })
        .into_parts()
}
