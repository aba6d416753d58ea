//! `envdeck logout` revokes the session where the provider offers revocation, always removes
//! the stored tokens, and says which happened; never a token on screen or in the log.

use std::process::Output;

use axum::Router;
use envdeck::server::Seed;
use envdeck::server::identity::Identity;
use reqwest::StatusCode;
use serde_json::json;

use super::{Home, Overlay, code, plane, plane_with, stderr};

/// `GET /v1/me` on the control plane with `token`.
pub async fn me_status(url: &str, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{url}/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("me")
        .status()
}

pub async fn refresh_status(url: &str, refresh_token: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{url}/realms/stoa/protocol/openid-connect/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "stoactl"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .expect("refresh")
        .status()
}

/// Neither the command's output nor the log file holds a token (nor a JWT's signature).
pub fn assert_no_token(home: &Home, out: &Output, tokens: &[&str]) {
    let log = std::fs::read_to_string(home.path().join("state/envdeck.log")).unwrap_or_default();
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(out));
    for token in tokens {
        let signature = token.rsplit('.').next().unwrap_or(token);
        for (place, text) in [("output", &printed), ("log", &log)] {
            assert!(!text.contains(token), "a token in the {place}");
            assert!(
                !text.contains(signature),
                "a token signature in the {place}"
            );
        }
    }
}

/// Signs dave in to context `team` on `url`; returns (access, refresh).
pub fn signed_in(home: &Home, url: &str) -> (String, String) {
    home.add_context("team", url, &["--use"]);
    home.login_password(&[], "dave");
    let (access, refresh) = home.stored("team").expect("tokens stored");
    (access, refresh.expect("a refresh token"))
}

fn route(path: &'static str, answer: axum::routing::MethodRouter) -> Overlay {
    Box::new(move |_url: &str, _identity: Identity| Router::new().route(path, answer))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_the_session_so_the_old_tokens_stop_working() {
    let plane = plane(Seed::Demo).await;
    let home = Home::new();
    let (access, refresh) = signed_in(&home, &plane.url);
    assert_eq!(me_status(&plane.url, &access).await, StatusCode::OK);

    let out = home.run(&["logout"], "");
    let said = stderr(&out);
    assert_eq!(code(&out), Some(0), "{said}");
    assert!(
        said.contains(&format!(
            "Revoked the session at {}/realms/stoa and removed the stored tokens for team",
            plane.url
        )),
        "{said}"
    );
    assert_eq!(home.stored("team"), None);
    assert_eq!(
        me_status(&plane.url, &access).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        refresh_status(&plane.url, &refresh).await,
        StatusCode::BAD_REQUEST
    );
    assert_no_token(&home, &out, &[&access, &refresh]);

    let again = home.run(&["logout"], "");
    assert_eq!(code(&again), Some(0));
    assert!(
        stderr(&again).contains("No stored tokens for team"),
        "{}",
        stderr(&again)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_revocation_endpoint_logout_says_the_token_stays_valid() {
    // Discovery as a provider without RFC 7009 would answer.
    let overlay: Overlay = Box::new(|url: &str, _identity: Identity| {
        let issuer = format!("{url}/realms/stoa");
        Router::new().route(
            "/realms/stoa/.well-known/openid-configuration",
            axum::routing::get(move || {
                let issuer = issuer.clone();
                async move {
                    axum::Json(json!({
                        "issuer": issuer,
                        "token_endpoint": format!("{issuer}/protocol/openid-connect/token"),
                    }))
                }
            }),
        )
    });
    let plane = plane_with(Seed::Demo, Some(overlay)).await;
    let home = Home::new();
    let (access, refresh) = signed_in(&home, &plane.url);

    let out = home.run(&["logout"], "");
    let said = stderr(&out);
    assert_eq!(code(&out), Some(0), "{said}");
    let expected = format!(
        "{}/realms/stoa offers no revocation: removed the stored tokens for team; the access token stays valid until ",
        plane.url
    );
    assert!(said.contains(&expected), "{said}");
    assert_eq!(home.stored("team"), None);
    assert_eq!(
        me_status(&plane.url, &access).await,
        StatusCode::OK,
        "not revoked"
    );
    assert_no_token(&home, &out, &[&access, &refresh]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_revocation_still_removes_the_tokens_and_exits_1() {
    let refuse = axum::routing::post(|| async {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                json!({"error": "temporarily_unavailable", "error_description": "down for maintenance"}),
            ),
        )
    });
    let plane = plane_with(
        Seed::Demo,
        Some(route("/realms/stoa/protocol/openid-connect/revoke", refuse)),
    )
    .await;
    let home = Home::new();
    let (access, refresh) = signed_in(&home, &plane.url);

    let out = home.run(&["logout"], "");
    let said = stderr(&out);
    assert_eq!(code(&out), Some(1), "{said}");
    assert!(said.contains("envdeck: revocation failed ("), "{said}");
    assert!(said.contains("HTTP 503: down for maintenance"), "{said}");
    assert!(
        said.contains("removed the stored tokens for team; the access token stays valid until "),
        "{said}"
    );
    assert_eq!(
        home.stored("team"),
        None,
        "logout always removes the tokens"
    );
    assert_eq!(me_status(&plane.url, &access).await, StatusCode::OK);
    assert_no_token(&home, &out, &[&access, &refresh]);
}
