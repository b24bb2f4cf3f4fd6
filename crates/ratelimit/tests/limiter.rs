//! The limiter against a real PostgreSQL (a fresh migrated database per test).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;
use ratelimit::{Decision, Limiter, Rate};
use testkit::TestDatabase;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

fn pool(url: &str) -> Pool<AsyncPgConnection> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Pool::builder(manager).max_size(8).build().unwrap()
}

#[tokio::test]
async fn a_burst_then_one_per_interval() {
    let db = TestDatabase::new(MIGRATIONS).await;
    let limiter = Limiter::new(pool(db.url()));
    // 3 per 3 s: a burst of 3, then one a second.
    let rate = Rate::new(3, Duration::from_secs(3));
    for _ in 0..3 {
        assert!(limiter.decide("k", rate).await.unwrap().is_allowed());
    }
    let Decision::Limited { retry_after } = limiter.decide("k", rate).await.unwrap() else {
        panic!("the 4th request of a burst of 3 must be refused");
    };
    assert!(
        retry_after > Duration::ZERO && retry_after <= Duration::from_secs(1),
        "{retry_after:?}"
    );
    // Refused requests do not push the wait further out.
    let Decision::Limited { retry_after: again } = limiter.decide("k", rate).await.unwrap() else {
        panic!("still limited");
    };
    assert!(again <= retry_after, "{again:?} > {retry_after:?}");
    // Other keys are untouched.
    assert!(limiter.decide("other", rate).await.unwrap().is_allowed());

    tokio::time::sleep(retry_after + Duration::from_millis(50)).await;
    assert!(limiter.decide("k", rate).await.unwrap().is_allowed());
    assert!(!limiter.decide("k", rate).await.unwrap().is_allowed());

    // The RATE_LIMITED error carries retryAfter in whole seconds.
    let err = limiter.check("k", rate).await.unwrap_err();
    assert_eq!(err.code(), api_errors::ErrorCode::RateLimited);
}

#[tokio::test]
async fn peeking_counts_nothing_and_sees_the_limit() {
    let db = TestDatabase::new(MIGRATIONS).await;
    let limiter = Limiter::new(pool(db.url()));
    let rate = Rate::new(2, Duration::from_mins(1));
    // Peeks are free: as many as you like, and the burst is still whole.
    for _ in 0..5 {
        limiter.peek("failures", rate).await.unwrap();
    }
    for _ in 0..2 {
        assert!(limiter.decide("failures", rate).await.unwrap().is_allowed());
    }
    let err = limiter.peek("failures", rate).await.unwrap_err();
    assert_eq!(err.code(), api_errors::ErrorCode::RateLimited);
    limiter.peek("other", rate).await.unwrap();
    limiter.peek("failures", Rate::OFF).await.unwrap();
}

#[tokio::test]
async fn replicas_share_one_count() {
    let db = TestDatabase::new(MIGRATIONS).await;
    // Two pools stand for two replicas of a service.
    let a = Limiter::new(pool(db.url()));
    let b = Limiter::new(pool(db.url()));
    let rate = Rate::new(5, Duration::from_mins(1));
    let attempts = (0..20).map(|i| {
        let limiter = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move { limiter.decide("shared", rate).await.unwrap() }
    });
    let decisions = futures_join_all(attempts).await;
    let allowed = decisions.iter().filter(|d| d.is_allowed()).count();
    assert_eq!(allowed, 5, "{decisions:?}");
}

#[tokio::test]
async fn off_never_limits_and_spent_rows_are_pruned() {
    let db = TestDatabase::new(MIGRATIONS).await;
    let limiter = Limiter::new(pool(db.url()));
    for _ in 0..50 {
        limiter.check("free", Rate::OFF).await.unwrap();
    }
    let rate = Rate::new(1, Duration::from_millis(200));
    limiter.check("short", rate).await.unwrap();
    assert_eq!(rows(db.url()).await, 1, "`off` keeps no state");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let p = pool(db.url());
    let mut conn = p.get().await.unwrap();
    assert_eq!(ratelimit::prune(&mut conn).await.unwrap(), 1);
    assert_eq!(rows(db.url()).await, 0);
}

/// The services' migration folders hold exact copies of the canonical DDL.
#[test]
fn services_copy_the_canonical_migration() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let folder = "2026-11-27-000000_rate_limits";
    for file in ["up.sql", "down.sql"] {
        let canonical = std::fs::read_to_string(format!("{MIGRATIONS}/{folder}/{file}")).unwrap();
        for service in ["auth", "users", "messaging"] {
            let copy =
                std::fs::read_to_string(format!("{root}/migrations/{service}/{folder}/{file}"))
                    .unwrap_or_else(|e| panic!("migrations/{service}/{folder}/{file}: {e}"));
            assert_eq!(copy, canonical, "migrations/{service}/{folder}/{file}");
        }
    }
}

async fn rows(url: &str) -> i64 {
    let client = testkit::connect_pg(url).await;
    let row = client
        .query_one("SELECT count(*) FROM rate_limits", &[])
        .await
        .unwrap();
    row.get(0)
}

async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
