//! Our Hive Router plugins. Each is switched on under `plugins:` in
//! `router.yaml` and registered in `main.rs` (registration order is the order
//! their hooks run in).

pub mod error_codes;
pub mod explorer;
pub mod forwarded_for;
pub mod healthz;
pub mod not_found;
pub mod request_id;
pub mod service_routes;

use api_errors::ErrorCode;
use hive_router::ntex::http::{Response, StatusCode, header};
use hive_router::sonic_rs;

/// A short error the router answers itself (not GraphQL), in the GraphQL
/// shape the services' own routes answer theirs in.
pub fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    // Written out: sonic_rs's objects do not keep the order of their keys.
    let message = sonic_rs::to_string(message).unwrap_or_else(|_| r#""""#.to_owned());
    let body = format!(
        r#"{{"errors":[{{"message":{message},"extensions":{{"code":"{}"}}}}]}}"#,
        code.as_str()
    );
    Response::build(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(body)
}
