//! SQL lives here and nowhere else.

pub mod avatars;
pub mod blocks;
pub mod friendships;
pub mod privacy;
pub mod schema;
pub mod search;
pub mod users;

pub use diesel_async::AsyncPgConnection as Conn;

/// The name of the unique constraint or index a failed statement violated.
pub fn violated_constraint(err: &diesel::result::Error) -> Option<&str> {
    match err {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            info,
        ) => info.constraint_name(),
        _ => None,
    }
}
