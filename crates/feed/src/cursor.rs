//! The feed's cursors: [`cursor`]'s codec with tag `v1` and the sequence
//! number as the one field (`v1:<seq>`).
//!
//! Clients must treat them as opaque; the version tag leaves room to change
//! the encoding later without misreading old cursors.

use crate::FeedError;

const TAG: &str = "v1";

/// The cursor for "everything after `seq`".
pub fn encode_cursor(seq: i64) -> String {
    cursor::encode(TAG, &seq)
}

/// Parses a cursor produced by [`encode_cursor`] (or [`crate::Event::cursor`])
/// back into the sequence number it stands for.
///
/// Anything else — empty, not base64url, another version, a negative or
/// out-of-range number, another spelling of a number — is
/// [`FeedError::BadCursor`].
pub fn parse_cursor(s: &str) -> Result<i64, FeedError> {
    cursor::decode(TAG, s).ok_or(FeedError::BadCursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for seq in [0, 1, 3, 99, 1 << 40, i64::MAX] {
            assert_eq!(parse_cursor(&encode_cursor(seq)).ok(), Some(seq));
        }
    }

    #[test]
    fn rejects_junk() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        for s in [
            String::new(),
            "5".to_owned(),
            b64("v2:5"),
            b64("v1:-1"),
            b64("v1:007"),
            b64("m:5"),
        ] {
            assert!(
                matches!(parse_cursor(&s), Err(FeedError::BadCursor)),
                "{s:?} accepted"
            );
        }
    }
}
