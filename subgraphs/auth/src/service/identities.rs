//! The provider identities linked to an account (`oauth_identities`):
//! listing them, and unlinking one provider's, never the last way to sign in.

use api_errors::{ApiError, ApiResult};
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::security::{EventKind, record_via};
use super::{AuthService, ClientInfo};
use crate::db::accounts;
use crate::db::oauth::{self as db, LinkedIdentity};
use crate::secrets::SecondFactorCode;

fn last_sign_in_method() -> ApiError {
    ApiError::conflict(
        "this is the account's only way to sign in: set a password (setPassword) or link another provider first",
    )
    .with_extension("reason", serde_json::Value::from("LAST_SIGN_IN_METHOD"))
}

impl AuthService {
    /// The provider identities linked to the account, oldest first.
    pub async fn identities(&self, account_id: Uuid) -> ApiResult<Vec<LinkedIdentity>> {
        let mut conn = self.pool.get().await?;
        Ok(db::identities_of(&mut conn, account_id).await?)
    }

    /// Unlinks the account's identities of `provider` (signing in with it
    /// no longer signs in to this account) and records
    /// `IDENTITY_UNLINKED`; returns the identities left. NOT_FOUND when
    /// none of that provider is linked; CONFLICT (`LAST_SIGN_IN_METHOD`)
    /// when the account has no password and no other provider, so could
    /// not be signed in to any more. An account with TOTP also needs a
    /// recent second factor (`totp_code` gives one).
    pub async fn unlink_identity(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        provider: &str,
        totp_code: Option<&SecondFactorCode>,
        client: &ClientInfo,
    ) -> ApiResult<Vec<LinkedIdentity>> {
        self.require_recent_second_factor(account_id, session_id, totp_code, client)
            .await?;
        let mut conn = self.pool.get().await?;
        let left = conn
            .transaction::<_, ApiError, _>(async |conn| {
                // The account's row lock orders this after (or before) a
                // provider sign-in linking, a password being set or the
                // account being claimed: the check below sees their outcome.
                let account = accounts::lock(conn, account_id)
                    .await?
                    .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
                let (unlinking, left): (Vec<_>, Vec<_>) = db::identities_of(conn, account_id)
                    .await?
                    .into_iter()
                    .partition(|identity| identity.provider == provider);
                if unlinking.is_empty() {
                    return Err(ApiError::not_found(
                        "no sign-in with this provider is linked to your account",
                    ));
                }
                if account.password_hash.is_none() && left.is_empty() {
                    return Err(last_sign_in_method());
                }
                db::delete_identities(conn, account_id, provider).await?;
                record_via(
                    conn,
                    EventKind::IdentityUnlinked,
                    Some(account_id),
                    Some(session_id),
                    client,
                    Some(provider),
                )
                .await?;
                Ok(left)
            })
            .await?;
        tracing::info!(%account_id, provider, "provider sign-in unlinked");
        Ok(left)
    }
}
