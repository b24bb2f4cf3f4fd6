//! `GET /oauth/{provider}/start` and `GET /oauth/{provider}/callback`: the
//! browser's side of signing in with a provider. Both answer with a
//! redirect, or with a small HTML page saying what went wrong (with a link
//! back to the app once we know where that is). `start` sets the flow's
//! cookie ([`FlowCookie`]); `callback` wants it back.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use service_runtime::TrustedProxies;
use url::Url;

use super::verify_page;
use crate::email::{Page, Templates};
use crate::oauth::{Failure, FlowCookie};
use crate::service::oauth::{CallbackFailure, CallbackParams};
use crate::service::{AuthService, ClientInfo};

struct RouteState {
    service: AuthService,
    templates: Templates,
    /// Whose `X-Forwarded-For` names the client (as for GraphQL requests).
    proxies: TrustedProxies,
}

/// The routes, to merge into the service's HTTP router.
pub fn router(service: AuthService, templates: Templates, proxies: TrustedProxies) -> Router {
    // HEAD does nothing (axum would run the GET handler): a prefetch or a
    // link checker must not spend a flow.
    let head = || async { (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")]) };
    Router::new()
        .route("/oauth/{provider}/start", get(start).head(head))
        .route("/oauth/{provider}/callback", get(callback).head(head))
        .with_state(Arc::new(RouteState {
            service,
            templates,
            proxies,
        }))
}

#[derive(serde::Deserialize)]
struct StartParams {
    redirect_uri: Option<String>,
    state: Option<String>,
}

async fn start(
    State(state): State<Arc<RouteState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(provider): Path<String>,
    params: Result<Query<StartParams>, QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return page(&state.templates, Failure::RedirectNotAllowed, None);
    };
    let redirect_uri = params.redirect_uri.unwrap_or_default();
    let client = ClientInfo {
        ip: Some(state.proxies.client_ip(peer.ip(), &headers).to_string()),
        user_agent: None,
    };
    match state
        .service
        .oauth_start(&provider, &redirect_uri, params.state.as_deref(), &client)
        .await
    {
        Ok(started) => {
            let mut response = redirect(&started.url);
            match HeaderValue::from_str(&started.cookie.header()) {
                Ok(cookie) => {
                    response.headers_mut().append(header::SET_COOKIE, cookie);
                    response
                }
                Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            }
        }
        Err(failure) => page(&state.templates, failure, None),
    }
}

async fn callback(
    State(state): State<Arc<RouteState>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    params: Result<Query<CallbackParams>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let browser_secret = params
        .state
        .as_deref()
        .and_then(|flow| cookie(&headers, &FlowCookie::name_for(flow)));
    match state
        .service
        .oauth_callback(&provider, params, browser_secret)
        .await
    {
        Ok(url) => redirect(&url),
        Err(CallbackFailure {
            failure,
            back_to_app,
        }) => page(&state.templates, failure, back_to_app.as_ref()),
    }
}

/// The value of the cookie `name` in the request, if sent (once).
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// A 302 that leaves no trace: the URL carries a state or a login code.
fn redirect(url: &Url) -> Response {
    let Ok(location) = HeaderValue::from_str(url.as_str()) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
    )
        .into_response()
}

fn page(templates: &Templates, failure: Failure, back_to_app: Option<&Url>) -> Response {
    let text = failure.page();
    if let Failure::Internal(err) = failure {
        // Logs the cause under the request span, as for GraphQL errors.
        let _logged = async_graphql::Error::from(err);
    }
    let html = templates.oauth_page(
        Page {
            title: text.title,
            message: text.message,
        },
        back_to_app.map(Url::as_str),
    );
    (text.status, verify_page::headers(), html).into_response()
}
