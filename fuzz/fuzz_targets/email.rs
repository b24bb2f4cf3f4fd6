//! `normalize_email` and `check_password` (auth's registration and sign-in
//! inputs) on arbitrary strings.
#![no_main]

use auth::validate::{MAX_EMAIL_LEN, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use auth::validate::{check_password, normalize_email};
use libfuzzer_sys::fuzz_target;
use messenger_fuzz::assert_bad_input;

fuzz_target!(|input: &str| {
    match normalize_email(input) {
        Ok(email) => {
            // Idempotent: what we store is accepted as is and unchanged.
            let again = normalize_email(&email)
                .unwrap_or_else(|_| panic!("{input:?} accepted as {email:?}, which is refused"));
            assert_eq!(again, email, "not idempotent for {input:?}");
            assert!(!email.is_empty() && email.len() <= MAX_EMAIL_LEN);
            assert_eq!(email, email.trim());
            assert_eq!(email, email.to_lowercase(), "{input:?}");
            assert_eq!(email.matches('@').count(), 1);
            assert!(!email.chars().any(|c| c.is_control() || c.is_whitespace()));
            let (_, domain) = email.split_once('@').unwrap_or_default();
            assert!(domain.is_ascii() && domain.contains('.'));
        }
        Err(err) => assert_bad_input(&err, input),
    }
    let chars = input.chars().count();
    match check_password(input) {
        Ok(()) => assert!(
            (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) && !input.contains('\0')
        ),
        Err(err) => {
            assert_bad_input(&err, input);
            assert!(
                !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) || input.contains('\0')
            );
        }
    }
});
