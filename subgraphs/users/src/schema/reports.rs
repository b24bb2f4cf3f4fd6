//! GraphQL types of `reportUser`.

use async_graphql::{ID, InputObject, SimpleObject};
use reports::Reason;

/// What `reportUser` takes.
#[derive(InputObject)]
pub struct ReportUserInput {
    /// The user reported (not the caller).
    pub user_id: ID,
    /// Why the user is reported.
    pub reason: Reason,
    /// What happened, in the reporter's words: at most 1,000 characters;
    /// blank is none.
    pub details: Option<String>,
}

/// What `reportUser` answers.
#[derive(SimpleObject)]
pub struct ReportUserPayload {
    /// The report filed, or the caller's open report of that user filed before.
    pub report_id: ID,
}
