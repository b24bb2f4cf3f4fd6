//! Input rules for profiles and paging. Pure functions, unit-tested.

use api_errors::ApiError;

pub const NICKNAME_MIN_LEN: usize = 3;
pub const NICKNAME_MAX_LEN: usize = 32;
pub const ABOUT_MAX_CHARS: usize = 500;
pub const AVATAR_URL_MAX_LEN: usize = 2048;
pub const DEFAULT_PAGE_SIZE: i64 = 20;
pub const MAX_PAGE_SIZE: i64 = 100;

/// Nicknames nobody may take: they would pass for the service speaking.
/// Compared ignoring case.
pub const RESERVED_NICKNAMES: &[&str] = &[
    "admin",
    "administrator",
    "anonymous",
    "api",
    "everyone",
    "help",
    "messenger",
    "mod",
    "moderator",
    "null",
    "official",
    "owner",
    "root",
    "security",
    "staff",
    "support",
    "system",
    "undefined",
];

pub fn is_reserved(nickname: &str) -> bool {
    RESERVED_NICKNAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(nickname))
}

/// Whether `nickname` has the shape of one: 3 to 32 of `A-Z a-z 0-9 _ .`,
/// starting with a letter. (Case is kept for display; uniqueness ignores it.)
pub fn is_well_formed_nickname(nickname: &str) -> bool {
    (NICKNAME_MIN_LEN..=NICKNAME_MAX_LEN).contains(&nickname.len())
        && nickname.starts_with(|c: char| c.is_ascii_alphabetic())
        && nickname
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// A nickname a user asked for, trimmed, or why it cannot be had (taken
/// ones are found out by the database).
pub fn check_nickname(raw: &str) -> Result<String, ApiError> {
    let invalid = |why: &str| ApiError::invalid_field("nickname", why.to_owned());
    let nickname = raw.trim();
    let len = nickname.chars().count();
    if !(NICKNAME_MIN_LEN..=NICKNAME_MAX_LEN).contains(&len) {
        return Err(invalid("a nickname must be 3 to 32 characters"));
    }
    if !nickname.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Err(invalid("a nickname must start with a letter"));
    }
    if !is_well_formed_nickname(nickname) {
        return Err(invalid(
            "a nickname may only contain letters a-z, digits, `_` and `.`",
        ));
    }
    if is_reserved(nickname) {
        return Err(invalid("this nickname is reserved"));
    }
    Ok(nickname.to_owned())
}

/// The "about" text to store: `None` clears it (so does a blank text).
pub fn check_about(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(about) = raw.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    if about.chars().count() > ABOUT_MAX_CHARS {
        return Err(ApiError::invalid_field(
            "about",
            format!("about must be at most {ABOUT_MAX_CHARS} characters"),
        ));
    }
    if about
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(ApiError::invalid_field(
            "about",
            "about must not contain control characters",
        ));
    }
    Ok(Some(about.to_owned()))
}

/// The avatar URL to store (normalised): `None` clears it. It must be an
/// absolute `https` URL with a host and no credentials, at most 2048 characters.
pub fn check_avatar_url(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let invalid = |why: &str| ApiError::invalid_field("avatarUrl", why.to_owned());
    if raw.len() > AVATAR_URL_MAX_LEN {
        return Err(invalid("the avatar URL must be at most 2048 characters"));
    }
    // Strictly `https://host…`: URL parsers forgive `https:/host` or
    // `https:///host`, but such a string is not what the rule asks for.
    let authority = raw
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &raw[8..]);
    if authority.is_none_or(|a| a.starts_with(['/', '\\']))
        || raw.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(invalid("the avatar URL must be an absolute https URL"));
    }
    let url = url::Url::parse(raw)
        .map_err(|_| invalid("the avatar URL must be an absolute https URL"))?;
    if url.scheme() != "https" {
        return Err(invalid("the avatar URL must use https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the avatar URL must name a host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("the avatar URL must not contain credentials"));
    }
    let normalized = String::from(url);
    if normalized.len() > AVATAR_URL_MAX_LEN {
        return Err(invalid("the avatar URL must be at most 2048 characters"));
    }
    Ok(Some(normalized))
}

pub const SEARCH_MIN_CHARS: usize = 2;
pub const SEARCH_MAX_CHARS: usize = NICKNAME_MAX_LEN;

/// A `searchUsers` query as it is searched for: trimmed and lower-cased
/// (nicknames are ASCII; other characters stay and find nobody), 2 to 32
/// characters, no control characters.
pub fn check_search_query(raw: &str) -> Result<String, ApiError> {
    let query = raw.trim();
    if !(SEARCH_MIN_CHARS..=SEARCH_MAX_CHARS).contains(&query.chars().count()) {
        return Err(ApiError::invalid_field(
            "query",
            format!("a search must be {SEARCH_MIN_CHARS} to {SEARCH_MAX_CHARS} characters"),
        ));
    }
    if query.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "query",
            "a search must not contain control characters",
        ));
    }
    Ok(query.to_ascii_lowercase())
}

/// The page size for `first`: 20 when absent, 1 to 100 otherwise.
pub fn check_first(first: Option<i32>) -> Result<i64, ApiError> {
    match first {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if (1..=MAX_PAGE_SIZE).contains(&i64::from(n)) => Ok(i64::from(n)),
        Some(_) => Err(ApiError::invalid_field(
            "first",
            format!("first must be between 1 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// What every default nickname starts with.
pub const DEFAULT_NICKNAME_PREFIX: &str = "user_";
/// Random characters after [`DEFAULT_NICKNAME_PREFIX`]: 36^6, about two
/// billion nicknames, so a collision is rare and a retry settles it.
pub const DEFAULT_NICKNAME_RANDOM_CHARS: usize = 6;

/// A new user's default nickname, before collisions: `user_` and six
/// random characters of `a-z 0-9` (`user_4k9t2x`). Nothing of the
/// account's email goes into it: a nickname is public, an email is not.
pub fn default_nickname(rng: &mut impl rand::Rng) -> String {
    const BASE36: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut nickname = String::from(DEFAULT_NICKNAME_PREFIX);
    nickname.extend(
        (0..DEFAULT_NICKNAME_RANDOM_CHARS)
            .map(|_| char::from(BASE36[rng.gen_range(0..BASE36.len())])),
    );
    nickname
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nickname_rules() {
        for ok in ["abc", "Alice", "a.b_c9", &"x".repeat(32), "  bob  "] {
            assert!(check_nickname(ok).is_ok(), "{ok:?} should be accepted");
        }
        assert_eq!(check_nickname("  bob ").unwrap(), "bob");
        for bad in [
            "",
            "ab",
            &"x".repeat(33),
            "1abc",
            "_abc",
            ".abc",
            "ab-c",
            "ab c",
            "héllo",
            "abc\u{0}",
            "abc!",
            "admin",
            "ADMIN",
            "Support",
        ] {
            assert!(check_nickname(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn about_rules() {
        assert_eq!(check_about(None).unwrap(), None);
        assert_eq!(check_about(Some("   ")).unwrap(), None);
        assert_eq!(
            check_about(Some(" hi\nthere ")).unwrap().unwrap(),
            "hi\nthere"
        );
        assert!(check_about(Some(&"é".repeat(500))).is_ok());
        assert!(check_about(Some(&"é".repeat(501))).is_err());
        assert!(check_about(Some("nul\u{0}")).is_err());
        assert!(check_about(Some("bell\u{7}")).is_err());
    }

    #[test]
    fn avatar_url_rules() {
        assert_eq!(check_avatar_url(None).unwrap(), None);
        assert_eq!(
            check_avatar_url(Some("https://cdn.example.com/a.png?x=1"))
                .unwrap()
                .unwrap(),
            "https://cdn.example.com/a.png?x=1"
        );
        assert_eq!(
            check_avatar_url(Some("HTTPS://CDN.Example.com/a.png"))
                .unwrap()
                .unwrap(),
            "https://cdn.example.com/a.png"
        );
        let long_ok = format!("https://e.com/{}", "a".repeat(2048 - 14));
        assert_eq!(long_ok.len(), 2048);
        assert!(check_avatar_url(Some(&long_ok)).is_ok());
        for bad in [
            "",
            "cdn.example.com/a.png",
            "/a.png",
            "http://example.com/a.png",
            "ftp://example.com/a.png",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "https://",
            "https:///a.png",
            "https:/example.com/a.png",
            "https:\\\\example.com/a.png",
            "HTTP://example.com/a.png",
            "https://user:pw@example.com/a.png",
            "https://exa mple.com/a.png",
            " https://example.com/a.png",
            "https://example.com/a\u{0}.png",
            &format!("https://e.com/{}", "a".repeat(2048)),
        ] {
            assert!(
                check_avatar_url(Some(bad)).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn page_sizes() {
        assert_eq!(check_first(None).unwrap(), 20);
        assert_eq!(check_first(Some(1)).unwrap(), 1);
        assert_eq!(check_first(Some(100)).unwrap(), 100);
        for bad in [0, -1, 101, i32::MAX, i32::MIN] {
            assert!(check_first(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_queries() {
        assert_eq!(check_search_query("Al").unwrap(), "al");
        assert_eq!(check_search_query("  BoB_ ").unwrap(), "bob_");
        assert_eq!(check_search_query("a%").unwrap(), "a%");
        assert_eq!(check_search_query("Éa").unwrap(), "Éa");
        assert_eq!(check_search_query(&"x".repeat(32)).unwrap().len(), 32);
        assert_eq!(
            check_search_query(&"é".repeat(32)).unwrap().chars().count(),
            32
        );
        for bad in [
            "",
            "a",
            "  a  ",
            &"x".repeat(33),
            &"é".repeat(33),
            "a\u{0}b",
            "a\nb",
            "a\u{7f}",
        ] {
            assert!(
                check_search_query(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn default_nicknames() {
        let mut rng = rand::thread_rng();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let nickname = default_nickname(&mut rng);
            assert_eq!(nickname.len(), 11, "{nickname}");
            let suffix = nickname.strip_prefix("user_").unwrap();
            assert!(
                suffix
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{nickname}"
            );
            assert!(check_nickname(&nickname).is_ok(), "{nickname}");
            seen.insert(nickname);
        }
        assert!(seen.len() > 990, "only {} distinct of 1000", seen.len());
    }
}
