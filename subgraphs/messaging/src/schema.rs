//! The messaging subgraph's GraphQL schema. Resolvers take the caller from
//! the context, call [`MessagingService`] and shape the answer.

mod mutation;
mod query;
mod reports;
mod subscription;
pub mod types;

use async_graphql::{SDLExportOptions, Schema};
use service_runtime::{QueryLimits, QueryLimitsExt as _};

pub use mutation::Mutation;
pub use query::Query;
pub use subscription::Subscription;

use crate::service::MessagingService;

pub type MessagingSchema = Schema<Query, Mutation, Subscription>;

/// `limits`: depth, complexity and aliases; the router enforces its own
/// too, but a subgraph must not rely on being reached only through it.
pub fn build(service: MessagingService, limits: QueryLimits) -> MessagingSchema {
    Schema::build(Query, Mutation, Subscription)
        .enable_federation()
        .enable_subscription_in_federation()
        .query_limits(limits)
        .extension(api_errors::ErrorCodes)
        .data(service)
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
