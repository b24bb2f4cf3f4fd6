//! The auth subgraph's GraphQL schema. Resolvers validate, call
//! [`AuthService`](crate::service::AuthService) and shape the answer.

mod mutation;
mod query;
mod types;

use async_graphql::{EmptySubscription, SDLExportOptions, Schema};
use service_runtime::{QueryLimits, QueryLimitsExt as _};

pub use mutation::Mutation;
pub use query::Query;

use crate::service::AuthService;

pub type AuthSchema = Schema<Query, Mutation, EmptySubscription>;

/// `limits`: depth, complexity and aliases; the router enforces its own
/// too, but a subgraph must not rely on being reached only through it.
pub fn build(service: AuthService, limits: QueryLimits) -> AuthSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .enable_federation()
        .query_limits(limits)
        .extension(api_errors::ErrorCodes)
        .data(service)
        .finish()
}

/// The federation SDL the router composes.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, EmptySubscription)
        .enable_federation()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
