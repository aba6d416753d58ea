//! Tokens the server must not trust: one that has expired and one signed by another key
//! (same claims, same key id) are refused with 401 and a JSON detail on every kind of route.

use envdeck::server::Seed;
use envdeck::server::identity::KEY_FILE;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::call;
use crate::support::{TestServer, start_server, token};

/// `claims` signed with the RSA key in `key_dir`, under the header of `template`.
fn sign(template: &str, claims: &Value, key_dir: &std::path::Path) -> String {
    let header = jsonwebtoken::decode_header(template).expect("a JWT header");
    let pem = std::fs::read(key_dir.join(KEY_FILE)).expect("the server's key file");
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem).expect("an RSA key");
    jsonwebtoken::encode(&header, claims, &key).expect("sign")
}

async fn refused_everywhere(srv: &TestServer, bad: &str, why: &str) {
    for path in [
        "/v1/me",
        "/v1/environments",
        "/v1/tenants/acme/apis?environment=dev",
        "/v1/tenants/acme/promotions",
        "/v1/audit/acme",
    ] {
        let refused = call(srv, Method::GET, path, Some(bad), None).await;
        assert_eq!(
            refused.status,
            StatusCode::UNAUTHORIZED,
            "{why} on {path}: {}",
            refused.text
        );
        let detail = refused.detail().as_str().unwrap_or_default().to_string();
        assert!(
            detail.starts_with("Invalid token"),
            "{why} on {path}: {detail}"
        );
        assert!(!refused.text.contains(bad), "the server echoes the token");
    }
    let write = call(
        srv,
        Method::POST,
        "/v1/tenants/acme/apis?environment=dev",
        Some(bad),
        Some(serde_json::json!({"name": "x", "display_name": "X", "backend_url": "https://x"})),
    )
    .await;
    assert_eq!(
        write.status,
        StatusCode::UNAUTHORIZED,
        "{why} on a write: {}",
        write.text
    );
}

#[tokio::test]
async fn expired_tokens_and_tokens_signed_by_another_key_get_401() {
    let srv = start_server(Seed::Demo).await;
    let other = start_server(Seed::None).await;
    let good = token(srv.url(), "dave").await;
    let good = good.expose();
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(good)
        .expect("a JWT")
        .claims;

    // Re-signing the same claims with the server's own key is accepted: the test's forgery
    // machinery is sound, so the refusals below come from the one thing changed.
    let resigned = sign(good, &claims, srv.dir.path());
    assert_eq!(
        call(&srv, Method::GET, "/v1/me", Some(&resigned), None)
            .await
            .status,
        StatusCode::OK
    );

    let mut expired = claims.clone();
    let now = chrono::Utc::now().timestamp();
    expired["iat"] = (now - 3600).into();
    expired["exp"] = (now - 1800).into();
    refused_everywhere(
        &srv,
        &sign(good, &expired, srv.dir.path()),
        "an expired token",
    )
    .await;

    let foreign = sign(good, &claims, other.dir.path());
    refused_everywhere(&srv, &foreign, "a token signed by another key").await;
}

#[tokio::test]
async fn a_token_not_valid_before_a_future_time_gets_401() {
    let srv = start_server(Seed::Demo).await;
    let good = token(srv.url(), "dave").await;
    let good = good.expose();
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(good)
        .expect("a JWT")
        .claims;
    let now = chrono::Utc::now().timestamp();

    // A few seconds of clock skew are tolerated.
    let mut skewed = claims.clone();
    skewed["nbf"] = (now + 5).into();
    let skewed = sign(good, &skewed, srv.dir.path());
    let ok = call(&srv, Method::GET, "/v1/me", Some(&skewed), None).await;
    assert_eq!(ok.status, StatusCode::OK, "nbf 5 s ahead: {}", ok.text);

    let mut future = claims.clone();
    future["nbf"] = (now + 3600).into();
    refused_everywhere(
        &srv,
        &sign(good, &future, srv.dir.path()),
        "a token valid only in an hour",
    )
    .await;
}
