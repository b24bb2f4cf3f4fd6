//! The integration tests of this crate, one test binary (one link of the
//! whole tree instead of one per file), one module per feature.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

mod api;
mod audit;
mod common;
mod db_roles;
mod email_change;
mod email_verification;
mod events;
mod identities;
mod keys;
mod oauth;
mod oauth_misbehaving_provider;
mod password_reset;
mod passwords;
mod sessions;
mod throttling;
mod tokens;
mod totp;
mod worker_sigkill;
