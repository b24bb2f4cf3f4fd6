//! The messaging subgraph's GraphQL schema. Resolvers take the caller from
//! the context, call [`MessagingService`] and shape the answer.

mod mutation;
mod query;
mod subscription;
pub mod types;

use async_graphql::{SDLExportOptions, Schema};

pub use mutation::Mutation;
pub use query::Query;
pub use subscription::{SessionCheckInterval, Subscription};

use crate::service::MessagingService;

pub type MessagingSchema = Schema<Query, Mutation, Subscription>;

/// Query limits; the router enforces its own too, but a subgraph must not
/// rely on being reached only through it.
const MAX_DEPTH: usize = 12;
const MAX_COMPLEXITY: usize = 1000;

pub fn build(service: MessagingService, session_check: SessionCheckInterval) -> MessagingSchema {
    Schema::build(Query, Mutation, Subscription)
        .enable_federation()
        .enable_subscription_in_federation()
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(api_errors::ErrorCodes)
        .data(service)
        .data(session_check)
        .finish()
}

/// The federation SDL the router composes.
pub fn sdl() -> String {
    Schema::build(Query, Mutation, Subscription)
        .enable_federation()
        .enable_subscription_in_federation()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
