//! The client's error type. Every message is one line an operator can act on; none ever
//! carries a token (requests are described by method and path, never by their headers).

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error status; `message` is the server's words, sanitised.
    #[error("{message}")]
    Http {
        status: u16,
        message: String,
        /// From `Retry-After` (429, 503): how long the server asked us to wait.
        retry_after: Option<Duration>,
    },
    /// Could not reach the server, or the connection broke. The text names the control plane's
    /// URL and the cause: "cannot reach the control plane at http://…: connection refused".
    #[error("{0}")]
    Network(String),
    /// No complete answer within the bound (connecting, waiting or reading the body).
    #[error("the control plane did not answer within {}", human_duration(*.0))]
    Timeout(Duration),
    /// The body was not what the contract says.
    #[error("unexpected answer from {what}: {reason}")]
    Decode { what: String, reason: String },
    /// The answer was larger than the client accepts (`what` is "GET /v1/…").
    #[error("the answer to {what} is larger than {}; refused", human_bytes(*.limit))]
    TooLarge { what: String, limit: u64 },
    /// A list longer than the client keeps (`what` is "GET /v1/…", `limit` the item cap).
    #[error("the list from {what} has more than {limit} items, the most the client keeps; refused")]
    TooMany { what: String, limit: usize },
    /// The client's write guard (the domain policy) refused; nothing was sent.
    #[error("{0}")]
    Refused(String),
    /// Misuse detected before anything was sent (bad URL, bad argument).
    #[error("{0}")]
    Invalid(String),
}

impl ApiError {
    /// CLI exit code (PRODUCT.md): 1 general, 2 misuse, 3 not allowed, 4 not found, 5 conflict,
    /// 6 validation. The real service answers several refusals with 400, so a 400 is classified
    /// by its words: "not found" → 4, the four-eyes rule → 3, "already exists" → 5.
    pub fn exit_code(&self) -> u8 {
        match self {
            ApiError::Http {
                status, message, ..
            } => match status {
                401 | 403 => 3,
                404 => 4,
                409 => 5,
                400 => classify_bad_request(message),
                422 => 6,
                _ => 1,
            },
            ApiError::Invalid(_) => 2,
            ApiError::Refused(_) => 3,
            _ => 1,
        }
    }

    /// True when the control plane could not be reached at all (offline marker, cached data).
    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Network(_) | ApiError::Timeout(_))
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for 401: the token is missing, expired or refused (sign in again).
    pub fn is_unauthenticated(&self) -> bool {
        self.status() == Some(401)
    }

    /// Only for `Http` errors that carried `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

fn classify_bad_request(message: &str) -> u8 {
    let lower = message.to_lowercase();
    if lower.contains("not found") {
        4
    } else if lower.contains("4-eyes") || lower.contains("four-eyes") {
        3
    } else if lower.contains("already exists") {
        5
    } else {
        6
    }
}

fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// "10s", "1.5s", "250ms": short and readable in one line.
pub(crate) fn human_duration(d: Duration) -> String {
    let millis = d.as_millis();
    if millis < 1000 {
        format!("{millis}ms")
    } else if millis.is_multiple_of(1000) {
        format!("{}s", millis / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, message: &str) -> ApiError {
        ApiError::Http {
            status,
            message: message.to_string(),
            retry_after: None,
        }
    }

    #[test]
    fn exit_codes_follow_the_product_table() {
        let cases = [
            (http(401, "Not authenticated"), 3),
            (http(403, "Environment 'prod' is read-only."), 3),
            (http(404, "API not found"), 4),
            (http(409, "Tenant 'acme' already exists"), 5),
            (http(422, "message: Field required"), 6),
            (http(400, "Promotion 1234 not found"), 4),
            (
                http(400, "Cannot approve your own promotion (4-eyes principle)"),
                3,
            ),
            (http(400, "Active promotion already exists for payments"), 5),
            (http(400, "Invalid promotion chain"), 6),
            (http(500, "Internal server error."), 1),
            (http(429, "Too many requests"), 1),
            (ApiError::Network("cannot reach".into()), 1),
            (ApiError::Timeout(Duration::from_secs(10)), 1),
            (ApiError::Invalid("bad url".into()), 2),
            (ApiError::Refused("production is read-only".into()), 3),
        ];
        for (error, code) in cases {
            assert_eq!(error.exit_code(), code, "{error}");
        }
    }

    #[test]
    fn messages_are_one_clear_line() {
        assert_eq!(
            ApiError::Timeout(Duration::from_secs(10)).to_string(),
            "the control plane did not answer within 10s"
        );
        assert_eq!(
            ApiError::Timeout(Duration::from_millis(300)).to_string(),
            "the control plane did not answer within 300ms"
        );
        let too_large = ApiError::TooLarge {
            what: "GET /v1/tenants/acme/apis".into(),
            limit: 16 * 1024 * 1024,
        };
        assert_eq!(
            too_large.to_string(),
            "the answer to GET /v1/tenants/acme/apis is larger than 16 MiB; refused"
        );
        assert!(ApiError::Network("x".into()).is_offline());
        assert!(!http(500, "x").is_offline());
        assert!(http(401, "x").is_unauthenticated());
    }
}
