//! Whether a user exists, asked of the users service over gRPC
//! (`users.v1.Users/GetUsers`). Users are never deleted, so an id once
//! confirmed is remembered for a while; unknown ids are always asked again
//! (a user registered a moment ago appears in users within a second).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use api_errors::{ApiError, ApiResult};
use grpc_api::users::v1::users_client::UsersClient;
use grpc_api::users::v1::{AreFriendsRequest, GetUsersRequest, MayAddToGroupRequest};
use grpc_api::{ServiceChannel, ServiceToken};
use uuid::Uuid;

/// Most ids users takes in one `GetUsers` or `AreFriends` call (its
/// `MAX_GET_USERS`; more are refused with INVALID_ARGUMENT).
const MAX_IDS_PER_CALL: usize = 1000;

#[derive(Clone)]
pub struct Directory {
    client: UsersClient<ServiceChannel>,
    known: Arc<Mutex<KnownIds>>,
}

impl Directory {
    /// Connects lazily: messaging starts even while users is still coming
    /// up. Every call carries `token` (users refuses calls without it).
    pub fn connect_lazy(
        users_grpc_url: &str,
        token: &ServiceToken,
        capacity: usize,
        ttl: Duration,
    ) -> Result<Self, tonic::transport::Error> {
        Ok(Self {
            client: UsersClient::new(grpc_api::channel::lazy(users_grpc_url, token)?),
            known: Arc::new(Mutex::new(KnownIds::new(capacity, ttl))),
        })
    }

    /// Whether user `id` was confirmed recently (no call to users).
    pub fn knows(&self, id: Uuid) -> bool {
        self.lock().contains(id, Instant::now())
    }

    /// `Ok` if user `id` exists; `NOT_FOUND` if users does not know it;
    /// `UNAVAILABLE` if users cannot be asked.
    pub async fn ensure_exists(&self, id: Uuid) -> ApiResult<()> {
        if self.knows(id) {
            return Ok(());
        }
        let request = GetUsersRequest {
            ids: vec![id.to_string()],
        };
        let response = self
            .client
            .clone()
            .get_users(request)
            .await
            .map_err(|status| status_error(&status))?
            .into_inner();
        let found = response
            .users
            .iter()
            .any(|user| Uuid::parse_str(&user.id).is_ok_and(|found| found == id));
        if !found {
            return Err(
                ApiError::not_found("no user with this id").with_extension("field", "to".into())
            );
        }
        self.lock().insert(id, Instant::now());
        Ok(())
    }

    /// The users among `others` who are friends of `user`, asked of users
    /// every time (friendships change); `UNAVAILABLE` if users cannot be asked.
    pub async fn friends_among(&self, user: Uuid, others: &[Uuid]) -> ApiResult<Vec<Uuid>> {
        let mut friends = Vec::new();
        // A group may be larger than one call may ask (MAX_GROUP_MEMBERS
        // 1,024 by default): one call per chunk.
        for chunk in others.chunks(MAX_IDS_PER_CALL) {
            let request = AreFriendsRequest {
                user_id: user.to_string(),
                other_ids: chunk.iter().map(Uuid::to_string).collect(),
            };
            let response = self
                .client
                .clone()
                .are_friends(request)
                .await
                .map_err(|status| status_error(&status))?
                .into_inner();
            friends.extend(
                response
                    .friend_ids
                    .iter()
                    .filter_map(|id| Uuid::parse_str(id).ok()),
            );
        }
        Ok(friends)
    }

    /// The users among `others` whom `user` may add to a group (friendship,
    /// blocks and their setting, decided by users), asked every time;
    /// `UNAVAILABLE` if users cannot be asked.
    pub async fn may_add_to_group(&self, user: Uuid, others: &[Uuid]) -> ApiResult<Vec<Uuid>> {
        let mut allowed = Vec::new();
        for chunk in others.chunks(MAX_IDS_PER_CALL) {
            let request = MayAddToGroupRequest {
                user_id: user.to_string(),
                other_ids: chunk.iter().map(Uuid::to_string).collect(),
            };
            let response = self
                .client
                .clone()
                .may_add_to_group(request)
                .await
                .map_err(|status| status_error(&status))?
                .into_inner();
            allowed.extend(
                response
                    .allowed_ids
                    .iter()
                    .filter_map(|id| Uuid::parse_str(id).ok()),
            );
        }
        Ok(allowed)
    }

    /// Nicknames of `me` and of the first few of `others`, for the texts of
    /// SYSTEM messages. Best effort: whoever users cannot name now is left
    /// out (the text says "someone"; clients show the structured users).
    pub async fn nicknames(&self, me: Uuid, others: &[Uuid]) -> HashMap<Uuid, String> {
        const MOST: usize = 10;
        let ids = std::iter::once(me)
            .chain(others.iter().copied().take(MOST))
            .map(|id| id.to_string())
            .collect();
        match self.client.clone().get_users(GetUsersRequest { ids }).await {
            Ok(response) => response
                .into_inner()
                .users
                .into_iter()
                .filter_map(|user| Some((Uuid::parse_str(&user.id).ok()?, user.nickname)))
                .collect(),
            Err(status) => {
                tracing::warn!(code = ?status.code(), "users could not name the users of a system message");
                HashMap::new()
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KnownIds> {
        // The map is valid whatever a panicking holder did; keep using it.
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn status_error(status: &tonic::Status) -> ApiError {
    use tonic::Code;
    let err = format!(
        "users call failed: {:?} {}",
        status.code(),
        status.message()
    );
    match status.code() {
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::Cancelled
        | Code::ResourceExhausted
        | Code::Unknown
        | Code::Aborted => {
            ApiError::unavailable("the users service is unavailable, try again later")
                .with_source(err)
        }
        Code::NotFound => {
            ApiError::not_found("no user with this id").with_extension("field", "to".into())
        }
        _ => ApiError::internal(err),
    }
}

/// Confirmed ids with when they were confirmed, bounded in size.
struct KnownIds {
    seen: HashMap<Uuid, Instant>,
    capacity: usize,
    ttl: Duration,
}

impl KnownIds {
    fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            seen: HashMap::new(),
            capacity,
            ttl,
        }
    }

    fn contains(&self, id: Uuid, now: Instant) -> bool {
        self.seen
            .get(&id)
            .is_some_and(|at| now.duration_since(*at) < self.ttl)
    }

    fn insert(&mut self, id: Uuid, now: Instant) {
        if self.capacity == 0 {
            return;
        }
        if self.seen.len() >= self.capacity && !self.seen.contains_key(&id) {
            let ttl = self.ttl;
            self.seen.retain(|_, at| now.duration_since(*at) < ttl);
            if self.seen.len() >= self.capacity {
                // Still full of live entries: start over rather than track
                // recency; a miss only costs one GetUsers call.
                self.seen.clear();
            }
        }
        self.seen.insert(id, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids_expire_and_stay_bounded() {
        let start = Instant::now();
        let mut known = KnownIds::new(2, Duration::from_secs(10));
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        known.insert(a, start);
        known.insert(b, start);
        assert!(known.contains(a, start));
        assert!(!known.contains(a, start + Duration::from_secs(11)));
        known.insert(c, start + Duration::from_secs(1));
        assert!(known.seen.len() <= 2);
        assert!(known.contains(c, start + Duration::from_secs(1)));
        let mut none = KnownIds::new(0, Duration::from_secs(10));
        none.insert(a, start);
        assert!(!none.contains(a, start));
    }
}
