//! The integration tests of this crate, one test binary (one link of the
//! whole tree instead of one per file), one module per feature.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

mod api;
mod auth_outage;
mod blocks;
mod changes;
mod common;
mod email_verification;
mod groups;
mod limits;
mod reactions;
mod reconnect;
mod replies;
mod reports;
mod send_statement;
mod subscriptions;
mod typing;
