//! auth's routes beside GraphQL, for browsers and other servers: the signing
//! keys (`/.well-known/jwks.json`), the confirmation link (`/verify-email`),
//! the password reset link and its form (`/reset-password`), the email change
//! link (`/confirm-email-change`) and the
//! provider sign-in (`/oauth/{provider}/start|callback`).

pub mod email_change_page;
pub mod oauth;
pub mod reset_page;
pub mod verify_page;

use axum::Router;
use axum::routing::get;
use service_runtime::TrustedProxies;

use crate::email::Templates;
use crate::service::AuthService;

/// Every non-GraphQL route, to merge into the service's HTTP router.
pub fn router(service: &AuthService, templates: &Templates, proxies: TrustedProxies) -> Router {
    let keys = service.keys.clone();
    Router::new()
        .route(
            "/.well-known/jwks.json",
            get(move || {
                let keys = keys.current();
                async move {
                    (
                        [(axum::http::header::CACHE_CONTROL, "public, max-age=300")],
                        axum::Json(keys.jwks.clone()),
                    )
                }
            }),
        )
        .merge(verify_page::router(service.clone(), templates.clone()))
        .merge(email_change_page::router(
            service.clone(),
            templates.clone(),
        ))
        .merge(reset_page::router(
            service.clone(),
            templates.clone(),
            proxies.clone(),
        ))
        .merge(oauth::router(service.clone(), templates.clone(), proxies))
}
