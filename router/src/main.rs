//! The messenger's federation router: Hive Router (MIT) with our plugins.
//!
//! Everything GraphQL is Hive Router's (query planner, executor,
//! WebSocket subscriptions, limits, CORS); this binary adds configuration
//! (`router.yaml`) and the plugins in [`plugins`], among them the services'
//! browser-facing routes: the router's origin is the system's only public
//! one.

// ntex's nested service types (as in Hive Router's own crate): the release
// build's layout computation needs more than the default 128.
#![recursion_limit = "256"]

mod plugins;

use hive_router::{
    PluginRegistry, RouterGlobalAllocator, configure_global_allocator, error::RouterInitError,
    init_rustls_crypto_provider, ntex, router_entrypoint,
};

configure_global_allocator!();

/// Hive Router reads its configuration file from this variable.
const CONFIG_ENV: &str = "ROUTER_CONFIG_FILE_PATH";

fn main() -> Result<(), RouterInitError> {
    if std::env::var_os(CONFIG_ENV).is_none() {
        // `cargo run` in a checkout just works: default to our router.yaml.
        // SAFETY: nothing else runs yet (the runtime and its threads start
        // in `run`), so no other thread can read the environment meanwhile.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var(
                CONFIG_ENV,
                concat!(env!("CARGO_MANIFEST_DIR"), "/router.yaml"),
            );
        }
    }
    run()
}

#[hive_router::main]
async fn run() -> Result<(), RouterInitError> {
    init_rustls_crypto_provider();
    router_entrypoint(
        PluginRegistry::new()
            .register::<plugins::explorer::Explorer>()
            .register::<plugins::healthz::Healthz>()
            .register::<plugins::request_id::RequestId>()
            .register::<plugins::forwarded_for::ForwardedFor>()
            .register::<plugins::service_routes::ServiceRoutes>()
            .register::<plugins::not_found::NotFound>()
            .register::<plugins::error_codes::ErrorCodes>(),
    )
    .await
}
