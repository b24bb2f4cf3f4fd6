//! `reportUser`: a user reports another. The report keeps the profile as it
//! was (nickname, about, picture), whatever the reported user changes later.

use api_errors::{ApiError, ApiResult};
use reports::{NewReport, Reason, TargetKind};
use serde_json::json;
use uuid::Uuid;

use super::{UsersService, user_not_found};
use crate::db::users;

impl UsersService {
    /// Files `me`'s report of user `target`, or answers `me`'s open report
    /// of that user (uncounted); returns the report's id. Counted against
    /// `REPORT_RATE` when a new report is filed.
    pub async fn report_user(
        &self,
        me: Uuid,
        target: Uuid,
        reason: Reason,
        details: Option<&str>,
    ) -> ApiResult<Uuid> {
        if target == me {
            return Err(ApiError::invalid_field(
                "userId",
                "that is you: you cannot report yourself",
            ));
        }
        let details = reports::check_details(details)?;
        let mut conn = self.pool.get().await?;
        let user = users::by_id(&mut conn, target)
            .await?
            .ok_or_else(user_not_found)?;
        if let Some(open) = reports::open_report(&mut conn, me, TargetKind::User, target).await? {
            return Ok(open);
        }
        ratelimit::check(&mut conn, &format!("report:{me}"), self.report_rate)
            .await?
            .into_result()?;
        let id = reports::file(
            &mut conn,
            &NewReport {
                reporter_id: me,
                target_kind: TargetKind::User,
                target_id: target,
                reason,
                details: details.as_deref(),
                snapshot: json!({
                    "nickname": user.nickname,
                    "about": user.about,
                    "avatarUrl": user.avatar_url,
                    "avatarKey": user.avatar_key,
                }),
            },
        )
        .await?;
        tracing::info!(report_id = %id, reporter = %me, user_id = %target, reason = reason.as_str(), "user reported");
        Ok(id)
    }
}
