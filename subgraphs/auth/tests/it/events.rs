//! Registration asks the users service to create the user, through the outbox.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::assigning_clones)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{register, spawn_with};
use grpc_api::users::v1::users_server::{Users, UsersServer};
use grpc_api::users::v1::{
    CreateUserRequest, CreateUserResponse, GetUsersRequest, GetUsersResponse, User,
};
use tonic::{Request, Response, Status};

/// A real gRPC server speaking the users contract, recording what it is asked.
#[derive(Clone, Default)]
struct RecordingUsers {
    created: Arc<Mutex<Vec<CreateUserRequest>>>,
}

#[tonic::async_trait]
impl Users for RecordingUsers {
    async fn create_user(
        &self,
        request: Request<CreateUserRequest>,
    ) -> Result<Response<CreateUserResponse>, Status> {
        let request = request.into_inner();
        self.created.lock().unwrap().push(request.clone());
        Ok(Response::new(CreateUserResponse {
            user: Some(User {
                id: request.account_id,
                nickname: "x".into(),
            }),
        }))
    }

    async fn get_users(
        &self,
        _: Request<GetUsersRequest>,
    ) -> Result<Response<GetUsersResponse>, Status> {
        Ok(Response::new(GetUsersResponse { users: vec![] }))
    }
}

#[tokio::test]
async fn registration_reaches_users_via_the_outbox() {
    let users = RecordingUsers::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = users.clone();
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(UsersServer::new(server))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
            .unwrap();
    });

    let t = spawn_with(
        |c| c.users_grpc_url = format!("http://{addr}"),
        auth::Parts::ALL,
    )
    .await;
    let auth = register(&t.gql, "Newbie@Example.com", "password-1").await;
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = users.created.lock().unwrap().clone();
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen.len(), 1, "CreateUser called once");
    assert_eq!(seen[0].account_id, auth["userId"].as_str().unwrap());
    assert_eq!(seen[0].email, "newbie@example.com");
}

#[tokio::test]
async fn a_failed_registration_enqueues_nothing() {
    let t = spawn_with(
        |_| {},
        auth::Parts {
            worker: false,
            ..auth::Parts::ALL
        },
    )
    .await;
    register(&t.gql, "once@example.com", "password-1").await;
    let resp = t
        .gql
        .query(
            crate::common::REGISTER,
            serde_json::json!({"email": "once@example.com", "password": "password-2"}),
        )
        .await;
    assert_eq!(testkit::error_code(&resp).as_deref(), Some("CONFLICT"));
    let mut conn = t.running.service.pool.get().await.unwrap();
    assert_eq!(outbox::pending_count(&mut conn).await.unwrap(), 1);
}
