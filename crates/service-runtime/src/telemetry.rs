//! Logging set-up: human-readable by default, JSON lines behind a flag.
//!
//! Secrets never reach the log by type (auth's `Password`, `AccessToken`,
//! `RefreshToken` print `[redacted]`); on top of that, the libraries that
//! dump whole frames at TRACE (WebSocket frames carry `connection_init`
//! with the bearer token) are capped at DEBUG whatever `RUST_LOG` says.

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

const DEFAULT_FILTER: &str = "info,tower_http=info,h2=warn,tonic=info";

/// Targets whose TRACE output holds raw bytes of requests.
const WIRE_DUMPS: [&str; 2] = ["tungstenite", "tokio_tungstenite"];

/// `directives` (as in `RUST_LOG`) with the wire-dump caps added.
pub fn filter(directives: &str) -> EnvFilter {
    WIRE_DUMPS
        .iter()
        .filter_map(|target| format!("{target}=debug").parse().ok())
        .fold(EnvFilter::new(directives), EnvFilter::add_directive)
}

/// Installs the global subscriber. `RUST_LOG` overrides the default filter.
/// Safe to call twice (tests): the second call does nothing.
pub fn init(json: bool) {
    let directives = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_FILTER.to_owned());
    init_with(&directives, json, std::io::stdout);
}

/// Installs the global subscriber with `directives` and `writer` (tests
/// capture the log this way); false if one was installed already.
pub fn init_with<W>(directives: &str, json: bool, writer: W) -> bool
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let registry = tracing_subscriber::registry().with(filter(directives));
    let result = if json {
        registry
            .with(fmt::layer().json().flatten_event(true).with_writer(writer))
            .try_init()
    } else {
        registry
            .with(fmt::layer().compact().with_writer(writer))
            .try_init()
    };
    // Err: already initialised (e.g. several in-process services in one test).
    result.is_ok()
}
