//! Opaque cursors of the friend lists: base64url (no padding) of
//! `<list>:<microseconds>:<user id>`, the position of an entry in its list.
//!
//! A position, not an offset: it stays valid, and means the same, while rows
//! before or after it come and go. The list tag keeps a cursor of one list
//! from being used on another.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use uuid::Uuid;

use crate::db::friendships::{List, Position};

/// Longer than any cursor we hand out; bounds the work spent on junk.
const MAX_LEN: usize = 128;

fn tag(list: List) -> &'static str {
    match list {
        List::Friends => "f1",
        List::Incoming => "i1",
        List::Outgoing => "o1",
    }
}

pub fn encode(list: List, position: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!(
        "{}:{}:{}",
        tag(list),
        position.at.timestamp_micros(),
        position.user_id.simple()
    ))
}

/// The position a cursor of `list` stands for; `None` for anything that is
/// not one.
pub fn decode(list: List, cursor: &str) -> Option<Position> {
    if cursor.is_empty() || cursor.len() > MAX_LEN {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let mut parts = text.split(':');
    let (Some(t), Some(micros), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if t != tag(list) || !micros.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    let position = Position {
        at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        user_id: Uuid::try_parse(id).ok()?,
    };
    // One spelling per position: no upper-case or hyphenated ids, no
    // leading zeros or `-0`; a cursor is exactly what `encode` hands out.
    (encode(list, position) == cursor).then_some(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_junk() {
        let position = Position {
            at: DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap(),
            user_id: Uuid::now_v7(),
        };
        let cursor = encode(List::Friends, position);
        assert_eq!(decode(List::Friends, &cursor), Some(position));
        assert_eq!(decode(List::Incoming, &cursor), None, "list tag is checked");
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        for junk in [
            String::new(),
            "!!".to_owned(),
            b64("f1:1"),
            b64("f1:x:00000000000000000000000000000000"),
            b64("f1:1:not-a-uuid"),
            b64("f1:1:00000000000000000000000000000000:extra"),
            b64(&format!("f1:{}:00000000000000000000000000000000", i64::MAX)),
            "A".repeat(MAX_LEN + 1),
            // Other spellings of a position: the first (an upper-case
            // digit in the id) found by `cargo xtask fuzz`, target `cursors`.
            b64("i1:-5:0193a8b07c1e7D2a9f00000000000001"),
            b64("f1:1:00000000-0000-0000-0000-000000000000"),
            b64("f1:01:00000000000000000000000000000000"),
            b64("f1:-0:00000000000000000000000000000000"),
        ] {
            assert_eq!(decode(List::Friends, &junk), None, "{junk:?}");
        }
    }
}
