//! [`ApiError`] and its way into async-graphql responses.

use async_graphql::ErrorExtensions;

use crate::ErrorCode;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `extensions.reason` of [`ApiError::recipient_unavailable`].
pub const RECIPIENT_UNAVAILABLE: &str = "RECIPIENT_UNAVAILABLE";

/// An error as the API reports it.
///
/// Deliberately not `Display`: async-graphql converts every `Display` type
/// into an error without extensions, and this type must always carry its code.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    /// Extra `extensions` entries (e.g. `retryAfter`, `field`).
    extensions: Vec<(&'static str, serde_json::Value)>,
    source: Option<BoxError>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            extensions: Vec::new(),
            source: None,
        }
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadUserInput, message)
    }

    /// A bad value for one input field; the field name goes to `extensions.field`.
    pub fn invalid_field(field: &'static str, message: impl Into<String>) -> Self {
        Self::bad_input(message).with_extension("field", serde_json::Value::from(field))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Conflict, message)
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self::new(ErrorCode::RateLimited, "too many requests, try again later")
            .with_extension("retryAfter", serde_json::Value::from(retry_after_secs))
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unavailable, message)
    }

    /// The one answer when a user may not be reached by the caller: a
    /// privacy setting of theirs, or a block, refuses it. The two are
    /// answered alike (code, message and `extensions.reason`
    /// `RECIPIENT_UNAVAILABLE`), so a block is never revealed.
    pub fn recipient_unavailable() -> Self {
        Self::forbidden("this user cannot be reached by you")
            .with_extension("reason", serde_json::Value::from(RECIPIENT_UNAVAILABLE))
    }

    /// An internal failure: `source` is logged, the client sees only `INTERNAL`.
    pub fn internal(source: impl Into<BoxError>) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: "internal server error".to_owned(),
            extensions: Vec::new(),
            source: Some(source.into()),
        }
    }

    #[must_use]
    pub fn with_extension(mut self, key: &'static str, value: serde_json::Value) -> Self {
        self.extensions.push((key, value));
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        ApiError::internal(err)
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        ApiError::unavailable("the database is unavailable, try again later").with_source(err)
    }
}

impl ApiError {
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        if let Some(source) = &err.source {
            // The request span carries the request id.
            tracing::error!(code = %err.code, error = %source, cause = ?source, "request failed");
        }
        async_graphql::Error::new(err.message).extend_with(|_, ext| {
            ext.set("code", err.code.as_str());
            for (key, value) in err.extensions {
                if let Ok(value) = async_graphql::Value::from_json(value) {
                    ext.set(key, value);
                }
            }
        })
    }
}

/// Gives every error in a response a code. Errors raised by async-graphql
/// itself (parse errors, validation, wrongly typed variables) carry none;
/// they are all the client's fault, so they become `BAD_USER_INPUT`.
pub fn ensure_codes(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", ErrorCode::BadUserInput.as_str());
        }
    }
}

/// A schema extension that applies [`ensure_codes`] to every response,
/// including each event of a subscription (the WebSocket path has no HTTP
/// handler to do it). Add it with `Schema::build(..).extension(ErrorCodes)`.
pub struct ErrorCodes;

impl async_graphql::extensions::ExtensionFactory for ErrorCodes {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

#[async_graphql::async_trait::async_trait]
impl async_graphql::extensions::Extension for ErrorCodesExtension {
    async fn execute(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        let mut response = next.run(ctx, operation_name).await;
        ensure_codes(&mut response);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        stream: futures::stream::BoxStream<'s, async_graphql::Response>,
        next: async_graphql::extensions::NextSubscribe<'_>,
    ) -> futures::stream::BoxStream<'s, async_graphql::Response> {
        use futures::StreamExt as _;
        next.run(ctx, stream)
            .map(|mut response| {
                ensure_codes(&mut response);
                response
            })
            .boxed()
    }
}

/// Convenience alias for resolver results.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let err: async_graphql::Error = ApiError::internal("relation \"x\" does not exist").into();
        assert_eq!(err.message, "internal server error");
        let code = err.extensions.as_ref().and_then(|e| e.get("code")).cloned();
        assert_eq!(code, Some(async_graphql::Value::from("INTERNAL")));
    }
}
