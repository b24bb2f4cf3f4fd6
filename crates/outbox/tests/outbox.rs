//! Outbox against a real PostgreSQL (a fresh migrated database per test).
// Helpers outside `#[test]` fns are test code too: failing loudly is right.
#![allow(clippy::unwrap_used)]

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use outbox::schema::outbox as ob;
use outbox::{Envelope, Event, Handler, HandlerError, Pool, Worker, WorkerConfig, async_trait};
use serde::{Deserialize, Serialize};
use serde_json::json;
use testkit::TestDatabase;
use uuid::Uuid;

/// An event type of these tests: `event!(Name { fields } = "kind")`.
macro_rules! event {
    ($name:ident $fields:tt = $kind:literal) => {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        struct $name $fields
        impl Event for $name {
            const KIND: &'static str = $kind;
        }
    };
}

event!(UserCreated { user: i64 } = "user.created");
event!(MailSend { to: String } = "mail.send");
event!(ChatDeleted { chat: i64 } = "chat.deleted");
event!(Tick { n: u64 } = "tick");
event!(Wake {} = "wake");
event!(Failing {} = "flaky");
event!(Known {} = "known");
event!(FromTheFuture { v: i64 } = "from.the.future");
event!(Slow {} = "slow");
event!(Panics {} = "panics");
event!(Strict { id: Uuid } = "strict");
// The same kind as another producer wrote it: a payload `Strict` cannot read.
event!(StrictDrifted { id: String } = "strict");

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");

async fn setup() -> (TestDatabase, Pool) {
    let db = TestDatabase::new(MIGRATIONS).await;
    let pool = make_pool(db.url());
    (db, pool)
}

fn make_pool(url: &str) -> Pool {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Pool::builder(manager).max_size(8).build().unwrap()
}

/// Small delays so retries are quick; tests reset `run_at` where they need
/// a retry to be due right away.
fn fast_config() -> WorkerConfig {
    WorkerConfig {
        poll_interval: Duration::from_millis(50),
        backoff_base: Duration::from_millis(1),
        backoff_max: Duration::from_millis(5),
        ..WorkerConfig::default()
    }
}

async fn enqueue_committed<E: Event>(pool: &Pool, event: &E) -> Uuid {
    let mut conn = pool.get().await.unwrap();
    conn.transaction(async |conn| outbox::enqueue(conn, event).await)
        .await
        .unwrap()
}

type RowState = (i32, DateTime<Utc>, Option<String>, Option<DateTime<Utc>>);

/// (attempts, run_at, last_error, dead_at) of one event, if the row exists.
async fn row_state(pool: &Pool, event_id: Uuid) -> Option<RowState> {
    let mut conn = pool.get().await.unwrap();
    ob::table
        .filter(ob::event_id.eq(event_id))
        .select((ob::attempts, ob::run_at, ob::last_error, ob::dead_at))
        .first(&mut conn)
        .await
        .optional()
        .unwrap()
}

async fn row_count(pool: &Pool) -> i64 {
    let mut conn = pool.get().await.unwrap();
    ob::table.count().get_result(&mut conn).await.unwrap()
}

async fn make_all_due(pool: &Pool) {
    let mut conn = pool.get().await.unwrap();
    diesel::update(ob::table)
        .set(ob::run_at.eq(diesel::dsl::now))
        .execute(&mut conn)
        .await
        .unwrap();
}

use support::{Flaky, Recorder};

#[tokio::test]
async fn rolled_back_enqueue_leaves_nothing_committed_is_delivered_once() {
    let (_db, pool) = setup().await;

    let mut conn = pool.get().await.unwrap();
    let rolled_back = conn
        .transaction::<(), DieselError, _>(async |conn| {
            outbox::enqueue(conn, &UserCreated { user: 1 }).await?;
            Err(DieselError::RollbackTransaction)
        })
        .await;
    assert_eq!(rolled_back, Err(DieselError::RollbackTransaction));
    assert_eq!(outbox::pending_count(&mut conn).await.unwrap(), 0);
    drop(conn);

    let recorder = Recorder::default();
    let worker = Worker::new(pool.clone(), String::new(), fast_config())
        .handler::<UserCreated>(recorder.clone());
    assert_eq!(worker.run_once().await.unwrap(), 0);

    let event_id = enqueue_committed(&pool, &UserCreated { user: 2 }).await;
    assert_eq!(row_count(&pool).await, 1);

    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(worker.run_once().await.unwrap(), 0);

    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].event_id, event_id);
    assert_eq!(seen[0].kind, "user.created");
    assert_eq!(seen[0].attempts, 0);
    assert_eq!(seen[0].payload, json!({"user": 2}));
    assert_eq!(
        recorder.decoded::<UserCreated>(),
        [UserCreated { user: 2 }],
        "the handler got the event decoded"
    );
    assert_eq!(row_count(&pool).await, 0, "delivered rows are deleted");
}

#[tokio::test]
async fn failing_handler_backs_off_then_parks_and_redrive_delivers() {
    let (_db, pool) = setup().await;
    // Large delays so run_at is measurably in the future; the test makes the
    // row due again by hand.
    let config = WorkerConfig {
        max_attempts: 4,
        backoff_base: Duration::from_secs(100),
        backoff_max: Duration::from_secs(250),
        ..fast_config()
    };
    let flaky = Flaky::new(false);
    let worker =
        Worker::new(pool.clone(), String::new(), config.clone()).handler::<MailSend>(flaky.clone());
    let event_id = enqueue_committed(
        &pool,
        &MailSend {
            to: "a@b.c".to_owned(),
        },
    )
    .await;

    let mut ceilings = Vec::new();
    for attempt in 1..config.max_attempts {
        assert_eq!(worker.run_once().await.unwrap(), 1);
        let (attempts, run_at, last_error, dead_at) = row_state(&pool, event_id).await.unwrap();
        assert_eq!(attempts, attempt);
        assert_eq!(last_error.as_deref(), Some("peer unavailable"));
        assert!(dead_at.is_none());
        // Full jitter: the delay is anywhere in [0, ceiling].
        let ceiling = config.backoff_ceiling(attempt - 1);
        let delay = (run_at - Utc::now()).to_std().unwrap_or_default();
        assert!(
            delay <= ceiling,
            "attempt {attempt}: {delay:?} > {ceiling:?}"
        );
        ceilings.push(ceiling);
        // Not due yet (unless jitter picked ~0): make it due.
        make_all_due(&pool).await;
    }
    assert_eq!(
        ceilings,
        [100, 200, 250].map(Duration::from_secs),
        "the ceiling doubles, capped at backoff_max"
    );

    assert_eq!(worker.run_once().await.unwrap(), 1);
    let (attempts, _, _, dead_at) = row_state(&pool, event_id).await.unwrap();
    assert_eq!(attempts, config.max_attempts);
    assert!(dead_at.is_some(), "parked after max_attempts");
    assert_eq!(flaky.calls(), 4);

    // Dead rows are neither claimed nor pending, but visible.
    make_all_due(&pool).await;
    assert_eq!(worker.run_once().await.unwrap(), 0);
    let mut conn = pool.get().await.unwrap();
    assert_eq!(outbox::pending_count(&mut conn).await.unwrap(), 0);
    let dead = outbox::dead_events(&mut conn).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].event_id, event_id);
    assert_eq!(dead[0].attempts, 4);
    let letters = outbox::dead_letters(&mut conn).await.unwrap();
    assert_eq!(letters[0].last_error.as_deref(), Some("peer unavailable"));

    flaky.set_failing(false);
    assert_eq!(outbox::redrive(&mut conn, None).await.unwrap(), 1);
    assert!(outbox::dead_events(&mut conn).await.unwrap().is_empty());
    assert_eq!(outbox::pending_count(&mut conn).await.unwrap(), 1);
    drop(conn);

    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(flaky.delivered(), 1);
    assert_eq!(row_count(&pool).await, 0);
}

#[tokio::test]
async fn permanent_error_parks_at_once() {
    let (_db, pool) = setup().await;
    let flaky = Flaky::new(true);
    let strict = Recorder::default();
    let worker = Worker::new(pool.clone(), String::new(), fast_config())
        .handler::<ChatDeleted>(flaky.clone())
        .handler::<Strict>(strict.clone());
    let rejected = enqueue_committed(&pool, &ChatDeleted { chat: 7 }).await;
    let malformed = enqueue_committed(
        &pool,
        &StrictDrifted {
            id: "not a uuid".to_owned(),
        },
    )
    .await;

    assert_eq!(worker.run_once().await.unwrap(), 2);
    assert_eq!(flaky.calls(), 1);
    assert_eq!(
        strict.len(),
        0,
        "a payload that does not decode is not handed over"
    );

    let mut conn = pool.get().await.unwrap();
    let letters = outbox::dead_letters(&mut conn).await.unwrap();
    assert_eq!(
        letters
            .iter()
            .map(|l| l.envelope.event_id)
            .collect::<Vec<_>>(),
        [rejected, malformed]
    );
    assert!(letters.iter().all(|l| l.envelope.attempts == 1));
    assert_eq!(
        letters[0].last_error.as_deref(),
        Some("peer rejected the event")
    );
    assert!(
        letters[1]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("does not deserialize")),
        "{:?}",
        letters[1].last_error
    );

    // Redrive just one of them.
    flaky.set_failing(false);
    assert_eq!(outbox::redrive(&mut conn, Some(i64::MAX)).await.unwrap(), 0);
    let id = letters[0].envelope.id;
    assert_eq!(outbox::redrive(&mut conn, Some(id)).await.unwrap(), 1);
    drop(conn);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(flaky.delivered(), 1);
    assert!(row_state(&pool, rejected).await.is_none());
    assert!(row_state(&pool, malformed).await.unwrap().3.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_workers_deliver_each_event_exactly_once() {
    const EVENTS: usize = 500;
    let (db, pool) = setup().await;
    let recorder = Recorder {
        delay: Duration::from_millis(2),
        ..Recorder::default()
    };
    let config = WorkerConfig {
        batch_size: 16,
        ..fast_config()
    };

    let mut stops = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..2 {
        // Separate pools, like separate processes.
        let worker = Worker::new(make_pool(db.url()), db.url().to_owned(), config.clone())
            .handler::<Tick>(recorder.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        stops.push(stop);
        tasks.push(tokio::spawn(worker.run(async move {
            let _ = stopped.await;
        })));
    }

    let mut expected = HashSet::new();
    let mut conn = pool.get().await.unwrap();
    for chunk in 0..EVENTS / 50 {
        let ids = conn
            .transaction::<_, DieselError, _>(async |conn| {
                let mut ids = Vec::new();
                for i in 0..50 {
                    let n = (chunk * 50 + i) as u64;
                    ids.push(outbox::enqueue(conn, &Tick { n }).await?);
                }
                Ok(ids)
            })
            .await
            .unwrap();
        expected.extend(ids);
    }

    // Safety net only: the workers normally finish in well under a second.
    let deadline = tokio::time::Instant::now() + Duration::from_mins(2);
    while recorder.len() < EVENTS || outbox::pending_count(&mut conn).await.unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} delivered",
            recorder.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Give a duplicate (if any) a chance to show up before stopping.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for stop in stops {
        let _ = stop.send(());
    }
    for task in tasks {
        task.await.unwrap();
    }

    let ids = recorder.ids();
    let unique: HashSet<Uuid> = ids.iter().copied().collect();
    assert_eq!(ids.len(), EVENTS, "some event was delivered twice");
    assert_eq!(unique, expected);
    assert_eq!(row_count(&pool).await, 0);
}

/// `in_order` workers on one database take turns (advisory lock): events
/// are delivered once each and in id order, whichever worker holds them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_order_workers_deliver_in_id_order() {
    const EVENTS: usize = 200;
    let (db, pool) = setup().await;
    let recorder = Recorder {
        delay: Duration::from_millis(1),
        ..Recorder::default()
    };
    let config = WorkerConfig {
        batch_size: 8,
        ..fast_config()
    };
    let mut stops = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let worker = Worker::new(make_pool(db.url()), db.url().to_owned(), config.clone())
            .in_order()
            .handler::<Tick>(recorder.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        stops.push(stop);
        tasks.push(tokio::spawn(worker.run(async move {
            let _ = stopped.await;
        })));
    }
    // One transaction per event, as separate requests would commit them.
    for n in 0..EVENTS as u64 {
        enqueue_committed(&pool, &Tick { n }).await;
    }
    let mut conn = pool.get().await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_mins(2);
    while recorder.len() < EVENTS || outbox::pending_count(&mut conn).await.unwrap() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} delivered",
            recorder.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for stop in stops {
        let _ = stop.send(());
    }
    for task in tasks {
        task.await.unwrap();
    }
    let order: Vec<u64> = recorder.decoded::<Tick>().iter().map(|t| t.n).collect();
    assert_eq!(order, (0..EVENTS as u64).collect::<Vec<_>>());
}

/// An in-order worker does not let later events overtake one that failed:
/// they wait until it is delivered, then follow in order.
#[tokio::test]
async fn in_order_worker_holds_later_events_behind_a_failed_one() {
    let (db, pool) = setup().await;
    let flaky = Flaky::new(false);
    let recorder = Recorder::default();
    let worker = Worker::new(pool.clone(), db.url().to_owned(), fast_config())
        .in_order()
        .handler::<Failing>(flaky.clone())
        .handler::<Tick>(recorder.clone());
    enqueue_committed(&pool, &Failing {}).await;
    for n in 0..3 {
        enqueue_committed(&pool, &Tick { n }).await;
    }
    worker.run_once().await.unwrap();
    assert_eq!(flaky.calls(), 1);
    make_all_due(&pool).await;
    worker.run_once().await.unwrap();
    assert_eq!(flaky.calls(), 2);
    assert_eq!(recorder.len(), 0, "nothing overtook the failed event");

    flaky.set_failing(false);
    make_all_due(&pool).await;
    worker.run_once().await.unwrap();
    assert_eq!(flaky.delivered(), 1);
    let order: Vec<u64> = recorder.decoded::<Tick>().iter().map(|t| t.n).collect();
    assert_eq!(order, [0, 1, 2]);
    assert_eq!(row_count(&pool).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wakes_the_worker_without_waiting_for_the_poll() {
    let (db, pool) = setup().await;
    let recorder = Recorder::default();
    let config = WorkerConfig {
        poll_interval: Duration::from_mins(1),
        ..fast_config()
    };
    let worker =
        Worker::new(pool.clone(), db.url().to_owned(), config).handler::<Wake>(recorder.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));

    // Let the worker finish its initial batch and subscribe, so that only a
    // notification (not the startup pass) can deliver the event below.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let event_id = enqueue_committed(&pool, &Wake {}).await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while recorder.len() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not woken by NOTIFY within 2s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(recorder.ids(), [event_id]);

    let _ = stop.send(());
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_reconnects_after_its_connection_is_killed() {
    let (db, pool) = setup().await;
    let recorder = Recorder::default();
    let config = WorkerConfig {
        poll_interval: Duration::from_mins(1),
        ..fast_config()
    };
    let worker =
        Worker::new(pool.clone(), db.url().to_owned(), config).handler::<Wake>(recorder.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut conn = pool.get().await.unwrap();
    #[derive(QueryableByName)]
    struct Killed {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        killed: bool,
    }
    let killed: Vec<bool> = diesel::sql_query(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .load::<Killed>(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .map(|k| k.killed)
    .collect();
    assert_eq!(killed, [true], "exactly one LISTEN connection");
    drop(conn);

    // Reconnect backoff starts at 500 ms; wait it out, then only a NOTIFY on
    // the new connection can wake the worker within the bound.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let event_id = enqueue_committed(&pool, &Wake {}).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while recorder.len() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not woken after the listener reconnected"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(recorder.ids(), [event_id]);

    let _ = stop.send(());
    task.await.unwrap();
}

#[tokio::test]
async fn unknown_kind_is_retried_not_lost() {
    let (_db, pool) = setup().await;
    let old = Worker::new(pool.clone(), String::new(), fast_config())
        .handler::<Known>(Recorder::default());
    let event_id = enqueue_committed(&pool, &FromTheFuture { v: 2 }).await;

    assert_eq!(old.run_once().await.unwrap(), 1);
    let (attempts, _, last_error, dead_at) = row_state(&pool, event_id).await.unwrap();
    assert_eq!(attempts, 1);
    assert!(dead_at.is_none());
    let last_error = last_error.unwrap();
    assert!(
        last_error.contains("no handler") && last_error.contains("from.the.future"),
        "{last_error}"
    );

    // A newer deployment handles it.
    make_all_due(&pool).await;
    let recorder = Recorder::default();
    let new = Worker::new(pool.clone(), String::new(), fast_config())
        .handler::<FromTheFuture>(recorder.clone());
    assert_eq!(new.run_once().await.unwrap(), 1);
    let seen = recorder.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].event_id, event_id);
    assert_eq!(seen[0].attempts, 1);
    assert_eq!(row_count(&pool).await, 0);
}

#[tokio::test]
async fn timeouts_and_panics_are_retryable_failures() {
    let (_db, pool) = setup().await;

    struct Sleeps;
    #[async_trait]
    impl Handler<Slow> for Sleeps {
        async fn handle(&self, _event: Slow, _envelope: &Envelope) -> Result<(), HandlerError> {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(())
        }
    }
    struct Buggy;
    #[async_trait]
    impl Handler<Panics> for Buggy {
        async fn handle(&self, _event: Panics, _envelope: &Envelope) -> Result<(), HandlerError> {
            panic!("handler bug");
        }
    }

    let config = WorkerConfig {
        handler_timeout: Duration::from_millis(100),
        ..fast_config()
    };
    let worker = Worker::new(pool.clone(), String::new(), config)
        .handler(Sleeps)
        .handler(Buggy);
    let slow = enqueue_committed(&pool, &Slow {}).await;
    let panics = enqueue_committed(&pool, &Panics {}).await;

    assert_eq!(worker.run_once().await.unwrap(), 2);
    let (attempts, _, last_error, dead_at) = row_state(&pool, slow).await.unwrap();
    assert_eq!((attempts, dead_at), (1, None));
    assert!(last_error.unwrap().contains("timed out"));
    let (attempts, _, last_error, dead_at) = row_state(&pool, panics).await.unwrap();
    assert_eq!((attempts, dead_at), (1, None));
    assert_eq!(last_error.as_deref(), Some("handler panicked: handler bug"));
}

/// Test handlers. A module of their own because `diesel_async::RunQueryDsl`
/// (in scope above) shadows `Atomic*::load` on `Arc`s.
mod support {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use outbox::{Envelope, Event, Handler, HandlerError, async_trait};
    use uuid::Uuid;

    /// Records every delivered event, of any type; optionally sleeps to
    /// widen race windows.
    #[derive(Clone, Default)]
    pub struct Recorder {
        pub seen: Arc<Mutex<Vec<Envelope>>>,
        pub decoded: Arc<Mutex<Vec<serde_json::Value>>>,
        pub delay: Duration,
    }

    impl Recorder {
        pub fn ids(&self) -> Vec<Uuid> {
            self.seen
                .lock()
                .unwrap()
                .iter()
                .map(|e| e.event_id)
                .collect()
        }
        pub fn len(&self) -> usize {
            self.seen.lock().unwrap().len()
        }
        /// The events handed to the handler, as it got them.
        pub fn decoded<E: Event>(&self) -> Vec<E> {
            self.decoded
                .lock()
                .unwrap()
                .iter()
                .map(|v| serde_json::from_value(v.clone()).unwrap())
                .collect()
        }
    }

    #[async_trait]
    impl<E: Event> Handler<E> for Recorder {
        async fn handle(&self, event: E, envelope: &Envelope) -> Result<(), HandlerError> {
            if !self.delay.is_zero() {
                tokio::time::sleep(self.delay).await;
            }
            self.seen.lock().unwrap().push(envelope.clone());
            let event = serde_json::to_value(&event).unwrap();
            self.decoded.lock().unwrap().push(event);
            Ok(())
        }
    }

    /// Fails (retryably or permanently) while `failing` is set, then succeeds.
    #[derive(Clone)]
    pub struct Flaky {
        failing: Arc<AtomicBool>,
        permanent: bool,
        calls: Arc<AtomicUsize>,
        delivered: Arc<AtomicUsize>,
    }

    impl Flaky {
        pub fn new(permanent: bool) -> Self {
            Self {
                failing: Arc::new(AtomicBool::new(true)),
                permanent,
                calls: Arc::default(),
                delivered: Arc::default(),
            }
        }
    }

    #[async_trait]
    impl<E: Event> Handler<E> for Flaky {
        async fn handle(&self, _event: E, _envelope: &Envelope) -> Result<(), HandlerError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.failing.load(Ordering::SeqCst) {
                return Err(if self.permanent {
                    HandlerError::permanent("peer rejected the event")
                } else {
                    HandlerError::retry("peer unavailable")
                });
            }
            self.delivered.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    impl Flaky {
        pub fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }
        pub fn delivered(&self) -> usize {
            self.delivered.load(Ordering::SeqCst)
        }
        pub fn set_failing(&self, failing: bool) {
            self.failing.store(failing, Ordering::SeqCst);
        }
    }
}
