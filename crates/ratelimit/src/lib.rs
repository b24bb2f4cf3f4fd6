//! Throttling that holds across every replica of a service.
//!
//! The state lives in the service's own PostgreSQL database (table
//! `rate_limits`, DDL in `migrations/`; services copy that folder), one row
//! per key. The algorithm is GCRA (the generic cell rate algorithm, a token
//! bucket kept as a single timestamp): a [`Rate`] of `max` per `per` allows
//! a burst of `max`, then one request every `per / max`; a refused request
//! changes nothing, and the answer says exactly when the next one is allowed.
//! One `INSERT … ON CONFLICT DO UPDATE … WHERE` decides, so concurrent
//! requests for one key — on any replica — are counted one after the other
//! under the row lock, and the clock is the database's, not each replica's.
//!
//! Why PostgreSQL and not Redis: every service already depends on it (a
//! throttled request touches the database anyway), and the table is
//! UNLOGGED, so a check writes no WAL and waits for no fsync: measured at
//! 0.1–0.25 ms a check (Redis: 0.01–0.13 ms an INCR), beside operations
//! that cost milliseconds (a commit) to tens of milliseconds (argon2). A
//! second piece of infrastructure would be one more thing to run, secure
//! and monitor for no gain a user could notice. See docs/security.md.

mod rate;

use std::net::IpAddr;
use std::time::Duration;

use api_errors::{ApiError, ApiResult};
use diesel::data_types::PgInterval;
use diesel::prelude::*;
use diesel::sql_types::{Double, Interval, Text};
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use sha2::{Digest as _, Sha256};

pub use rate::{ParseRateError, Rate};

/// How often services delete spent rows (see [`Limiter::prune_periodically`]).
pub const PRUNE_EVERY: Duration = Duration::from_mins(10);

/// What one request was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Over the rate: the next request is allowed after `retry_after`.
    Limited {
        retry_after: Duration,
    },
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Decision::Allowed
    }

    /// `Ok` when allowed, else `RATE_LIMITED` with `extensions.retryAfter`
    /// in whole seconds (at least 1).
    pub fn into_result(self) -> ApiResult<()> {
        match self {
            Decision::Allowed => Ok(()),
            Decision::Limited { retry_after } => {
                Err(ApiError::rate_limited(retry_after_secs(retry_after)))
            }
        }
    }
}

fn retry_after_secs(retry_after: Duration) -> u64 {
    let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
    secs.max(1)
}

fn interval(duration: Duration) -> PgInterval {
    PgInterval::from_microseconds(i64::try_from(duration.as_micros()).unwrap_or(i64::MAX))
}

#[derive(QueryableByName)]
struct Wait {
    #[diesel(sql_type = Double)]
    secs: f64,
}

/// The GCRA step as SQL text, for [`check`] and for statements that count
/// a request as one of their parts (messaging's send statement): an
/// `INSERT … ON CONFLICT DO UPDATE … WHERE` on `rate_limits` that returns
/// a row when the request is allowed and none when it is refused (then it
/// changes nothing). Arguments are SQL placeholders (or expressions) as
/// string literals: the key (text), the step and the period (intervals,
/// [`Charge`]), and a boolean condition under which to count at all; add
/// your own `RETURNING`.
///
/// A new key starts at `now() + step`, which is always within the period.
/// An existing one moves forward by one step if that keeps it within
/// `now() + period`; otherwise the `WHERE` leaves it alone.
#[macro_export]
macro_rules! gcra_sql {
    ($key:literal, $step:literal, $period:literal, $when:literal) => {
        concat!(
            "INSERT INTO rate_limits AS r (key, tat) SELECT ",
            $key,
            ", now() + ",
            $step,
            " WHERE ",
            $when,
            " ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, now()) + ",
            $step,
            " WHERE GREATEST(r.tat, now()) + ",
            $step,
            " <= now() + ",
            $period
        )
    };
}

/// What a statement built with [`gcra_sql!`] binds for one request.
#[derive(Debug, Clone)]
pub struct Charge<'a> {
    pub key: &'a str,
    /// One request's share of the period (`per / max`).
    pub step: PgInterval,
    pub period: PgInterval,
}

impl<'a> Charge<'a> {
    /// `None` when `rate` is off (nothing to count).
    pub fn new(key: &'a str, rate: Rate) -> Option<Self> {
        (!rate.is_off()).then(|| Self {
            key,
            step: interval(rate.interval()),
            period: interval(rate.per),
        })
    }
}

/// Counts one request for `key` against `rate` on `conn` (inside the
/// caller's transaction, if it has one: a rollback then forgets the
/// request too).
pub async fn check(conn: &mut AsyncPgConnection, key: &str, rate: Rate) -> QueryResult<Decision> {
    let Some(charge) = Charge::new(key, rate) else {
        return Ok(Decision::Allowed);
    };
    let allowed = prepared::sql(concat!(
        gcra_sql!("$1", "$2", "$3", "true"),
        " RETURNING 0::float8 AS secs"
    ))
    .bind::<Text, _>(charge.key)
    .bind::<Interval, _>(charge.step)
    .bind::<Interval, _>(charge.period)
    .get_result::<Wait>(conn)
    .await
    .optional()?;
    if allowed.is_some() {
        return Ok(Decision::Allowed);
    }
    refused(conn, key, rate).await
}

/// The answer for a request [`gcra_sql!`] refused: when the next one for
/// `key` will be allowed.
pub async fn refused(conn: &mut AsyncPgConnection, key: &str, rate: Rate) -> QueryResult<Decision> {
    // The next request fits once now() + period reaches tat + step.
    let wait = prepared::sql(
        "SELECT GREATEST(EXTRACT(EPOCH FROM tat + $2 - $3 - now()), 0)::float8 AS secs
         FROM rate_limits WHERE key = $1",
    )
    .bind::<Text, _>(key)
    .bind::<Interval, _>(interval(rate.interval()))
    .bind::<Interval, _>(interval(rate.per))
    .get_result::<Wait>(conn)
    .await
    .optional()?;
    let secs = wait.map_or(0.0, |w| w.secs);
    Ok(Decision::Limited {
        retry_after: Duration::try_from_secs_f64(secs).unwrap_or(rate.per),
    })
}

/// Whether one more request for `key` would be allowed now, without
/// counting one: for limits that count only failures (a caller peeks
/// before the attempt, and [`check`]s after one that failed), so an
/// owner's successes never use up the allowance.
pub async fn peek(conn: &mut AsyncPgConnection, key: &str, rate: Rate) -> QueryResult<Decision> {
    if rate.is_off() {
        return Ok(Decision::Allowed);
    }
    match refused(conn, key, rate).await? {
        Decision::Limited { retry_after } if !retry_after.is_zero() => {
            Ok(Decision::Limited { retry_after })
        }
        _ => Ok(Decision::Allowed),
    }
}

/// Deletes rows whose time has passed (they mean the same as no row);
/// returns how many.
pub async fn prune(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    prepared::sql("DELETE FROM rate_limits WHERE tat < now()")
        .execute(conn)
        .await
}

/// The part of a client address that one party controls: the address
/// itself for IPv4, the /64 prefix for IPv6 (one subscriber usually gets a
/// whole /64, so counting single addresses would be no limit at all).
pub fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// A key part for a value that should not be stored in the clear (an
/// email address typed by a stranger): its SHA-256, in hex.
pub fn hashed(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A limiter over a service's connection pool.
#[derive(Clone)]
pub struct Limiter {
    pool: Pool<AsyncPgConnection>,
}

impl Limiter {
    pub fn new(pool: Pool<AsyncPgConnection>) -> Self {
        Self { pool }
    }

    /// Counts one request for `key`; `RATE_LIMITED` when over `rate`.
    pub async fn check(&self, key: &str, rate: Rate) -> ApiResult<()> {
        if rate.is_off() {
            return Ok(());
        }
        let mut conn = self.pool.get().await?;
        check(&mut conn, key, rate).await?.into_result()
    }

    /// Like [`check`](Self::check), returning the decision.
    pub async fn decide(&self, key: &str, rate: Rate) -> ApiResult<Decision> {
        if rate.is_off() {
            return Ok(Decision::Allowed);
        }
        let mut conn = self.pool.get().await?;
        Ok(check(&mut conn, key, rate).await?)
    }

    /// [`peek`]: `RATE_LIMITED` when a request for `key` would be refused
    /// now; counts nothing.
    pub async fn peek(&self, key: &str, rate: Rate) -> ApiResult<()> {
        if rate.is_off() {
            return Ok(());
        }
        let mut conn = self.pool.get().await?;
        peek(&mut conn, key, rate).await?.into_result()
    }

    /// Deletes spent rows every `every` until `shutdown` resolves.
    pub async fn prune_periodically(
        self,
        every: Duration,
        shutdown: impl Future<Output = ()> + Send,
    ) {
        tokio::pin!(shutdown);
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                _ = ticks.tick() => {}
            }
            let pruned = match self.pool.get().await {
                Ok(mut conn) => prune(&mut conn).await.map_err(|e| e.to_string()),
                Err(err) => Err(err.to_string()),
            };
            match pruned {
                Ok(0) => {}
                Ok(count) => tracing::debug!(count, "pruned spent rate-limit rows"),
                Err(err) => tracing::warn!(%err, "pruning rate-limit rows failed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_by_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_ne!(ip_key(a), ip_key(c));
        assert_eq!(ip_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
        assert_eq!(ip_key("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(6)), 6);
    }
}
