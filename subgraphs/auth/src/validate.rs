//! Input validation for credentials. Pure functions, unit-tested.

use api_errors::ApiError;
use unicode_normalization::UnicodeNormalization as _;

pub const MAX_EMAIL_LEN: usize = 254;
pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Trims and lower-cases an email and checks it is plausible: at most 254
/// characters, exactly one `@`, a local part of at most 64 printable
/// characters, and a domain of dot-separated LDH labels with an alphabetic TLD.
///
/// Addresses are compared as their Unicode NFKC form, case-folded; an
/// address that only becomes that form by more than lower-casing is refused
/// rather than rewritten: `\u{212A}elly@…` (KELVIN SIGN) must not become
/// `kelly@…`, someone else's account, nor `straße@…` fold into `strasse@…`.
pub fn normalize_email(raw: &str) -> Result<String, ApiError> {
    let invalid = |why: &str| ApiError::invalid_field("email", format!("invalid email: {why}"));
    let trimmed = raw.trim();
    if !trimmed.nfkc().eq(trimmed.chars()) {
        return Err(invalid(
            "it has characters in a compatibility form (like the Kelvin sign for K): type it with ordinary letters",
        ));
    }
    let email = trimmed.to_lowercase();
    if caseless::default_case_fold_str(&email) != email || !email.nfkc().eq(email.chars()) {
        return Err(invalid(
            "it has letters whose lower and folded case differ (like ß): we cannot tell it from other addresses",
        ));
    }
    if email.is_empty() {
        return Err(invalid("it is empty"));
    }
    if email.len() > MAX_EMAIL_LEN {
        return Err(invalid("longer than 254 characters"));
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid("it must contain exactly one @"));
    };
    if local.is_empty() || local.len() > 64 {
        return Err(invalid("the part before @ must be 1 to 64 characters"));
    }
    if local.chars().any(|c| {
        c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                '<' | '>' | '(' | ')' | '[' | ']' | ',' | ';' | ':' | '\\' | '"'
            )
    }) || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return Err(invalid(
            "the part before @ has characters that are not allowed",
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(invalid("the domain needs a dot, like example.com"));
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok {
            return Err(invalid("the domain is not valid"));
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(invalid("the domain must end in a real top-level domain"));
    }
    Ok(email)
}

/// Passwords are 8 to 1024 characters; anything else about them is the user's choice.
pub fn check_password(password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(ApiError::invalid_field(
            "password",
            format!("the password must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(ApiError::invalid_field(
            "password",
            format!("the password must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if password.contains('\0') {
        return Err(ApiError::invalid_field(
            "password",
            "the password must not contain NUL characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized() {
        assert_eq!(
            normalize_email("  Alice@Example.COM ").unwrap(),
            "alice@example.com"
        );
        assert_eq!(
            normalize_email("a.b+tag@mail.example.org").unwrap(),
            "a.b+tag@mail.example.org"
        );
    }

    #[test]
    fn look_alikes_are_refused_not_folded() {
        // KELVIN SIGN, FULLWIDTH K, the ligature ﬀ: NFKC would turn each
        // into someone else's plain address.
        for lookalike in [
            "\u{212A}elly@corp.example",
            "\u{FF2B}elly@corp.example",
            "e\u{FB00}ort@corp.example",
            "stra\u{DF}e@corp.example",
            "STRA\u{1E9E}E@corp.example",
        ] {
            assert!(normalize_email(lookalike).is_err(), "{lookalike:?}");
        }
        // Ordinary letters of any script are fine, in any case.
        assert_eq!(
            normalize_email("KELLY@corp.example").unwrap(),
            "kelly@corp.example"
        );
        assert_eq!(
            normalize_email("\u{C9}MILE@corp.example").unwrap(),
            "\u{E9}mile@corp.example"
        );
        assert_eq!(
            normalize_email("\u{41E}\u{43B}\u{44F}@corp.example").unwrap(),
            "\u{43E}\u{43B}\u{44F}@corp.example"
        );
    }

    #[test]
    fn bad_emails_are_refused() {
        for bad in [
            "",
            "   ",
            "alice",
            "alice@",
            "@example.com",
            "a@b@example.com",
            "alice@example",
            "alice@-example.com",
            "alice@exa_mple.com",
            "alice@example.c",
            "alice@example.123",
            "al ice@example.com",
            "alice@exa mple.com",
            ".alice@example.com",
            "a..b@example.com",
            "alice@example..com",
            "alice\u{0}@example.com",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} should be refused");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(normalize_email(&long).is_err());
    }

    #[test]
    fn password_lengths() {
        assert!(check_password("1234567").is_err());
        assert!(check_password("12345678").is_ok());
        assert!(check_password(&"é".repeat(1024)).is_ok());
        assert!(check_password(&"x".repeat(1025)).is_err());
    }
}
