//! What every subgraph process shares: logging, the database pool and
//! migrations, the HTTP app around a GraphQL schema, and graceful shutdown.

pub mod cli;
pub mod client_ip;
pub mod db;
pub mod grpc_auth;
pub mod grpc_health;
pub mod http;
pub mod limits;
pub mod process;
pub mod request_meta;
pub mod settings;
pub mod shutdown;
pub mod telemetry;
pub mod ws;

pub use client_ip::TrustedProxies;
pub use grpc_auth::{InternalAuth, MissingServiceToken};
pub use grpc_health::GrpcHealth;
pub use http::GraphqlApp;
pub use limits::{QueryLimits, QueryLimitsExt};
pub use process::{BindError, Parts, Running};
pub use request_meta::RequestMeta;
pub use settings::{HttpSettings, ServiceDefaults, ServiceSettings};
pub use ws::WsLimits;
