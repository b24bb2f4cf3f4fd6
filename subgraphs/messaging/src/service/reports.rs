//! `reportMessage`: a member (or former member) reports a message they may
//! see. The report keeps the message as it was (its text, sender and
//! conversation), whatever is done to it later: edited, deleted.

use api_errors::{ApiError, ApiResult};
use reports::{NewReport, Reason, TargetKind};
use serde_json::json;
use uuid::Uuid;

use super::MessagingService;
use super::changes::{Lock, visible};
use crate::db::messages;
use crate::validate;

impl MessagingService {
    /// Files `me`'s report of message `message_id`, or answers `me`'s open
    /// report of it (uncounted); returns the report's id. `NOT_FOUND`
    /// unless `me` may see the message; counted against `REPORT_RATE` when
    /// a new report is filed.
    pub async fn report_message(
        &self,
        me: Uuid,
        message_id: &str,
        reason: Reason,
        details: Option<&str>,
    ) -> ApiResult<Uuid> {
        let id = validate::uuid("messageId", message_id)?;
        let details = reports::check_details(details)?;
        let mut conn = self.pool.get().await?;
        let seen = visible(&mut conn, id, me, "messageId", Lock::No).await?;
        if let Some(open) = reports::open_report(&mut conn, me, TargetKind::Message, id).await? {
            return Ok(open);
        }
        let message = &seen.message;
        if message.kind == messages::SYSTEM {
            return Err(ApiError::invalid_field(
                "messageId",
                "a system message cannot be reported",
            ));
        }
        if message.sender_id == Some(me) {
            return Err(ApiError::invalid_field(
                "messageId",
                "that is your own message: delete it instead",
            ));
        }
        if message.is_deleted() {
            // Its text is gone: nothing left to report.
            return Err(ApiError::conflict("the message was deleted")
                .with_extension("field", "messageId".into()));
        }
        ratelimit::check(&mut conn, &format!("report:{me}"), self.report_rate)
            .await?
            .into_result()?;
        let report_id = reports::file(
            &mut conn,
            &NewReport {
                reporter_id: me,
                target_kind: TargetKind::Message,
                target_id: id,
                reason,
                details: details.as_deref(),
                snapshot: json!({
                    "conversationId": seen.conversation.id,
                    "conversationKind": seen.conversation.kind,
                    "senderId": message.sender_id,
                    "text": message.body,
                    "sentAt": message.sent_at,
                    "editedAt": message.edited_at,
                    "replyToId": message.reply_to_id,
                }),
            },
        )
        .await?;
        tracing::info!(
            report_id = %report_id,
            reporter = %me,
            message_id = %id,
            reason = reason.as_str(),
            "message reported"
        );
        Ok(report_id)
    }
}
