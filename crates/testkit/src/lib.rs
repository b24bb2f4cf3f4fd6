//! Test kit shared by every service's tests.
//!
//! - [`TestDatabase`]: a fresh, migrated PostgreSQL database per test, cloned
//!   from a per-migrations-directory template and dropped afterwards.
//! - [`PrivateCluster`]: a throwaway PostgreSQL server from the local
//!   binaries; used automatically when nothing answers at `DATABASE_URL`, and
//!   directly by fault tests that need to stop/restart the database.
//! - [`GraphqlClient`], [`error_code`], [`assert_no_errors`]: black-box
//!   GraphQL-over-HTTP testing.
//! - [`WsClient`]: `graphql-transport-ws` client for subscription tests.
//! - [`FaultFigures`]: the figures line every fault test prints.
//! - [`PrivateNats`]: a `nats-server -js` a fault test may stop and start.
//! - [`TestEvents`], [`in_both_modes!`]: one test body run in both `EVENTS`
//!   modes, each on a JetStream stream of its own.
//!
//! Everything panics with a `testkit: ...` message on failure instead of
//! returning errors: this is test code and a clear panic is the best report.

mod cluster;
mod db;
pub mod events;
mod figures;
mod http;
mod nats;
mod pg;
mod sys;
mod ws;

pub use cluster::PrivateCluster;
pub use db::{DEFAULT_DATABASE_URL, TestDatabase, connect_pg, server_url};
pub use events::TestEvents;
pub use figures::{FIGURES_MARKER, FaultFigures};
pub use http::{GraphqlClient, assert_no_errors, error_code};
pub use nats::PrivateNats;
pub use ws::{GRAPHQL_TRANSPORT_WS, WsClient, ws_error};
