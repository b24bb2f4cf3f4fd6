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

/// Longest group title, in characters after trimming.
pub const MAX_TITLE_CHARS: usize = 100;

/// A group title as stored: trimmed, 1 to [`MAX_TITLE_CHARS`] characters,
/// no control characters.
pub fn group_title(title: &str) -> ApiResult<&str> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ApiError::invalid_field("title", "the title is empty"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(ApiError::invalid_field(
            "title",
            format!("the title is longer than {MAX_TITLE_CHARS} characters"),
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "title",
            "the title contains control characters",
        ));
    }
    Ok(title)
}

/// Most distinct emoji on one message.
pub const MAX_REACTIONS: usize = 20;

/// A reaction: exactly one grapheme cluster that is an emoji of Unicode's
/// emoji set (a skin tone, a flag or a ZWJ sequence included), as its
/// fully qualified form, so that "❤" and "❤️" are one reaction.
pub fn emoji(value: &str) -> ApiResult<&'static str> {
    use unicode_segmentation::UnicodeSegmentation as _;
    let refused = || {
        ApiError::invalid_field(
            "emoji",
            "a reaction is one emoji of Unicode's emoji set, such as 👍",
        )
    };
    let mut graphemes = value.graphemes(true);
    if graphemes.next().is_none() || graphemes.next().is_some() {
        return Err(refused());
    }
    emojis::get(value)
        .map(emojis::Emoji::as_str)
        .ok_or_else(refused)
}

/// A list of user ids, each once, in the order given.
pub fn uuids(field: &'static str, ids: &[impl AsRef<str>]) -> ApiResult<Vec<Uuid>> {
    let mut out: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        let id = uuid(field, id.as_ref())?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A page of a list that runs both ways: which way, how many, and the
/// cursor (still encoded) to start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging<'a> {
    Forward { limit: i64, after: Option<&'a str> },
    Backward { limit: i64, before: Option<&'a str> },
}

/// `first`/`after` (forward) or `last`/`before` (backward), never both
/// directions; neither: the newest [`DEFAULT_PAGE`], backward.
pub fn paging<'a>(
    first: Option<i32>,
    after: Option<&'a str>,
    last: Option<i32>,
    before: Option<&'a str>,
) -> ApiResult<Paging<'a>> {
    let forward = first.is_some() || after.is_some();
    let backward = last.is_some() || before.is_some();
    if forward && backward {
        let field = if first.is_some() { "first" } else { "after" };
        return Err(ApiError::invalid_field(
            field,
            "page one way: `first`/`after` or `last`/`before`, not both",
        ));
    }
    if forward {
        Ok(Paging::Forward {
            limit: page_size(first)?,
            after,
        })
    } else {
        let limit = match last.unwrap_or(DEFAULT_PAGE) {
            n @ 1..=MAX_PAGE => i64::from(n),
            _ => {
                return Err(ApiError::invalid_field(
                    "last",
                    format!("`last` must be between 1 and {MAX_PAGE}"),
                ));
            }
        };
        Ok(Paging::Backward { limit, before })
    }
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
    fn title_and_paging_rules() {
        assert_eq!(group_title("  Trip  ").ok(), Some("Trip"));
        assert!(refused(group_title(" ")));
        assert!(refused(group_title("a\nb")));
        assert!(group_title(&"é".repeat(100)).is_ok());
        assert!(refused(group_title(&"é".repeat(101))));
        assert!(refused(paging(Some(1), None, Some(1), None)));
        assert!(refused(paging(None, Some("x"), None, Some("y"))));
        assert!(refused(paging(None, None, Some(0), None)));
        assert_eq!(
            paging(None, None, None, None).ok(),
            Some(Paging::Backward {
                limit: 20,
                before: None
            })
        );
    }

    #[test]
    fn emoji_rules() {
        for one in ["👍", "👍🏽", "❤️", "🇫🇷", "👨‍👩‍👧", "🏳️‍🌈", "#️⃣", "🫠"]
        {
            assert_eq!(emoji(one).ok(), Some(one), "{one}");
        }
        // Not fully qualified: stored as the fully qualified form.
        assert_eq!(emoji("\u{2764}").ok(), Some("\u{2764}\u{fe0f}"));
        for not in [
            "",
            "a",
            "1",
            "👍👍",
            "👍 ",
            " 👍",
            "ok",
            "\u{fe0f}",
            "👍a",
            "\u{1f3fd}x",
        ] {
            assert!(refused(emoji(not)), "{not:?}");
        }
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
