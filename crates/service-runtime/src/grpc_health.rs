//! The standard `grpc.health.v1.Health` service, which
//! [`Running::serve_grpc`](crate::Running::serve_grpc) adds to every gRPC
//! port, so no service can forget it. It answers for the whole server
//! (`""`) and for the service's name (`auth`, `users`, `messaging`):
//! SERVING from the start, NOT_SERVING once shutdown starts (balancers
//! drain the instance; open `Watch` streams then end, so they do not hold
//! up the drain). A service may report more through [`GrpcHealth`]
//! (messaging follows its database). Like every health probe it needs no
//! credential ([`crate::grpc_auth`]).

use std::sync::Arc;

use tonic_health::ServingStatus;
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::server::HealthReporter;

use crate::shutdown::Shutdown;

/// What the health service of one gRPC port reports.
#[derive(Clone)]
pub struct GrpcHealth {
    reporter: HealthReporter,
    name: &'static str,
    shutdown: Shutdown,
    /// Orders updates against the final NOT_SERVING: once shutdown has
    /// started, nothing reports SERVING again.
    updates: Arc<tokio::sync::Mutex<()>>,
}

impl GrpcHealth {
    /// The health service of service `name`, SERVING until `shutdown`.
    pub(crate) async fn new(
        name: &'static str,
        shutdown: Shutdown,
    ) -> (Self, HealthServer<impl Health>) {
        let (reporter, server) = tonic_health::server::health_reporter();
        let health = Self {
            reporter,
            name,
            shutdown,
            updates: Arc::default(),
        };
        health.set(ServingStatus::Serving).await;
        (health, server)
    }

    /// The name besides `""` that this health service answers for.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Reports whether the service can serve. Ignored once shutdown has
    /// started (the status stays NOT_SERVING).
    pub async fn set_serving(&self, serving: bool) {
        let _updating = self.updates.lock().await;
        if self.shutdown.is_triggered() {
            return;
        }
        self.set(if serving {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        })
        .await;
    }

    /// Resolves once shutdown has started and NOT_SERVING is reported.
    /// Open `Watch` streams then end, after that last status, so that a
    /// watching balancer does not hold up the drain.
    pub(crate) async fn not_serving_after_shutdown(self) {
        self.shutdown.wait().await;
        let _updating = self.updates.lock().await;
        self.set(ServingStatus::NotServing).await;
        let mut reporter = self.reporter.clone();
        reporter.clear_service_status("").await;
        reporter.clear_service_status(self.name).await;
    }

    async fn set(&self, status: ServingStatus) {
        self.reporter.set_service_status("", status).await;
        self.reporter.set_service_status(self.name, status).await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tonic_health::pb::health_check_response::ServingStatus as Status;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::health_server::Health as _;
    use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};
    use tonic_health::server::HealthService;

    use crate::Running;

    async fn next(stream: &mut tonic::Streaming<HealthCheckResponse>) -> Status {
        let response = tokio::time::timeout(Duration::from_secs(10), stream.message())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        Status::try_from(response.status).unwrap()
    }

    #[tokio::test]
    async fn serving_while_running_not_serving_once_shutdown_starts() {
        let mut running = Running::new("probe", ());
        let token = grpc_api::ServiceToken::generate();
        let health = running
            .serve_grpc(
                ([127, 0, 0, 1], 0).into(),
                tonic::service::Routes::default(),
                &token,
            )
            .await
            .unwrap();
        // No credential: probes hold no secret.
        let channel = grpc_api::channel::endpoint(&running.grpc_url())
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut client = HealthClient::new(channel);
        for service in ["", "probe"] {
            let status = client
                .check(HealthCheckRequest {
                    service: service.to_owned(),
                })
                .await
                .unwrap()
                .into_inner()
                .status;
            assert_eq!(Status::try_from(status), Ok(Status::Serving), "{service}");
        }
        let mut watch = client
            .watch(HealthCheckRequest {
                service: "probe".to_owned(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(next(&mut watch).await, Status::Serving);
        health.set_serving(false).await;
        assert_eq!(next(&mut watch).await, Status::NotServing);
        health.set_serving(true).await;
        assert_eq!(next(&mut watch).await, Status::Serving);

        running.shutdown_handle().trigger();
        assert_eq!(next(&mut watch).await, Status::NotServing);
        // Then the watch ends, and the server drains though the client
        // still holds its connection.
        let end = tokio::time::timeout(Duration::from_secs(10), watch.message()).await;
        assert!(matches!(end, Ok(Ok(None))), "{end:?}");
        tokio::time::timeout(Duration::from_secs(10), running.wait())
            .await
            .unwrap();
        // Too late to come back.
        health.set_serving(true).await;
        let service = HealthService::from_health_reporter(health.reporter.clone());
        let answer = service
            .check(tonic::Request::new(HealthCheckRequest {
                service: String::new(),
            }))
            .await
            .map(|response| response.into_inner().status);
        assert!(
            answer.as_ref().ok() != Some(&(Status::Serving as i32)),
            "{answer:?}"
        );
        drop((watch, client));
    }
}
