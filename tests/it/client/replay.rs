//! Replays one recorded response of the real STOA service (tests/fixtures/stoa) from a tiny
//! axum server on 127.0.0.1:0, and remembers what the client sent.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stoa"))
}

/// Every recorded response file (README and OpenAPI documents excluded).
pub fn recording_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/stoa")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".json") && !n.starts_with("openapi"))
        .collect();
    names.sort();
    names
}

#[derive(Clone, Debug, Deserialize)]
pub struct Recording {
    pub request: RecordedRequest,
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub body: serde_json::Value,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query as recorded: `/v1/tenants/acme/apis?environment=prod`.
    pub path: String,
    #[serde(default)]
    pub body: serde_json::Value,
}

impl Recording {
    pub fn load(name: &str) -> Recording {
        let text = std::fs::read_to_string(fixtures_dir().join(name)).expect("fixture file");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    pub fn path(&self) -> &str {
        self.request.path.split('?').next().unwrap_or_default()
    }

    /// A query parameter of the recorded request.
    pub fn query(&self, key: &str) -> Option<String> {
        let (_, query) = self.request.path.split_once('?')?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }

    /// The path segment after `after` (`tenants` → `acme`).
    pub fn segment_after(&self, after: &str) -> Option<String> {
        let mut parts = self.path().split('/');
        parts.by_ref().find(|p| *p == after)?;
        parts.next().map(str::to_string)
    }
}

/// What the client sent.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Which requests a recording answers, by their `environment` query parameter.
#[derive(Clone, Debug)]
pub enum Env {
    /// Any (or none).
    Any,
    /// Exactly this value, or no parameter at all for `None`.
    Exact(Option<&'static str>),
}

#[derive(Clone)]
struct Shared {
    routes: Arc<Vec<(Env, Recording)>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

pub struct ReplayStub {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl ReplayStub {
    /// Serves several recordings, each for its method, path and `environment`; the first
    /// that matches answers. A GET nothing matches gets an empty page; anything else a 404.
    pub async fn routed(routes: Vec<(Env, Recording)>) -> ReplayStub {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            routes: Arc::new(routes),
            seen: seen.clone(),
        };
        let app = axum::Router::new().fallback(replay).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        ReplayStub { url, seen, task }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen").clone()
    }
}

impl Drop for ReplayStub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn replay(State(shared): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    let query = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    shared.seen.lock().expect("seen").push(Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query,
        authorization: parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
    });
    let environment = url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "environment")
        .map(|(_, v)| v.into_owned());
    let found = shared.routes.iter().find(|(env, rec)| {
        parts.method.as_str() == rec.request.method
            && parts.uri.path() == rec.path()
            && match env {
                Env::Any => true,
                Env::Exact(want) => environment.as_deref() == *want,
            }
    });
    let Some((_, recording)) = found else {
        if parts.method == axum::http::Method::GET {
            return Response::builder()
                .header("content-type", "application/json")
                .body(Body::from(
                    r#"{"items":[],"total":0,"page":1,"page_size":100}"#,
                ))
                .expect("response");
        }
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::from(
                r#"{"detail":"stub: no recording for this path"}"#,
            ))
            .expect("response");
    };
    let mut response =
        Response::builder().status(StatusCode::from_u16(recording.status).expect("status"));
    for (name, value) in &recording.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response = response.header(name, value);
        }
    }
    let bytes = serde_json::to_vec(&recording.body).expect("body");
    response.body(Body::from(bytes)).expect("response")
}
