//! One error type for every command, carrying its exit code (PRODUCT.md):
//! 0 ok, 1 general, 2 misuse, 3 not allowed, 4 not found, 5 conflict, 6 validation.

use std::fmt;

use crate::api::ApiError;
use crate::domain::Denial;

#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

pub const GENERAL: u8 = 1;
pub const MISUSE: u8 = 2;
pub const NOT_ALLOWED: u8 = 3;
pub const NOT_FOUND: u8 = 4;
pub const CONFLICT: u8 = 5;
pub const VALIDATION: u8 = 6;

impl CliError {
    pub fn new(code: u8, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }

    pub fn misuse(message: impl Into<String>) -> CliError {
        CliError::new(MISUSE, message)
    }

    pub fn general(message: impl Into<String>) -> CliError {
        CliError::new(GENERAL, message)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<ApiError> for CliError {
    fn from(e: ApiError) -> Self {
        CliError::new(e.exit_code(), e.to_string())
    }
}

impl From<Denial> for CliError {
    fn from(d: Denial) -> Self {
        let code = match d {
            Denial::WrongStatus { .. } => CONFLICT,
            Denial::UnknownStage { .. } => NOT_FOUND,
            _ => NOT_ALLOWED,
        };
        CliError::new(code, d.to_string())
    }
}

impl From<crate::auth::AuthError> for CliError {
    fn from(e: crate::auth::AuthError) -> Self {
        let code = match e {
            crate::auth::AuthError::Refused(_)
            | crate::auth::AuthError::Expired
            | crate::auth::AuthError::LoginRequired(_) => NOT_ALLOWED,
            _ => GENERAL,
        };
        CliError::new(code, e.to_string())
    }
}
