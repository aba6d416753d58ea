//! Revocation misused: a viewer's client revoking other clients' tokens, and a provider whose
//! revocation endpoint never answers (logout gives up after its timeout and still removes
//! the stored tokens).

use std::time::{Duration, Instant};

use axum::Router;
use envdeck::server::Seed;
use envdeck::server::identity::Identity;
use reqwest::StatusCode;
use serde_json::Value;

use crate::identity::logout::{assert_no_token, me_status, signed_in};
use crate::identity::{Home, Overlay, code, plane, plane_with, stderr};

const REVOKE: &str = "/realms/stoa/protocol/openid-connect/revoke";
const TOKEN: &str = "/realms/stoa/protocol/openid-connect/token";

async fn post(url: &str, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .form(form)
        .send()
        .await
        .expect("form post");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// (access, refresh) from the password grant of `client` (`[("client_id", …), …]`).
async fn sign_in(url: &str, user: &str, client: &[(&str, &str)]) -> (String, String) {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", user),
        ("password", "demo"),
    ];
    form.extend_from_slice(client);
    let (status, body) = post(url, TOKEN, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let get = |k: &str| body[k].as_str().expect("token").to_string();
    (get("access_token"), get("refresh_token"))
}

#[tokio::test]
async fn a_viewers_client_cannot_revoke_another_clients_session() {
    let plane = plane(Seed::Demo).await;
    let url = plane.url.as_str();
    let public = [("client_id", "stoactl")];
    let secret = std::fs::read_to_string(plane.identity.client_secret_path()).expect("secret");
    let admin = [
        ("client_id", "stoactl-admin"),
        ("client_secret", secret.trim()),
    ];
    let (vic_access, vic_refresh) = sign_in(url, "vic", &public).await;
    let (dave_access, dave_refresh) = sign_in(url, "dave", &public).await;
    let (ada_access, ada_refresh) = sign_in(url, "ada", &admin).await;

    // vic holds ada's tokens (leaked, say): the public client may not revoke them.
    for token in [&ada_refresh, &ada_access] {
        let (status, body) = post(url, REVOKE, &[("token", token.as_str()), public[0]]).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request")),
            "{body}"
        );
    }
    assert_eq!(me_status(url, &ada_access).await, StatusCode::OK);

    // vic's own session ends; nobody else's does.
    let (status, _) = post(url, REVOKE, &[("token", vic_refresh.as_str()), public[0]]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me_status(url, &vic_access).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(url, &dave_access).await, StatusCode::OK);
    assert_eq!(me_status(url, &ada_access).await, StatusCode::OK);

    // A token string of the same client is authority enough (RFC 7009 §2.1): whoever holds
    // dave's refresh token could use it, so ending its session takes nothing more.
    let (status, _) = post(url, REVOKE, &[("token", dave_refresh.as_str()), public[0]]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me_status(url, &dave_access).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_gives_up_on_a_silent_revocation_endpoint_and_removes_the_tokens() {
    let overlay: Overlay = Box::new(|_url: &str, _identity: Identity| {
        Router::new().route(
            REVOKE,
            axum::routing::post(|| async {
                tokio::time::sleep(Duration::from_secs(120)).await;
                StatusCode::OK
            }),
        )
    });
    let plane = plane_with(Seed::Demo, Some(overlay)).await;
    let home = Home::new();
    let (access, refresh) = signed_in(&home, &plane.url);

    let started = Instant::now();
    let out = home.run(&["logout"], "");
    let took = started.elapsed();
    let said = stderr(&out);
    eprintln!("logout against a silent revocation endpoint took {took:?}");
    assert_eq!(code(&out), Some(1), "{said}");
    assert!(said.contains("revocation failed (no answer from"), "{said}");
    assert!(said.contains("within 5 s)"), "{said}");
    assert!(took < Duration::from_secs(15), "{took:?}");
    assert_eq!(home.stored("team"), None);
    assert_no_token(&home, &out, &[&access, &refresh]);
}
