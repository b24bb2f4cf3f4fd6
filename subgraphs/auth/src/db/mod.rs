//! SQL lives here and nowhere else.

pub mod accounts;
pub mod keys;
pub mod schema;
pub mod sessions;

pub use diesel_async::AsyncPgConnection as Conn;
