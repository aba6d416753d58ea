//! Abuse of the embedded control plane and the CLI: other tenants' tokens, forged and expired
//! tokens, oversized bodies and pages, hostile names; symbolic links and oversized files in
//! envdeck's own folders; slow-header floods, password guessing, endless pages from a hostile
//! control plane, and token revocation. `cargo test --test it abuse::` runs them all;
//! `-- --include-ignored --nocapture` adds the measurements of BENCHMARKS.md and FUZZING.md.

mod audit;
mod files;
mod limits;
mod links;
mod names;
mod paging;
mod revocation;
mod slow_clients;
mod tenants;
mod throttle;
mod tokens;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::TestServer;

/// One HTTP exchange: the status, the content type and the body (JSON when it parses).
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

pub async fn call(
    srv: &TestServer,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let http = envdeck::net::http_client_builder()
        .build()
        .expect("http client");
    let mut req = http.request(method, format!("{}{path}", srv.url()));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    answer(req.send().await.expect("request")).await
}

pub async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        body,
        text,
    }
}

impl Answer {
    /// The error's `detail`, which every refusal carries as JSON.
    pub fn detail(&self) -> &Value {
        assert!(
            self.content_type.starts_with("application/json"),
            "{} without a JSON body: {:?} {}",
            self.status,
            self.content_type,
            self.text
        );
        let detail = &self.body["detail"];
        assert!(
            !detail.is_null(),
            "{} without a detail: {}",
            self.status,
            self.text
        );
        detail
    }
}
