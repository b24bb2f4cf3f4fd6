//! What every subgraph process shares: logging, the database pool and
//! migrations, the HTTP app around a GraphQL schema, and graceful shutdown.

pub mod db;
pub mod http;
pub mod process;
pub mod shutdown;
pub mod telemetry;

pub use http::{GraphqlApp, RequestMeta};
pub use process::{BindError, Parts, Running};
