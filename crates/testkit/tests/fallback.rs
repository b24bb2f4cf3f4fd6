//! With nothing listening at DATABASE_URL, TestDatabase transparently uses a
//! private cluster. (Own test binary: the choice is made once per process.)

use std::path::Path;
use std::time::Instant;

use testkit::{TestDatabase, connect_pg, server_url};

#[tokio::test]
async fn falls_back_to_a_private_cluster() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unused = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    // SAFETY: the only test in this binary, run before anything reads the environment.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("DATABASE_URL", &unused);
    }

    let started = Instant::now();
    let db =
        TestDatabase::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migrations"))
            .await;
    eprintln!("fallback cluster + database in {:?}", started.elapsed());

    let server = server_url().await;
    assert_ne!(server, unused);
    assert!(
        server.starts_with("postgres://postgres@127.0.0.1:"),
        "{server}"
    );
    assert!(
        db.url().starts_with(server.trim_end_matches("/postgres")),
        "{}",
        db.url()
    );

    let count: i64 = connect_pg(db.url())
        .await
        .query_one("SELECT count(*) FROM widgets", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 1);
}
