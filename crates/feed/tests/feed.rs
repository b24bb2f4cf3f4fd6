//! The feed against a real PostgreSQL (a fresh migrated database per test).
// Helpers outside `#[test]` fns are test code too: failing loudly is right.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Duration;

use diesel::result::Error as DieselError;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use feed::{Event, Feed, FeedError, Pool};
use futures::{Stream, StreamExt};
use serde_json::json;
use testkit::TestDatabase;
use uuid::Uuid;

const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
/// Upper bound for an event to reach a connected subscriber (generous: the
/// real figure is milliseconds; the safety-net poll is 30 s).
const WAKE_UP: Duration = Duration::from_secs(2);
/// Hang guard for bulk collection; not a performance assertion.
const HANG_GUARD: Duration = Duration::from_secs(20);

async fn setup() -> (TestDatabase, Pool) {
    let db = TestDatabase::new(MIGRATIONS).await;
    let pool = make_pool(db.url());
    (db, pool)
}

fn make_pool(url: &str) -> Pool {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Pool::builder(manager).max_size(8).build().unwrap()
}

/// A feed that lives until the test ends (the runtime is dropped).
fn start_feed(pool: &Pool, url: &str) -> Feed {
    Feed::start(pool.clone(), url.to_owned(), std::future::pending())
}

/// Appends one event in its own committed transaction.
async fn append_committed(pool: &Pool, recipient: Uuid, n: i64) -> i64 {
    let mut conn = pool.get().await.unwrap();
    conn.transaction(async |conn| {
        feed::append(conn, recipient, "test.event", &json!({ "n": n })).await
    })
    .await
    .unwrap()
}

async fn next_within(
    stream: &mut (impl Stream<Item = Result<Event, FeedError>> + Unpin),
    limit: Duration,
) -> Event {
    tokio::time::timeout(limit, stream.next())
        .await
        .unwrap_or_else(|_| panic!("no event within {limit:?}"))
        .expect("stream ended")
        .expect("stream error")
}

/// Asserts nothing more arrives for a little while (no duplicates, no events
/// of other recipients). Not a timing assertion: it only waits.
async fn assert_quiet(stream: &mut (impl Stream<Item = Result<Event, FeedError>> + Unpin)) {
    if let Ok(item) = tokio::time::timeout(Duration::from_millis(300), stream.next()).await {
        panic!("unexpected item: {item:?}");
    }
}

/// Polls the stream for a moment so it usually has done its first read and
/// waits for a wake-up. Tests do not depend on it having finished: they pass
/// an explicit start (`after`) or tolerate a late first read.
async fn let_it_settle(stream: &mut (impl Stream<Item = Result<Event, FeedError>> + Unpin)) {
    assert_quiet(stream).await;
}

/// Waits until `n` feed listeners are connected to the test database.
async fn wait_for_listeners(url: &str, n: i64) {
    let admin = testkit::connect_pg(url).await;
    let deadline = tokio::time::Instant::now() + HANG_GUARD;
    loop {
        let row = admin
            .query_one(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND query = 'LISTEN feed'",
                &[],
            )
            .await
            .unwrap();
        if row.get::<_, i64>(0) >= n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "listeners did not connect"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn head_of(pool: &Pool, recipient: Uuid) -> i64 {
    let mut conn = pool.get().await.unwrap();
    feed::head(&mut conn, recipient).await.unwrap()
}

fn n_of(event: &Event) -> i64 {
    event.payload["n"].as_i64().unwrap()
}

#[tokio::test]
async fn rolled_back_append_leaves_nothing_and_no_gap() {
    let (_db, pool) = setup().await;
    let alice = Uuid::new_v4();

    let mut conn = pool.get().await.unwrap();
    let rolled_back = conn
        .transaction::<(), DieselError, _>(async |conn| {
            let seq = feed::append(conn, alice, "test.event", &json!({ "n": 0 })).await?;
            assert_eq!(seq, 1);
            Err(DieselError::RollbackTransaction)
        })
        .await;
    assert_eq!(rolled_back, Err(DieselError::RollbackTransaction));
    assert_eq!(feed::head(&mut conn, alice).await.unwrap(), 0);
    assert!(
        feed::read_after(&mut conn, alice, 0, 100)
            .await
            .unwrap()
            .is_empty()
    );

    // A writer that waited behind an append that then rolled back takes its
    // seq: no gap either.
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel::<()>();
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let first = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut conn = pool.get().await.unwrap();
            conn.transaction::<(), DieselError, _>(async |conn| {
                feed::append(conn, alice, "test.event", &json!({ "n": 1 })).await?;
                locked_tx.send(()).unwrap();
                go_rx.await.unwrap();
                Err(DieselError::RollbackTransaction)
            })
            .await
        })
    };
    locked_rx.await.unwrap();
    let second = {
        let pool = pool.clone();
        tokio::spawn(async move { append_committed(&pool, alice, 2).await })
    };
    // Readers see nothing of the uncommitted append.
    assert_eq!(feed::head(&mut conn, alice).await.unwrap(), 0);
    assert!(
        feed::read_after(&mut conn, alice, 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
    go_tx.send(()).unwrap();
    assert_eq!(first.await.unwrap(), Err(DieselError::RollbackTransaction));
    assert_eq!(
        second.await.unwrap(),
        1,
        "the waiting writer reuses the rolled-back seq"
    );

    let events = feed::read_after(&mut conn, alice, 0, 100).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].seq, n_of(&events[0])), (1, 2));
    assert_eq!(events[0].recipient_id, alice);
    assert_eq!(events[0].kind, "test.event");
    assert_eq!(feed::head(&mut conn, alice).await.unwrap(), 1);
}

#[tokio::test]
async fn replay_after_cursor_then_live_without_loss_or_duplicates() {
    let (db, pool) = setup().await;
    let feed = start_feed(&pool, db.url());
    let alice = Uuid::new_v4();
    let bob = Uuid::new_v4();

    for n in 1..=5 {
        append_committed(&pool, alice, n).await;
    }
    let existing = {
        let mut conn = pool.get().await.unwrap();
        feed::read_after(&mut conn, alice, 0, 100).await.unwrap()
    };
    assert_eq!(
        existing.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let cursor = existing[2].cursor();

    let mut stream = Box::pin(feed.subscribe(alice, Some(feed::parse_cursor(&cursor).unwrap())));
    // Writers run while the stream replays and then goes live.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    append_committed(&pool, alice, 100 + w * 25 + i).await;
                    if i % 5 == 0 {
                        append_committed(&pool, bob, -1).await;
                    }
                }
            })
        })
        .collect();

    let mut got = Vec::new();
    while got.len() < 102 {
        got.push(next_within(&mut stream, HANG_GUARD).await);
    }
    for w in writers {
        w.await.unwrap();
    }
    assert_quiet(&mut stream).await;

    let seqs: Vec<i64> = got.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (4..=105).collect::<Vec<_>>(), "in seq order, no gaps");
    assert!(got.iter().all(|e| e.recipient_id == alice));
    assert_eq!(n_of(&got[0]), 4);
    assert_eq!(n_of(&got[1]), 5);
    let live: HashSet<i64> = got[2..].iter().map(n_of).collect();
    assert_eq!(
        live,
        (100..200).collect::<HashSet<_>>(),
        "every live event exactly once"
    );
}

#[tokio::test]
async fn subscriber_in_one_process_gets_events_written_by_another() {
    let db = TestDatabase::new(MIGRATIONS).await;
    let pool_a = make_pool(db.url());
    let pool_b = make_pool(db.url());
    let feed_a = start_feed(&pool_a, db.url());
    let _feed_b = start_feed(&pool_b, db.url());
    let alice = Uuid::new_v4();
    wait_for_listeners(db.url(), 2).await;

    let mut stream = Box::pin(feed_a.subscribe(alice, Some(head_of(&pool_a, alice).await)));
    let_it_settle(&mut stream).await;
    assert_eq!(feed_a.watched_recipients(), 1);

    for n in 1..=3 {
        let seq = append_committed(&pool_b, alice, n).await;
        let event = next_within(&mut stream, WAKE_UP).await;
        assert_eq!((event.seq, n_of(&event)), (seq, n));
    }
    assert_quiet(&mut stream).await;

    drop(stream);
    assert_eq!(
        feed_a.watched_recipients(),
        0,
        "cleaned up when the last subscriber leaves"
    );
}

#[tokio::test]
async fn live_subscription_starts_at_the_head() {
    let (db, pool) = setup().await;
    let feed = start_feed(&pool, db.url());
    let alice = Uuid::new_v4();
    for n in 1..=3 {
        append_committed(&pool, alice, n).await;
    }
    wait_for_listeners(db.url(), 1).await;

    let mut first = Box::pin(feed.subscribe(alice, None));
    let mut second = Box::pin(feed.subscribe(alice, None));
    let_it_settle(&mut first).await;
    let_it_settle(&mut second).await;
    assert_eq!(feed.watched_recipients(), 1);

    // Where a live subscription starts is the head at its first read; keep
    // appending until each stream yields, so a slow first read cannot hang
    // the test. Nothing from before the subscription is replayed, and from
    // its first event on each stream is contiguous.
    let mut appended = 3;
    let mut last_seen = Vec::new();
    for stream in [&mut first, &mut second] {
        let deadline = tokio::time::Instant::now() + HANG_GUARD;
        let event = loop {
            appended += 1;
            append_committed(&pool, alice, appended).await;
            match tokio::time::timeout(Duration::from_millis(500), stream.next()).await {
                Ok(item) => break item.unwrap().unwrap(),
                Err(_) => assert!(tokio::time::Instant::now() < deadline, "no live event"),
            }
        };
        assert!(event.seq >= 4, "replayed {event:?}");
        assert_eq!(n_of(&event), event.seq);
        last_seen.push(event.seq);
    }
    appended += 1;
    append_committed(&pool, alice, appended).await;
    for (stream, last) in [&mut first, &mut second].into_iter().zip(last_seen) {
        for seq in last + 1..=appended {
            assert_eq!(next_within(stream, WAKE_UP).await.seq, seq);
        }
        assert_quiet(stream).await;
    }
    drop(first);
    assert_eq!(feed.watched_recipients(), 1, "still one subscriber");
    drop(second);
    assert_eq!(feed.watched_recipients(), 0);
}

#[tokio::test]
async fn concurrent_writers_get_contiguous_seqs() {
    let (_db, pool) = setup().await;
    let alice = Uuid::new_v4();

    let writers: Vec<_> = (0..8)
        .map(|w| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..25 {
                    seqs.push(append_committed(&pool, alice, w * 25 + i).await);
                }
                seqs
            })
        })
        .collect();
    let mut returned = Vec::new();
    for w in writers {
        returned.extend(w.await.unwrap());
    }
    returned.sort_unstable();
    assert_eq!(returned, (1..=200).collect::<Vec<_>>());

    let mut conn = pool.get().await.unwrap();
    let events = feed::read_after(&mut conn, alice, 0, 1000).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=200).collect::<Vec<_>>()
    );
    let ns: HashSet<i64> = events.iter().map(n_of).collect();
    assert_eq!(ns.len(), 200);
    assert_eq!(feed::head(&mut conn, alice).await.unwrap(), 200);
    let page = feed::read_after(&mut conn, alice, 150, 20).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (151..=170).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn append_many_appends_once_per_recipient() {
    let (_db, pool) = setup().await;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
    append_committed(&pool, alice, 0).await;

    let mut conn = pool.get().await.unwrap();
    let appended = conn
        .transaction(async |conn| {
            feed::append_many(conn, [bob, alice, bob], "test.event", &json!({ "n": 1 })).await
        })
        .await
        .unwrap();
    let mut expected = vec![(alice, 2), (bob, 1)];
    expected.sort_unstable();
    assert_eq!(appended, expected);
    assert_eq!(feed::head(&mut conn, alice).await.unwrap(), 2);
    assert_eq!(feed::head(&mut conn, bob).await.unwrap(), 1);
}

/// One delivery of an event in its own committed transaction.
async fn deliver_once(pool: &Pool, event_id: Uuid, recipients: &[Uuid]) -> Vec<(Uuid, i64)> {
    let payload = json!({ "event": event_id });
    let entries: Vec<feed::Entry<'_>> = recipients
        .iter()
        .map(|&recipient| feed::Entry {
            recipient,
            kind: "test.event",
            payload: &payload,
        })
        .collect();
    let mut conn = pool.get().await.unwrap();
    conn.transaction(async |conn| feed::append_once(conn, event_id, &entries).await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_redelivered_event_appends_nothing() {
    let (_db, pool) = setup().await;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
    append_committed(&pool, alice, 0).await;
    let event = Uuid::new_v4();
    let mut expected = vec![(alice, 2), (bob, 1)];
    expected.sort_unstable();
    assert_eq!(
        deliver_once(&pool, event, &[bob, alice, bob]).await,
        expected
    );
    for _ in 0..3 {
        assert!(deliver_once(&pool, event, &[alice, bob]).await.is_empty());
    }
    // Another event goes on from there, without a gap.
    assert_eq!(
        deliver_once(&pool, Uuid::new_v4(), &[alice]).await,
        [(alice, 3)]
    );
    assert_eq!(head_of(&pool, alice).await, 3);
    assert_eq!(head_of(&pool, bob).await, 1);
}

#[tokio::test]
async fn concurrent_deliveries_of_one_event_append_it_once() {
    let (_db, pool) = setup().await;
    let (alice, bob) = (Uuid::new_v4(), Uuid::new_v4());
    let both = [alice, bob];
    for round in 0..10_i64 {
        let event = Uuid::new_v4();
        let deliveries = (0..4).map(|_| deliver_once(&pool, event, &both));
        let results = futures::future::join_all(deliveries).await;
        let appended: Vec<_> = results.into_iter().filter(|r| !r.is_empty()).collect();
        assert_eq!(appended.len(), 1, "round {round}: {appended:?}");
        assert!(appended[0].iter().all(|&(_, seq)| seq == round + 1));
    }
    let mut conn = pool.get().await.unwrap();
    let seqs: Vec<i64> = feed::read_after(&mut conn, alice, 0, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
}

#[tokio::test]
async fn bad_cursors_are_rejected() {
    let (_db, pool) = setup().await;
    let alice = Uuid::new_v4();
    append_committed(&pool, alice, 1).await;
    let mut conn = pool.get().await.unwrap();
    let event = &feed::read_after(&mut conn, alice, 0, 1).await.unwrap()[0];
    assert_eq!(feed::parse_cursor(&event.cursor()).unwrap(), event.seq);
    assert_eq!(feed::encode_cursor(event.seq), event.cursor());

    for junk in [
        "", "junk", "1", "v1:1", "djE6LTE", "djI6MQ", "%%%", "djE6MQ==",
    ] {
        let err = feed::parse_cursor(junk).unwrap_err();
        assert!(matches!(err, FeedError::BadCursor), "{junk:?}: {err:?}");
        assert!(err.to_string().contains("invalid cursor"));
    }
}

#[tokio::test]
async fn resubscribing_with_the_last_cursor_gets_the_rest_exactly_once() {
    let (db, pool) = setup().await;
    let feed = start_feed(&pool, db.url());
    let alice = Uuid::new_v4();
    for n in 1..=2 {
        append_committed(&pool, alice, n).await;
    }

    wait_for_listeners(db.url(), 1).await;
    let mut stream = Box::pin(feed.subscribe(alice, Some(head_of(&pool, alice).await)));
    let_it_settle(&mut stream).await;
    for n in 3..=12 {
        append_committed(&pool, alice, n).await;
    }
    let mut last = None;
    for expected in 3..=6 {
        let event = next_within(&mut stream, WAKE_UP).await;
        assert_eq!(n_of(&event), expected);
        last = Some(event);
    }
    // The client disconnects after four events; more happen meanwhile.
    drop(stream);
    for n in 13..=15 {
        append_committed(&pool, alice, n).await;
    }

    let cursor = last.unwrap().cursor();
    let mut stream = Box::pin(feed.subscribe(alice, Some(feed::parse_cursor(&cursor).unwrap())));
    let mut rest = Vec::new();
    for _ in 7..=15 {
        rest.push(n_of(&next_within(&mut stream, WAKE_UP).await));
    }
    assert_eq!(rest, (7..=15).collect::<Vec<_>>());
    assert_quiet(&mut stream).await;

    append_committed(&pool, alice, 16).await;
    assert_eq!(
        n_of(&next_within(&mut stream, WAKE_UP).await),
        16,
        "and live after it"
    );
}

#[tokio::test]
async fn listener_reconnect_wakes_subscribers_for_missed_notifications() {
    let (db, pool) = setup().await;
    let feed = start_feed(&pool, db.url());
    let alice = Uuid::new_v4();
    wait_for_listeners(db.url(), 1).await;

    let mut stream = Box::pin(feed.subscribe(alice, Some(0)));
    let_it_settle(&mut stream).await;

    // Kill the listener and append in one transaction, so the notification is
    // sent while nobody listens; only the reconnect wake-up can deliver it.
    let admin = testkit::connect_pg(db.url()).await;
    let killed = admin
        .simple_query(
            "BEGIN; \
             SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity \
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN feed'; ",
        )
        .await
        .unwrap();
    let killed = killed
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
            _ => None,
        })
        .unwrap();
    assert_eq!(killed, "1", "exactly one listener connection");
    admin
        .simple_query(&format!(
            "WITH head AS (INSERT INTO feed_heads VALUES ('{alice}', 1) \
               ON CONFLICT (recipient_id) DO UPDATE SET last_seq = feed_heads.last_seq + 1 RETURNING last_seq) \
             INSERT INTO feed_events (recipient_id, seq, kind, payload) \
               SELECT '{alice}', last_seq, 'test.event', '{{\"n\": 7}}' FROM head; \
             SELECT pg_notify('feed', '{alice}'); \
             COMMIT;"
        ))
        .await
        .unwrap();

    // Reconnect backoff is 250 ms at first.
    let event = next_within(&mut stream, Duration::from_secs(5)).await;
    assert_eq!((event.seq, n_of(&event)), (1, 7));

    // And the new connection delivers notifications again.
    wait_for_listeners(db.url(), 1).await;
    append_committed(&pool, alice, 8).await;
    assert_eq!(n_of(&next_within(&mut stream, WAKE_UP).await), 8);
}

#[tokio::test]
async fn shutdown_ends_subscriptions() {
    let (db, pool) = setup().await;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let feed = Feed::start(pool.clone(), db.url().to_owned(), async move {
        let _ = stop_rx.await;
    });
    let alice = Uuid::new_v4();
    append_committed(&pool, alice, 1).await;

    let mut stream = Box::pin(feed.subscribe(alice, Some(0)));
    assert_eq!(n_of(&next_within(&mut stream, WAKE_UP).await), 1);
    let_it_settle(&mut stream).await;
    stop_tx.send(()).unwrap();
    let end = tokio::time::timeout(WAKE_UP, stream.next()).await.unwrap();
    assert!(end.is_none(), "stream ends at shutdown: {end:?}");

    let mut late = Box::pin(feed.subscribe(alice, Some(0)));
    assert!(
        tokio::time::timeout(WAKE_UP, late.next())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn database_errors_end_the_stream_with_one_error() {
    let (db, pool) = setup().await;
    let feed = start_feed(&pool, db.url());
    let alice = Uuid::new_v4();

    let mut stream = Box::pin(feed.subscribe(alice, Some(0)));
    let_it_settle(&mut stream).await;
    let admin = testkit::connect_pg(db.url()).await;
    admin
        .batch_execute("ALTER TABLE feed_events RENAME TO feed_events_gone")
        .await
        .unwrap();
    admin
        .batch_execute(&format!("SELECT pg_notify('feed', '{alice}')"))
        .await
        .unwrap();

    let item = tokio::time::timeout(WAKE_UP, stream.next()).await.unwrap();
    assert!(
        matches!(item, Some(Err(FeedError::Database(_)))),
        "{item:?}"
    );
    assert!(
        tokio::time::timeout(WAKE_UP, stream.next())
            .await
            .unwrap()
            .is_none()
    );
}

/// Makes `recipient`'s entries up to `seq` look `days` old.
async fn backdate(pool: &Pool, recipient: Uuid, up_to_seq: i64, days: i32) {
    use diesel::sql_types::{Int4, Int8};
    use diesel_async::RunQueryDsl as _;
    let mut conn = pool.get().await.unwrap();
    diesel::sql_query(
        "UPDATE feed_events SET created_at = now() - make_interval(days => $3) \
         WHERE recipient_id = $1 AND seq <= $2",
    )
    .bind::<diesel::sql_types::Uuid, _>(recipient)
    .bind::<Int8, _>(up_to_seq)
    .bind::<Int4, _>(days)
    .execute(&mut conn)
    .await
    .unwrap();
}

async fn prune_older_than(pool: &Pool, days: u32) -> u64 {
    let mut conn = pool.get().await.unwrap();
    let cutoff = feed::Retention::days(days).cutoff(chrono::Utc::now());
    feed::prune(&mut conn, cutoff).await.unwrap()
}

async fn first_error(
    stream: &mut (impl Stream<Item = Result<Event, FeedError>> + Unpin),
) -> FeedError {
    match tokio::time::timeout(WAKE_UP, stream.next()).await {
        Ok(Some(Err(err))) => err,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[tokio::test]
async fn pruning_keeps_heads_and_expires_cursors_before_the_oldest_kept_entry() {
    let (db, pool) = setup().await;
    let feed = start_feed(&pool, db.url());
    let alice = Uuid::new_v4();
    let bob = Uuid::new_v4();
    for n in 1..=4 {
        append_committed(&pool, alice, n).await;
    }
    append_committed(&pool, bob, 1).await;
    backdate(&pool, alice, 2, 31).await;
    backdate(&pool, bob, 1, 29).await;
    assert_eq!(prune_older_than(&pool, 30).await, 2, "alice's 1 and 2 only");
    assert_eq!(head_of(&pool, alice).await, 4);

    // Entries 1 and 2 are gone: cursors 0 and 1 are expired, 2 and later not.
    for after in [0, 1] {
        assert!(matches!(
            feed.check_cursor(alice, after).await,
            Err(FeedError::CursorExpired)
        ));
        let mut stream = Box::pin(feed.subscribe(alice, Some(after)));
        assert!(matches!(
            first_error(&mut stream).await,
            FeedError::CursorExpired
        ));
        assert!(stream.next().await.is_none(), "the stream ends");
    }
    feed.check_cursor(alice, 2).await.unwrap();
    let mut stream = Box::pin(feed.subscribe(alice, Some(2)));
    assert_eq!(n_of(&next_within(&mut stream, WAKE_UP).await), 3);
    assert_eq!(n_of(&next_within(&mut stream, WAKE_UP).await), 4);
    // At the head nothing newer is fine, also once everything is pruned;
    // the seq goes on.
    backdate(&pool, alice, 4, 31).await;
    assert_eq!(prune_older_than(&pool, 30).await, 2);
    feed.check_cursor(alice, 4).await.unwrap();
    assert!(matches!(
        feed.check_cursor(alice, 3).await,
        Err(FeedError::CursorExpired)
    ));
    let mut at_head = Box::pin(feed.subscribe(alice, Some(4)));
    assert_eq!(append_committed(&pool, alice, 5).await, 5);
    assert_eq!(n_of(&next_within(&mut at_head, WAKE_UP).await), 5);
    assert_eq!(n_of(&next_within(&mut stream, WAKE_UP).await), 5);
    // Someone without any entry: any cursor up to the head (0) is fine.
    feed.check_cursor(Uuid::new_v4(), 0).await.unwrap();
    feed.check_cursor(bob, 0).await.unwrap();
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_a_prune_gets_cursor_expired() {
    let (db, pool) = setup().await;
    let feed = start_feed(&pool, db.url());
    let alice = Uuid::new_v4();
    append_committed(&pool, alice, 1).await;
    let mut stream = Box::pin(feed.subscribe(alice, Some(0)));
    assert_eq!(n_of(&next_within(&mut stream, WAKE_UP).await), 1);
    // Entries 2..=3 come and are pruned before the stream reads them.
    append_committed(&pool, alice, 2).await;
    append_committed(&pool, alice, 3).await;
    backdate(&pool, alice, 2, 31).await;
    prune_older_than(&pool, 30).await;
    assert!(matches!(
        first_error(&mut stream).await,
        FeedError::CursorExpired
    ));
}

#[tokio::test]
async fn each_stream_refuses_the_cursors_of_another() {
    let friends = feed::Cursors::new("fe1");
    let messages = feed::DEFAULT_CURSORS;
    assert_eq!(friends.parse(&friends.encode(7)).unwrap(), 7);
    assert!(matches!(
        friends.parse(&messages.encode(7)),
        Err(FeedError::BadCursor)
    ));
    assert!(matches!(
        messages.parse(&friends.encode(7)),
        Err(FeedError::BadCursor)
    ));
    // The default is the tag of every cursor handed out before.
    assert_eq!(messages.encode(7), feed::encode_cursor(7));
}
