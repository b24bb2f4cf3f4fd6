//! A real private cluster: initdb, start, query, restart, stop (works as root).

use std::time::{Duration, Instant};

use testkit::{PrivateCluster, connect_pg};

#[tokio::test]
async fn private_cluster_starts_restarts_and_stops() {
    let started = Instant::now();
    let cluster = PrivateCluster::start();
    eprintln!("start (initdb + postgres) in {:?}", started.elapsed());
    assert!(cluster.is_running());
    assert_eq!(
        cluster.url(),
        format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port())
    );
    let data_dir = cluster.data_dir().to_path_buf();
    assert!(data_dir.join("PG_VERSION").is_file());

    let client = connect_pg(cluster.url()).await;
    client
        .batch_execute("CREATE TABLE t (v int); INSERT INTO t VALUES (42)")
        .await
        .unwrap();
    let fsync: String = client.query_one("SHOW fsync", &[]).await.unwrap().get(0);
    assert_eq!(fsync, "off");
    drop(client);

    let restarted = Instant::now();
    cluster.restart();
    eprintln!("restart in {:?}", restarted.elapsed());
    let client = connect_pg(cluster.url()).await;
    let v: i32 = client
        .query_one("SELECT v FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 42, "data survives a restart");

    cluster.stop();
    assert!(!cluster.is_running());
    assert!(
        client.query_one("SELECT 1", &[]).await.is_err(),
        "old connection is closed"
    );
    let refused = tokio::time::timeout(
        Duration::from_secs(5),
        tokio_postgres::connect(cluster.url(), tokio_postgres::NoTls),
    )
    .await
    .unwrap();
    assert!(refused.is_err(), "nothing listens while stopped");

    cluster.start_again();
    assert!(cluster.is_running());
    let v: i32 = connect_pg(cluster.url())
        .await
        .query_one("SELECT v FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 42);

    // Crash-like stop right after commits, then recovery: every commit the
    // server acknowledged survives (with `synchronous_commit=off` the last
    // ones were lost, every time).
    for round in 0..3 {
        let client = connect_pg(cluster.url()).await;
        client
            .execute("UPDATE t SET v = $1", &[&(43 + round)])
            .await
            .unwrap();
        cluster.stop_immediately();
        cluster.start_again();
        let v: i32 = connect_pg(cluster.url())
            .await
            .query_one("SELECT v FROM t", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(v, 43 + round, "an acknowledged commit was lost in a crash");
    }

    drop(cluster);
    assert!(!data_dir.exists(), "directory removed on drop");
    eprintln!("total {:?}", started.elapsed());
}
