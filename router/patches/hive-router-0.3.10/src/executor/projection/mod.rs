pub mod error;
pub mod plan;
pub mod request;
pub mod response;
