//! The per-process side of the feed: one `LISTEN feed` connection waking the
//! local subscribers, and the replay-then-live subscription streams.
//!
//! Wake-ups only say "look again"; the log in the database is the single
//! source of truth. So a lost or spurious wake-up costs at most a query or a
//! delay (bounded by [`SAFETY_NET`]), never an event.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::Utc;
use futures::{Stream, StreamExt};
use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_postgres::AsyncMessage;
use tracing::{Instrument, debug, info, trace, warn};
use uuid::Uuid;

use crate::{CHANNEL, Event, FeedError, Pool};

/// Events read per query while replaying or catching up.
const BATCH: i64 = 100;
/// A subscriber looks at the log at least this often even without a
/// wake-up (covers notifications missed by a half-dead listener).
const SAFETY_NET: Duration = Duration::from_secs(30);
/// Reconnect backoff of the `LISTEN` connection (doubling, with jitter).
const LISTEN_BACKOFF_MIN: Duration = Duration::from_millis(250);
const LISTEN_BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Bounds on connecting and on the queries of the listener connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the listener checks that its connection is still alive: a
/// silently dropped TCP connection would otherwise leave it deaf for hours.
const PING_EVERY: Duration = Duration::from_secs(30);

/// The feed of one process: subscriptions plus the `LISTEN` task that wakes
/// them. Cheap to clone; create it once per process with [`Feed::start`].
#[derive(Clone)]
pub struct Feed {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    hub: Mutex<Hub>,
}

/// Wake-up channels of the recipients with local subscribers.
#[derive(Default)]
struct Hub {
    /// One channel per recipient; the value is a wake-up counter. An entry
    /// exists exactly while some subscription for the recipient is alive.
    wakers: HashMap<Uuid, watch::Sender<u64>>,
    /// Set at shutdown: subscriptions end, new ones end at once.
    closed: bool,
}

fn bump(n: &mut u64) {
    *n = n.wrapping_add(1);
}

impl Inner {
    fn hub(&self) -> MutexGuard<'_, Hub> {
        // The critical sections cannot leave the map inconsistent.
        self.hub.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the local subscribers of `recipient`; false if there are none.
    fn wake(&self, recipient: Uuid) -> bool {
        match self.hub().wakers.get(&recipient) {
            Some(tx) => {
                tx.send_modify(bump);
                true
            }
            None => false,
        }
    }

    /// Wakes every local subscriber; returns how many recipients that is.
    fn wake_all(&self) -> usize {
        let hub = self.hub();
        for tx in hub.wakers.values() {
            tx.send_modify(bump);
        }
        hub.wakers.len()
    }

    /// Ends all subscriptions (each after the event it is delivering).
    fn close(&self) {
        let mut hub = self.hub();
        hub.closed = true;
        for tx in hub.wakers.values() {
            tx.send_modify(bump);
        }
    }

    fn on_notification(&self, payload: &str) {
        match payload.parse::<Uuid>() {
            Ok(recipient) => {
                let local = self.wake(recipient);
                trace!(%recipient, local, "feed notification");
            }
            Err(_) => warn!(
                payload,
                "feed notification with a payload that is not a UUID; ignored"
            ),
        }
    }
}

impl Feed {
    /// Starts the feed of this process: spawns the task that keeps one
    /// `LISTEN feed` connection to `database_url` (reconnecting with backoff)
    /// and wakes local subscribers. Must be called within a tokio runtime.
    ///
    /// `pool` serves the subscriptions' reads (a connection is held only
    /// during a read, not while a subscriber waits). When `shutdown`
    /// resolves the listener stops and every subscription stream ends.
    pub fn start(
        pool: Pool,
        database_url: String,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Feed {
        let inner = Arc::new(Inner {
            pool,
            hub: Mutex::default(),
        });
        let listener = Arc::clone(&inner);
        tokio::spawn(
            async move {
                tokio::select! {
                    () = listen(&listener, &database_url) => {}
                    () = shutdown => {}
                }
                listener.close();
                info!("feed stopped; subscriptions ended");
            }
            .instrument(tracing::info_span!("feed_listener")),
        );
        Feed { inner }
    }

    /// The events of `recipient`, as a stream that never ends on its own.
    ///
    /// * `after: Some(seq)` (from [`crate::parse_cursor`]): first every
    ///   event with a larger seq, then live events.
    /// * `after: None`: only events committed from now on.
    ///
    /// Events come in seq order, each exactly once. When entries after
    /// `after` were pruned the stream yields [`FeedError::CursorExpired`]
    /// and ends ([`Feed::check_cursor`] tells before subscribing). On a
    /// database error the stream yields one `Err` and ends; the client resubscribes with the
    /// cursor of the last event it received. The stream also ends (without
    /// an error) when the feed shuts down.
    pub fn subscribe(
        &self,
        recipient: Uuid,
        after: Option<i64>,
    ) -> impl Stream<Item = Result<Event, FeedError>> + Send + 'static + use<> {
        // Register for wake-ups FIRST, read the log afterwards: an event that
        // commits after the registration wakes us, one that committed before
        // it is seen by the read. Together nothing falls between replay and
        // live.
        let registration = Registration::new(&self.inner, recipient);
        let span = tracing::info_span!("feed_subscription", %recipient, ?after);
        span.in_scope(|| debug!("feed subscription started"));
        let subscription = Subscription {
            registration,
            after,
            check_expiry: after.is_some(),
            buffer: VecDeque::new(),
            must_read: true,
            done: false,
            delivered: 0,
        };
        futures::stream::unfold(subscription, move |mut sub| {
            async move {
                let item = sub.next().await?;
                Some((item, sub))
            }
            .instrument(span.clone())
        })
    }

    /// [`FeedError::CursorExpired`] if entries of `recipient` after `after`
    /// were pruned; a cursor at the head (nothing newer) is fine. Resolvers
    /// call it so that the subscription itself is refused, not its stream.
    pub async fn check_cursor(&self, recipient: Uuid, after: i64) -> Result<(), FeedError> {
        let mut conn = self.inner.pool.get().await?;
        if crate::first_retained(&mut conn, recipient).await? > after.saturating_add(1) {
            return Err(FeedError::CursorExpired);
        }
        Ok(())
    }

    /// How many recipients have live subscriptions in this process (a gauge
    /// for metrics).
    pub fn watched_recipients(&self) -> usize {
        self.inner.hub().wakers.len()
    }
}

impl fmt::Debug for Feed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Feed")
            .field("watched_recipients", &self.watched_recipients())
            .finish_non_exhaustive()
    }
}

/// A subscription's membership in the hub; leaving removes the recipient's
/// entry when it was the last local subscriber.
struct Registration {
    inner: Arc<Inner>,
    recipient: Uuid,
    rx: watch::Receiver<u64>,
}

impl Registration {
    fn new(inner: &Arc<Inner>, recipient: Uuid) -> Self {
        let rx = inner
            .hub()
            .wakers
            .entry(recipient)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        Registration {
            inner: Arc::clone(inner),
            recipient,
            rx,
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut hub = self.inner.hub();
        // Our own receiver is still alive here, hence `<= 1`. Registering and
        // this check both happen under the lock, so a concurrent subscriber
        // either shows up in the count or creates a fresh entry after us.
        if hub
            .wakers
            .get(&self.recipient)
            .is_some_and(|tx| tx.receiver_count() <= 1)
        {
            hub.wakers.remove(&self.recipient);
        }
    }
}

struct Subscription {
    registration: Registration,
    /// Seq of the last event yielded (or the start position); `None` until
    /// the head was read for a live-only subscription.
    after: Option<i64>,
    /// The client's cursor is still to be checked against what the log
    /// keeps (first read only; later gaps are caught by `read`).
    check_expiry: bool,
    buffer: VecDeque<Event>,
    /// Read before waiting: at start, and after a full batch.
    must_read: bool,
    done: bool,
    delivered: u64,
}

impl Subscription {
    async fn next(&mut self) -> Option<Result<Event, FeedError>> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.after = Some(event.seq);
                self.delivered += 1;
                let lag_ms = (Utc::now() - event.created_at).num_milliseconds();
                trace!(seq = event.seq, kind = %event.kind, lag_ms, "feed event delivered");
                return Some(Ok(event));
            }
            if self.done {
                return None;
            }
            if self.registration.inner.hub().closed {
                self.done = true;
                return None;
            }
            if !self.must_read {
                self.wait().await;
                self.must_read = true;
                continue;
            }
            // Mark all wake-ups so far as seen BEFORE reading: one that
            // arrives during the read makes the next wait return at once.
            self.registration.rx.borrow_and_update();
            match self.read().await {
                Ok(n) => self.must_read = n >= BATCH as usize,
                Err(e) => {
                    warn!(error = %e, after = ?self.after, "feed subscription failed; ending it");
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }

    async fn wait(&mut self) {
        tokio::select! {
            changed = self.registration.rx.changed() => {
                if changed.is_err() {
                    // Cannot happen (the hub keeps the sender while we are
                    // registered), but never spin on it.
                    tokio::time::sleep(SAFETY_NET).await;
                }
            }
            () = tokio::time::sleep(SAFETY_NET) => trace!("feed safety-net poll"),
        }
    }

    /// Reads the next batch into the buffer; returns its size.
    async fn read(&mut self) -> Result<usize, FeedError> {
        let recipient = self.registration.recipient;
        let mut conn = self.registration.inner.pool.get().await?;
        let after = match self.after {
            Some(after) => after,
            None => {
                let head = crate::head(&mut conn, recipient).await?;
                self.after = Some(head);
                head
            }
        };
        if self.check_expiry {
            // One statement, one snapshot: the oldest kept entry and the head.
            if crate::first_retained(&mut conn, recipient).await? > after.saturating_add(1) {
                return Err(FeedError::CursorExpired);
            }
            self.check_expiry = false;
        }
        let events = crate::read_after(&mut conn, recipient, after, BATCH).await?;
        // Seqs have no gaps, so a jump means the entries were pruned while
        // this subscriber lagged behind.
        if events
            .first()
            .is_some_and(|e| e.seq != after.saturating_add(1))
        {
            return Err(FeedError::CursorExpired);
        }
        let n = events.len();
        if n > 0 {
            debug!(after, events = n, "feed batch read");
        }
        self.buffer.extend(events);
        Ok(n)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        debug!(
            recipient = %self.registration.recipient,
            delivered = self.delivered,
            "feed subscription ended"
        );
    }
}

#[derive(Debug, thiserror::Error)]
enum ListenError {
    #[error(transparent)]
    Postgres(#[from] tokio_postgres::Error),
    #[error("{0} timed out")]
    Timeout(&'static str),
    #[error("connection task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Keeps a `LISTEN feed` connection; never returns.
async fn listen(inner: &Arc<Inner>, database_url: &str) {
    let mut backoff = LISTEN_BACKOFF_MIN;
    loop {
        match listen_once(inner, database_url, &mut backoff).await {
            Ok(()) => warn!("feed listener connection closed; reconnecting"),
            Err(e) => warn!(
                error = %e,
                retry_in = ?backoff,
                "feed listener failed; subscribers poll every 30 s until it is back"
            ),
        }
        let pause = rand::thread_rng().gen_range(backoff / 2..=backoff);
        tokio::time::sleep(pause).await;
        backoff = (backoff * 2).min(LISTEN_BACKOFF_MAX);
    }
}

/// Aborts the connection task when the listener gives up on it.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One listener connection's lifetime: returns `Ok` when the server closed
/// it. Resets `backoff` once listening (the connection was healthy).
async fn listen_once(
    inner: &Arc<Inner>,
    database_url: &str,
    backoff: &mut Duration,
) -> Result<(), ListenError> {
    let (client, mut connection) = tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio_postgres::connect(database_url, tokio_postgres::NoTls),
    )
    .await
    .map_err(|_| ListenError::Timeout("connect"))??;

    // The connection task delivers notifications straight to the hub.
    let hub = Arc::clone(inner);
    let mut driver = AbortOnDrop(tokio::spawn(
        async move {
            let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message? {
                    AsyncMessage::Notification(n) => hub.on_notification(n.payload()),
                    AsyncMessage::Notice(n) => debug!(notice = %n, "feed listener notice"),
                    _ => {}
                }
            }
            Ok::<(), tokio_postgres::Error>(())
        }
        .in_current_span(),
    ));

    tokio::time::timeout(
        QUERY_TIMEOUT,
        client.batch_execute(&format!("LISTEN {CHANNEL}")),
    )
    .await
    .map_err(|_| ListenError::Timeout("LISTEN"))??;
    *backoff = LISTEN_BACKOFF_MIN;
    // Notifications sent while we were not listening are lost: have every
    // local subscriber look at the log once.
    let recipients = inner.wake_all();
    info!(recipients, "feed listener connected");

    let start = tokio::time::Instant::now() + PING_EVERY;
    let mut ping = tokio::time::interval_at(start, PING_EVERY);
    loop {
        tokio::select! {
            ended = &mut driver.0 => {
                ended??;
                return Ok(());
            }
            _ = ping.tick() => {
                tokio::time::timeout(QUERY_TIMEOUT, client.simple_query("SELECT 1"))
                    .await
                    .map_err(|_| ListenError::Timeout("ping"))??;
            }
        }
    }
}
