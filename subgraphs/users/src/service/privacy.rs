//! Privacy settings: who may message the user, who may add them to
//! groups, whether read receipts go both ways, who sees when they were
//! last seen. Users stores them; each is enforced by the service that owns
//! the action (messaging: messages and read receipts, from its replica;
//! users: adding to groups, asked by messaging through `MayAddToGroup`),
//! always with [`ApiError::recipient_unavailable`]. Last seen is stored
//! and shown only: there is no presence yet.

use api_errors::{ApiError, ApiResult};
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::{UsersService, no_profile_yet};
use crate::db::privacy::{self, Settings};
use crate::db::{blocks, users};

/// A change of settings: `None` keeps a setting as it is. Values as
/// stored (the GraphQL enums' names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrivacyUpdate {
    pub who_may_message: Option<&'static str>,
    pub who_may_add: Option<&'static str>,
    pub read_receipts: Option<bool>,
    pub show_last_seen: Option<&'static str>,
}

impl PrivacyUpdate {
    fn apply(&self, current: &Settings) -> Settings {
        Settings {
            who_may_message: self
                .who_may_message
                .map_or_else(|| current.who_may_message.clone(), str::to_owned),
            who_may_add: self
                .who_may_add
                .map_or_else(|| current.who_may_add.clone(), str::to_owned),
            read_receipts: self.read_receipts.unwrap_or(current.read_receipts),
            show_last_seen: self
                .show_last_seen
                .map_or_else(|| current.show_last_seen.clone(), str::to_owned),
        }
    }
}

impl UsersService {
    /// The caller's settings.
    pub async fn privacy(&self, me: Uuid) -> ApiResult<Settings> {
        let mut conn = self.pool.get().await?;
        Ok(privacy::get(&mut conn, me).await?)
    }

    /// Changes the caller's settings, under their row lock; answers once
    /// messaging has applied them (`UNAVAILABLE` if it could not be told:
    /// they are stored, and repeating the call confirms them). A change
    /// that changes nothing writes nothing.
    pub async fn update_privacy(&self, me: Uuid, update: &PrivacyUpdate) -> ApiResult<Settings> {
        let mut conn = self.pool.get().await?;
        let (settings, version) = conn
            .transaction::<_, ApiError, _>(async |conn| {
                if !users::lock(conn, me).await? {
                    return Err(no_profile_yet());
                }
                let current = privacy::get(conn, me).await?;
                let settings = update.apply(&current);
                let version = blocks::next_version(conn).await?;
                if settings != current {
                    privacy::put(conn, me, &settings).await?;
                    let event = contracts::PrivacyChanged {
                        user_id: me,
                        who_may_message: settings.who_may_message.clone(),
                        who_may_add: settings.who_may_add.clone(),
                        read_receipts: settings.read_receipts,
                        show_last_seen: settings.show_last_seen.clone(),
                        version,
                    };
                    outbox::enqueue(conn, &event).await?;
                }
                Ok((settings, version))
            })
            .await?;
        drop(conn);
        self.messaging
            .confirm_privacy(me, &settings, version)
            .await?;
        Ok(settings)
    }
}
