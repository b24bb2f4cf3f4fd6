//! gRPC contracts of the messenger services, generated from `proto/`.

#![allow(clippy::pedantic, clippy::all)]

pub mod auth {
    pub mod v1 {
        tonic::include_proto!("auth.v1");
    }
}

pub mod users {
    pub mod v1 {
        tonic::include_proto!("users.v1");
    }
}
