//! Profile changes.

use api_errors::{ApiError, ApiResult};
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::{UsersService, no_profile_yet};
use crate::db::avatars;
use crate::db::users::{self, FieldChange, NICKNAME_UNIQUE_INDEX, ProfileChanges, User};
use crate::db::violated_constraint;
use crate::validate;

/// What `updateProfile` asks for, unchecked. Clearing the nickname is not
/// allowed.
#[derive(Debug, Default, Clone)]
pub struct ProfileUpdate {
    pub nickname: FieldChange<String>,
    pub about: FieldChange<String>,
    pub avatar_url: FieldChange<String>,
}

/// Runs a field's check on a new value; the check may turn it into a clear
/// (a blank "about").
fn checked(
    change: FieldChange<String>,
    check: impl FnOnce(Option<&str>) -> ApiResult<Option<String>>,
) -> ApiResult<FieldChange<String>> {
    Ok(match change {
        FieldChange::Keep => FieldChange::Keep,
        FieldChange::Clear => FieldChange::Clear,
        FieldChange::Set(raw) => match check(Some(&raw))? {
            Some(value) => FieldChange::Set(value),
            None => FieldChange::Clear,
        },
    })
}

fn nickname_taken() -> ApiError {
    ApiError::conflict("this nickname is taken")
        .with_extension("field", serde_json::Value::from("nickname"))
}

impl UsersService {
    /// Validates every field first, so a bad one changes nothing; then one
    /// UPDATE, where the unique index decides whether the nickname is free.
    pub async fn update_profile(&self, me: Uuid, update: ProfileUpdate) -> ApiResult<User> {
        let nickname = match update.nickname {
            FieldChange::Keep => None,
            FieldChange::Clear => {
                return Err(ApiError::invalid_field(
                    "nickname",
                    "the nickname cannot be removed, only changed",
                ));
            }
            FieldChange::Set(raw) => Some(validate::check_nickname(&raw)?),
        };
        let about = checked(update.about, validate::check_about)?;
        let avatar_url = checked(update.avatar_url, validate::check_avatar_url)?;
        let changes = ProfileChanges {
            nickname: nickname.as_deref(),
            about: about.as_deref(),
            avatar_url: avatar_url.as_deref(),
        };
        // A new or cleared avatarUrl replaces an uploaded picture, whose
        // files go once that is committed (see service::avatars).
        let replaces_picture = changes.avatar_url != FieldChange::Keep;
        let mut conn = self.pool.get().await?;
        let updated = conn
            .transaction::<_, diesel::result::Error, _>(async |conn| {
                let uploaded = if replaces_picture {
                    avatars::lock_picture(conn, me).await?.flatten()
                } else {
                    None
                };
                let user = users::update_profile(conn, me, &changes).await?;
                Ok((user, uploaded))
            })
            .await;
        drop(conn);
        match updated {
            Ok((Some(user), uploaded)) => {
                if let Some(old) = uploaded {
                    self.discard_avatar(me, &old).await;
                }
                Ok(user)
            }
            Ok((None, _)) => Err(no_profile_yet()),
            Err(err) if violated_constraint(&err) == Some(NICKNAME_UNIQUE_INDEX) => {
                Err(nickname_taken())
            }
            Err(err) => Err(err.into()),
        }
    }
}
