//! The users subgraph's GraphQL schema. Resolvers validate, call
//! [`UsersService`](crate::service::UsersService) and shape the answer.

mod mutation;
mod privacy;
mod query;
mod reports;
mod search;
mod subscription;
mod types;

use api_errors::{ApiError, ApiResult};
use async_graphql::{Context, ID, MergedObject, SDLExportOptions, Schema};
use service_runtime::{QueryLimits, QueryLimitsExt as _};
use uuid::Uuid;

pub use subscription::Subscription;

/// Every query: profiles and friends (`query.rs`), blocks (`privacy.rs`).
#[derive(MergedObject)]
pub struct Query(query::Query, privacy::PrivacyQuery);

/// Every mutation: profiles and friends (`mutation.rs`), blocks and
/// privacy settings (`privacy.rs`).
#[derive(MergedObject)]
pub struct Mutation(mutation::Mutation, privacy::PrivacyMutation);

fn roots() -> (Query, Mutation, Subscription) {
    (
        Query(query::Query, privacy::PrivacyQuery),
        Mutation(mutation::Mutation, privacy::PrivacyMutation),
        Subscription,
    )
}

use crate::service::UsersService;

pub type UsersSchema = Schema<Query, Mutation, Subscription>;

/// What subscriptions need besides the service.
#[derive(Clone)]
pub struct Streams {
    pub feed: feed::Feed,
}

/// `limits`: depth, complexity and aliases; the router enforces its own
/// too, but a subgraph must not rely on being reached only through it.
pub fn build(service: UsersService, streams: Streams, limits: QueryLimits) -> UsersSchema {
    let (query, mutation, subscription) = roots();
    Schema::build(query, mutation, subscription)
        .enable_federation()
        .enable_subscription_in_federation()
        .query_limits(limits)
        .extension(api_errors::ErrorCodes)
        .data(service)
        .data(streams)
        .finish()
}

/// The federation SDL the router composes.
pub fn sdl() -> String {
    let (query, mutation, subscription) = roots();
    Schema::build(query, mutation, subscription)
        .enable_federation()
        .enable_subscription_in_federation()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}

/// The signed-in caller's user id, or `UNAUTHENTICATED`.
fn caller(ctx: &Context<'_>) -> ApiResult<Uuid> {
    Ok(auth_client::identity(ctx)?.user_id)
}

/// The signed-in caller's user id if its account may reach out to other
/// users, else FORBIDDEN: its email address awaits confirmation. The flag
/// comes with the token check (auth sets it for every account when
/// confirmation is not required), so this costs no lookup.
fn verified_caller(ctx: &Context<'_>) -> ApiResult<Uuid> {
    Ok(auth_client::identity(ctx)?.require_verified()?.user_id)
}

fn service<'a>(ctx: &Context<'a>) -> ApiResult<&'a UsersService> {
    ctx.data::<UsersService>()
        .map_err(|_| ApiError::internal("UsersService missing from the schema data"))
}

/// A user id argument, or `BAD_USER_INPUT` naming the argument.
fn user_id(field: &'static str, id: &ID) -> ApiResult<Uuid> {
    Uuid::try_parse(id.as_str()).map_err(|_| ApiError::invalid_field(field, "not a valid user id"))
}
