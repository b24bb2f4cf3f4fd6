//! Revoked sessions, kept in memory so ValidateToken never touches the database.
//!
//! Only sessions revoked within the last access-token lifetime (plus leeway)
//! matter: older ones cannot have an unexpired token left. The set is loaded
//! at start, fed by `auth_session_revoked` notifications (see `listener`),
//! and written directly by this process when it revokes, so the very next
//! check here refuses the session. Every insertion is also announced on
//! [`RevocationFeed`], which `WatchRevocations` streams to the other
//! services (and auth's own subscription connections read), so open
//! subscriptions of a revoked session end at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use auth_client::{Revocation, RevocationFeed};
use uuid::Uuid;

#[derive(Clone)]
pub struct Revocations {
    revoked: Arc<RwLock<HashMap<Uuid, Instant>>>,
    horizon: Duration,
    feed: RevocationFeed,
}

impl Revocations {
    pub fn new(horizon: Duration) -> Self {
        Self {
            revoked: Arc::new(RwLock::new(HashMap::new())),
            horizon,
            feed: RevocationFeed::default(),
        }
    }

    /// Where insertions are announced.
    pub fn feed(&self) -> &RevocationFeed {
        &self.feed
    }

    pub fn horizon(&self) -> Duration {
        self.horizon
    }

    pub fn is_revoked(&self, session: Uuid) -> bool {
        match self.revoked.read() {
            Ok(set) => set.contains_key(&session),
            Err(poisoned) => poisoned.into_inner().contains_key(&session),
        }
    }

    pub fn insert(&self, sessions: impl IntoIterator<Item = Uuid>) {
        let now = Instant::now();
        let mut set = match self.revoked.write() {
            Ok(set) => set,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut announced = Vec::new();
        for session in sessions {
            if set.insert(session, now).is_none() {
                announced.push(session);
            }
        }
        drop(set);
        // Only what is new: the listener's full reload after a reconnect
        // repeats what is known already.
        for session in announced {
            self.feed.announce(Revocation::Session(session));
        }
    }

    /// Forgets revocations older than the horizon.
    pub fn prune(&self) {
        let horizon = self.horizon;
        let mut set = match self.revoked.write() {
            Ok(set) => set,
            Err(poisoned) => poisoned.into_inner(),
        };
        set.retain(|_, at| at.elapsed() < horizon);
    }

    pub fn len(&self) -> usize {
        match self.revoked.read() {
            Ok(set) => set.len(),
            Err(poisoned) => poisoned.into_inner().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
