//! The one line of figures every fault test prints, so that `cargo xtask
//! bench faults` can collect them into `bench/RESULTS.md`.
//!
//! The line is `FAULT-FIGURES {json}` on stderr (shown with
//! `--nocapture`); tests never assert timings, they only report them.

use std::time::Duration;

/// What a fault test saw: events (or messages, or acknowledged writes) it
/// sent, how many arrived, how many never did, how many arrived more than
/// once, and how long the system took to recover from the fault.
#[derive(Debug, Clone, Default)]
pub struct FaultFigures {
    /// A short stable name, e.g. `pg_restart` or `worker_sigkill/broker`.
    pub test: String,
    pub sent: u64,
    pub received: u64,
    pub lost: u64,
    pub duplicated: u64,
    /// From the end of the fault (restart, reconnect) to normal service.
    pub recovery: Duration,
    /// Anything else worth a column: what was measured, odd counts.
    pub note: String,
}

/// The marker `cargo xtask bench faults` looks for.
pub const FIGURES_MARKER: &str = "FAULT-FIGURES ";

impl FaultFigures {
    pub fn new(test: impl Into<String>) -> Self {
        Self {
            test: test.into(),
            ..Self::default()
        }
    }

    /// Prints the figures line.
    pub fn report(&self) {
        let line = serde_json::json!({
            "test": self.test,
            "sent": self.sent,
            "received": self.received,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "recovery_ms": self.recovery.as_millis() as u64,
            "note": self.note,
        });
        eprintln!("{FIGURES_MARKER}{line}");
    }
}
