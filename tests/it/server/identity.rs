//! The embedded identity provider over real HTTP on 127.0.0.1:0: discovery, JWKS, the four
//! grants, token verification and its 401 bodies, the signing key across restarts.
//! Most tests run the identity router alone (with a `/v1/me` that only verifies tokens), so
//! they can shorten lifetimes and device timing; one goes through `server::start`.

mod device;
mod device_guard;
mod grants;
mod keys;
mod revoke;
mod verify;

use std::net::SocketAddr;

use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use envdeck::domain::Role;
use envdeck::server::db::Db;
use envdeck::server::identity::{Identity, KEY_FILE, NewUser, insert_user};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const TOKEN_PATH: &str = "/realms/stoa/protocol/openid-connect/token";
pub const DEVICE_PATH: &str = "/realms/stoa/protocol/openid-connect/auth/device";

/// An identity provider on loopback, with `ada` (cpi-admin) and `dave` (devops of acme),
/// both with password `demo`.
pub struct Idp {
    pub url: String,
    pub identity: Identity,
    pub db: Db,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

pub async fn idp() -> Idp {
    let dir = tempfile::tempdir().expect("temp dir");
    idp_in(dir, SocketAddr::from(([127, 0, 0, 1], 0))).await
}

pub async fn idp_in(dir: tempfile::TempDir, addr: SocketAddr) -> Idp {
    let path = dir.path().to_path_buf();
    let (db, identity) = tokio::task::spawn_blocking(move || {
        let db = envdeck::server::open_database(&path, false).expect("database opens");
        let identity = Identity::load_or_create(&path, db.clone()).expect("identity loads");
        (db, identity)
    })
    .await
    .expect("start task");
    db.write(|tx| {
        let users: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        if users == 0 {
            let ada = [Role::CpiAdmin];
            let devops = [Role::Devops];
            for (username, roles, tenant_id) in
                [("ada", &ada[..], None), ("dave", &devops[..], Some("acme"))]
            {
                let email = format!("{username}@example.test");
                insert_user(
                    tx,
                    &NewUser {
                        username,
                        password: "demo",
                        email: &email,
                        roles,
                        tenant_id,
                    },
                )?;
            }
        }
        Ok(())
    })
    .await
    .expect("users seeded");
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    identity.set_public_url(&url);
    let guard = identity.clone();
    let app = identity.router().route(
        "/v1/me",
        axum::routing::get(move |headers: HeaderMap| {
            let identity = guard.clone();
            async move {
                let auth = headers
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok());
                match identity.verify(auth) {
                    Ok(p) => axum::Json(json!({
                        "sub": p.sub,
                        "username": p.username,
                        "email": p.email,
                        "roles": p.roles.iter().map(|r| r.as_str().to_string()).collect::<Vec<_>>(),
                        "tenant_id": p.tenant_id,
                        "permissions": p.actor().permissions,
                    }))
                    .into_response(),
                    Err(e) => e.into_response(),
                }
            }
        }),
    );
    let (shutdown, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Idp {
        url,
        identity,
        db,
        http: super::http(),
        dir,
        shutdown,
        task,
    }
}

impl Idp {
    /// Stops serving and hands back the data dir, for a restart.
    pub async fn stop(self) -> (tempfile::TempDir, SocketAddr) {
        let addr: SocketAddr = self
            .url
            .trim_start_matches("http://")
            .parse()
            .expect("socket addr");
        let _ = self.shutdown.send(());
        self.task.await.expect("server task");
        (self.dir, addr)
    }

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.url))
            .form(pairs)
            .send()
            .await
            .expect("form request");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn password_grant(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.post_form(
            TOKEN_PATH,
            &[
                ("grant_type", "password"),
                ("client_id", "stoactl"),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Tokens for a user whose password is `demo`.
    pub async fn tokens(&self, username: &str) -> Value {
        let (status, body) = self.password_grant(username, "demo").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// `GET /v1/me`: status, body and the WWW-Authenticate header.
    pub async fn me(&self, token: Option<&str>) -> (StatusCode, Value, Option<String>) {
        let mut req = self.http.get(format!("{}/v1/me", self.url));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.expect("me request");
        let status = resp.status();
        let challenge = resp
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, resp.json().await.unwrap_or(Value::Null), challenge)
    }

    pub fn issuer(&self) -> String {
        format!("{}/realms/stoa", self.url)
    }

    /// Signs arbitrary claims with the realm's own key file, for tokens the server would
    /// never issue (expired, another audience).
    pub fn sign(&self, claims: &Value) -> String {
        let pem = std::fs::read(self.dir.path().join(KEY_FILE)).expect("key file");
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem).expect("PKCS#8 key");
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
            claims,
            &key,
        )
        .expect("sign")
    }

    /// Claims like an access token of `dave`, valid for a minute; tests then change one.
    pub async fn dave_claims(&self) -> Value {
        let (_, me, _) = self
            .me(self.tokens("dave").await["access_token"].as_str())
            .await;
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.issuer(), "aud": "control-plane-api", "sub": me["sub"], "typ": "Bearer",
            "azp": "stoactl", "iat": now, "exp": now + 60, "preferred_username": "dave",
            "realm_access": {"roles": ["devops"]}, "tenant_id": "acme", "sid": "s-1",
        })
    }
}

/// The claims of a JWT, read without verification (the tests check them against the JWKS
/// separately).
pub fn claims_of(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .expect("a JWT")
        .claims
}
