//! The users subgraph: profiles and their pictures, nicknames, friendships
//! and friend notifications.
//!
//! [`start`] builds and runs the whole service (HTTP with WebSocket
//! subscriptions and avatar uploads, gRPC, outbox worker, feed listener) on
//! the given addresses; `main` and the tests both use it.

pub mod avatars;
pub mod config;
pub mod cursor;
pub mod db;
pub mod events;
pub mod grpc;
pub mod http;
pub mod jobs;
pub mod replica;
pub mod schema;
pub mod service;
pub mod validate;

use std::convert::Infallible;
use std::sync::Arc;

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use service_runtime::GraphqlApp;

pub use config::Config;
use service::UsersService;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/users");

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] service_runtime::db::DbError),
    #[error(transparent)]
    Bind(#[from] service_runtime::BindError),
    #[error("bad auth or messaging gRPC URL: {0}")]
    AuthUrl(#[from] tonic::transport::Error),
    #[error(transparent)]
    AvatarStore(#[from] avatars::store::StoreError),
    #[error(transparent)]
    ServiceToken(#[from] service_runtime::MissingServiceToken),
}

pub use service_runtime::Parts;

/// A started users service.
pub type Running = service_runtime::Running<UsersService>;

/// Starts the parts of the service in `parts`. Addresses with port 0 get a
/// free port; the bound addresses are in [`Running`].
pub async fn start(config: &Config, parts: Parts) -> Result<Running, StartError> {
    let token = config.service.internal_auth.token()?;
    let pool =
        service_runtime::db::pool(&config.service.database_url, config.service.db_pool_size)?;
    let service = UsersService {
        pool: pool.clone(),
        max_pending_requests: i64::from(config.max_pending_friend_requests),
        avatars: avatars::Avatars::from_settings(
            &config.avatars,
            config.service.public_url.clone(),
        )?,
        limiter: ratelimit::Limiter::new(pool.clone()),
        friend_request_rate: config.friend_request_rate,
        search_rate: config.search_rate,
        report_rate: config.report_rate,
        messaging: replica::Messaging::connect_lazy(&config.messaging_grpc_url, token)?,
    };
    let mut running = Running::new("users", service.clone());
    let shutdown = running.shutdown_handle();

    if parts.http {
        let streams = schema::Streams {
            feed: feed::Feed::start(
                pool.clone(),
                config.service.database_url.clone(),
                shutdown.wait(),
            ),
        };
        let schema = schema::build(service.clone(), streams, config.service.http.query_limits());
        let authenticator: auth_client::SharedAuthenticator = Arc::new(
            auth_client::GrpcAuthenticator::connect_lazy(&config.auth_grpc_url, token)?,
        );
        let extra = http::router(&service, &authenticator);
        let router = GraphqlApp::new(schema, authenticator)
            .with_settings(&config.service.http)
            .router(extra);
        // Without PUBLIC_URL, links point at the HTTP address; with port 0
        // that is known only once bound, but then nobody knew it before.
        if config.service.http_addr.port() != 0 {
            service
                .avatars
                .set_default_public_url(config.service.public_url(None));
        }
        running.serve_http(config.service.http_addr, router).await?;
        running.spawn(
            service
                .limiter
                .clone()
                .prune_periodically(ratelimit::PRUNE_EVERY, shutdown.wait()),
        );
        if let Some(addr) = running.http_addr {
            service
                .avatars
                .set_default_public_url(config.service.public_url(Some(addr)));
        }
    }

    if parts.grpc {
        let server = grpc_api::users::v1::users_server::UsersServer::new(grpc::UsersGrpc {
            service: service.clone(),
        });
        running
            .serve_grpc(
                config.service.grpc_addr,
                tonic::service::Routes::new(server),
                token,
            )
            .await?;
    }

    if parts.worker {
        let (worker, consumer) = outbox(config, &running);
        running.spawn(worker.run(shutdown.wait()));
        // Old feed entries go with the worker: one pruner per worker
        // process, whatever serves the subscriptions.
        running.spawn(
            feed::Retention::days(config.service.feed_retention_days).prune_periodically(
                pool,
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
    let service = &running.service;
    // Friend notifications: enqueued by the friendship transactions,
    // appended to the feed by this handler, in commit order, directly
    // (EVENTS=outbox) or through JetStream (EVENTS=broker). Auth's
    // events reach us through JetStream in broker mode only.
    config
        .service
        .outbox
        .pipeline(
            "users",
            service.pool.clone(),
            config.service.database_url.clone(),
        )
        .local_in_order(jobs::FriendNotification)
        .incoming(jobs::CreateUser::new(service.clone()))
        // Blocks and privacy settings, for messaging's replica: called
        // directly (EVENTS=outbox) or published (EVENTS=broker).
        .outgoing::<contracts::UserBlocked, _, Infallible>(|| {
            Ok(jobs::TellMessaging(service.messaging.clone()))
        })
        .and_then(|p| {
            p.outgoing::<contracts::UserUnblocked, _, Infallible>(|| {
                Ok(jobs::TellMessaging(service.messaging.clone()))
            })
        })
        .and_then(|p| {
            p.outgoing::<contracts::PrivacyChanged, _, Infallible>(|| {
                Ok(jobs::TellMessaging(service.messaging.clone()))
            })
        })
        .unwrap_or_else(|never| match never {})
        .into_parts()
}
