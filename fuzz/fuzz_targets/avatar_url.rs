//! users' `check_avatar_url`: what it stores is an absolute https URL with a
//! host, no credentials, within the length limit, and is accepted unchanged
//! when checked again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use messenger_fuzz::assert_bad_input;
use users::validate::{AVATAR_URL_MAX_LEN, check_avatar_url};

fuzz_target!(|raw: &str| {
    match check_avatar_url(Some(raw)) {
        Ok(Some(url)) => {
            assert!(url.len() <= AVATAR_URL_MAX_LEN, "{raw:?} -> {url:?}");
            assert!(url.starts_with("https://"), "{raw:?} -> {url:?}");
            assert!(!url.chars().any(|c| c.is_whitespace() || c.is_control()));
            match check_avatar_url(Some(&url)) {
                Ok(Some(again)) => assert_eq!(again, url, "not idempotent for {raw:?}"),
                _ => panic!("{raw:?} accepted as {url:?}, which is refused"),
            }
        }
        Ok(None) => panic!("Some({raw:?}) cleared the avatar"),
        Err(err) => assert_bad_input(&err, raw),
    }
});
