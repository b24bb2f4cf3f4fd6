//! Events in both modes (`EVENTS=outbox` and `EVENTS=broker`, the latter on
//! the machine's NATS JetStream at `NATS_URL`): the same test bodies run in
//! each mode, plus the faults — workers killed mid-batch, NATS unreachable.
//! Each test has its own databases and its own JetStream stream.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::pending;
use std::time::{Duration, Instant};

use crate::common::{Stack, wait_for_me};
use outbox::Events;
use outbox::broker::{Broker, Consumer};
use testkit::TestEvents;
use testkit::events::Mode;
use tokio::task::JoinHandle;

fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// Auth and users serving HTTP and gRPC, without their workers (a stack
/// whose delivery is on demand): each test starts (and kills) those itself.
struct Rig {
    mode: Events,
    stream: String,
    stack: Stack,
}

fn events_settings(settings: &mut outbox::Settings, mode: Events, stream: &str, nats: &str) {
    settings.events = mode;
    nats.clone_into(&mut settings.nats_url);
    stream.clone_into(&mut settings.nats_stream);
    settings.outbox_poll_interval_ms = 100;
}

impl Rig {
    async fn start(mode: Events) -> Rig {
        let events = TestEvents::new(match mode {
            Events::Outbox => Mode::Outbox,
            Events::Broker => Mode::Broker,
        });
        let stream = events.stream.clone();
        let stack = Stack::builder().events(events).users(|_| {}).start().await;
        Rig {
            mode,
            stream,
            stack,
        }
    }

    /// Auth's worker as `serve` runs it, with `nats` as NATS_URL.
    async fn auth_worker(&self, nats: &str) -> auth::Running {
        let mut config = self.stack.auth_config();
        events_settings(&mut config.service.outbox, self.mode, &self.stream, nats);
        auth::start(&config, auth::Parts::WORKER_ONLY)
            .await
            .expect("auth worker starts")
    }

    /// Users' worker (and, in broker mode, its JetStream consumer).
    async fn users_worker(&self) -> users::Running {
        self.users_worker_at(&nats_url()).await
    }

    async fn users_worker_at(&self, nats: &str) -> users::Running {
        let mut config = self.stack.users_config();
        events_settings(&mut config.service.outbox, self.mode, &self.stream, nats);
        users::start(&config, users::Parts::WORKER_ONLY)
            .await
            .expect("users worker starts")
    }

    fn broker(&self, url: &str) -> Broker {
        Broker::new(outbox::broker::BrokerConfig {
            url: url.to_owned(),
            stream: self.stream.clone(),
            max_deliver: 20,
            // Short, so that messages a killed consumer held come back soon.
            ack_wait: Duration::from_secs(2),
            handler_timeout: Duration::from_secs(10),
        })
    }

    /// The same handlers `serve` registers, in tasks this test can abort
    /// (a kill: no shutdown path runs, open transactions die with their
    /// connections).
    fn killable_workers(&self) -> Vec<JoinHandle<()>> {
        let pool = service_runtime::db::pool(self.stack.auth_db().url(), 4).expect("pool");
        let config = outbox::WorkerConfig {
            poll_interval: Duration::from_millis(100),
            backoff_base: Duration::from_millis(100),
            ..outbox::WorkerConfig::default()
        };
        let worker = outbox::Worker::new(pool, self.stack.auth_db().url().to_owned(), config);
        match self.mode {
            Events::Outbox => {
                let handler = auth::jobs::CreateUser::new(
                    &self.stack.users().grpc_url(),
                    &grpc_api::ServiceToken::ephemeral(),
                )
                .expect("users URL");
                vec![tokio::spawn(worker.handler(handler).run(pending()))]
            }
            Events::Broker => {
                let broker = self.broker(&nats_url());
                let publisher = worker.forward::<contracts::CreateUser>(broker.clone());
                let consumer = Consumer::new(broker, "users").handler(
                    users::jobs::CreateUser::new(self.stack.users().service.clone()),
                );
                vec![
                    tokio::spawn(publisher.run(pending())),
                    tokio::spawn(consumer.run(pending())),
                ]
            }
        }
    }

    async fn users_count(&self) -> i64 {
        let sql = testkit::connect_pg(self.stack.users_db().url()).await;
        sql.query_one("SELECT count(*) FROM users", &[])
            .await
            .expect("count users")
            .get(0)
    }

    async fn pending_events(&self) -> i64 {
        let sql = testkit::connect_pg(self.stack.auth_db().url()).await;
        sql.query_one("SELECT count(*) FROM outbox WHERE dead_at IS NULL", &[])
            .await
            .expect("count outbox")
            .get(0)
    }

    /// Messages JetStream stored for this test (broker mode).
    async fn stream_messages(&self) -> u64 {
        let mut stream = self.broker(&nats_url()).stream().await.expect("stream");
        stream.info().await.expect("stream info").state.messages
    }

    /// Waits until users holds `n` rows and auth's outbox is empty.
    async fn wait_delivered(&self, n: i64, within: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let (users, pending) = (self.users_count().await, self.pending_events().await);
            if users == n && pending == 0 {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < within,
                "{:?}: {users} of {n} users, {pending} events pending after {within:?}",
                self.mode
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn cleanup(self) {
        if self.mode == Events::Broker {
            let _ = self.broker(&nats_url()).delete_stream().await;
        }
    }
}

/// The matrix: one body, both modes.
async fn in_both_modes<F, Fut>(body: F)
where
    F: Fn(Events) -> Fut,
    Fut: Future<Output = ()>,
{
    for mode in [Events::Outbox, Events::Broker] {
        eprintln!("--- EVENTS={mode:?}");
        body(mode).await;
    }
}

#[tokio::test]
async fn registering_creates_the_user_in_both_modes() {
    in_both_modes(|mode| async move {
        let rig = Rig::start(mode).await;
        let auth_worker = rig.auth_worker(&nats_url()).await;
        let users_worker = rig.users_worker().await;

        let mut people = Vec::new();
        for name in ["ada", "grace"] {
            let email = format!("{name}@example.com");
            people.push(rig.stack.register(&email).await);
        }
        for person in &people {
            let me = wait_for_me(person).await;
            assert_eq!(me["id"], person.id.as_str(), "{mode:?}");
        }
        assert_eq!(rig.users_count().await, 2, "{mode:?}");
        assert_eq!(rig.pending_events().await, 0, "{mode:?}");
        if mode == Events::Broker {
            // They really went through JetStream.
            assert_eq!(rig.stream_messages().await, 2);
        }
        auth_worker.stop().await;
        users_worker.stop().await;
        rig.cleanup().await;
    })
    .await;
}

/// Workers killed in the middle of delivering a backlog, then restarted:
/// every event applied, none twice (one row per account; redelivered events
/// hit the idempotent CreateUser and change nothing).
#[tokio::test]
async fn workers_killed_mid_batch_lose_nothing_and_apply_nothing_twice() {
    in_both_modes(|mode| async move {
        const EVENTS: i64 = 300;
        let rig = Rig::start(mode).await;
        let accounts: Vec<uuid::Uuid> = (0..EVENTS).map(|_| uuid::Uuid::new_v4()).collect();
        {
            // The backlog, as registrations would leave it (one transaction
            // here, to make it quickly).
            use diesel_async::{AsyncConnection as _, AsyncPgConnection};
            let mut conn = AsyncPgConnection::establish(rig.stack.auth_db().url())
                .await
                .expect("connect auth db");
            let accounts = &accounts;
            conn.transaction(async |conn| {
                for (i, id) in accounts.iter().enumerate() {
                    let event = contracts::CreateUser {
                        account_id: *id,
                        email: format!("kill{i}@example.com"),
                    };
                    outbox::enqueue(conn, &event).await?;
                }
                Ok::<_, diesel::result::Error>(())
            })
            .await
            .expect("enqueue backlog");
        }

        // Kill as soon as a part of the backlog has been applied.
        let workers = rig.killable_workers();
        let started = Instant::now();
        let applied = loop {
            let n = rig.users_count().await;
            if n >= EVENTS / 5 {
                break n;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no progress");
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        for w in &workers {
            w.abort();
        }
        for w in workers {
            let _ = w.await;
        }
        // Let the killed connections' transactions roll back.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let applied_at_kill = rig.users_count().await;
        let pending_at_kill = rig.pending_events().await;
        assert!(
            applied_at_kill < EVENTS,
            "{mode:?}: the kill came too late ({applied} applied)"
        );

        let workers = rig.killable_workers();
        let recovery = rig.wait_delivered(EVENTS, Duration::from_secs(60)).await;
        // Let stragglers (redeliveries) land before counting.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let sql = testkit::connect_pg(rig.stack.users_db().url()).await;
        let ids: Vec<String> = accounts.iter().map(ToString::to_string).collect();
        let row = sql
            .query_one(
                "SELECT count(*), count(DISTINCT id), count(DISTINCT lower(nickname)),
                        count(*) FILTER (WHERE id::text = ANY($1))
                 FROM users",
                &[&ids],
            )
            .await
            .expect("count");
        let (rows, ids, nicknames, ours): (i64, i64, i64, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        // Every nickname is a default one, the one the account got first
        // (a second application finds the account's user and changes nothing).
        let not_default: i64 = sql
            .query_one(
                "SELECT count(*) FROM users WHERE nickname !~ '^user_[0-9a-z]{6}$'",
                &[],
            )
            .await
            .expect("nicknames")
            .get(0);
        let redelivered = (applied_at_kill + pending_at_kill - EVENTS).max(0);
        testkit::FaultFigures {
            test: format!("workers_aborted/{}", format!("{mode:?}").to_lowercase()),
            sent: EVENTS as u64,
            received: ours as u64,
            lost: (EVENTS - ours) as u64,
            duplicated: (rows - ids) as u64 + not_default as u64,
            recovery,
            note: format!(
                "tasks aborted after {applied_at_kill} applied, {pending_at_kill} in the outbox \
                 ({redelivered} applied and redelivered)"
            ),
        }
        .report();
        assert_eq!(
            (rows, ids, nicknames, ours),
            (EVENTS, EVENTS, EVENTS, EVENTS)
        );
        assert_eq!(not_default, 0, "{mode:?}: a nickname is not a default one");
        if mode == Events::Broker {
            assert_eq!(
                rig.stream_messages().await,
                EVENTS as u64,
                "one message per event"
            );
        }
        for w in &workers {
            w.abort();
        }
        rig.cleanup().await;
    })
    .await;
}

/// NATS unreachable in broker mode: events wait in the outbox (nothing is
/// lost, nothing reaches users), then flow once a worker can reach NATS.
#[tokio::test]
async fn nats_unreachable_keeps_events_in_the_outbox_until_it_is_back() {
    let rig = Rig::start(Events::Broker).await;
    let users_worker = rig.users_worker().await;
    // A port nothing listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let stranded = rig.auth_worker(&format!("nats://127.0.0.1:{closed}")).await;

    let mut people = Vec::new();
    for i in 0..3 {
        let email = format!("offline{i}@example.com");
        people.push(rig.stack.register(&email).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(rig.pending_events().await, 3, "events wait in the outbox");
    assert_eq!(rig.users_count().await, 0);
    let sql = testkit::connect_pg(rig.stack.auth_db().url()).await;
    let errors: Vec<String> = sql
        .query(
            "SELECT last_error FROM outbox WHERE last_error IS NOT NULL",
            &[],
        )
        .await
        .expect("errors")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(!errors.is_empty(), "the failed publishes are recorded");
    assert!(errors.iter().all(|e| e.contains("NATS")), "{errors:?}");
    stranded.stop().await;

    // The worker comes back with a NATS it can reach.
    let worker = rig.auth_worker(&nats_url()).await;
    let recovery = rig.wait_delivered(3, Duration::from_secs(30)).await;
    testkit::FaultFigures {
        test: "nats_unreachable".to_owned(),
        sent: 3,
        received: rig.users_count().await as u64,
        lost: 3 - rig.users_count().await as u64,
        recovery,
        note: "worker restarted with a reachable NATS_URL".to_owned(),
        ..testkit::FaultFigures::default()
    }
    .report();
    for person in &people {
        wait_for_me(person).await;
    }
    assert_eq!(rig.stream_messages().await, 3);
    worker.stop().await;
    users_worker.stop().await;
    rig.cleanup().await;
}

/// NATS stopped in broker mode (a private `nats-server -js`, killed and
/// started again on the same port and store, the workers untouched): events
/// wait in the outbox meanwhile and flow on their own once it is back.
#[tokio::test]
async fn nats_stopped_keeps_events_in_the_outbox_and_they_flow_when_it_is_back() {
    let nats = std::sync::Arc::new(
        tokio::task::spawn_blocking(testkit::PrivateNats::start)
            .await
            .expect("nats starts"),
    );
    let rig = Rig::start(Events::Broker).await;
    let users_worker = rig.users_worker_at(&nats.url()).await;
    let auth_worker = rig.auth_worker(&nats.url()).await;
    let before = rig.stack.register("before@example.com").await;
    wait_for_me(&before).await;

    let down = nats.clone();
    tokio::task::spawn_blocking(move || down.stop())
        .await
        .expect("nats stops");
    let mut people = Vec::new();
    for i in 0..3 {
        let email = format!("during{i}@example.com");
        people.push(rig.stack.register(&email).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(rig.pending_events().await, 3, "events wait in the outbox");
    assert_eq!(rig.users_count().await, 1);

    let up = nats.clone();
    tokio::task::spawn_blocking(move || up.start_again())
        .await
        .expect("nats starts again");
    let recovery = rig.wait_delivered(4, Duration::from_secs(60)).await;
    for person in &people {
        wait_for_me(person).await;
    }
    let mut stream = rig.broker(&nats.url()).stream().await.expect("stream");
    let messages = stream.info().await.expect("stream info").state.messages;
    let received = rig.users_count().await as u64;
    testkit::FaultFigures {
        test: "nats_stopped".to_owned(),
        sent: 4,
        received,
        lost: 4 - received,
        duplicated: messages.saturating_sub(4),
        recovery,
        note: format!("3 registered while NATS was down (2 s); {messages} stream messages"),
    }
    .report();
    assert_eq!(messages, 4, "one stream message per event");
    auth_worker.stop().await;
    users_worker.stop().await;
}
