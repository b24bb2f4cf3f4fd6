//! `users.v1.Users` over gRPC, for the other services.

use std::collections::{HashMap, HashSet};

use api_errors::{ApiError, ErrorCode};
use grpc_api::users::v1 as pb;
use grpc_api::users::v1::users_server::Users;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::db::users::User;
use crate::service::UsersService;

/// Most ids one GetUsers may ask for.
pub const MAX_GET_USERS: usize = 1000;
/// Longest email CreateUser takes (RFC 5321 path limit).
const MAX_EMAIL_LEN: usize = 254;

pub struct UsersGrpc {
    pub service: UsersService,
}

fn to_pb(user: User) -> pb::User {
    pb::User {
        id: user.id.to_string(),
        nickname: user.nickname,
    }
}

/// Callers retry UNAVAILABLE and INTERNAL (auth's outbox does); the details
/// stay in our log.
fn to_status(err: ApiError) -> Status {
    let status = match err.code() {
        ErrorCode::BadUserInput => Status::invalid_argument(err.message()),
        ErrorCode::NotFound => Status::not_found(err.message()),
        ErrorCode::Unavailable => Status::unavailable(err.message()),
        _ => Status::internal("internal error"),
    };
    // The conversion logs the cause of internal errors, as for GraphQL.
    let _logged = async_graphql::Error::from(err);
    status
}

fn parse_id(field: &str, raw: &str) -> Result<Uuid, Status> {
    Uuid::try_parse(raw)
        .map_err(|_| Status::invalid_argument(format!("{field} is not a valid UUID: {raw:?}")))
}

#[tonic::async_trait]
impl Users for UsersGrpc {
    async fn create_user(
        &self,
        request: Request<pb::CreateUserRequest>,
    ) -> Result<Response<pb::CreateUserResponse>, Status> {
        let request = request.into_inner();
        let account_id = parse_id("account_id", &request.account_id)?;
        if request.email.len() > MAX_EMAIL_LEN {
            return Err(Status::invalid_argument("email is longer than 254 bytes"));
        }
        let user = self
            .service
            .create_user(account_id)
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::CreateUserResponse {
            user: Some(to_pb(user)),
        }))
    }

    async fn get_users(
        &self,
        request: Request<pb::GetUsersRequest>,
    ) -> Result<Response<pb::GetUsersResponse>, Status> {
        let request = request.into_inner();
        if request.ids.len() > MAX_GET_USERS {
            return Err(Status::invalid_argument(format!(
                "at most {MAX_GET_USERS} ids per call"
            )));
        }
        let mut ids = Vec::with_capacity(request.ids.len());
        let mut seen = HashSet::new();
        for raw in &request.ids {
            let id = parse_id("ids", raw)?;
            if seen.insert(id) {
                ids.push(id);
            }
        }
        let mut found: HashMap<Uuid, User> = self
            .service
            .users(&ids)
            .await
            .map_err(to_status)?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        // In the order asked, each once, unknown ids left out.
        let users = ids.iter().filter_map(|id| found.remove(id)).map(to_pb);
        Ok(Response::new(pb::GetUsersResponse {
            users: users.collect(),
        }))
    }

    async fn are_friends(
        &self,
        request: Request<pb::AreFriendsRequest>,
    ) -> Result<Response<pb::AreFriendsResponse>, Status> {
        let request = request.into_inner();
        let user = parse_id("user_id", &request.user_id)?;
        if request.other_ids.len() > MAX_GET_USERS {
            return Err(Status::invalid_argument(format!(
                "at most {MAX_GET_USERS} ids per call"
            )));
        }
        let others = request
            .other_ids
            .iter()
            .map(|raw| parse_id("other_ids", raw))
            .collect::<Result<Vec<_>, _>>()?;
        let friends = self
            .service
            .friends_among(user, &others)
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::AreFriendsResponse {
            friend_ids: friends.iter().map(Uuid::to_string).collect(),
        }))
    }

    async fn may_add_to_group(
        &self,
        request: Request<pb::MayAddToGroupRequest>,
    ) -> Result<Response<pb::MayAddToGroupResponse>, Status> {
        let request = request.into_inner();
        let user = parse_id("user_id", &request.user_id)?;
        if request.other_ids.len() > MAX_GET_USERS {
            return Err(Status::invalid_argument(format!(
                "at most {MAX_GET_USERS} ids per call"
            )));
        }
        let others = request
            .other_ids
            .iter()
            .map(|raw| parse_id("other_ids", raw))
            .collect::<Result<Vec<_>, _>>()?;
        let allowed = self
            .service
            .may_add_to_group(user, &others)
            .await
            .map_err(to_status)?;
        Ok(Response::new(pb::MayAddToGroupResponse {
            allowed_ids: allowed.iter().map(Uuid::to_string).collect(),
        }))
    }
}
