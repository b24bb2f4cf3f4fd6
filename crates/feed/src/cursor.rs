//! The feed's cursors: [`cursor`]'s codec with the stream's tag and the
//! sequence number as the one field (`<tag>:<seq>`).
//!
//! Each stream names its own tag ([`Cursors::new`]): users' `friendEvents`
//! and messaging's `messageEvents` both number their entries 1, 2, 3, …, so
//! without the tag a cursor of one stream would be taken by the other and
//! mean something else there. Clients must treat cursors as opaque.

use crate::FeedError;

/// The cursors of one event stream. Tags are short, contain no `:`, and
/// differ from every other cursor tag of the API (lists use theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursors {
    tag: &'static str,
}

/// The tag every feed used before streams named their own (`v1`): what
/// [`encode_cursor`], [`parse_cursor`] and [`crate::Event::cursor`] use.
pub const DEFAULT_CURSORS: Cursors = Cursors::new("v1");

impl Cursors {
    /// The cursors of the stream tagged `tag`.
    pub const fn new(tag: &'static str) -> Self {
        Cursors { tag }
    }

    /// The cursor for "everything after `seq`" in this stream.
    pub fn encode(self, seq: i64) -> String {
        cursor::encode(self.tag, &seq)
    }

    /// The sequence number a cursor of this stream stands for. Anything
    /// else — empty, not base64url, another stream's or list's cursor, a
    /// negative or out-of-range number, another spelling of a number — is
    /// [`FeedError::BadCursor`].
    pub fn parse(self, s: &str) -> Result<i64, FeedError> {
        cursor::decode(self.tag, s).ok_or(FeedError::BadCursor)
    }
}

/// [`DEFAULT_CURSORS`]`.encode(seq)`.
pub fn encode_cursor(seq: i64) -> String {
    DEFAULT_CURSORS.encode(seq)
}

/// [`DEFAULT_CURSORS`]`.parse(s)`.
pub fn parse_cursor(s: &str) -> Result<i64, FeedError> {
    DEFAULT_CURSORS.parse(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for seq in [0, 1, 3, 99, 1 << 40, i64::MAX] {
            assert_eq!(parse_cursor(&encode_cursor(seq)).ok(), Some(seq));
            let mine = Cursors::new("fe1");
            assert_eq!(mine.parse(&mine.encode(seq)).ok(), Some(seq));
        }
    }

    #[test]
    fn another_streams_cursor_is_refused() {
        let a = Cursors::new("fe1");
        let b = Cursors::new("me1");
        assert!(matches!(a.parse(&b.encode(5)), Err(FeedError::BadCursor)));
        assert!(matches!(
            a.parse(&encode_cursor(5)),
            Err(FeedError::BadCursor)
        ));
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
