//! Per-recipient notification log (work in progress).
