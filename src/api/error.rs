//! SKELETON: the client's error type (being written).

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error status; `message` is the server's words, sanitised.
    #[error("{message}")]
    Http {
        status: u16,
        message: String,
        retry_after: Option<std::time::Duration>,
    },
    /// Could not reach the server, or the connection broke.
    #[error("cannot reach the control plane: {0}")]
    Network(String),
    #[error("the control plane did not answer within {0:?}")]
    Timeout(std::time::Duration),
    /// The body was not what the contract says.
    #[error("unexpected answer from {what}: {reason}")]
    Decode { what: String, reason: String },
    #[error("{0}")]
    Invalid(String),
}

impl ApiError {
    /// CLI exit code (PRODUCT.md): 1 general, 3 not allowed, 4 not found, 5 conflict, 6 validation.
    pub fn exit_code(&self) -> u8 {
        match self {
            ApiError::Http { status, .. } => match status {
                401 | 403 => 3,
                404 => 4,
                409 => 5,
                400 | 422 => 6,
                _ => 1,
            },
            ApiError::Invalid(_) => 2,
            _ => 1,
        }
    }

    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Network(_) | ApiError::Timeout(_))
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}
