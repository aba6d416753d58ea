//! The embedded control plane over real HTTP on 127.0.0.1:0.

mod admin;
mod agent;
mod apis;
mod catalog;
mod errors;
pub mod identity;
mod openapi;
mod permissions;
mod promotion_checks;
mod promotions;
mod read_limits;
mod reads;
mod rollback_model;
mod rollbacks;
mod storage;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use std::time::Duration;

use envdeck::server::agent::{AgentOptions, GatewayMode};
use envdeck::server::{RunningServer, Seed, ServerOptions};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct Srv {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

pub fn options(dir: &Path, seed: Seed) -> ServerOptions {
    ServerOptions {
        listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        data_dir: dir.to_path_buf(),
        seed,
        fresh: false,
        stages_file: None,
    }
}

pub fn http() -> reqwest::Client {
    envdeck::net::http_client_builder()
        .build()
        .expect("http client")
}

pub async fn start(seed: Seed) -> Srv {
    let dir = tempfile::tempdir().expect("temp dir");
    start_in(dir, seed).await
}

pub async fn start_in(dir: tempfile::TempDir, seed: Seed) -> Srv {
    start_with(dir, seed, GatewayMode::Auto).await
}

/// Gateways that answer in 30 ms, so promotions settle quickly.
pub const AGENT_DELAY: Duration = Duration::from_millis(30);

pub async fn start_mode(seed: Seed, mode: GatewayMode) -> Srv {
    start_with(tempfile::tempdir().expect("temp dir"), seed, mode).await
}

pub async fn start_with(dir: tempfile::TempDir, seed: Seed, mode: GatewayMode) -> Srv {
    let agent = AgentOptions {
        mode,
        delay: AGENT_DELAY,
    };
    let server = envdeck::server::start_with(options(dir.path(), seed), agent)
        .await
        .expect("server starts");
    Srv {
        server,
        dir,
        http: http(),
    }
}

/// A bearer token for a demo user (password `demo`) through the password grant.
pub async fn token(http: &reqwest::Client, url: &str, user: &str) -> String {
    let resp = http
        .post(format!("{url}/realms/stoa/protocol/openid-connect/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "stoactl"),
            ("username", user),
            ("password", "demo"),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(resp.status(), StatusCode::OK, "password grant for {user}");
    let body: Value = resp.json().await.expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// A signed-in user of a test server.
pub struct As<'a> {
    pub srv: &'a Srv,
    pub token: String,
}

impl Srv {
    pub fn url(&self) -> &str {
        self.server.url()
    }

    pub async fn login(&self, user: &str) -> As<'_> {
        As {
            srv: self,
            token: token(&self.http, self.url(), user).await,
        }
    }

    /// An unauthenticated request.
    pub async fn anon(&self, method: Method, path: &str) -> (StatusCode, Value) {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.url()))
            .send()
            .await
            .expect("request");
        split(resp).await
    }
}

pub async fn split(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    (status, body)
}

impl As<'_> {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .srv
            .http
            .request(method, format!("{}{path}", self.srv.url()))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        split(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, None).await
    }

    /// Expects `status` and returns the body.
    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>, status: u16) -> Value {
        let (got, body) = self.call(method.clone(), path, body).await;
        assert_eq!(got.as_u16(), status, "{method} {path}: {body}");
        body
    }
}

/// The string detail of an error body.
pub fn detail(body: &Value) -> &str {
    body["detail"]
        .as_str()
        .unwrap_or_else(|| panic!("no string detail in {body}"))
}

/// Creates an API in a stage as `who`, expecting 201.
pub async fn create_api(who: &As<'_>, tenant: &str, stage: &str, name: &str) -> Value {
    who.ok(
        Method::POST,
        &format!("/v1/tenants/{tenant}/apis?environment={stage}"),
        Some(serde_json::json!({
            "name": name,
            "display_name": format!("{name} API"),
            "version": "1.0.0",
            "description": "test API",
            "backend_url": format!("https://{name}.test"),
        })),
        201,
    )
    .await
}

impl As<'_> {
    /// Polls `GET path` (5 s at most) until `done` holds; returns the last body.
    pub async fn until(&self, path: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let body = self.ok(Method::GET, path, None, 200).await;
            if done(&body) {
                return body;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{path} never got there: {body}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for a promotion to reach `status`.
    pub async fn promotion_becomes(&self, tenant: &str, id: &str, status: &str) -> Value {
        self.until(&format!("/v1/tenants/{tenant}/promotions/{id}"), |p| {
            p["status"] == status
        })
        .await
    }

    /// Waits until nothing of the API waits for a gateway in `stage`.
    pub async fn settled(&self, tenant: &str, api: &str, stage: &str) -> Value {
        self.until(&format!("/v1/tenants/{tenant}/apis/{api}"), |a| {
            a["runtime_deployments"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter(|d| d["environment"] == stage)
                        .all(|d| d["pending_count"] == 0)
                })
                .unwrap_or(false)
        })
        .await
    }
}

/// Requests a promotion, expecting 201; the server picks source and targets.
pub async fn promote(who: &As<'_>, api: &str, from: &str, to: &str) -> Value {
    who.ok(
        Method::POST,
        &format!("/v1/tenants/acme/promotions/{api}"),
        Some(
            serde_json::json!({"source_environment": from, "target_environment": to,
            "message": format!("ship {api}")}),
        ),
        201,
    )
    .await
}

/// Approves the promotion at `path` (`/v1/tenants/T/promotions/ID`) as a reviewer does: the
/// diff first, then the approval tied to its `reviewed_spec_hash`; expects 200.
pub async fn approve(who: &As<'_>, path: &str) -> Value {
    let diff = who
        .ok(Method::GET, &format!("{path}/diff"), None, 200)
        .await;
    let hash = diff["reviewed_spec_hash"].clone();
    assert!(hash.is_string(), "no reviewed_spec_hash in {diff}");
    who.ok(
        Method::POST,
        &format!("{path}/approve"),
        Some(serde_json::json!({ "reviewed_spec_hash": hash })),
        200,
    )
    .await
}

pub fn id_of(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// Runs SQL on a test server's database behind its back (to stage what no endpoint makes).
pub fn sql(srv: &Srv, statement: &str) {
    let db = rusqlite::Connection::open(srv.dir.path().join(envdeck::server::DB_FILE))
        .expect("open database");
    db.busy_timeout(Duration::from_secs(5))
        .expect("busy timeout");
    db.execute_batch(statement).expect("sql");
}
