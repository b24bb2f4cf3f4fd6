//! messaging's gRPC port serves only the standard `grpc.health.v1.Health`
//! service (added by service-runtime's `serve_grpc`, as on every port). Here
//! its status ("" and "messaging") also follows whether the database
//! answers.

use std::time::Duration;

use service_runtime::GrpcHealth;
use service_runtime::db::PgPool;

const CHECK_EVERY: Duration = Duration::from_secs(5);

/// Checks the database every few seconds and reports it, until `shutdown`
/// (from then on service-runtime reports NOT_SERVING, so that balancers
/// drain this instance).
pub async fn report_health(
    health: GrpcHealth,
    pool: PgPool,
    shutdown: impl Future<Output = ()> + Send,
) {
    tokio::pin!(shutdown);
    let mut ticks = tokio::time::interval(CHECK_EVERY);
    let mut current = None;
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => {}
        }
        let serving = database_answers(&pool).await;
        if current != Some(serving) {
            if !serving {
                tracing::warn!("database unreachable; gRPC health is NOT_SERVING");
            }
            health.set_serving(serving).await;
            current = Some(serving);
        }
    }
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
