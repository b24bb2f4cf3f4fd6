//! users' routes beside GraphQL: the avatar upload (`PUT /avatar-uploads/…`)
//! and the stored pictures (`GET /avatars/…`).

pub mod avatars;

use auth_client::SharedAuthenticator;
use axum::Router;

use crate::service::UsersService;

/// Every non-GraphQL route, to merge into the service's HTTP router.
pub fn router(service: &UsersService, authenticator: &SharedAuthenticator) -> Router {
    avatars::routes(service.clone(), authenticator.clone())
}
