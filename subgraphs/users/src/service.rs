//! The users domain: creating users, profiles, friendships and their
//! notifications. Resolvers and the gRPC server are thin layers over this.

pub mod avatars;
pub mod friends;
pub mod notifications;
pub mod profiles;

use std::collections::HashSet;

use api_errors::{ApiError, ApiResult};
use rand::Rng as _;
use service_runtime::db::PgPool;
use uuid::Uuid;

use crate::db::friendships;
use crate::db::users::{self, User};
use crate::validate;

pub use avatars::{AvatarUpload, UploadError};
pub use friends::{FriendChange, Page, Relationship};
pub use profiles::ProfileUpdate;

/// Default nickname candidates checked per round trip (`base`, `base2`, …).
const CANDIDATES_PER_ROUND: u64 = 50;
/// Rounds of numbered candidates before falling back to random suffixes.
const NUMBERED_ROUNDS: u64 = 4;
/// Random-suffix attempts before giving up (each collides with odds ~1e-6).
const RANDOM_ATTEMPTS: u32 = 10;

#[derive(Clone)]
pub struct UsersService {
    pub pool: PgPool,
    /// Pending requests a user may have sent at once.
    pub max_pending_requests: i64,
    /// Picture storage and upload signing.
    pub avatars: crate::avatars::Avatars,
    /// Throttling shared by every replica (state in this database).
    pub limiter: ratelimit::Limiter,
    pub friend_request_rate: ratelimit::Rate,
}

pub(crate) fn user_not_found() -> ApiError {
    ApiError::not_found("no such user")
}

/// The caller is signed in but its user has not been created yet (auth's
/// CreateUser is on its way, normally within milliseconds of registration).
pub(crate) fn no_profile_yet() -> ApiError {
    ApiError::not_found("your profile is not ready yet; try again in a moment")
}

impl UsersService {
    /// Creates the user of an auth account, or returns the one created
    /// before for it (idempotent). The default nickname comes from the
    /// email's local part; the unique index settles collisions, also between
    /// concurrent calls.
    pub async fn create_user(&self, account_id: Uuid, email: &str) -> ApiResult<User> {
        let mut conn = self.pool.get().await?;
        if let Some(user) = users::by_id(&mut conn, account_id).await? {
            return Ok(user);
        }
        let base = validate::nickname_base(email);
        for round in 0..NUMBERED_ROUNDS {
            let first = round * CANDIDATES_PER_ROUND + 1;
            let candidates: Vec<String> = (first..first + CANDIDATES_PER_ROUND)
                .map(|n| validate::nickname_candidate(&base, n))
                .filter(|c| !validate::is_reserved(c))
                .collect();
            let taken: HashSet<String> = users::taken_nicknames(&mut conn, &candidates)
                .await?
                .into_iter()
                .collect();
            for candidate in candidates.iter().filter(|c| !taken.contains(*c)) {
                if let Some(user) = self.try_insert(&mut conn, account_id, candidate).await? {
                    return Ok(user);
                }
            }
        }
        for _ in 0..RANDOM_ATTEMPTS {
            let n = rand::thread_rng().gen_range(100_000..10_000_000);
            let candidate = validate::nickname_candidate(&base, n);
            if let Some(user) = self.try_insert(&mut conn, account_id, &candidate).await? {
                return Ok(user);
            }
        }
        Err(ApiError::internal(format!(
            "no free default nickname for base {base:?}"
        )))
    }

    /// Inserts the user with `nickname`; if that conflicts, returns the user
    /// if a concurrent call created it, else `None` (the nickname was taken).
    async fn try_insert(
        &self,
        conn: &mut crate::db::Conn,
        account_id: Uuid,
        nickname: &str,
    ) -> ApiResult<Option<User>> {
        if let Some(user) = users::insert(conn, account_id, nickname).await? {
            tracing::info!(user_id = %account_id, nickname, "user created");
            return Ok(Some(user));
        }
        Ok(users::by_id(conn, account_id).await?)
    }

    pub async fn user(&self, id: Uuid) -> ApiResult<Option<User>> {
        let mut conn = self.pool.get().await?;
        Ok(users::by_id(&mut conn, id).await?)
    }

    /// The caller's own user.
    pub async fn me(&self, me: Uuid) -> ApiResult<User> {
        self.user(me).await?.ok_or_else(no_profile_yet)
    }

    /// The users among `ids` that exist.
    pub async fn users(&self, ids: &[Uuid]) -> ApiResult<Vec<User>> {
        let mut conn = self.pool.get().await?;
        Ok(users::by_ids(&mut conn, ids).await?)
    }

    /// The users among `others` who are friends of `user`.
    pub async fn friends_among(&self, user: Uuid, others: &[Uuid]) -> ApiResult<Vec<Uuid>> {
        let mut conn = self.pool.get().await?;
        Ok(friendships::friends_among(&mut conn, user, others).await?)
    }

    /// Case-insensitive lookup; a string that cannot be a nickname finds nobody.
    pub async fn user_by_nickname(&self, nickname: &str) -> ApiResult<Option<User>> {
        let nickname = nickname.trim();
        if !validate::is_well_formed_nickname(nickname) {
            return Ok(None);
        }
        let mut conn = self.pool.get().await?;
        Ok(users::by_nickname(&mut conn, nickname).await?)
    }
}
