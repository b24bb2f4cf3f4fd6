//! SQL lives here and nowhere else.

pub mod contacts;
pub mod conversations;
pub mod messages;
pub mod reactions;
pub mod schema;
pub mod typing;

use diesel_async::RunQueryDsl as _;

pub use diesel_async::AsyncPgConnection as Conn;

/// A cheap round trip, for health reporting.
pub async fn ping(conn: &mut Conn) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).await.map(drop)
}
