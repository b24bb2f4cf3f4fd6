//! The avatar routes on the users HTTP service:
//!
//! - `PUT /avatar-uploads/<token>`: the picture's bytes, to a URL from
//!   `requestAvatarUpload`, with the caller's bearer token and the
//!   `Content-Type` the URL was issued for. Errors have the GraphQL shape
//!   `{"errors":[{"message","extensions":{"code"}}]}` and a status: 400 bad
//!   body, 401 no valid token, 403 not a valid URL or not yours, 410 expired,
//!   413 more bytes than declared, 415 not the declared image type.
//! - `GET /avatars/<user id>/<hash>-<size>.<jpg|webp>`: a stored picture. Its URL
//!   changes with its content, so it is cached for a year as immutable;
//!   `If-None-Match` with its ETag gets 304.

use std::sync::Arc;

use api_errors::{ApiError, ErrorCode};
use auth_client::{SharedAuthenticator, authenticate_headers};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use chrono::Utc;
use futures::StreamExt as _;
use serde_json::json;
use uuid::Uuid;

use crate::avatars::process::{PictureFormat, ProcessError, SIZES};
use crate::avatars::{MAX_UPLOAD_BYTES, PICTURE_PATH, UPLOAD_PATH, object_key};
use crate::service::{UploadError, UsersService};

/// A year: the longest lifetime caches honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

struct AppState {
    service: UsersService,
    authenticator: SharedAuthenticator,
}

pub fn routes(service: UsersService, authenticator: SharedAuthenticator) -> Router {
    let state = Arc::new(AppState {
        service,
        authenticator,
    });
    Router::new()
        .route(
            &format!("{UPLOAD_PATH}/{{token}}"),
            put(upload).options(preflight),
        )
        .route(&format!("{PICTURE_PATH}/{{user}}/{{file}}"), get(picture))
        .with_state(state)
}

/// A failed avatar request, answered in the shape of a GraphQL error.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    error: ApiError,
}

impl Failure {
    fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            error: ApiError::new(code, message),
        }
    }

    /// The status that goes with an error's code.
    fn from_api(error: ApiError) -> Self {
        let status = match error.code() {
            ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::BadUserInput => StatusCode::BAD_REQUEST,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            // INTERNAL, and codes no avatar request produces.
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Self { status, error }
    }

    fn unusable(err: &ProcessError) -> Self {
        let status = match err {
            ProcessError::UnknownType | ProcessError::WrongType { .. } => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            ProcessError::TooManyPixels | ProcessError::Corrupt(_) | ProcessError::Encode(_) => {
                StatusCode::BAD_REQUEST
            }
        };
        Self::new(status, ErrorCode::BadUserInput, err.to_string())
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        // The conversion logs internal causes and gives the client-facing
        // message and extensions, exactly as GraphQL answers would have them.
        let error = async_graphql::Error::from(self.error);
        let mut extensions = serde_json::Map::new();
        if let Some(ext) = error.extensions
            && let Ok(serde_json::Value::Object(map)) = serde_json::to_value(&ext)
        {
            extensions = map;
        }
        let body = json!({
            "errors": [{ "message": error.message, "extensions": extensions }],
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        allow_any_origin(response.headers_mut());
        response
    }
}

/// Uploads authenticate with a bearer token, never cookies, so any origin
/// may send them: browser apps on other origins need the CORS headers.
fn allow_any_origin(headers: &mut HeaderMap) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
}

async fn preflight() -> Response {
    let mut headers = HeaderMap::new();
    allow_any_origin(&mut headers);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("PUT"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    (StatusCode::NO_CONTENT, headers).into_response()
}

async fn upload(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match accept_upload(&state, &token, &headers, body).await {
        Ok(answer) => {
            let mut response = axum::Json(answer).into_response();
            allow_any_origin(response.headers_mut());
            response
        }
        Err(failure) => failure.into_response(),
    }
}

/// Checks in order of cost: the URL (signature, expiry), the caller, the
/// headers; only then is the body read, and never past the declared size.
async fn accept_upload(
    state: &AppState,
    token: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<serde_json::Value, Failure> {
    let service = &state.service;
    let signer = service.avatar_signer().await.map_err(Failure::from_api)?;
    let grant = signer.verify(token).map_err(|_| {
        Failure::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "this is not a valid upload URL; ask for one with requestAvatarUpload",
        )
    })?;
    if Utc::now() > grant.expires_at {
        return Err(Failure {
            status: StatusCode::GONE,
            error: ApiError::forbidden(format!(
                "this upload URL expired at {}; ask for a new one with requestAvatarUpload",
                grant
                    .expires_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ))
            .with_extension("reason", json!("UPLOAD_URL_EXPIRED")),
        });
    }
    let caller = authenticate_headers(state.authenticator.as_ref(), headers).await;
    let me = caller.identity().map_err(Failure::from_api)?.user_id;
    if me != grant.user_id {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "this upload URL was issued to another user",
        ));
    }

    let declared = grant.kind.media_type();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim());
    if !content_type.is_some_and(|v| v.eq_ignore_ascii_case(declared)) {
        return Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            format!("Content-Type must be {declared}, the type this upload URL was issued for"),
        ));
    }
    let expected = grant.size.min(MAX_UPLOAD_BYTES) as usize;
    let too_large = || {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadUserInput,
            format!("the body is larger than the {expected} bytes this upload URL was issued for"),
        )
    };
    let wrong_length = |actual: u64| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            format!(
                "the body has {actual} bytes, but this upload URL was issued for {expected} bytes"
            ),
        )
    };
    let content_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match content_length {
        Some(n) if n > expected as u64 => return Err(too_large()),
        Some(n) if n < expected as u64 => return Err(wrong_length(n)),
        _ => {}
    }
    let bytes = read_body(body, expected).await?.ok_or_else(too_large)?;
    if bytes.len() != expected {
        return Err(wrong_length(bytes.len() as u64));
    }

    let user = service
        .upload_avatar(me, grant.kind, bytes)
        .await
        .map_err(|err| match err {
            UploadError::Unusable(err) => Failure::unusable(&err),
            UploadError::Api(err) => Failure::from_api(err),
        })?;
    let key = user.avatar_key.unwrap_or_default();
    let sizes: serde_json::Map<String, serde_json::Value> = SIZES
        .iter()
        .map(|&size| {
            let url = service.avatars.picture_url(me, &key, Some(size));
            (size.to_string(), json!(url))
        })
        .collect();
    Ok(json!({
        "avatarUrl": service.avatars.picture_url(me, &key, None),
        "sizes": sizes,
    }))
}

/// The body, or `None` once it is longer than `limit`.
async fn read_body(body: Body, limit: usize) -> Result<Option<Bytes>, Failure> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::with_capacity(limit);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            Failure::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the upload was interrupted",
            )
        })?;
        if bytes.len() + chunk.len() > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes.into()))
}

async fn picture(
    State(state): State<Arc<AppState>>,
    Path((user, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let not_found = || {
        Failure::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "no such picture",
        )
        .into_response()
    };
    let Some((user_id, hash, size, format)) = parse_picture_path(&user, &file) else {
        return not_found();
    };
    let object = object_key(user_id, &format!("{hash}.{}", format.extension()), size);
    let bytes = match state.service.avatars.store.get(&object).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return not_found(),
        Err(err) => {
            return Failure::from_api(
                ApiError::unavailable("the picture cannot be read now, try again later")
                    .with_source(err),
            )
            .into_response();
        }
    };
    let etag = format!("\"{hash}-{size}\"");
    let mut response_headers = HeaderMap::new();
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    if if_none_match(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, response_headers).into_response();
    }
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    response_headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Pictures are embedded (and drawn on canvases) by apps on other origins.
    allow_any_origin(&mut response_headers);
    response_headers.insert(
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    (StatusCode::OK, response_headers, bytes).into_response()
}

/// `<user id>`, `<32 hex>-<size>.<extension>` with a stored size and format.
fn parse_picture_path<'a>(
    user: &str,
    file: &'a str,
) -> Option<(Uuid, &'a str, u32, PictureFormat)> {
    let user_id = Uuid::try_parse(user).ok()?;
    let (stem, extension) = file.split_once('.')?;
    let format = PictureFormat::from_extension(extension)?;
    let (hash, size) = stem.split_once('-')?;
    let is_hash = hash.len() == 32 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    // The size exactly as we write it (no `+`, no leading zeros).
    let size = SIZES.into_iter().find(|s| s.to_string() == size)?;
    is_hash.then_some((user_id, hash, size, format))
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks
/// for this header) or is `*`.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_paths() {
        let user = Uuid::now_v7().to_string();
        let key = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            parse_picture_path(&user, &format!("{key}-512.webp")).map(|p| (p.1, p.2, p.3)),
            Some((key, 512, PictureFormat::Webp))
        );
        assert_eq!(
            parse_picture_path(&user, &format!("{key}-128.jpg")).map(|p| (p.1, p.2, p.3)),
            Some((key, 128, PictureFormat::Jpeg))
        );
        for bad in [
            format!("{key}-256.webp"),
            format!("{key}-0512.webp"),
            format!("{key}-+512.webp"),
            format!("{key}-512.png"),
            format!("{key}-512.jpg.jpg"),
            format!("{key}-512"),
            format!("{}-512.webp", key.to_uppercase()),
            format!("{}-512.webp", &key[1..]),
            "..-512.webp".to_owned(),
        ] {
            assert_eq!(parse_picture_path(&user, &bad), None, "{bad}");
        }
        assert_eq!(parse_picture_path("nope", &format!("{key}-512.webp")), None);
    }

    #[test]
    fn etag_matching() {
        let mut headers = HeaderMap::new();
        assert!(!if_none_match(&headers, "\"a-1\""));
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"a-1\""),
        );
        assert!(if_none_match(&headers, "\"a-1\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(if_none_match(&headers, "\"a-1\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a-2\""));
        assert!(!if_none_match(&headers, "\"a-1\""));
    }
}
