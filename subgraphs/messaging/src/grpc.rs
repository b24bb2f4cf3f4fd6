//! The gRPC port serves the standard `grpc.health.v1.Health` service, for
//! orchestrators and the other services. The overall status ("") and
//! "messaging" follow whether the database answers.

use std::time::Duration;

use service_runtime::db::PgPool;
use tonic_health::ServingStatus;
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::server::HealthReporter;

/// The service name whose status tells whether messaging can serve.
pub const SERVICE_NAME: &str = "messaging";

const CHECK_EVERY: Duration = Duration::from_secs(5);

/// The health service with both names registered (as serving until the
/// first check says otherwise, which runs at once).
pub async fn health_service() -> (HealthReporter, HealthServer<impl Health>) {
    let (reporter, server) = tonic_health::server::health_reporter();
    set(&reporter, ServingStatus::Serving).await;
    (reporter, server)
}

/// Checks the database every few seconds and reports it, until `shutdown`;
/// then reports NOT_SERVING so that balancers drain this instance.
pub async fn report_health(
    reporter: HealthReporter,
    pool: PgPool,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut ticks = tokio::time::interval(CHECK_EVERY);
    let mut current = None;
    loop {
        tokio::select! {
            () = &mut shutdown => {
                set(&reporter, ServingStatus::NotServing).await;
                return;
            }
            _ = ticks.tick() => {}
        }
        let status = if database_answers(&pool).await {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        if current != Some(status) {
            if status == ServingStatus::NotServing {
                tracing::warn!("database unreachable; gRPC health is NOT_SERVING");
            }
            set(&reporter, status).await;
            current = Some(status);
        }
    }
}

async fn set(reporter: &HealthReporter, status: ServingStatus) {
    reporter.set_service_status("", status).await;
    reporter.set_service_status(SERVICE_NAME, status).await;
}

async fn database_answers(pool: &PgPool) -> bool {
    let check = async {
        let mut conn = pool.get().await.ok()?;
        crate::db::ping(&mut conn).await.ok()
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(3), check).await,
        Ok(Some(()))
    )
}
