//! Every cursor decoder: the feed's (`friendEvents`/`messageEvents`), users'
//! friend lists, messaging's messages and conversations, auth's security
//! events. A cursor that decodes is exactly the one its position encodes
//! to (one spelling per position), and every position round-trips.
#![no_main]

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use messaging::cursor::Kind;
use messenger_fuzz::assert_bad_input;
use users::db::friendships::{List, Position};

/// Positions to round-trip, read from the same bytes.
struct Numbers {
    seq: i64,
    micros: i64,
    user_id: u128,
}

impl Numbers {
    fn from_bytes(data: &[u8]) -> Self {
        let mut bytes = [0u8; 32];
        let n = data.len().min(32);
        bytes[..n].copy_from_slice(&data[..n]);
        Self {
            seq: i64::from_le_bytes(bytes[..8].try_into().unwrap_or_default()),
            micros: i64::from_le_bytes(bytes[8..16].try_into().unwrap_or_default()),
            user_id: u128::from_le_bytes(bytes[16..].try_into().unwrap_or_default()),
        }
    }
}

const LISTS: [List; 3] = [List::Friends, List::Incoming, List::Outgoing];
const KINDS: [Kind; 2] = [Kind::Message, Kind::Conversation];

fuzz_target!(|data: &[u8]| {
    let input = Numbers::from_bytes(data);
    let cursor = std::str::from_utf8(data).unwrap_or_default();

    // crates/feed
    if let Ok(seq) = feed::parse_cursor(cursor) {
        assert!(seq >= 0);
        assert_eq!(feed::encode_cursor(seq), cursor, "feed cursor");
    }
    if input.seq >= 0 {
        assert_eq!(
            feed::parse_cursor(&feed::encode_cursor(input.seq)).ok(),
            Some(input.seq)
        );
    }

    // users: friend lists
    for list in LISTS {
        if let Some(position) = users::cursor::decode(list, cursor) {
            assert_eq!(
                users::cursor::encode(list, position),
                cursor,
                "users cursor"
            );
            for other in LISTS.into_iter().filter(|l| *l != list) {
                assert_eq!(users::cursor::decode(other, cursor), None);
            }
        }
        if let Some(at) = DateTime::from_timestamp_micros(input.micros) {
            let position = Position {
                at,
                user_id: uuid::Uuid::from_u128(input.user_id),
            };
            let encoded = users::cursor::encode(list, position);
            assert_eq!(users::cursor::decode(list, &encoded), Some(position));
        }
    }

    // messaging: messages and conversations
    for kind in KINDS {
        match messaging::cursor::decode(kind, "after", cursor) {
            Ok(position) => {
                assert!(position >= 0);
                assert_eq!(messaging::cursor::encode(kind, position), cursor);
            }
            Err(err) => assert_bad_input(&err, cursor),
        }
        if input.seq >= 0 {
            let encoded = messaging::cursor::encode(kind, input.seq);
            assert_eq!(
                messaging::cursor::decode(kind, "after", &encoded).ok(),
                Some(input.seq)
            );
        }
    }

    // auth: security events
    if let Some(id) = auth::service::security::decode_cursor(cursor) {
        assert!(id > 0);
        assert_eq!(auth::service::security::encode_cursor(id), cursor);
    }
    if input.seq > 0 {
        let encoded = auth::service::security::encode_cursor(input.seq);
        assert_eq!(
            auth::service::security::decode_cursor(&encoded),
            Some(input.seq)
        );
    }
});
