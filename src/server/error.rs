//! Every failure a handler can answer with, as `{"detail": ...}` bodies: a string, FastAPI's
//! 422 list, never a stack trace. Unexpected failures are logged and answered with 500.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::db::DbError;
use crate::wire::error::{ErrorBody, ErrorDetail, ValidationItem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("request body too large")]
    TooLarge,
    #[error("validation failed")]
    Validation(Vec<ValidationItem>),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Db(DbError::Sqlite(e))
    }
}

impl ApiError {
    /// A single FastAPI-style validation item.
    pub fn invalid(loc: &[&str], kind: &str, msg: impl Into<String>, input: Option<Value>) -> Self {
        ApiError::Validation(vec![ValidationItem {
            kind: kind.to_string(),
            loc: loc.iter().map(|l| Value::from(*l)).collect(),
            msg: msg.into(),
            input,
        }])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Db(DbError::TimedOut(_)) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Db(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match self {
            ApiError::Validation(items) => ErrorDetail::Validation(items),
            ApiError::Db(e @ DbError::TimedOut(_)) => {
                tracing::warn!(error = %e, "read interrupted");
                ErrorDetail::Message(
                    "The query took too long and was stopped; narrow it (search, filters) and try again."
                        .into(),
                )
            }
            ApiError::Db(e) => {
                tracing::error!(error = %e, "database failure");
                ErrorDetail::Message("Internal server error.".into())
            }
            ApiError::Internal(e) => {
                tracing::error!(error = %e, "internal failure");
                ErrorDetail::Message("Internal server error.".into())
            }
            other => ErrorDetail::Message(other.to_string()),
        };
        (status, axum::Json(ErrorBody { detail })).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Unknown routes and methods answer in the same shape as everything else.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("Not Found".into())
}

pub async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(ErrorBody::message("Method Not Allowed")),
    )
        .into_response()
}
