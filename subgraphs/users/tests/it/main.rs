//! The integration tests of this crate, one test binary (one link of the
//! whole tree instead of one per file), one module per feature.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

mod auth_outage;
mod avatars;
mod blocks;
mod broker;
mod common;
mod email_verification;
mod friend_events_v2;
mod friends;
mod grpc;
mod limits;
mod pg_restart;
mod profile;
mod reports;
mod search;
mod subscriptions;
