//! A real gRPC server speaking the users contract that records the
//! `CreateUser` calls auth's outbox makes (the tests of account creation
//! reaching users, without a users service).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use grpc_api::users::v1::users_server::{Users, UsersServer};
use grpc_api::users::v1::{
    AreFriendsRequest, AreFriendsResponse, CreateUserRequest, CreateUserResponse, GetUsersRequest,
    GetUsersResponse, MayAddToGroupRequest, MayAddToGroupResponse, User,
};
use tonic::{Request, Response, Status};

#[derive(Clone, Default)]
pub struct RecordingUsers {
    created: Arc<Mutex<Vec<CreateUserRequest>>>,
}

impl RecordingUsers {
    /// Serves a new recorder on a free port; returns it and its address.
    pub async fn serve() -> (RecordingUsers, SocketAddr) {
        let users = RecordingUsers::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("binding the users recorder: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the users recorder's address: {e}"));
        let server = users.clone();
        tokio::spawn(async move {
            tonic::transport::Server::builder()
                .add_service(UsersServer::new(server))
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
                .await
                .unwrap_or_else(|e| panic!("the users recorder: {e}"));
        });
        (users, addr)
    }

    /// The `CreateUser` requests received so far.
    pub fn created(&self) -> Vec<CreateUserRequest> {
        self.created
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[tonic::async_trait]
impl Users for RecordingUsers {
    async fn create_user(
        &self,
        request: Request<CreateUserRequest>,
    ) -> Result<Response<CreateUserResponse>, Status> {
        let request = request.into_inner();
        self.created
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(request.clone());
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

    async fn are_friends(
        &self,
        _: Request<AreFriendsRequest>,
    ) -> Result<Response<AreFriendsResponse>, Status> {
        Ok(Response::new(AreFriendsResponse { friend_ids: vec![] }))
    }

    async fn may_add_to_group(
        &self,
        _: Request<MayAddToGroupRequest>,
    ) -> Result<Response<MayAddToGroupResponse>, Status> {
        Ok(Response::new(MayAddToGroupResponse {
            allowed_ids: vec![],
        }))
    }
}
