//! The one error type every resolver returns, and the one list of
//! `extensions.code` values clients can match on.
//!
//! Client errors carry a message meant for the user of the API. Internal
//! errors are logged with their cause and reach the client only as
//! `INTERNAL` with a generic message: no SQL, no stack traces.
//!
//! Without the default `graphql` feature only [`ErrorCode`] is built: the
//! router's `error_codes` plugin maps its own errors onto the same list.

mod code;
#[cfg(feature = "graphql")]
mod graphql;

pub use code::ErrorCode;
#[cfg(feature = "graphql")]
pub use graphql::*;
