//! The one list of `extensions.code` values (no dependencies: the router
//! uses it too, without the GraphQL half of this crate).

use std::fmt;

/// Stable, machine-readable error codes (`extensions.code`). Frontend teams
/// code against these strings: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No credentials, or credentials that are not valid (any more).
    Unauthenticated,
    /// Authenticated, but not allowed to do this.
    Forbidden,
    /// The request itself is wrong: malformed, wrongly typed, out of range.
    BadUserInput,
    /// The thing asked for does not exist (or is not visible to the caller).
    NotFound,
    /// The request conflicts with the current state (duplicate, race lost).
    Conflict,
    /// Too many requests; `extensions.retryAfter` says when to try again.
    RateLimited,
    /// A service this one depends on is down; retrying later may work.
    Unavailable,
    /// Our fault. Details are in the server log under the request id.
    Internal,
    /// Sign-in refused: the password is right, but the account's email
    /// address has not been confirmed yet (only when confirmation is required).
    EmailNotVerified,
    /// Sign-in not finished: the password (or provider) was right, and the
    /// account asks for its second factor; `extensions.challengeId` goes to
    /// `completeLogin` with the code before `extensions.expiresAt`.
    MfaRequired,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::BadUserInput,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
        ErrorCode::EmailNotVerified,
        ErrorCode::MfaRequired,
    ];

    /// The code spelled `code`, if it is one of ours.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|known| known.as_str() == code)
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::EmailNotVerified => "EMAIL_NOT_VERIFIED",
            ErrorCode::MfaRequired => "MFA_REQUIRED",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings() {
        let all: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            all,
            [
                "UNAUTHENTICATED",
                "FORBIDDEN",
                "BAD_USER_INPUT",
                "NOT_FOUND",
                "CONFLICT",
                "RATE_LIMITED",
                "UNAVAILABLE",
                "INTERNAL",
                "EMAIL_NOT_VERIFIED",
                "MFA_REQUIRED"
            ]
        );
    }

    #[test]
    fn parse_knows_exactly_our_codes() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("bad_user_input"), None);
        assert_eq!(ErrorCode::parse("GRAPHQL_PARSE_FAILED"), None);
    }
}
