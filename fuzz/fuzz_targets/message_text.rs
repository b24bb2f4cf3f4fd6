//! messaging's input checks: message text, client message ids, ids, page sizes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use messaging::validate::{
    MAX_CLIENT_MESSAGE_ID_CHARS, MAX_PAGE, MAX_TEXT_CHARS, client_message_id, message_text,
    page_size, uuid,
};
use messenger_fuzz::assert_bad_input;

fuzz_target!(|raw: &str| {
    match message_text(raw) {
        Ok(text) => {
            assert_eq!(text, raw.trim());
            assert!(!text.is_empty());
            assert!(text.chars().count() <= MAX_TEXT_CHARS, "{raw:?}");
            assert!(
                !text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "{raw:?}"
            );
            assert_eq!(message_text(text).ok(), Some(text), "not idempotent");
        }
        Err(err) => assert_bad_input(&err, raw),
    }
    match client_message_id(raw) {
        Ok(id) => {
            assert_eq!(id, raw);
            assert!((1..=MAX_CLIENT_MESSAGE_ID_CHARS).contains(&id.len()));
            assert!(id.bytes().all(|b| b.is_ascii_graphic()));
        }
        Err(err) => assert_bad_input(&err, raw),
    }
    match uuid("id", raw) {
        Ok(id) => assert_eq!(uuid("id", &id.to_string()).ok(), Some(id)),
        Err(err) => assert_bad_input(&err, raw),
    }
    let first = raw.trim().parse::<i32>().ok();
    match page_size(first) {
        Ok(n) => assert!((1..=i64::from(MAX_PAGE)).contains(&n)),
        Err(err) => {
            assert_bad_input(&err, &format!("{first:?}"));
            assert!(first.is_some());
        }
    }
});
