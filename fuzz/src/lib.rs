//! Helpers shared by the fuzz targets: the JWT test keys and the oracle that
//! decides, independently of `jsonwebtoken`, whether a token should pass.

pub mod jwt;

use api_errors::{ApiError, ErrorCode};

/// Every refusal of a validator must be a `BAD_USER_INPUT`.
pub fn assert_bad_input(err: &ApiError, input: &str) {
    assert_eq!(
        err.code(),
        ErrorCode::BadUserInput,
        "refusal of {input:?} is not BAD_USER_INPUT"
    );
}
