//! messaging's gRPC port: `messaging.v1.Messaging`, which users calls to
//! keep messaging's replica of blocks and privacy settings
//! ([`crate::service::replica`]), beside the standard
//! `grpc.health.v1.Health` service (added by service-runtime's
//! `serve_grpc`, as on every port), whose status ("" and "messaging") here
//! also follows whether the database answers.

use std::time::Duration;

use api_errors::{ApiError, ErrorCode};
use grpc_api::messaging::v1 as pb;
use grpc_api::messaging::v1::messaging_server::Messaging;
use service_runtime::GrpcHealth;
use service_runtime::db::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::db::contacts::Privacy;
use crate::service::replica;

const CHECK_EVERY: Duration = Duration::from_secs(5);

/// `messaging.v1.Messaging` over the service's database.
pub struct MessagingGrpc {
    pub pool: PgPool,
}

fn parse_id(field: &str, raw: &str) -> Result<Uuid, Status> {
    Uuid::try_parse(raw)
        .map_err(|_| Status::invalid_argument(format!("{field} is not a valid UUID: {raw:?}")))
}

/// Callers retry UNAVAILABLE and INTERNAL; the details stay in our log.
fn to_status(err: ApiError) -> Status {
    let status = match err.code() {
        ErrorCode::BadUserInput => Status::invalid_argument(err.message()),
        ErrorCode::Unavailable => Status::unavailable(err.message()),
        _ => Status::internal("internal error"),
    };
    // The conversion logs the cause of internal errors, as for GraphQL.
    let _logged = async_graphql::Error::from(err);
    status
}

#[tonic::async_trait]
impl Messaging for MessagingGrpc {
    async fn apply_block(
        &self,
        request: Request<pb::ApplyBlockRequest>,
    ) -> Result<Response<pb::ApplyBlockResponse>, Status> {
        let request = request.into_inner();
        let by = parse_id("blocker_id", &request.blocker_id)?;
        let whom = parse_id("blocked_id", &request.blocked_id)?;
        replica::apply_block(&self.pool, by, whom, request.blocked, request.version)
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::ApplyBlockResponse {}))
    }

    async fn apply_privacy(
        &self,
        request: Request<pb::ApplyPrivacyRequest>,
    ) -> Result<Response<pb::ApplyPrivacyResponse>, Status> {
        let request = request.into_inner();
        let user = parse_id("user_id", &request.user_id)?;
        let settings = Privacy {
            who_may_message: &request.who_may_message,
            who_may_add: &request.who_may_add,
            read_receipts: request.read_receipts,
            show_last_seen: &request.show_last_seen,
        };
        replica::apply_privacy(&self.pool, user, &settings, request.version)
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::ApplyPrivacyResponse {}))
    }
}

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
