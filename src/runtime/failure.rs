//! The client's errors as the console's [`Failure`]s.

use crate::api::{ApiError, completion};
use crate::app::failure::Failure;

pub fn failure(error: ApiError) -> Failure {
    Failure {
        message: error.to_string(),
        offline: error.is_offline(),
        status: error.status(),
        refusal: completion::refusal(&error),
    }
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Failure {
        failure(error)
    }
}
