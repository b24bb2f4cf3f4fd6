//! `prepared::sql` against a real PostgreSQL (a fresh database per test).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use testkit::TestDatabase;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrations");

#[derive(QueryableByName, Debug, PartialEq)]
struct Row {
    #[diesel(sql_type = Text)]
    s: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn connect() -> (TestDatabase, AsyncPgConnection) {
    let db = TestDatabase::new(MIGRATIONS).await;
    let conn = AsyncPgConnection::establish(db.url()).await.unwrap();
    (db, conn)
}

/// Named prepared statements of this session whose text mentions `marker`
/// (asked with an unnamed statement, which the view does not list).
async fn prepared_mentioning(conn: &mut AsyncPgConnection, marker: &str) -> i64 {
    diesel::sql_query(
        "SELECT count(*) AS n FROM pg_prepared_statements WHERE strpos(statement, $1) > 0",
    )
    .bind::<Text, _>(marker)
    .get_result::<Count>(conn)
    .await
    .unwrap()
    .n
}

#[tokio::test]
async fn a_text_is_prepared_once_per_connection_and_reused() {
    let (_db, mut conn) = connect().await;
    for body in ["first", "second", "third"] {
        let row: Row = prepared::sql("SELECT $1::text AS s /* marker_a */")
            .bind::<Text, _>(body)
            .get_result(&mut conn)
            .await
            .unwrap();
        assert_eq!(row.s, body);
    }
    assert_eq!(prepared_mentioning(&mut conn, "marker_a").await, 1);

    // diesel::sql_query, for contrast, prepares nothing that lasts.
    diesel::sql_query("SELECT $1::text AS s /* marker_b */")
        .bind::<Text, _>("x")
        .get_result::<Row>(&mut conn)
        .await
        .unwrap();
    assert_eq!(prepared_mentioning(&mut conn, "marker_b").await, 0);
}

#[tokio::test]
async fn placeholders_repeat_and_come_in_any_order() {
    let (_db, mut conn) = connect().await;
    let row: Row = prepared::sql("SELECT $2::text || $1::text || $2::text AS s")
        .bind::<Text, _>("a")
        .bind::<Text, _>("b")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(row.s, "bab");
}

#[tokio::test]
async fn writes_and_reads_rows() {
    let (_db, mut conn) = connect().await;
    for body in ["one", "two"] {
        let inserted = prepared::sql("INSERT INTO notes (body) VALUES ($1)")
            .bind::<Text, _>(body)
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(inserted, 1);
    }
    let rows: Vec<Row> = prepared::sql("SELECT body AS s FROM notes WHERE body <> $1 ORDER BY id")
        .bind::<Text, _>("none")
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows, [Row { s: "one".into() }, Row { s: "two".into() }]);
}

#[tokio::test]
async fn a_placeholder_without_a_value_is_an_error_not_a_panic() {
    let (_db, mut conn) = connect().await;
    let err = prepared::sql("SELECT $1::text || $2::text AS s")
        .bind::<Text, _>("only one")
        .get_result::<Row>(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("$2 has no value"), "{err}");
    // The connection is fine afterwards.
    let row: Row = prepared::sql("SELECT 'ok'::text AS s")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(row.s, "ok");
}
