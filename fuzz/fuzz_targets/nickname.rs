//! users' nickname rules: `check_nickname` on what a user asks for (and
//! `check_about` on the profile's text).
#![no_main]

use libfuzzer_sys::fuzz_target;
use messenger_fuzz::assert_bad_input;
use users::validate::{
    NICKNAME_MAX_LEN, NICKNAME_MIN_LEN, check_about, check_nickname, is_reserved,
    is_well_formed_nickname,
};

fuzz_target!(|raw: &str| {
    match check_nickname(raw) {
        Ok(nickname) => {
            assert_eq!(nickname, raw.trim());
            assert!(is_well_formed_nickname(&nickname), "{raw:?}");
            assert!(!is_reserved(&nickname));
            assert!((NICKNAME_MIN_LEN..=NICKNAME_MAX_LEN).contains(&nickname.len()));
            let again = check_nickname(&nickname)
                .unwrap_or_else(|_| panic!("{raw:?} accepted as {nickname:?}, which is refused"));
            assert_eq!(again, nickname);
        }
        Err(err) => assert_bad_input(&err, raw),
    }
    // "About" text: stored trimmed, never blank, no control characters but
    // line breaks and tabs; stable when checked again.
    match check_about(Some(raw)) {
        Ok(Some(about)) => {
            assert_eq!(about, raw.trim());
            assert!(!about.is_empty());
            assert!(
                !about
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
            );
            assert!(matches!(check_about(Some(&about)), Ok(Some(a)) if a == about));
        }
        Ok(None) => assert!(raw.trim().is_empty()),
        Err(err) => assert_bad_input(&err, raw),
    }
});
