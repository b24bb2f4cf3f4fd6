//! SQL lives here and nowhere else.

pub mod accounts;
pub mod device_tokens;
pub mod email_change_tokens;
pub mod email_limits;
pub mod keys;
pub mod mfa_challenges;
pub mod oauth;
pub mod reset_tokens;
pub mod schema;
pub mod security_events;
pub mod sessions;
pub mod totp;
pub mod verification_tokens;

pub use diesel_async::AsyncPgConnection as Conn;
