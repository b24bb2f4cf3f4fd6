//! Opaque client cursors: base64url (no padding) of `v1:<seq>`.
//!
//! Clients must treat them as opaque; the version prefix leaves room to change
//! the encoding later without misreading old cursors.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::FeedError;

const PREFIX: &str = "v1:";
/// Longer than any cursor we hand out (`v1:` + 19 digits encodes to 30
/// characters); bounds the work spent on junk input.
const MAX_LEN: usize = 64;

/// The cursor for "everything after `seq`".
pub fn encode_cursor(seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{seq}"))
}

/// Parses a cursor produced by [`encode_cursor`] (or [`crate::Event::cursor`])
/// back into the sequence number it stands for.
///
/// Anything else — empty, not base64url, another version, a negative or
/// out-of-range number — is [`FeedError::BadCursor`].
pub fn parse_cursor(s: &str) -> Result<i64, FeedError> {
    if s.is_empty() || s.len() > MAX_LEN {
        return Err(FeedError::BadCursor);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| FeedError::BadCursor)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| FeedError::BadCursor)?;
    let digits = text.strip_prefix(PREFIX).ok_or(FeedError::BadCursor)?;
    // `i64::from_str` alone would also accept a sign.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FeedError::BadCursor);
    }
    let seq = digits.parse().map_err(|_| FeedError::BadCursor)?;
    // One spelling per position (no leading zeros): a cursor is exactly
    // what `encode_cursor` hands out.
    if encode_cursor(seq) != s {
        return Err(FeedError::BadCursor);
    }
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for seq in [0, 1, 3, 99, 1 << 40, i64::MAX] {
            let c = encode_cursor(seq);
            assert!(c.len() <= MAX_LEN);
            assert!(
                c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{c} is not url-safe"
            );
            assert_eq!(parse_cursor(&c).ok(), Some(seq));
        }
    }

    #[test]
    fn rejects_junk() {
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        let junk = [
            String::new(),
            "junk!".to_owned(),
            "5".to_owned(),
            "v1:5".to_owned(),
            b64("v2:5"),
            b64("v1:"),
            b64("v1:-1"),
            b64("v1:+1"),
            b64("v1: 1"),
            b64("v1:1x"),
            b64("v1:99999999999999999999"),
            format!("{}=", encode_cursor(5)),
            URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00]),
            "A".repeat(MAX_LEN + 4),
            // Other spellings of a position (the property of the `cursors`
            // fuzz target: a cursor is exactly what `encode_cursor` gives).
            b64("v1:007"),
            b64("v1:-0"),
        ];
        for s in &junk {
            assert!(
                matches!(parse_cursor(s), Err(FeedError::BadCursor)),
                "{s:?} accepted"
            );
        }
    }
}
