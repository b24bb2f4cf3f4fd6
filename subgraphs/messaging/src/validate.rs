//! Input checks. Every refusal is `BAD_USER_INPUT` naming the field.

use api_errors::{ApiError, ApiResult};
use uuid::Uuid;

/// Longest message text, in characters (Unicode scalar values) after trimming.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest client message id, in characters.
pub const MAX_CLIENT_MESSAGE_ID_CHARS: usize = 128;
/// Largest page of a connection.
pub const MAX_PAGE: i32 = 100;
/// Page size when `first` is not given.
pub const DEFAULT_PAGE: i32 = 20;

/// The text as stored: trimmed, 1 to [`MAX_TEXT_CHARS`] characters, no
/// control characters except newline and tab.
pub fn message_text(text: &str) -> ApiResult<&str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::invalid_field("text", "the message is empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::invalid_field(
            "text",
            format!("the message is longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::invalid_field(
            "text",
            "the message contains control characters (only newline and tab are allowed)",
        ));
    }
    Ok(text)
}

/// 1 to [`MAX_CLIENT_MESSAGE_ID_CHARS`] visible ASCII characters (a UUID,
/// a ULID, a counter…), compared exactly.
pub fn client_message_id(id: &str) -> ApiResult<&str> {
    if id.is_empty() || id.len() > MAX_CLIENT_MESSAGE_ID_CHARS {
        return Err(ApiError::invalid_field(
            "clientMessageId",
            format!("the client message id must be 1 to {MAX_CLIENT_MESSAGE_ID_CHARS} characters"),
        ));
    }
    if !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid_field(
            "clientMessageId",
            "the client message id may contain only visible ASCII characters",
        ));
    }
    Ok(id)
}

/// An id argument that must be a UUID.
pub fn uuid(field: &'static str, id: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(id)
        .map_err(|_| ApiError::invalid_field(field, format!("`{field}` is not a valid id")))
}

/// `first` of a connection: 1 to [`MAX_PAGE`], [`DEFAULT_PAGE`] if absent.
pub fn page_size(first: Option<i32>) -> ApiResult<i64> {
    match first.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(i64::from(n)),
        _ => Err(ApiError::invalid_field(
            "first",
            format!("`first` must be between 1 and {MAX_PAGE}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_errors::ErrorCode;

    fn refused<T: std::fmt::Debug>(result: ApiResult<T>) -> bool {
        result.is_err_and(|e| e.code() == ErrorCode::BadUserInput)
    }

    #[test]
    fn text_rules() {
        assert_eq!(message_text("  hi\n there\t ").ok(), Some("hi\n there"));
        assert!(refused(message_text("")));
        assert!(refused(message_text(" \n\t ")));
        assert!(refused(message_text("a\u{0}b")));
        assert!(refused(message_text("a\rb")));
        assert!(refused(message_text("a\u{7f}b")));
        assert!(refused(message_text("a\u{85}b")));
        let max = "é".repeat(MAX_TEXT_CHARS);
        assert!(message_text(&max).is_ok());
        assert!(refused(message_text(&format!("{max}x"))));
        assert!(message_text(&format!("  {max}  ")).is_ok());
    }

    #[test]
    fn client_id_rules() {
        assert!(client_message_id("0193a6b0-7c1e-7d2a-9f00-000000000001").is_ok());
        assert!(refused(client_message_id("")));
        assert!(refused(client_message_id("a b")));
        assert!(refused(client_message_id("é")));
        assert!(refused(client_message_id(&"x".repeat(129))));
        assert!(client_message_id(&"x".repeat(128)).is_ok());
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None).ok(), Some(20));
        assert_eq!(page_size(Some(100)).ok(), Some(100));
        assert!(refused(page_size(Some(0))));
        assert!(refused(page_size(Some(-1))));
        assert!(refused(page_size(Some(101))));
    }
}
