//! `/reset-password`: the link in the password reset email, for browsers,
//! without JavaScript. `GET ?token=…` shows a form (a usable link) or says
//! why the link cannot be used; the form `POST`s the token and the new
//! password (twice) back, which resets the password and signs out every
//! session. Opening the link spends nothing: only the form does.

use std::net::SocketAddr;
use std::sync::Arc;

use api_errors::{ApiError, ErrorCode};
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use service_runtime::TrustedProxies;

use crate::email::{Page, Templates};
use crate::secrets::Password;
use crate::service::{AuthService, ClientInfo, ResetLink};

pub const PATH: &str = "/reset-password";

struct PageState {
    service: AuthService,
    templates: Templates,
    /// Whose `X-Forwarded-For` names the client (as for GraphQL requests).
    proxies: TrustedProxies,
}

#[derive(serde::Deserialize)]
struct Params {
    token: Option<String>,
}

#[derive(serde::Deserialize)]
struct Submitted {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// The route, to merge into the service's HTTP router.
pub fn router(service: AuthService, templates: Templates, proxies: TrustedProxies) -> Router {
    Router::new()
        // HEAD is answered without looking at the link (mail scanners).
        .route(
            PATH,
            get(show)
                .head(|| async { (headers(), StatusCode::OK) })
                .post(submit),
        )
        .with_state(Arc::new(PageState {
            service,
            templates,
            proxies,
        }))
}

async fn show(
    State(state): State<Arc<PageState>>,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    let token = params.ok().and_then(|Query(p)| p.token).unwrap_or_default();
    match state.service.reset_link(&token).await {
        Ok(ResetLink::Usable) => respond(
            StatusCode::OK,
            state.templates.reset_form(token.trim(), None),
        ),
        Ok(link) => refused(&state.templates, link),
        Err(err) => failed(&state.templates, err),
    }
}

async fn submit(
    State(state): State<Arc<PageState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request_headers: HeaderMap,
    form: Result<Form<Submitted>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return refused(&state.templates, ResetLink::Invalid);
    };
    if form.password != form.confirm {
        return respond(
            StatusCode::BAD_REQUEST,
            state.templates.reset_form(
                &form.token,
                Some("The two passwords were not the same. Type the new password twice."),
            ),
        );
    }
    let client = ClientInfo {
        ip: Some(
            state
                .proxies
                .client_ip(peer.ip(), &request_headers)
                .to_string(),
        ),
        user_agent: request_headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect()),
    };
    let outcome = state
        .service
        .reset_password(&form.token, Password::new(form.password), false, &client)
        .await;
    match outcome {
        Ok(Ok(_)) => respond(
            StatusCode::OK,
            state.templates.page(Page {
                title: "Password changed",
                message: "Your new password is set, and every device that was signed in to your account has been signed out. Sign in with the new password.",
            }),
        ),
        Ok(Err(link)) => refused(&state.templates, link),
        // The password's rules: the link is still good, try again.
        Err(err) if err.code() == ErrorCode::BadUserInput => respond(
            StatusCode::BAD_REQUEST,
            state.templates.reset_form(
                &form.token,
                Some(&format!("That password cannot be used: {}.", err.message())),
            ),
        ),
        Err(err) => failed(&state.templates, err),
    }
}

fn refused(templates: &Templates, link: ResetLink) -> Response {
    let (status, page) = match link {
        ResetLink::Used => (
            StatusCode::GONE,
            Page {
                title: "Link already used",
                message: "This link has already been used to set a new password. If you need to reset it again, ask the app for a new link.",
            },
        ),
        ResetLink::Expired => (
            StatusCode::GONE,
            Page {
                title: "Link expired",
                message: "This link has expired, or a newer one was sent since. Use the newest email, or ask the app for a new link.",
            },
        ),
        ResetLink::Usable | ResetLink::Invalid => (
            StatusCode::BAD_REQUEST,
            Page {
                title: "Invalid link",
                message: "This link is not valid. Check that you opened the whole link from the email, or ask the app for a new one.",
            },
        ),
    };
    respond(status, templates.page(page))
}

fn failed(templates: &Templates, err: ApiError) -> Response {
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

fn respond(status: StatusCode, html: String) -> Response {
    (status, headers(), html).into_response()
}

/// As the confirmation page's, and the form may post only back here.
fn headers() -> [(HeaderName, HeaderValue); 6] {
    let mut headers = super::verify_page::headers();
    for (name, value) in &mut headers {
        if *name == header::CONTENT_SECURITY_POLICY {
            *value = HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            );
        }
    }
    headers
}
