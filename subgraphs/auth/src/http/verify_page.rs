//! `GET /verify-email?token=…`: the link in the confirmation email. Confirms
//! the address and answers with a small plain HTML page saying so, or why not.

use std::sync::Arc;

use api_errors::{ApiError, ErrorCode};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::email::{Page, Templates};
use crate::service::{AuthService, Verification};

pub const PATH: &str = "/verify-email";

struct PageState {
    service: AuthService,
    templates: Templates,
}

#[derive(serde::Deserialize)]
struct Params {
    token: Option<String>,
}

/// The route, to merge into the service's HTTP router.
pub fn router(service: AuthService, templates: Templates) -> Router {
    Router::new()
        // HEAD is answered without following the link: mail scanners probe
        // links with it.
        .route(
            PATH,
            get(follow).head(|| async { (headers(), StatusCode::OK) }),
        )
        .with_state(Arc::new(PageState { service, templates }))
}

async fn follow(
    State(state): State<Arc<PageState>>,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    let token = params.ok().and_then(|Query(p)| p.token).unwrap_or_default();
    let outcome = match state.service.verify_email(&token).await {
        Ok(outcome) => outcome,
        Err(err) => return link_check_failed(&state.templates, err),
    };
    let (status, page) = match outcome {
        Verification::Confirmed => (
            StatusCode::OK,
            Page {
                title: "Email address confirmed",
                message: "Thank you! Your email address is confirmed. You can now sign in.",
            },
        ),
        Verification::AlreadyUsed => (
            StatusCode::GONE,
            Page {
                title: "Link already used",
                message: "This link has already been used, so your email address is confirmed. You can sign in.",
            },
        ),
        Verification::Expired => (
            StatusCode::GONE,
            Page {
                title: "Link expired",
                message: "This link has expired. Ask the app to send you a new confirmation email.",
            },
        ),
        Verification::Invalid => (
            StatusCode::BAD_REQUEST,
            Page {
                title: "Invalid link",
                message: "This link is not valid. Check that you opened the whole link from the email, or ask the app for a new one.",
            },
        ),
    };
    respond(status, state.templates.page(page))
}

/// The page for a link that could not be checked (the database or a
/// service down: 503, else 500); the cause is logged.
pub(crate) fn link_check_failed(templates: &Templates, err: ApiError) -> Response {
    let status = if err.code() == ErrorCode::Unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    // Logs the cause under the request span, as for GraphQL errors.
    let _logged = async_graphql::Error::from(err);
    let page = Page {
        title: "Something went wrong",
        message: "We could not check this link just now. Please try again in a minute.",
    };
    respond(status, templates.page(page))
}

/// `html` with the link pages' [`headers`].
pub(crate) fn respond(status: StatusCode, html: String) -> Response {
    (status, headers(), html).into_response()
}

/// The token is in the URL: keep it out of caches and Referer headers; the
/// page needs no scripts, frames or outside resources.
pub(crate) fn headers() -> [(HeaderName, HeaderValue); 6] {
    [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ]
}
