//! A real worker process killed with SIGKILL in the middle of a batch, then
//! started again, in both `EVENTS` modes: no event lost, none applied twice.
//!
//! The killed process is the `auth worker` binary (built by cargo for this
//! test), delivering a backlog of `users.create_user` events: straight to
//! users' `CreateUser` over gRPC (`EVENTS=outbox`), or to a JetStream stream
//! of this test's own that users consumes (`EVENTS=broker`). SIGKILL runs no
//! shutdown path: the batch's transaction dies with the process's
//! connections, so events already delivered but not yet deleted are delivered
//! again after the restart. That they change nothing is observed, not
//! assumed: one user per account, every nickname a default one, and in
//! broker mode one stream message per event.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::process::ExitStatusExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use outbox::Events;
use outbox::broker::{Broker, BrokerConfig};
use testkit::{FaultFigures, TestDatabase};

const AUTH_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/auth");
const USERS_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/users");
/// The backlog; the kill comes once a fifth of it has been delivered.
const EVENTS: i64 = 500;

fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// `auth worker` as a child process; SIGKILLed if the test ends early.
struct WorkerProcess {
    child: Child,
    log: PathBuf,
}

impl WorkerProcess {
    fn spawn(env: &[(&str, String)], log: PathBuf) -> WorkerProcess {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("worker log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_auth"));
        cmd.arg("worker")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn,outbox=info")
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log fd"))
            .stderr(file);
        for (key, value) in env {
            cmd.env(key, value);
        }
        let child = cmd.spawn().expect("auth worker starts");
        WorkerProcess { child, log }
    }

    /// SIGKILL (`Child::kill` on unix), and check that it was one.
    fn sigkill(mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("wait for the killed worker");
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status:?}");
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Rig {
    mode: Events,
    stream: String,
    auth_db: TestDatabase,
    users_db: TestDatabase,
    /// Users serving gRPC (CreateUser), and in broker mode consuming.
    users: users::Running,
    log: PathBuf,
}

impl Rig {
    async fn start(mode: Events) -> Rig {
        let stream = format!("test_{}", uuid::Uuid::new_v4().simple());
        let auth_db = TestDatabase::new(AUTH_MIGRATIONS).await;
        let users_db = TestDatabase::new(USERS_MIGRATIONS).await;
        let mut config = users::Config::defaults();
        users_db.url().clone_into(&mut config.service.database_url);
        config.service.db_pool_size = 8;
        // Never asked: nothing here calls users with a token.
        "http://127.0.0.1:9".clone_into(&mut config.auth_grpc_url);
        config.service.outbox.events = mode;
        config.service.outbox.nats_url = nats_url();
        config.service.outbox.nats_stream.clone_from(&stream);
        config.service.outbox.outbox_poll_interval_ms = 100;
        let parts = users::Parts {
            http: false,
            grpc: true,
            worker: mode == Events::Broker,
        };
        let users = users::start(&config, parts).await.expect("users starts");
        let log = std::env::temp_dir().join(format!("worker-sigkill-{stream}.log"));
        Rig {
            mode,
            stream,
            auth_db,
            users_db,
            users,
            log,
        }
    }

    fn spawn_worker(&self) -> WorkerProcess {
        let mode = match self.mode {
            Events::Outbox => "outbox",
            Events::Broker => "broker",
        };
        WorkerProcess::spawn(
            &[
                ("DATABASE_URL", self.auth_db.url().to_owned()),
                ("DB_POOL_SIZE", "4".to_owned()),
                ("USERS_GRPC_URL", self.users.grpc_url()),
                (
                    "INTERNAL_SERVICE_TOKEN",
                    grpc_api::ServiceToken::ephemeral().expose().to_owned(),
                ),
                ("EVENTS", mode.to_owned()),
                ("NATS_URL", nats_url()),
                ("NATS_STREAM", self.stream.clone()),
                ("OUTBOX_POLL_INTERVAL_MS", "100".to_owned()),
                ("HASH_CONCURRENCY", "1".to_owned()),
            ],
            self.log.clone(),
        )
    }

    async fn enqueue_backlog(&self, accounts: &[uuid::Uuid]) {
        use diesel_async::{AsyncConnection as _, AsyncPgConnection};
        let mut conn = AsyncPgConnection::establish(self.auth_db.url())
            .await
            .expect("connect auth db");
        // As registrations leave them, in one transaction to be quick.
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

    async fn users_count(&self) -> i64 {
        count(self.users_db.url(), "SELECT count(*) FROM users").await
    }

    async fn pending_events(&self) -> i64 {
        count(
            self.auth_db.url(),
            "SELECT count(*) FROM outbox WHERE dead_at IS NULL",
        )
        .await
    }

    fn broker(&self) -> Broker {
        Broker::new(BrokerConfig {
            url: nats_url(),
            stream: self.stream.clone(),
            max_deliver: 20,
            ack_wait: Duration::from_secs(30),
            handler_timeout: Duration::from_secs(10),
        })
    }

    async fn stream_messages(&self) -> u64 {
        let mut stream = self.broker().stream().await.expect("stream");
        stream.info().await.expect("stream info").state.messages
    }
}

async fn count(url: &str, sql: &str) -> i64 {
    testkit::connect_pg(url)
        .await
        .query_one(sql, &[])
        .await
        .expect(sql)
        .get(0)
}

async fn worker_sigkilled_mid_batch(mode: Events) {
    let rig = Rig::start(mode).await;
    let accounts: Vec<uuid::Uuid> = (0..EVENTS).map(|_| uuid::Uuid::new_v4()).collect();
    rig.enqueue_backlog(&accounts).await;

    // Kill once a fifth of the backlog has left the outbox (batches of 32
    // are claimed, delivered and deleted in one transaction): the worker is
    // then in the middle of a batch.
    let worker = rig.spawn_worker();
    let started = Instant::now();
    loop {
        if rig.pending_events().await <= EVENTS * 4 / 5 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{mode:?}: no progress; worker log:\n{}",
            worker.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    worker.sigkill();
    // The killed connections' transactions roll back, and in broker mode the
    // consumer applies what was published before the kill.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let pending_at_kill = rig.pending_events().await;
    let applied_at_kill = rig.users_count().await;
    // Delivered (applied, or published) before the kill but still in the
    // outbox: these are delivered again after the restart.
    let redelivered = match mode {
        Events::Outbox => applied_at_kill + pending_at_kill - EVENTS,
        Events::Broker => rig.stream_messages().await as i64 + pending_at_kill - EVENTS,
    };
    assert!(
        pending_at_kill > 0,
        "{mode:?}: the kill came too late (the outbox was empty)"
    );

    let restarted = Instant::now();
    let worker = rig.spawn_worker();
    loop {
        let (users, pending) = (rig.users_count().await, rig.pending_events().await);
        if users == EVENTS && pending == 0 {
            break;
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(60),
            "{mode:?}: {users} of {EVENTS} users, {pending} events pending; worker log:\n{}",
            worker.log_tail()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let recovery = restarted.elapsed();
    // Let redeliveries land before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let sql = testkit::connect_pg(rig.users_db.url()).await;
    let ids: Vec<String> = accounts.iter().map(ToString::to_string).collect();
    let row = sql
        .query_one(
            "SELECT count(*), count(DISTINCT id), count(DISTINCT lower(nickname)),
                    count(*) FILTER (WHERE id::text = ANY($1)),
                    count(*) FILTER (WHERE nickname !~ '^user_[0-9a-z]{6}$')
             FROM users",
            &[&ids],
        )
        .await
        .expect("count");
    let (rows, distinct, nicknames, ours, not_default): (i64, i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    let stream_messages = if mode == Events::Broker {
        Some(rig.stream_messages().await)
    } else {
        None
    };
    FaultFigures {
        test: format!("worker_sigkill/{}", format!("{mode:?}").to_lowercase()),
        sent: EVENTS as u64,
        received: ours as u64,
        lost: (EVENTS - ours) as u64,
        duplicated: (rows - distinct) as u64 + not_default as u64,
        recovery,
        note: format!(
            "SIGKILL after {applied_at_kill} applied, {pending_at_kill} in the outbox \
             ({redelivered} delivered before the kill and again after it){}",
            stream_messages.map_or(String::new(), |n| format!(", {n} stream messages"))
        ),
    }
    .report();

    assert_eq!(
        (rows, distinct, nicknames, ours),
        (EVENTS, EVENTS, EVENTS, EVENTS),
        "{mode:?}: one user per event"
    );
    // Every nickname is a default one: a second application finds the
    // account's user and changes nothing (idempotent by account id).
    assert_eq!(not_default, 0, "{mode:?}: a nickname is not a default one");
    if let Some(n) = stream_messages {
        // Republished rows were dropped by JetStream's duplicate window.
        assert_eq!(n, EVENTS as u64, "one stream message per event");
    }
    drop(worker);
    if mode == Events::Broker {
        let _ = rig.broker().delete_stream().await;
    }
    rig.users.stop().await;
    let _ = std::fs::remove_file(&rig.log);
}

#[tokio::test]
async fn outbox_worker_sigkilled_mid_batch_loses_nothing_and_applies_nothing_twice() {
    worker_sigkilled_mid_batch(Events::Outbox).await;
}

#[tokio::test]
async fn broker_worker_sigkilled_mid_batch_loses_nothing_and_applies_nothing_twice() {
    worker_sigkilled_mid_batch(Events::Broker).await;
}
