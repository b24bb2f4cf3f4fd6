//! What other programs reuse from the load generator: the format of a
//! RESULTS.md entry (`cargo xtask fuzz` writes its figures with the same
//! header). The `bench` binary uses it from here too.

pub mod report;
