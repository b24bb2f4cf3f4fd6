//! The auth subgraph's GraphQL schema. Resolvers validate, call
//! [`AuthService`](crate::service::AuthService) and shape the answer.

mod mutation;
mod query;
mod types;

use async_graphql::{EmptySubscription, SDLExportOptions, Schema};

pub use mutation::Mutation;
pub use query::Query;

use crate::service::AuthService;

pub type AuthSchema = Schema<Query, Mutation, EmptySubscription>;

/// Query limits; the router enforces its own too, but a subgraph must not
/// rely on being reached only through it.
const MAX_DEPTH: usize = 12;
const MAX_COMPLEXITY: usize = 1000;

pub fn build(service: AuthService) -> AuthSchema {
    Schema::build(Query, Mutation, EmptySubscription)
        .enable_federation()
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
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
