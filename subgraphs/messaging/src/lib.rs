//! The messaging subgraph (in progress).
