//! The users subgraph (in progress).
