//! Secrets by type: a password, an access token or a refresh token never
//! shows in a log line by accident. Their `Debug` and `Display` print
//! `[redacted]`; the value comes out only through an explicit `expose()`.
//! In GraphQL they are plain `String`s (the schema does not change).

use std::fmt;

macro_rules! secret {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, async_graphql::NewType)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself: only to hash, verify or hand to its owner.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }
    };
}

secret!(
    /// A password as the user typed it.
    Password
);
secret!(
    /// A signed access token (JWT).
    AccessToken
);
secret!(
    /// An opaque refresh token.
    RefreshToken
);
secret!(
    /// An opaque device credential (OWASP "device cookie").
    DeviceToken
);
secret!(
    /// A TOTP secret (base32) or the `otpauth://` URI that carries it.
    TotpSecret
);
secret!(
    /// A recovery code of the second factor, as handed out.
    RecoveryCode
);
secret!(
    /// A second-factor code as the user typed it: TOTP or recovery.
    SecondFactorCode
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_format() {
        let password = Password::new("hunter2-hunter2");
        let access = AccessToken::new("eyJ.secret.jwt");
        let refresh = RefreshToken::new("opaque-refresh");
        let shown = format!("{password} {password:?} {access} {access:?} {refresh:?} {refresh:#?}");
        for secret in ["hunter2", "eyJ", "opaque"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("Password([redacted])"), "{shown}");
        assert_eq!(password.expose(), "hunter2-hunter2");
    }
}
