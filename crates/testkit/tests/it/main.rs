//! testkit's own tests, one test binary, one module per part. The fallback
//! to a private cluster is tested apart (`tests/fallback.rs`): it changes
//! `DATABASE_URL` for its whole process.

#![allow(clippy::unwrap_used)]

mod clients;
mod cluster;
mod database;
