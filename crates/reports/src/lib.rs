//! Reports of abuse, the same in every service that takes them: users
//! (`reportUser`) and messaging (`reportMessage`).
//!
//! Each service keeps its reports in its own database (table `reports`, DDL
//! in `migrations/`; services copy that folder): who reported what, why, and
//! a snapshot of the target as it was then, so that an edit, a deletion or a
//! new nickname does not erase the evidence. A reporter has at most one open
//! report per target (a partial unique index): reporting it again while the
//! first is open answers the first. Operators list the open reports and
//! resolve them with a note from the service's command line ([`admin`]).

pub mod admin;

use api_errors::ApiError;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

/// The most characters of `details`.
pub const DETAILS_MAX_CHARS: usize = 1000;

/// Why something is reported.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(name = "ReportReason")]
pub enum Reason {
    /// Unwanted advertising, scams, mass messages.
    Spam,
    /// Bullying, threats or insults aimed at someone.
    Harassment,
    /// Hatred against people for who they are.
    Hate,
    /// Violence: threatened, incited or shown.
    Violence,
    /// Sexual content, unwanted or involving minors.
    SexualContent,
    /// Someone may hurt themselves.
    SelfHarm,
    /// Pretending to be someone else.
    Impersonation,
    /// Anything else: say what in `details`.
    Other,
}

impl Reason {
    pub const ALL: [Reason; 8] = [
        Reason::Spam,
        Reason::Harassment,
        Reason::Hate,
        Reason::Violence,
        Reason::SexualContent,
        Reason::SelfHarm,
        Reason::Impersonation,
        Reason::Other,
    ];

    /// As stored (and as GraphQL spells it).
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Spam => "SPAM",
            Reason::Harassment => "HARASSMENT",
            Reason::Hate => "HATE",
            Reason::Violence => "VIOLENCE",
            Reason::SexualContent => "SEXUAL_CONTENT",
            Reason::SelfHarm => "SELF_HARM",
            Reason::Impersonation => "IMPERSONATION",
            Reason::Other => "OTHER",
        }
    }
}

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A user (the users service).
    User,
    /// A message (the messaging service).
    Message,
}

impl TargetKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            TargetKind::User => "user",
            TargetKind::Message => "message",
        }
    }
}

/// A report's `details`, trimmed: `None` when absent or blank; at most
/// 1,000 characters, no control characters but line breaks and tabs.
pub fn check_details(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(details) = raw.map(str::trim).filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    if details.chars().count() > DETAILS_MAX_CHARS {
        return Err(ApiError::invalid_field(
            "details",
            format!("details must be at most {DETAILS_MAX_CHARS} characters"),
        ));
    }
    if details
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Err(ApiError::invalid_field(
            "details",
            "details must not contain control characters",
        ));
    }
    Ok(Some(details.to_owned()))
}

/// A report to file.
#[derive(Debug, Clone)]
pub struct NewReport<'a> {
    pub reporter_id: Uuid,
    pub target_kind: TargetKind,
    pub target_id: Uuid,
    pub reason: Reason,
    /// Checked with [`check_details`].
    pub details: Option<&'a str>,
    /// The target as it is now.
    pub snapshot: serde_json::Value,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The reporter's open report on the target, if any.
pub async fn open_report(
    conn: &mut AsyncPgConnection,
    reporter_id: Uuid,
    target_kind: TargetKind,
    target_id: Uuid,
) -> QueryResult<Option<Uuid>> {
    prepared::sql(
        "SELECT id FROM reports \
         WHERE reporter_id = $1 AND target_kind = $2 AND target_id = $3 AND resolved_at IS NULL",
    )
    .bind::<SqlUuid, _>(reporter_id)
    .bind::<Text, _>(target_kind.as_str())
    .bind::<SqlUuid, _>(target_id)
    .get_result::<Id>(conn)
    .await
    .optional()
    .map(|found| found.map(|r| r.id))
}

/// Files `report`, or finds the reporter's open report on the same target
/// (one filed meanwhile, too: the unique index decides); returns its id.
pub async fn file(conn: &mut AsyncPgConnection, report: &NewReport<'_>) -> QueryResult<Uuid> {
    // Twice at most: a conflicting open report may be resolved between
    // the insert and the look-up.
    for _ in 0..2 {
        let inserted = prepared::sql(
            "INSERT INTO reports (id, reporter_id, target_kind, target_id, reason, details, snapshot) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (reporter_id, target_kind, target_id) WHERE resolved_at IS NULL DO NOTHING \
             RETURNING id",
        )
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<SqlUuid, _>(report.reporter_id)
        .bind::<Text, _>(report.target_kind.as_str())
        .bind::<SqlUuid, _>(report.target_id)
        .bind::<Text, _>(report.reason.as_str())
        .bind::<Nullable<Text>, _>(report.details)
        .bind::<Jsonb, _>(&report.snapshot)
        .get_result::<Id>(conn)
        .await
        .optional()?;
        if let Some(inserted) = inserted {
            return Ok(inserted.id);
        }
        if let Some(open) = open_report(
            conn,
            report.reporter_id,
            report.target_kind,
            report.target_id,
        )
        .await?
        {
            return Ok(open);
        }
    }
    Err(diesel::result::Error::NotFound)
}

/// An open report, as operators see it.
#[derive(Debug, Clone, PartialEq, QueryableByName, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = SqlUuid)]
    pub reporter_id: Uuid,
    #[diesel(sql_type = Text)]
    pub target_kind: String,
    #[diesel(sql_type = SqlUuid)]
    pub target_id: Uuid,
    #[diesel(sql_type = Text)]
    pub reason: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub details: Option<String>,
    #[diesel(sql_type = Jsonb)]
    pub snapshot: serde_json::Value,
}

/// Up to `limit` open reports, oldest first.
pub async fn list_open(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<Report>> {
    prepared::sql(
        "SELECT id, created_at, reporter_id, target_kind, target_id, reason, details, snapshot \
         FROM reports WHERE resolved_at IS NULL ORDER BY created_at, id LIMIT $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await
}

/// Closes open report `id` with `resolution`; false if there is no such
/// open report (none, or resolved already).
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    resolution: &str,
) -> QueryResult<bool> {
    let resolved = prepared::sql(
        "UPDATE reports SET resolved_at = now(), resolution = $2 \
         WHERE id = $1 AND resolved_at IS NULL RETURNING id",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(resolution)
    .get_result::<Id>(conn)
    .await
    .optional()?;
    Ok(resolved.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_spelled_as_graphql_spells_them() {
        for reason in Reason::ALL {
            let value = async_graphql::InputType::to_value(&reason);
            assert_eq!(value.to_string(), reason.as_str());
        }
    }

    #[test]
    fn details_rules() {
        assert_eq!(check_details(None).unwrap(), None);
        assert_eq!(check_details(Some("  ")).unwrap(), None);
        assert_eq!(
            check_details(Some(" he said\n\tthis ")).unwrap().unwrap(),
            "he said\n\tthis"
        );
        assert!(check_details(Some(&"é".repeat(1000))).is_ok());
        assert!(check_details(Some(&"é".repeat(1001))).is_err());
        assert!(check_details(Some("nul\u{0}")).is_err());
        assert!(check_details(Some("esc\u{1b}[0m")).is_err());
    }
}
