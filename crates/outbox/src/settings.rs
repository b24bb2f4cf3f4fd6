//! The outbox settings every service exposes, flattened into its `Config`.

use std::time::Duration;

use crate::WorkerConfig;
use crate::broker::{Broker, BrokerConfig};

/// How events reach the services that act on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Events {
    /// The producer's outbox worker calls the receiving service directly.
    Outbox,
    /// The outbox worker publishes to NATS JetStream; the receiving service
    /// consumes from it.
    Broker,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Run the outbox worker inside `serve`.
    #[arg(long, env = "RUN_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub run_worker: bool,
    /// Outbox fallback polling interval in milliseconds (NOTIFY wakes it sooner).
    #[arg(long, env = "OUTBOX_POLL_INTERVAL_MS", default_value_t = 1000)]
    pub outbox_poll_interval_ms: u64,
    /// Delivery attempts before an event is parked as dead.
    #[arg(long, env = "OUTBOX_MAX_ATTEMPTS", default_value_t = 20)]
    pub outbox_max_attempts: i32,
    /// `outbox` (direct delivery by the outbox worker) or `broker` (through
    /// NATS JetStream).
    #[arg(long, env = "EVENTS", value_enum, default_value_t = Events::Outbox)]
    pub events: Events,
    /// NATS server for `EVENTS=broker`.
    #[arg(long, env = "NATS_URL", default_value = "nats://127.0.0.1:4222")]
    pub nats_url: String,
    /// JetStream stream of the events (subjects `<stream>.<kind>`).
    #[arg(long, env = "NATS_STREAM", default_value = "messenger")]
    pub nats_stream: String,
}

impl Settings {
    pub fn worker_config(&self) -> WorkerConfig {
        WorkerConfig {
            poll_interval: Duration::from_millis(self.outbox_poll_interval_ms),
            max_attempts: self.outbox_max_attempts,
            ..WorkerConfig::default()
        }
    }

    /// The broker client, when `EVENTS=broker` (it connects on first use).
    pub fn broker(&self) -> Option<Broker> {
        (self.events == Events::Broker).then(|| {
            let worker = self.worker_config();
            Broker::new(BrokerConfig {
                url: self.nats_url.clone(),
                stream: self.nats_stream.clone(),
                max_deliver: i64::from(self.outbox_max_attempts.max(1)),
                ack_wait: Duration::from_secs(30),
                handler_timeout: worker.handler_timeout,
            })
        })
    }
}
