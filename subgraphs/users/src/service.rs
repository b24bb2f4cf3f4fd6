//! The users domain: creating users, profiles, friendships and their
//! notifications. Resolvers and the gRPC server are thin layers over this.

pub mod avatars;
pub mod blocks;
pub mod friends;
pub mod notifications;
pub mod privacy;
pub mod profiles;
pub mod reports;
pub mod search;

use api_errors::{ApiError, ApiResult};
use service_runtime::db::PgPool;
use uuid::Uuid;

use crate::db::friendships;
use crate::db::users::{self, User};
use crate::validate;

pub use avatars::{AvatarUpload, UploadError};
pub use friends::{FriendChange, Page, Relationship};
pub use profiles::ProfileUpdate;
pub use search::SearchPage;

/// Default nicknames tried before giving up: each one collides with odds
/// of (users / 36^6), so ten in a row do not happen.
const DEFAULT_NICKNAME_ATTEMPTS: usize = 10;

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
    /// Searches one user may run (`SEARCH_RATE`).
    pub search_rate: ratelimit::Rate,
    /// Reports one user may file (`REPORT_RATE`).
    pub report_rate: ratelimit::Rate,
    /// Messaging, told of blocks and privacy settings.
    pub messaging: crate::replica::Messaging,
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
    /// before for it (idempotent). The default nickname is random
    /// ([`validate::default_nickname`]); the unique index settles
    /// collisions, also between concurrent calls, and a taken one is
    /// replaced by another.
    pub async fn create_user(&self, account_id: Uuid) -> ApiResult<User> {
        let candidates = {
            let mut rng = rand::thread_rng();
            (0..DEFAULT_NICKNAME_ATTEMPTS)
                .map(|_| validate::default_nickname(&mut rng))
                .collect()
        };
        self.create_user_trying(account_id, candidates).await
    }

    /// [`create_user`](Self::create_user) with the default nicknames to
    /// try, in order (tests choose them, to make them collide).
    #[doc(hidden)]
    pub async fn create_user_trying(
        &self,
        account_id: Uuid,
        candidates: Vec<String>,
    ) -> ApiResult<User> {
        let mut conn = self.pool.get().await?;
        if let Some(user) = users::by_id(&mut conn, account_id).await? {
            return Ok(user);
        }
        for candidate in &candidates {
            if let Some(user) = self.try_insert(&mut conn, account_id, candidate).await? {
                return Ok(user);
            }
            tracing::debug!(nickname = %candidate, "default nickname taken; another one");
        }
        Err(ApiError::internal(format!(
            "no free default nickname in {} attempts",
            candidates.len()
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
