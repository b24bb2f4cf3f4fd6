//! Load generators. [`run`] is closed-loop: `concurrency` tasks call one
//! async operation back to back until either the time or the request budget
//! runs out, whichever comes first. [`paced`] is open-loop: calls start at
//! a fixed rate whatever the answers do, as traffic of many independent
//! clients arrives. Every call is timed.

// Counts and latencies stay far below 2^52: f64 holds them exactly.
#![allow(clippy::cast_precision_loss)]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// When a run stops: both bounds always apply.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub duration: Duration,
    pub max_requests: u64,
}

/// What one run measured.
#[derive(Debug, Default)]
pub struct Stats {
    pub ok: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latencies of successful calls, sorted, in microseconds.
    latencies_us: Vec<u64>,
}

impl Stats {
    /// Successful calls per second.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile latency (0 < p ≤ 100) in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies_us.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.latencies_us.len()) - 1;
        self.latencies_us[index] as f64 / 1000.0
    }
}

/// Runs `call(n)` (n counts calls from 0) from `concurrency` tasks until the
/// limits are reached. `call` returns whether the call succeeded.
pub async fn run<F, Fut>(concurrency: usize, limits: Limits, call: F) -> Stats
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let call = Arc::new(call);
    let issued = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + limits.duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let call = Arc::clone(&call);
        let issued = Arc::clone(&issued);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            loop {
                let n = issued.fetch_add(1, Ordering::Relaxed);
                if n >= limits.max_requests || Instant::now() >= deadline {
                    break;
                }
                let t0 = Instant::now();
                let ok = tokio::time::timeout(limits.duration, call(n))
                    .await
                    .unwrap_or(false);
                if ok {
                    latencies.push(t0.elapsed().as_micros() as u64);
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut stats = Stats::default();
    for task in tasks {
        if let Ok((latencies, errors)) = task.await {
            stats.ok += latencies.len() as u64;
            stats.errors += errors;
            stats.latencies_us.extend(latencies);
        }
    }
    stats.elapsed = started.elapsed();
    stats.latencies_us.sort_unstable();
    stats
}

/// Starts `call(n)` `per_second` times a second (open loop) until the
/// limits are reached. Each call is a task of its own, so a slow answer
/// delays no later call (no coordinated omission); its latency counts from
/// when it started (the timer's lateness is the generator's, not the
/// system's).
pub async fn paced<F, Fut>(per_second: f64, limits: Limits, call: F) -> Stats
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + limits.duration;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / per_second));
    let mut tasks = Vec::new();
    for n in 0..limits.max_requests {
        tick.tick().await;
        if Instant::now() >= deadline {
            break;
        }
        let call = call(n);
        tasks.push(tokio::spawn(async move {
            let t0 = Instant::now();
            let ok = tokio::time::timeout(limits.duration, call)
                .await
                .unwrap_or(false);
            ok.then(|| t0.elapsed().as_micros() as u64)
        }));
    }
    let mut stats = Stats::default();
    for task in tasks {
        match task.await {
            Ok(Some(latency)) => {
                stats.ok += 1;
                stats.latencies_us.push(latency);
            }
            _ => stats.errors += 1,
        }
    }
    stats.elapsed = started.elapsed();
    stats.latencies_us.sort_unstable();
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stops_at_the_request_budget_and_counts_errors() {
        let limits = Limits {
            duration: Duration::from_secs(2),
            max_requests: 100,
        };
        let stats = run(4, limits, |n| async move { n % 10 != 0 }).await;
        assert_eq!(stats.ok + stats.errors, 100);
        assert_eq!(stats.errors, 10);
        assert!(stats.percentile_ms(99.0) >= 0.0);
    }

    #[tokio::test]
    async fn paced_calls_keep_their_rate() {
        let limits = Limits {
            duration: Duration::from_millis(500),
            max_requests: 1_000,
        };
        let stats = paced(100.0, limits, |n| async move { n % 10 != 0 }).await;
        // 100/s for 0.5 s: about 50 calls started.
        assert!((40..=60).contains(&(stats.ok + stats.errors)), "{stats:?}");
        assert!(stats.errors >= 4, "{stats:?}");
    }
}
