//! `auth.v1.Auth` over gRPC.

use grpc_api::auth::v1::auth_server::Auth;
use grpc_api::auth::v1::{ValidateTokenRequest, ValidateTokenResponse};
use tonic::{Request, Response, Status};

use crate::service::AuthService;

pub struct AuthGrpc {
    pub service: AuthService,
}

#[tonic::async_trait]
impl Auth for AuthGrpc {
    async fn validate_token(
        &self,
        request: Request<ValidateTokenRequest>,
    ) -> Result<Response<ValidateTokenResponse>, Status> {
        match self.service.validate_token(&request.get_ref().token) {
            Ok(claims) => Ok(Response::new(ValidateTokenResponse {
                user_id: claims.sub.to_string(),
                session_id: claims.sid.to_string(),
                expires_at: claims.exp,
                email_verified: claims.ev,
            })),
            Err(rejection) => {
                let mut status = Status::unauthenticated(rejection.as_str());
                if let Ok(value) = rejection.as_str().parse() {
                    status.metadata_mut().insert("x-reason", value);
                }
                Err(status)
            }
        }
    }
}
