//! Sending one request: the bearer token, the time bound, the body-size limit, and the only
//! retries that are safe (a GET on a broken keep-alive connection, a GET throttled with 429,
//! any request refused with 401 once a fresh token is at hand). Writes are never resent after
//! they may have reached the server.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use super::Inner;
use super::error::{ApiError, human_duration};
use crate::domain::text::sanitize;
use crate::wire::ErrorBody;

/// Longest server message kept in an error (one line on screen).
const MAX_MESSAGE_CHARS: usize = 500;

/// One call, described without the token so that it can be logged and named in errors.
#[derive(Clone)]
pub(crate) struct Request {
    pub method: Method,
    pub segments: Vec<String>,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
    /// False for the public endpoints (`/health`, `/v1/environments/public`).
    pub authenticated: bool,
}

impl Request {
    pub fn new(method: Method, segments: &[&str]) -> Request {
        Request {
            method,
            segments: segments.iter().map(|s| s.to_string()).collect(),
            query: Vec::new(),
            body: None,
            authenticated: true,
        }
    }

    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Request {
        self.query.push((key, value.into()));
        self
    }

    pub fn query_opt(self, key: &'static str, value: Option<impl Into<String>>) -> Request {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    pub fn json<B: serde::Serialize>(mut self, body: &B) -> Result<Request, ApiError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| ApiError::Invalid(format!("cannot encode the request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    pub fn public(mut self) -> Request {
        self.authenticated = false;
        self
    }

    /// "GET /v1/tenants/acme/apis": how errors and logs name the call.
    pub fn what(&self) -> String {
        format!("{} /{}", self.method, self.segments.join("/"))
    }

    fn is_idempotent_read(&self) -> bool {
        self.method == Method::GET || self.method == Method::HEAD
    }
}

/// A complete answer: status, headers and the (bounded) body.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A failed attempt, and whether a GET may be resent on a fresh connection.
struct Failure {
    error: ApiError,
    connection_broke: bool,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Failure {
        Failure {
            error,
            connection_broke: false,
        }
    }
}

/// Sends `request`, retrying only where it is safe, and returns the body of a 2xx answer.
pub(crate) async fn execute(inner: &Inner, request: &Request) -> Result<Vec<u8>, ApiError> {
    let what = request.what();
    let mut resent_after_break = false;
    let mut throttled = 0u32;
    let mut refreshed = false;
    loop {
        let sent_token = inner.token();
        let answer = match attempt(inner, request, &what).await {
            Ok(answer) => answer,
            Err(failure)
                if failure.connection_broke
                    && request.is_idempotent_read()
                    && !resent_after_break =>
            {
                tracing::warn!(call = %what, error = %failure.error,
                    "connection broke; resending the read once on a fresh connection");
                resent_after_break = true;
                continue;
            }
            Err(failure) => return Err(failure.error),
        };
        tracing::debug!(call = %what, status = answer.status.as_u16(), bytes = answer.body.len(), "answer");

        if answer.status.is_success() {
            return Ok(answer.body);
        }
        let error = http_error(&answer);
        if answer.status == StatusCode::TOO_MANY_REQUESTS && request.is_idempotent_read() {
            let wait = error
                .retry_after()
                .unwrap_or_else(|| Duration::from_secs(1 << throttled.min(4)));
            if throttled < inner.options.max_throttle_retries
                && wait <= inner.options.max_throttle_wait
            {
                throttled += 1;
                tracing::warn!(call = %what, wait = %human_duration(wait), attempt = throttled,
                    "the control plane is throttling (429); backing off before retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            tracing::warn!(call = %what, "still throttled (429); giving up");
        }
        if answer.status == StatusCode::UNAUTHORIZED && request.authenticated && !refreshed {
            refreshed = true;
            if inner.refresh_token_after_401(sent_token.as_ref()).await {
                continue;
            }
        }
        return Err(error);
    }
}

async fn attempt(inner: &Inner, request: &Request, what: &str) -> Result<Answer, Failure> {
    let url = inner.url_for(request)?;
    let mut builder = inner
        .http
        .request(request.method.clone(), url)
        .header(ACCEPT, "application/json");
    if request.authenticated
        && let Some(token) = inner.token()
    {
        // reqwest marks this header sensitive: it never appears in Debug output.
        builder = builder.bearer_auth(token.expose());
    }
    if !request.is_idempotent_read()
        && let Some(emergency) = inner.active_override()
    {
        builder = builder.header(
            super::OVERRIDE_HEADER,
            super::overrides::header_value(emergency.reason()),
        );
    }
    if let Some(body) = &request.body {
        builder = builder
            .header(CONTENT_TYPE, "application/json")
            .body(body.clone());
    }
    let limit = inner.options.max_body_bytes;
    let bound = inner.options.timeout;
    let exchange = async {
        let response = builder.send().await.map_err(|e| inner.failure(e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_bounded(inner, response, limit, what).await?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(bound, exchange).await {
        Ok(result) => result,
        Err(_elapsed) => Err(ApiError::Timeout(bound).into()),
    }
}

/// Reads the body chunk by chunk so that an oversized answer is refused, never buffered whole.
async fn read_bounded(
    inner: &Inner,
    mut response: reqwest::Response,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, Failure> {
    let too_large = || -> Failure {
        ApiError::TooLarge {
            what: what.to_string(),
            limit,
        }
        .into()
    };
    let announced = response.content_length();
    if announced.is_some_and(|len| len > limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(64 * 1024) as usize);
    while let Some(chunk) = response.chunk().await.map_err(|e| inner.failure(e))? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl Inner {
    /// Turns a transport error into an operator's sentence naming the control plane.
    fn failure(&self, error: reqwest::Error) -> Failure {
        let base = self.base_url.as_str();
        if error.is_timeout() {
            let bound = if error.is_connect() {
                self.options.connect_timeout
            } else {
                self.options.timeout
            };
            return ApiError::Timeout(bound).into();
        }
        if error.is_builder() {
            return ApiError::Invalid(format!(
                "cannot build a request to {base}: {}",
                root_cause(&error)
            ))
            .into();
        }
        if error.is_connect() {
            return ApiError::Network(format!(
                "cannot reach the control plane at {base}: {}",
                root_cause(&error)
            ))
            .into();
        }
        Failure {
            error: ApiError::Network(format!(
                "the connection to the control plane at {base} broke: {}",
                root_cause(&error)
            )),
            connection_broke: true,
        }
    }
}

/// The innermost cause, in words: "connection refused", "connection reset by the server", …
fn root_cause(error: &reqwest::Error) -> String {
    let mut current: &dyn std::error::Error = error;
    let mut deepest = current.to_string();
    while let Some(next) = current.source() {
        if let Some(io) = next.downcast_ref::<std::io::Error>()
            && let Some(words) = io_words(io.kind())
        {
            return words.to_string();
        }
        deepest = next.to_string();
        current = next;
    }
    sanitize(&deepest).into_owned()
}

fn io_words(kind: std::io::ErrorKind) -> Option<&'static str> {
    use std::io::ErrorKind::*;
    Some(match kind {
        ConnectionRefused => "connection refused",
        ConnectionReset => "connection reset by the server",
        ConnectionAborted => "connection aborted",
        NotConnected => "not connected",
        BrokenPipe => "the server closed the connection",
        UnexpectedEof => "the server closed the connection",
        TimedOut => "timed out",
        AddrNotAvailable => "address not available",
        HostUnreachable => "host unreachable",
        NetworkUnreachable => "network unreachable",
        _ => return None,
    })
}

/// An error status as the server's words (sanitised), with `Retry-After` when given.
fn http_error(answer: &Answer) -> ApiError {
    let status = answer.status;
    let message = server_words(&answer.body).unwrap_or_else(|| {
        format!(
            "the control plane answered {} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_string()
    });
    let mut message = sanitize(&message).trim().to_string();
    if message.chars().count() > MAX_MESSAGE_CHARS {
        message = message.chars().take(MAX_MESSAGE_CHARS).collect::<String>() + "…";
    }
    ApiError::Http {
        status: status.as_u16(),
        message,
        retry_after: retry_after(&answer.headers),
    }
}

/// `{"detail": …}` in any of its shapes, a few other JSON error layouts, or short plain text.
/// HTML pages and JSON without a message give `None` (never a raw dump).
fn server_words(body: &[u8]) -> Option<String> {
    if let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) {
        // `{"detail": null}` carries no words: fall back to the status.
        return Some(parsed.detail.message()).filter(|m| !m.trim().is_empty() && m != "null");
    }
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) {
        return ["message", "error_description", "error", "title"]
            .iter()
            .find_map(|k| value.get(*k).and_then(|v| v.as_str()))
            .map(str::to_string)
            .filter(|m| !m.trim().is_empty());
    }
    let text = std::str::from_utf8(body).ok()?.trim();
    let looks_like_markup = text.starts_with('<');
    (!text.is_empty() && !looks_like_markup && text.len() <= 1000).then(|| text.to_string())
}

/// `Retry-After: 5` or `Retry-After: <HTTP date>`.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = raw.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(raw).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn answer(status: u16, body: &str, retry: Option<&str>) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(r) = retry {
            headers.insert(RETRY_AFTER, HeaderValue::from_str(r).unwrap());
        }
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn error_bodies_become_the_servers_words() {
        let e = http_error(&answer(
            403,
            r#"{"detail":"Access denied to this tenant"}"#,
            None,
        ));
        assert_eq!(e.to_string(), "Access denied to this tenant");
        assert_eq!(e.status(), Some(403));
        let e = http_error(&answer(
            422,
            r#"{"detail":[{"type":"missing","loc":["body","message"],"msg":"Field required"}]}"#,
            None,
        ));
        assert_eq!(e.to_string(), "message: Field required");
        let e = http_error(&answer(
            400,
            r#"{"error":"invalid_grant","error_description":"bad"}"#,
            None,
        ));
        assert_eq!(e.to_string(), "bad");
        let e = http_error(&answer(502, "<html><body>Bad gateway</body></html>", None));
        assert_eq!(e.to_string(), "the control plane answered 502 Bad Gateway");
        let e = http_error(&answer(500, "", None));
        assert_eq!(
            e.to_string(),
            "the control plane answered 500 Internal Server Error"
        );
        let e = http_error(&answer(404, r#"{"detail":null}"#, None));
        assert_eq!(e.to_string(), "the control plane answered 404 Not Found");
        let e = http_error(&answer(503, "upstream down", None));
        assert_eq!(e.to_string(), "upstream down");
    }

    #[test]
    fn server_text_is_sanitised_and_bounded() {
        let e = http_error(&answer(
            400,
            "{\"detail\":\"evil \\u001b[31mred\\u001b[0m\\nline\"}",
            None,
        ));
        assert_eq!(e.to_string(), "evil red line");
        let long = format!("{{\"detail\":\"{}\"}}", "x".repeat(2000));
        let e = http_error(&answer(400, &long, None));
        assert_eq!(e.to_string().chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let e = http_error(&answer(429, r#"{"detail":"slow down"}"#, Some("7")));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        let past = http_error(&answer(429, "", Some("Sun, 06 Nov 1994 08:49:37 GMT")));
        assert_eq!(past.retry_after(), Some(Duration::ZERO));
        let junk = http_error(&answer(429, "", Some("soon")));
        assert_eq!(junk.retry_after(), None);
    }

    #[test]
    fn requests_name_themselves_without_headers() {
        let r = Request::new(Method::GET, &["v1", "tenants", "acme", "apis"]).query("page", "1");
        assert_eq!(r.what(), "GET /v1/tenants/acme/apis");
        assert!(r.is_idempotent_read());
        assert!(!Request::new(Method::POST, &["v1"]).is_idempotent_read());
    }
}
