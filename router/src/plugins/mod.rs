//! Our Hive Router plugins. Each is switched on under `plugins:` in
//! `router.yaml` and registered in `main.rs` (registration order is the order
//! their hooks run in).

pub mod error_codes;
pub mod explorer;
pub mod forwarded_for;
pub mod healthz;
pub mod request_id;
