//! gRPC contracts of the messenger services, generated from `proto/`, and
//! the [`ServiceToken`] every internal call carries, and the one builder of
//! channels between our services ([`channel`]).

pub mod channel;
pub mod service_token;

pub use service_token::{ServiceChannel, ServiceToken};

#[allow(clippy::pedantic, clippy::all)]
pub mod auth {
    pub mod v1 {
        tonic::include_proto!("auth.v1");
    }
}

#[allow(clippy::pedantic, clippy::all)]
pub mod messaging {
    pub mod v1 {
        tonic::include_proto!("messaging.v1");
    }
}

#[allow(clippy::pedantic, clippy::all)]
pub mod users {
    pub mod v1 {
        tonic::include_proto!("users.v1");
    }
}
