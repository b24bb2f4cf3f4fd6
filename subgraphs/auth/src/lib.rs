//! The auth subgraph: accounts, sessions, access tokens.
//!
//! [`start`] builds and runs the whole service (HTTP, gRPC, outbox worker,
//! cache listener) on the given addresses; `main` and the tests both use it.

pub mod config;
pub mod db;
pub mod email;
pub mod events;
pub mod grpc;
pub mod http;
pub mod jobs;
pub mod keys;
pub mod listener;
pub mod oauth;
pub mod passwords;
pub mod revocations;
pub mod schema;
pub mod secrets;
pub mod service;
pub mod tokens;
pub mod validate;

use std::sync::Arc;
use std::time::Duration;

use auth_client::{Authenticator, Caller, Identity};
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use futures::future::BoxFuture;
use service_runtime::GraphqlApp;

pub use config::Config;
use email::{Mailer, Templates};
use keys::{KeySource, Keys};
use service::{AuthService, VerificationPolicy};
use tokens::TokenSettings;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/auth");

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] service_runtime::db::DbError),
    #[error("signing keys: {0}")]
    Keys(#[from] keys::KeyError),
    #[error(transparent)]
    Bind(#[from] service_runtime::BindError),
    #[error("bad users gRPC URL: {0}")]
    UsersUrl(#[from] tonic::transport::Error),
    #[error(transparent)]
    Mailer(#[from] email::MailerError),
    #[error("sign-in providers: {0}")]
    OAuth(#[from] oauth::ConfigError),
    #[error(transparent)]
    ServiceToken(#[from] service_runtime::MissingServiceToken),
}

/// How often the worker deletes spent confirmation tokens and email windows.
const PRUNE_EVERY: Duration = Duration::from_hours(1);

pub use service_runtime::Parts;

/// A started auth service.
pub type Running = service_runtime::Running<AuthService>;

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

    fn revocations(&self) -> Option<tokio::sync::broadcast::Receiver<auth_client::Revocation>> {
        Some(self.0.revocations.feed().subscribe())
    }
}

/// Starts the parts of the service in `parts`. Addresses with port 0 get a
/// free port; the bound addresses are in [`Running`].
pub async fn start(config: &Config, parts: Parts) -> Result<Running, StartError> {
    let token = config.service.internal_auth.token()?;
    let pool =
        service_runtime::db::pool(&config.service.database_url, config.service.db_pool_size)?;
    let key_source = KeySource::new(config.signing_key_file.as_deref())?;
    let keys = Keys::new(key_source.load(&pool).await?);
    let settings = TokenSettings {
        issuer: config.jwt_issuer.clone(),
        audience: config.jwt_audience.clone(),
        ttl: config.access_token_ttl(),
        leeway: Duration::from_secs(config.jwt_leeway_secs),
    };
    let horizon = settings.ttl + settings.leeway + Duration::from_mins(1);
    let templates = Templates::new(config.email.product_name.clone());
    let service = AuthService {
        pool: pool.clone(),
        hasher: passwords::Hasher::new(config.hash_concurrency(), config.security.hash_params()),
        keys,
        revocations: revocations::Revocations::new(horizon),
        settings,
        refresh_ttl: config.refresh_token_ttl(),
        verification: VerificationPolicy {
            mode: config.email.email_verification,
            ttl: config.email.verification_ttl(),
            reset_ttl: config.email.reset_ttl(),
            emails_per_address: config.email.email_limit_per_address,
            window: config.email.limit_window(),
        },
        oauth: oauth::OAuth::new(&config.oauth)?,
        limiter: ratelimit::Limiter::new(pool.clone()),
        limits: config.security.limits(),
        totp_issuer: config.email.product_name.clone(),
    };
    let mut running = Running::new("auth", service.clone());
    let shutdown = running.shutdown_handle();

    if parts.http || parts.grpc {
        running.spawn(listener::run(
            service.clone(),
            key_source.clone(),
            config.service.database_url.clone(),
            shutdown.wait(),
        ));
    }

    if parts.http {
        let schema = schema::build(service.clone(), config.service.http.query_limits());
        let authenticator: auth_client::SharedAuthenticator =
            Arc::new(LocalAuthenticator(service.clone()));
        let extra = http::router(&service, &templates, config.service.http.trusted_proxies());
        let router = GraphqlApp::new(schema, authenticator)
            .with_settings(&config.service.http)
            .router(extra);
        running.serve_http(config.service.http_addr, router).await?;
        running.spawn(
            service
                .limiter
                .clone()
                .prune_periodically(ratelimit::PRUNE_EVERY, shutdown.wait()),
        );
        // Provider callbacks are under it: known now that the port is bound.
        service
            .oauth
            .set_public_url(&config.service.public_url(running.http_addr));
    }

    if parts.grpc {
        let server =
            grpc_api::auth::v1::auth_server::AuthServer::new(grpc::AuthGrpc::new(service.clone()));
        running
            .serve_grpc(
                config.service.grpc_addr,
                tonic::service::Routes::new(server),
                token,
            )
            .await?;
    }

    if parts.worker {
        let (worker, consumer) = outbox(config, &running)?;
        running.spawn(worker.run(shutdown.wait()));
        if let Some(consumer) = consumer {
            running.spawn(consumer.run(shutdown.wait()));
        }
        running.spawn(jobs::prune_periodically(
            service.clone(),
            PRUNE_EVERY,
            shutdown.wait(),
        ));
    }

    Ok(running)
}

/// The outbox worker of `running`'s database and, with `EVENTS=broker`, the
/// JetStream consumer: [`start`] runs them for [`Parts::worker`]; tests may
/// instead drive the worker one batch at a time ([`outbox::Worker::run_once`]).
pub fn outbox(
    config: &Config,
    running: &Running,
) -> Result<(outbox::Worker, Option<outbox::broker::Consumer>), StartError> {
    let token = config.service.internal_auth.token()?;
    let service = &running.service;
    // Checked at start: a bad SMTP_URL or EMAIL_FROM fails now, not per email.
    let mailer = Mailer::new(config.email.smtp_url.as_deref(), &config.email.email_from)?;
    let public_url = config.service.public_url(running.http_addr);
    if mailer.is_smtp() {
        tracing::info!(%public_url, "emails go out over SMTP");
    } else {
        tracing::info!(%public_url, "no SMTP_URL: emails are written to the log");
    }
    let templates = Templates::new(config.email.product_name.clone());
    // Emails are sent by this service in both modes (with EVENTS=broker
    // through JetStream and auth's own consumer); users' events go to
    // users directly, or to JetStream for users to consume.
    let pipeline = config
        .service
        .outbox
        .pipeline(
            "auth",
            service.pool.clone(),
            config.service.database_url.clone(),
        )
        .local(jobs::email::SendEmail::new(
            service.clone(),
            mailer,
            templates,
            &public_url,
        ))
        .outgoing(|| jobs::CreateUser::new(&config.users_grpc_url, token))?;
    Ok(pipeline.into_parts())
}
