//! Opaque pagination cursors ([`cursor`]'s codec): a kind tag and a
//! position keep a cursor of one list from being taken for another's.

use api_errors::{ApiError, ApiResult};

/// Which list a cursor belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Position: a message's sequence number in its conversation.
    Message,
    /// Position: a conversation's activity value in the caller's list.
    Conversation,
    /// Position: a member's place in a conversation's member list.
    Member,
}

impl Kind {
    const fn tag(self) -> &'static str {
        match self {
            Kind::Message => "m",
            Kind::Conversation => "c",
            Kind::Member => "cm",
        }
    }
}

pub fn encode(kind: Kind, position: i64) -> String {
    cursor::encode(kind.tag(), &position)
}

/// The position in a cursor given as argument `field`, or `BAD_USER_INPUT`.
pub fn decode(kind: Kind, field: &'static str, cursor: &str) -> ApiResult<i64> {
    cursor::decode(kind.tag(), cursor)
        .ok_or_else(|| ApiError::invalid_field(field, format!("`{field}` is not a valid cursor")))
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let c = encode(Kind::Message, 42);
        assert_eq!(decode(Kind::Message, "before", &c).ok(), Some(42));
        assert!(decode(Kind::Conversation, "after", &c).is_err());
        assert!(decode(Kind::Message, "before", "not base64!").is_err());
        assert!(decode(Kind::Message, "before", &URL_SAFE_NO_PAD.encode("m:-1")).is_err());
        assert!(decode(Kind::Message, "before", &URL_SAFE_NO_PAD.encode("m:x")).is_err());
        assert!(decode(Kind::Message, "before", "").is_err());
    }

    /// Other spellings of a position are refused (the property of the
    /// `cursors` fuzz target: a cursor is exactly what `encode` gives).
    #[test]
    fn fuzz_regressions() {
        for text in ["m:+5", "m:05", "m:-0", "m:5:", "c:+0"] {
            let cursor = URL_SAFE_NO_PAD.encode(text);
            for kind in [Kind::Message, Kind::Conversation, Kind::Member] {
                assert!(decode(kind, "after", &cursor).is_err(), "{text:?}");
            }
        }
    }
}
