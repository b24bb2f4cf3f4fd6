//! The outbox settings every service exposes, flattened into its `Config`.

use std::time::Duration;

use crate::WorkerConfig;

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
}

impl Settings {
    pub fn worker_config(&self) -> WorkerConfig {
        WorkerConfig {
            poll_interval: Duration::from_millis(self.outbox_poll_interval_ms),
            max_attempts: self.outbox_max_attempts,
            ..WorkerConfig::default()
        }
    }
}
