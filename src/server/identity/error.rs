//! Errors of the identity provider: start-up failures, bearer-token rejections (shaped like
//! the real control plane's 401s) and OAuth2 token-endpoint errors (RFC 6749 §5.2, RFC 8628).

use std::path::PathBuf;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("cannot read or create the token signing key {}: {source}", path.display())]
    KeyFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the token signing key {} is not a usable RSA PKCS#8 PEM key ({reason}); move it away to create a new one (tokens signed with it will stop working)", path.display())]
    KeyCorrupt { path: PathBuf, reason: String },
    #[error("cannot read or create the client secret file {}: {source}", path.display())]
    SecretFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the client secret file {} is empty or not one line of text", path.display())]
    SecretCorrupt { path: PathBuf },
    #[error("cannot read the revoked sessions from {}: {source}", path.display())]
    Revocations {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// Why a bearer token was refused. Every variant answers 401 with `WWW-Authenticate: Bearer`
/// and a `{"detail": ...}` body worded like the real control plane's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("Not authenticated")]
    Missing,
    #[error("Invalid token: Not enough segments")]
    Malformed,
    #[error("Invalid token: Signature verification failed.")]
    BadSignature,
    #[error("Invalid token: Signature has expired.")]
    Expired,
    #[error("Invalid token: The token is not yet valid (nbf)")]
    NotYetValid,
    #[error("Invalid token: Invalid audience: {found}. Expected: ['{expected}']")]
    WrongAudience { found: String, expected: String },
    #[error("Invalid token: Invalid issuer")]
    WrongIssuer,
    #[error("Invalid token: Invalid token type")]
    WrongType,
    #[error("Invalid token: Error decoding token claims.")]
    BadClaims,
    /// Its session was revoked (a logout): the token verifies but is no longer accepted.
    #[error("Invalid token: Session not active")]
    Revoked,
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "detail": self.to_string() });
        let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    }
}

/// An OAuth2 error answer of the token or device endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub status: StatusCode,
    pub code: &'static str,
    pub description: String,
    /// Sent as `Retry-After` (429 only).
    pub retry_after: Option<std::time::Duration>,
}

impl OAuthError {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            code,
            description: description.into(),
            retry_after: None,
        }
    }
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    pub fn invalid_client() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client or Invalid client credentials",
        )
    }
    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", description)
    }
    /// RFC 7009 §2.2.1: a token type this server does not revoke.
    pub fn unsupported_token_type() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_token_type",
            "Unsupported token type",
        )
    }
    pub fn unsupported_grant_type() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Unsupported grant_type",
        )
    }
    /// Wrong username or password: 401, as Keycloak answers.
    pub fn invalid_user_credentials() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "Invalid user credentials",
        )
    }
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }
    pub fn authorization_pending() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            "The authorization request is still pending",
        )
    }
    pub fn slow_down() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "slow_down",
            "Slow down: polling faster than the interval",
        )
    }
    pub fn expired_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "expired_token",
            "The device code has expired",
        )
    }
    pub fn access_denied() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "access_denied",
            "The end user denied the authorization request",
        )
    }
    /// Too many failed sign-ins for this user or address: 429 with `Retry-After`.
    pub fn too_many_attempts(wait: std::time::Duration) -> Self {
        let secs = super::throttle::retry_after_secs(wait);
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            format!("Too many failed sign-ins; try again in {secs} s"),
        );
        e.retry_after = Some(wait);
        e
    }
    pub fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The identity provider failed; see the server log",
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "error_description": self.description });
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(wait) = self.retry_after {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(super::throttle::retry_after_secs(wait)),
            );
        }
        if self.code == "invalid_client" {
            // RFC 6749 §5.2: a 401 for client authentication names the scheme.
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"stoa\""),
            );
        }
        response
    }
}
