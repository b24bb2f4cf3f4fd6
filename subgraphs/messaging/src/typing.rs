//! Typing indicators: ephemeral, never stored. `setTyping` sends a
//! PostgreSQL notification on channel [`CHANNEL`] (so every replica of
//! messaging hears it) unless the caller's typing rate (`TYPING_RATE`, one
//! a second by default) refuses it, in one statement; each process keeps
//! one `LISTEN typing` connection ([`Hub`]) and hands what it hears to its
//! `typing(conversationId)` subscriptions, which let a `true` expire
//! (`TYPING_EXPIRES_SECS`, 6 s) unless it is repeated. A membership
//! ending is notified on the same channel (with the change's transaction):
//! the former member's subscriptions end with an error.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt as _};
use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_postgres::AsyncMessage;
use tracing::{Instrument as _, debug, info, warn};
use uuid::Uuid;

/// The notification channel.
pub const CHANNEL: &str = "typing";
/// Signals a process buffers for slow subscriptions (a lagging one skips
/// ahead: typing signals are worth nothing late).
const BUFFER: usize = 1024;
const BACKOFF_MIN: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the listener checks that its connection is alive.
const PING_EVERY: Duration = Duration::from_secs(30);

/// One `setTyping`, or a membership ending, as notified.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Signal {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub typing: bool,
    /// The user is no longer a member (removed or left): their own
    /// subscriptions of the conversation end; for the others it is a stop.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub left: bool,
}

impl Signal {
    /// `user`'s membership of `conversation` ended.
    pub fn left(conversation: Uuid, user: Uuid) -> Signal {
        Signal {
            conversation_id: conversation,
            user_id: user,
            typing: false,
            left: true,
        }
    }

    /// The notification's payload (JSON).
    pub fn to_payload(&self) -> String {
        // Two ids and two booleans always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What a `typing` subscription yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub conversation_id: Uuid,
    pub user_id: Uuid,
    pub typing: bool,
    /// When a `true` lapses unless repeated; `None` for `false`.
    pub expires_at: Option<DateTime<Utc>>,
}

/// What ends a `typing` subscription early: the subscriber's membership
/// of the conversation ended (removed, or left on another device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipEnded;

/// This process's typing signals: one `LISTEN typing` connection and the
/// subscriptions it feeds. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Hub {
    tx: broadcast::Sender<Signal>,
}

impl Hub {
    /// Starts the listener (reconnecting with backoff) until `shutdown`;
    /// then every subscription ends.
    pub fn start(database_url: String, shutdown: impl Future<Output = ()> + Send + 'static) -> Hub {
        let (tx, _) = broadcast::channel(BUFFER);
        let sender = tx.clone();
        tokio::spawn(
            async move {
                tokio::select! {
                    () = listen(&sender, &database_url) => {}
                    () = shutdown => {}
                }
                info!("typing listener stopped");
            }
            .instrument(tracing::info_span!("typing_listener")),
        );
        Hub { tx }
    }

    /// The typing of the members of `conversation` other than `me`, as it
    /// is heard from now on: `true` when someone types (again), `false`
    /// when they stop or their last `true` is `expires` old.
    pub fn subscribe(
        &self,
        conversation: Uuid,
        me: Uuid,
        expires: Duration,
    ) -> impl Stream<Item = Result<Event, MembershipEnded>> + Send + 'static + use<> {
        let state = Watch {
            rx: self.tx.subscribe(),
            conversation,
            me,
            expires,
            typing: HashMap::new(),
            ended: false,
        };
        futures::stream::unfold(state, |mut state| async move {
            let event = state.next().await?;
            Some((event, state))
        })
        .boxed()
    }
}

/// One subscription: who is typing, until when.
struct Watch {
    rx: broadcast::Receiver<Signal>,
    conversation: Uuid,
    me: Uuid,
    expires: Duration,
    typing: HashMap<Uuid, (Instant, DateTime<Utc>)>,
    /// [`MembershipEnded`] was yielded: the stream is over.
    ended: bool,
}

impl Watch {
    async fn next(&mut self) -> Option<Result<Event, MembershipEnded>> {
        if self.ended {
            return None;
        }
        loop {
            let lapse = self
                .typing
                .iter()
                .min_by_key(|(_, (deadline, _))| *deadline)
                .map(|(user, (deadline, _))| (*user, *deadline));
            let heard = match lapse {
                Some((user, deadline)) => {
                    tokio::select! {
                        heard = self.rx.recv() => heard,
                        () = tokio::time::sleep_until(deadline) => {
                            self.typing.remove(&user);
                            return Some(Ok(self.event(user, false, None)));
                        }
                    }
                }
                None => self.rx.recv().await,
            };
            let signal = match heard {
                Ok(signal) => signal,
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    debug!(skipped, "typing subscription lagged");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            if signal.conversation_id != self.conversation {
                continue;
            }
            if signal.user_id == self.me {
                if signal.left {
                    // No longer a member: nothing more of this conversation.
                    self.ended = true;
                    return Some(Err(MembershipEnded));
                }
                continue;
            }
            if signal.typing {
                let until = Utc::now()
                    + chrono::Duration::from_std(self.expires).unwrap_or(chrono::Duration::MAX);
                self.typing
                    .insert(signal.user_id, (Instant::now() + self.expires, until));
                return Some(Ok(self.event(signal.user_id, true, Some(until))));
            }
            if self.typing.remove(&signal.user_id).is_some() {
                return Some(Ok(self.event(signal.user_id, false, None)));
            }
        }
    }

    fn event(&self, user: Uuid, typing: bool, expires_at: Option<DateTime<Utc>>) -> Event {
        Event {
            conversation_id: self.conversation,
            user_id: user,
            typing,
            expires_at,
        }
    }
}

/// Keeps a `LISTEN typing` connection; never returns.
async fn listen(tx: &broadcast::Sender<Signal>, database_url: &str) {
    let mut backoff = BACKOFF_MIN;
    loop {
        match listen_once(tx, database_url, &mut backoff).await {
            Ok(()) => warn!("typing listener connection closed; reconnecting"),
            Err(e) => warn!(error = %e, retry_in = ?backoff, "typing listener failed"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

async fn listen_once(
    tx: &broadcast::Sender<Signal>,
    database_url: &str,
    backoff: &mut Duration,
) -> Result<(), tokio_postgres::Error> {
    let Ok(connected) = tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio_postgres::connect(database_url, tokio_postgres::NoTls),
    )
    .await
    else {
        warn!("typing listener: connecting timed out");
        return Ok(());
    };
    let (client, mut connection) = connected?;
    let tx = tx.clone();
    let driver = tokio::spawn(
        async move {
            let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                if let AsyncMessage::Notification(n) = message? {
                    match serde_json::from_str::<Signal>(n.payload()) {
                        // No receivers is fine: nobody here watches.
                        Ok(signal) => drop(tx.send(signal)),
                        Err(err) => warn!(%err, "typing notification not understood; ignored"),
                    }
                }
            }
            Ok::<(), tokio_postgres::Error>(())
        }
        .in_current_span(),
    );
    let mut driver = AbortOnDrop(driver);
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    *backoff = BACKOFF_MIN;
    info!("typing listener connected");
    // A silently dropped connection would leave us deaf: ping it.
    let mut ping = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    loop {
        tokio::select! {
            ended = &mut driver.0 => {
                return match ended {
                    Ok(result) => result,
                    Err(join) => {
                        warn!(%join, "typing listener task ended");
                        Ok(())
                    }
                };
            }
            _ = ping.tick() => {
                match tokio::time::timeout(CONNECT_TIMEOUT, client.simple_query("SELECT 1")).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(err)) => return Err(err),
                    Err(_) => {
                        warn!("typing listener: ping timed out");
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// Aborts the connection task when the listener gives up on it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
