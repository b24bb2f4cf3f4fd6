//! The configuration every test process gets: the services' defaults (free
//! ports, this process's service credential) over a test's database, with
//! small pools and the `EVENTS` mode of the test.

use testkit::TestEvents;
use testkit::events::Mode;

/// Auth over `database_url`. Its users URL (for CreateUser) points nowhere
/// until the stack knows where users listens.
pub fn auth_config(database_url: &str) -> auth::Config {
    let mut config = auth::Config::defaults();
    database_url.clone_into(&mut config.service.database_url);
    config.service.db_pool_size = 4;
    config.hash_concurrency = 2;
    "http://127.0.0.1:9".clone_into(&mut config.users_grpc_url);
    config.service.outbox.outbox_poll_interval_ms = 200;
    config
}

/// Users over `database_url`, validating tokens with auth at `auth_grpc_url`.
/// Its messaging URL (blocks, privacy settings) points nowhere until the
/// stack knows where messaging listens.
pub fn users_config(database_url: &str, auth_grpc_url: &str) -> users::Config {
    let mut config = users::Config::defaults();
    database_url.clone_into(&mut config.service.database_url);
    config.service.db_pool_size = 8;
    auth_grpc_url.clone_into(&mut config.auth_grpc_url);
    "http://127.0.0.1:9".clone_into(&mut config.messaging_grpc_url);
    config.service.outbox.outbox_poll_interval_ms = 200;
    config
}

/// Messaging over `database_url`, with auth and users at these gRPC URLs.
pub fn messaging_config(
    database_url: &str,
    auth_grpc_url: &str,
    users_grpc_url: &str,
) -> messaging::Config {
    let mut config = messaging::Config::defaults();
    database_url.clone_into(&mut config.service.database_url);
    config.service.db_pool_size = 8;
    auth_grpc_url.clone_into(&mut config.auth_grpc_url);
    users_grpc_url.clone_into(&mut config.users_grpc_url);
    config.service.outbox.outbox_poll_interval_ms = 200;
    config
}

/// `EVENTS`, `NATS_URL` and `NATS_STREAM` as `events` says.
pub fn events_settings(settings: &mut outbox::Settings, events: &TestEvents) {
    settings.events = match events.mode {
        Mode::Outbox => outbox::Events::Outbox,
        Mode::Broker => outbox::Events::Broker,
    };
    events.nats_url.clone_into(&mut settings.nats_url);
    events.stream.clone_into(&mut settings.nats_stream);
}
