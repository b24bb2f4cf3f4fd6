//! Every error a client sees carries an `extensions.code` from our one
//! documented list (README "Errors"), whether a subgraph or the router
//! raised it.
//!
//! Errors a subgraph returned pass through untouched (the subgraphs code
//! their own errors). Errors the router raises itself (parsing, validation,
//! limits, an unreachable or slow subgraph, ...) have Hive Router's own
//! codes; they are mapped onto ours and the original code is kept in
//! `extensions.reason`, so nothing is lost.

use api_errors::ErrorCode;
use hive_router::GraphQLError;
use hive_router::async_trait;
use hive_router::http::StatusCode;
use hive_router::plugins::hooks::on_graphql_error::{
    OnGraphQLErrorHookPayload, OnGraphQLErrorHookResult,
};
use hive_router::plugins::hooks::on_plugin_init::{OnPluginInitPayload, OnPluginInitResult};
use hive_router::plugins::plugin_trait::RouterPlugin;
use hive_router::sonic_rs;

pub struct ErrorCodes;

/// Hive Router codes for requests that are the client's to fix.
const CLIENT_CODES: &[&str] = &[
    "BAD_REQUEST",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "MAX_DEPTH_EXCEEDED",
    "MAX_ALIASES_EXCEEDED",
    "MAX_DIRECTIVES_EXCEEDED",
    "TOKEN_LIMIT_EXCEEDED",
    "OPERATION_RESOLUTION_FAILURE",
    "METHOD_NOT_ALLOWED",
    "MISSING_CONTENT_TYPE_HEADER",
    "UNSUPPORTED_CONTENT_TYPE",
    "UNSUPPORTED_CONTENT_ENCODING",
    "MISSING_QUERY_PARAM",
    "MUTATION_NOT_ALLOWED_OVER_HTTP_GET",
    "UNPROCESSABLE_QUERY_PARAMS",
    "INVALID_HEADER",
    "REQUEST_HEADER_FIELDS_TOO_LARGE",
    "CSRF_PREVENTION_FAILED",
    "SUBSCRIPTIONS_NOT_SUPPORTED",
    "SUBSCRIPTIONS_TRANSPORT_NOT_SUPPORTED",
    "PERSISTED_DOCUMENT_NOT_FOUND",
    "PERSISTED_DOCUMENT_ID_REQUIRED",
    "COST_ESTIMATED_TOO_EXPENSIVE",
    "COST_INVALID_SLICING_ARGUMENTS",
    "SUBGRAPH_COST_ESTIMATED_TOO_EXPENSIVE",
];

/// Hive Router codes for a subgraph (or the router) that cannot answer now.
const UNAVAILABLE_CODES: &[&str] = &["GATEWAY_TIMEOUT", "NO_SUPERGRAPH_AVAILABLE"];

#[async_trait]
impl RouterPlugin for ErrorCodes {
    type Config = ();

    fn plugin_name() -> &'static str {
        "error_codes"
    }

    fn on_plugin_init(payload: OnPluginInitPayload<Self>) -> OnPluginInitResult<Self> {
        payload.initialize_plugin(Self)
    }

    fn on_graphql_error<'req>(
        &'req self,
        mut payload: OnGraphQLErrorHookPayload<'req>,
    ) -> OnGraphQLErrorHookResult<'req> {
        normalize(&mut payload.error, payload.status_code);
        payload.proceed()
    }
}

fn normalize(error: &mut GraphQLError, status: StatusCode) {
    let original = error.extensions.code.clone();
    // An error a subgraph returned (the router names the subgraph in
    // `service`) is the subgraph's to code: leave it exactly as it is. Only
    // the router's own errors about a subgraph request are recoded.
    if error.extensions.service_name.is_some() && !original.as_deref().is_some_and(is_transport) {
        return;
    }
    let code = classify(original.as_deref(), status);
    if original.as_deref() == Some(code.as_str()) {
        return;
    }
    // Say which subgraph, in words as well as in `extensions.service`.
    if code == ErrorCode::Unavailable
        && let Some(service) = error.extensions.service_name.clone()
        && !error.message.contains(service.as_str())
    {
        error.message = format!("the {service} service is unavailable: {}", error.message);
    }
    if let Some(original) = original {
        error
            .extensions
            .extensions
            .entry("reason".to_owned())
            .or_insert_with(|| sonic_rs::Value::from(original.as_str()));
    }
    error.extensions.code = Some(code.as_str().to_owned());
}

/// The router's codes for a subgraph request that failed (unreachable,
/// timed out, a broken answer).
fn is_transport(code: &str) -> bool {
    code.starts_with("SUBGRAPH_") || code.starts_with("SUBREQUEST_")
}

/// GraphQL validation errors are coded with the name of the rule that failed,
/// in PascalCase (`FieldsOnCorrectType`, `KnownArgumentNames`, ...), unlike
/// every other code (SCREAMING_SNAKE_CASE).
fn is_validation_rule(code: &str) -> bool {
    code.starts_with(|c: char| c.is_ascii_uppercase())
        && code.chars().all(|c| c.is_ascii_alphanumeric())
        && code.chars().any(|c| c.is_ascii_lowercase())
}

fn classify(code: Option<&str>, status: StatusCode) -> ErrorCode {
    if let Some(ours) = code.and_then(ErrorCode::parse) {
        return ours;
    }
    match code {
        Some("INTROSPECTION_DISABLED") => return ErrorCode::Forbidden,
        Some(c) if CLIENT_CODES.contains(&c) || is_validation_rule(c) => {
            return ErrorCode::BadUserInput;
        }
        Some(c) if UNAVAILABLE_CODES.contains(&c) || is_transport(c) => {
            return ErrorCode::Unavailable;
        }
        _ => {}
    }
    match status {
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthenticated,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            ErrorCode::Unavailable
        }
        s if s.is_client_error() => ErrorCode::BadUserInput,
        _ => ErrorCode::Internal,
    }
}
