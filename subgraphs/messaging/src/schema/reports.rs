//! GraphQL types of `reportMessage`.

use async_graphql::{ID, InputObject, SimpleObject};
use reports::Reason;

/// What `reportMessage` takes.
#[derive(InputObject)]
pub struct ReportMessageInput {
    /// The message reported: one the caller may see, someone else's.
    pub message_id: ID,
    /// Why the message is reported.
    pub reason: Reason,
    /// What happened, in the reporter's words: at most 1,000 characters;
    /// blank is none.
    pub details: Option<String>,
}

/// What `reportMessage` answers.
#[derive(SimpleObject)]
pub struct ReportMessagePayload {
    /// The report filed, or the caller's open report of that message filed before.
    pub report_id: ID,
}
