//! `EVENTS` modes for test matrices: one test body, run once with
//! `EVENTS=outbox` and once with `EVENTS=broker` (NATS JetStream at
//! `NATS_URL`, default `nats://127.0.0.1:4222`), each run on a JetStream
//! stream of its own so that parallel tests never see each other's events.
//!
//! ```ignore
//! async fn events_arrive(events: testkit::TestEvents) { /* start services with it */ }
//! testkit::in_both_modes!(events_arrive);
//! ```
//! declares the tests `events_arrive::outbox` and `events_arrive::broker`.

use std::time::Duration;

/// How the services under test exchange events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The outbox worker delivers directly.
    Outbox,
    /// Through a NATS JetStream stream.
    Broker,
}

/// The `NATS_URL` of the tests.
pub fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// The events set-up of one test: its mode, and in broker mode its own
/// stream, deleted when this is dropped.
#[derive(Debug)]
pub struct TestEvents {
    pub mode: Mode,
    pub nats_url: String,
    /// A fresh stream name (`test_<uuid>`), used in broker mode.
    pub stream: String,
}

impl TestEvents {
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            nats_url: nats_url(),
            stream: format!("test_{}", uuid::Uuid::new_v4().simple()),
        }
    }

    pub fn is_broker(&self) -> bool {
        self.mode == Mode::Broker
    }
}

impl Drop for TestEvents {
    /// Deletes the stream (best effort: a leftover stream only costs disk
    /// on the NATS server). Runs on a thread of its own, since drop cannot
    /// await and the test's runtime may be single-threaded.
    fn drop(&mut self) {
        if self.mode != Mode::Broker {
            return;
        }
        let (url, stream) = (self.nats_url.clone(), self.stream.clone());
        let deleted = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let client =
                    tokio::time::timeout(Duration::from_secs(2), async_nats::connect(url.as_str()))
                        .await
                        .ok()?
                        .ok()?;
                let js = async_nats::jetstream::new(client);
                tokio::time::timeout(Duration::from_secs(2), js.delete_stream(&stream))
                    .await
                    .ok()?
                    .ok()
            })
        })
        .join();
        if !matches!(deleted, Ok(Some(_))) {
            tracing::warn!(stream = %self.stream, "testkit: could not delete the test's JetStream stream");
        }
    }
}

/// Declares `<body>::outbox` and `<body>::broker`, two tests that call
/// `body(TestEvents)` (an `async fn`) in each mode.
#[macro_export]
macro_rules! in_both_modes {
    ($($body:ident),+ $(,)?) => {$(
        mod $body {
            #[tokio::test]
            async fn outbox() {
                super::$body($crate::TestEvents::new($crate::events::Mode::Outbox)).await;
            }
            #[tokio::test]
            async fn broker() {
                super::$body($crate::TestEvents::new($crate::events::Mode::Broker)).await;
            }
        }
    )+};
}
