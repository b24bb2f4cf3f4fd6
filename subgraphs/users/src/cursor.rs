//! Opaque cursors of the friend lists ([`cursor`]'s codec): tag
//! `<list>` with fields `<microseconds>:<user id>`, the position of an
//! entry in its list; and of `searchUsers`: tag `s1` with fields
//! `<group>:<lower-cased nickname>`.
//!
//! A position, not an offset: it stays valid, and means the same, while rows
//! before or after it come and go. The list tag keeps a cursor of one list
//! from being used on another.

use chrono::DateTime;
use uuid::Uuid;

use crate::db::friendships::{List, Position};
use crate::db::search;

fn tag(list: List) -> &'static str {
    match list {
        List::Friends => "f1",
        List::Incoming => "i1",
        List::Outgoing => "o1",
    }
}

impl cursor::Position for Position {
    fn fields(&self) -> Vec<String> {
        vec![
            self.at.timestamp_micros().to_string(),
            self.user_id.simple().to_string(),
        ]
    }

    fn from_fields(fields: &[&str]) -> Option<Self> {
        let [micros, id] = fields else { return None };
        Some(Position {
            at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            user_id: Uuid::try_parse(id).ok()?,
        })
    }
}

pub fn encode(list: List, position: Position) -> String {
    cursor::encode(tag(list), &position)
}

/// The position a cursor of `list` stands for; `None` for anything that is
/// not one (another spelling of a position included: no upper-case or
/// hyphenated ids, no leading zeros or `-0`).
pub fn decode(list: List, cursor: &str) -> Option<Position> {
    cursor::decode(tag(list), cursor)
}

const SEARCH_TAG: &str = "s1";

impl cursor::Position for search::Position {
    fn fields(&self) -> Vec<String> {
        let group = match self.group {
            search::Group::Exact => "0",
            search::Group::Friends => "1",
            search::Group::Others => "2",
        };
        vec![group.to_owned(), self.key.clone()]
    }

    fn from_fields(fields: &[&str]) -> Option<Self> {
        let [group, key] = fields else { return None };
        let group = match *group {
            "0" => search::Group::Exact,
            "1" => search::Group::Friends,
            "2" => search::Group::Others,
            _ => return None,
        };
        // A lower-cased nickname (the index's key), nothing else.
        let is_key = crate::validate::is_well_formed_nickname(key)
            && !key.bytes().any(|b| b.is_ascii_uppercase());
        is_key.then(|| search::Position {
            group,
            key: (*key).to_owned(),
        })
    }
}

pub fn encode_search(position: &search::Position) -> String {
    cursor::encode(SEARCH_TAG, position)
}

/// The search position a cursor stands for; `None` for anything else.
pub fn decode_search(cursor: &str) -> Option<search::Position> {
    cursor::decode(SEARCH_TAG, cursor)
}

/// The tag of `blockedUsers` cursors (positions in the blocked list).
const BLOCKED: &str = "b1";

pub fn encode_blocked(position: Position) -> String {
    cursor::encode(BLOCKED, &position)
}

/// The position a `blockedUsers` cursor stands for, as [`decode`].
pub fn decode_blocked(cursor: &str) -> Option<Position> {
    cursor::decode(BLOCKED, cursor)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

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
            "A".repeat(cursor::MAX_LEN + 1),
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

    #[test]
    fn search_cursors_round_trip_and_reject_junk() {
        for (group, key) in [
            (search::Group::Exact, "ali"),
            (search::Group::Friends, "alice.w"),
            (search::Group::Others, &"z".repeat(32)),
        ] {
            let position = search::Position {
                group,
                key: key.to_owned(),
            };
            let cursor = encode_search(&position);
            assert!(cursor.len() <= cursor::MAX_LEN);
            assert_eq!(decode_search(&cursor), Some(position));
        }
        let friends = encode(
            List::Friends,
            Position {
                at: DateTime::from_timestamp_micros(1).unwrap(),
                user_id: Uuid::nil(),
            },
        );
        let b64 = |s: &str| URL_SAFE_NO_PAD.encode(s);
        for junk in [
            String::new(),
            friends,
            b64("s1:3:alice"),
            b64("s1:-1:alice"),
            b64("s1:1"),
            b64("s1:1:"),
            b64("s1:1:Alice"),
            b64("s1:1:al%"),
            b64("s1:1:1abc"),
            b64(&format!("s1:2:{}", "z".repeat(33))),
            b64("s1:2:alice:x"),
            b64("s2:2:alice"),
        ] {
            assert_eq!(decode_search(&junk), None, "{junk:?}");
        }
    }
}
