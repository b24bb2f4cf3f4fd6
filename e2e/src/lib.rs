//! Black-box tests of the whole system, as a frontend sees it.
//!
//! [`System::start`] runs the three subgraphs in-process on free ports, each
//! over a fresh database (`stack::Stack`), and the real router binary
//! (`router/target/debug/router`, built on first use) as a child process in
//! front of them, configured by the committed `router/router.yaml` and
//! `supergraph.graphql`. Tests then talk to the router only.
//!
//! [`browser`] drives headless Chromium through chromedriver for the
//! explorer test.

pub mod browser;
mod router;
mod system;

pub use router::{RouterProcess, free_port, repo_root, router_binary};
pub use stack::{PASSWORD, TestUser};
pub use system::{Subgraph, System};
