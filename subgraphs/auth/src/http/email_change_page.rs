//! `GET /confirm-email-change?token=…`: the link in the email sent to a new
//! address. Changes the account's address and answers with a small HTML
//! page saying so, or why not (as `/verify-email` does).

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::verify_page::{headers, link_check_failed, respond};
use crate::email::{Page, Templates};
use crate::service::AuthService;
use crate::service::email_change::ChangeLink;

pub const PATH: &str = "/confirm-email-change";

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
        // HEAD changes nothing (mail scanners probe links with it).
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
    let outcome = match state.service.confirm_email_change(&token).await {
        Ok(outcome) => outcome,
        Err(err) => return link_check_failed(&state.templates, err),
    };
    let (status, page) = match outcome {
        Ok(_) => (
            StatusCode::OK,
            Page {
                title: "Email address changed",
                message: "Your account's email address is now this one, and it is confirmed. Sign in with it from now on.",
            },
        ),
        Err(ChangeLink::Used) => (
            StatusCode::GONE,
            Page {
                title: "Link already used",
                message: "This link has already been used: the email address was changed then.",
            },
        ),
        Err(ChangeLink::Expired) => (
            StatusCode::GONE,
            Page {
                title: "Link expired",
                message: "This link has expired, or a newer one was sent since. Ask for the change again in the app.",
            },
        ),
        Err(ChangeLink::Taken) => (
            StatusCode::CONFLICT,
            Page {
                title: "Address taken",
                message: "Another account has this email address now, so it cannot become this account's. Nothing was changed.",
            },
        ),
        Err(ChangeLink::Invalid) => (
            StatusCode::BAD_REQUEST,
            Page {
                title: "Invalid link",
                message: "This link is not valid. Check that you opened the whole link from the email, or ask for the change again in the app.",
            },
        ),
    };
    respond(status, state.templates.page(page))
}
