//! Per-stage control planes with two servers: the main one lists production at the second
//! one (its own API and its own identity provider). With `stage_endpoints`, calls for
//! production go there and need their own login; by default every stage is served by the
//! main control plane through `?environment=`, as the real console does.

use axum::Router;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use envdeck::server::Seed;
use envdeck::server::identity::Identity;

use super::{Home, Overlay, code, plane, plane_with, stderr};

/// `/v1/environments` of the main control plane, listing production at `production_url`.
fn environments_pointing_at(production_url: String) -> Overlay {
    Box::new(move |own_url: &str, identity: Identity| {
        let own = own_url.to_string();
        Router::new().route(
            "/v1/environments",
            axum::routing::get(move |headers: HeaderMap| {
                let (own, production, identity) =
                    (own.clone(), production_url.clone(), identity.clone());
                async move {
                    let auth = headers
                        .get(axum::http::header::AUTHORIZATION)
                        .and_then(|v| v.to_str().ok());
                    if let Err(e) = identity.verify(auth) {
                        return e.into_response();
                    }
                    let stage = |name: &str, mode: &str, url: &str| {
                        json!({
                            "name": name, "label": name, "mode": mode, "color": null,
                            "endpoints": {"api_url": url, "keycloak_url": url,
                                          "keycloak_realm": "stoa", "mcp_url": null},
                            "is_current": name == "dev",
                        })
                    };
                    axum::Json(json!({
                        "environments": [
                            stage("dev", "full", &own),
                            stage("staging", "full", &own),
                            stage("production", "read-only", &production),
                        ],
                        "current": "dev",
                    }))
                    .into_response()
                }
            }),
        )
    })
}

fn names(stdout: &str) -> Vec<String> {
    let items: Value = serde_json::from_str(stdout).expect("JSON");
    let mut names: Vec<String> = items
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|a| a["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stage_on_its_own_control_plane_gets_its_calls_and_its_own_login() {
    let production = plane(Seed::Demo).await;
    let main = plane_with(
        Seed::None,
        Some(environments_pointing_at(production.url.clone())),
    )
    .await;
    let home = Home::new();
    home.add_context("split", &main.url, &["--use", "--stage-endpoints"]);
    home.add_context("single", &main.url, &[]);
    home.login_password(&[], "dave");
    home.login_password(&["--context", "single"], "dave");

    // Dev is served by the main control plane (empty).
    assert!(names(&home.ok(&["get", "apis", "--env", "dev", "-o", "json"])).is_empty());
    // Production lives elsewhere, behind another identity provider: a login of its own.
    let out = home.run(&["get", "apis", "--env", "prod", "-o", "json"], "");
    assert_eq!(code(&out), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("envdeck login --stage production"),
        "{}",
        stderr(&out)
    );
    let out = home.run(
        &[
            "login",
            "--stage",
            "production",
            "--username",
            "dave",
            "--password-stdin",
        ],
        "demo\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(home.stored("split@production").is_some());

    let there = names(&home.ok(&["get", "apis", "--env", "production", "-o", "json"]));
    assert!(
        !there.is_empty(),
        "production's own control plane has the demo APIs"
    );
    let expected = {
        let client = crate::support::client_as(&production.url, "dave", "acme").await;
        let stage = envdeck::domain::StageName::parse("production").expect("stage");
        let mut names: Vec<String> = client
            .apis(&stage)
            .await
            .expect("apis")
            .into_iter()
            .map(|a| a.name)
            .collect();
        names.sort();
        names
    };
    assert_eq!(there, expected);

    // By default the per-stage URLs are ignored: one control plane for every stage.
    let single = names(&home.ok(&[
        "--context",
        "single",
        "get",
        "apis",
        "--env",
        "production",
        "-o",
        "json",
    ]));
    assert!(single.is_empty(), "{single:?}");

    // Logout forgets the stage's sign-in too.
    home.ok(&["logout"]);
    assert_eq!(home.stored("split@production"), None);
    assert_eq!(home.stored("split"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_asks_for_a_stage_login_when_switching_to_it() {
    use crate::e2e::pty::Session;
    use std::time::Duration;
    const WAIT: Duration = Duration::from_secs(30);

    envdeck::net::install_crypto_provider();
    let production = plane(Seed::Demo).await;
    let main = plane_with(
        Seed::None,
        Some(environments_pointing_at(production.url.clone())),
    )
    .await;
    let home = Home::new();
    home.add_context("split", &main.url, &["--use", "--stage-endpoints"]);
    home.login_password(&[], "dave");
    let home_str = home.path().to_string_lossy().into_owned();
    let mut console = Session::spawn(
        &[],
        &[
            ("ENVDECK_HOME", home_str.as_str()),
            ("ENVDECK_KEYRING", "off"),
        ],
    );
    console.wait_for("APIs in dev", WAIT);
    console.send("]");
    console.send("]");
    let screen = console.wait_for("enter the code", WAIT);
    assert!(screen.contains("split@production"), "{screen}");
    let page = format!("{}/realms/stoa/device", production.url);
    assert!(screen.contains(&page), "{screen}");
    let code = screen
        .lines()
        .find_map(|l| l.split("enter the code").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("code on screen")
        .to_string();
    let approved = reqwest::Client::new()
        .post(&page)
        .form(&[
            ("user_code", code.as_str()),
            ("username", "dave"),
            ("password", "demo"),
            ("action", "approve"),
        ])
        .send()
        .await
        .expect("approve");
    assert!(approved.status().is_success());
    // Signed in to production's provider: its own control plane's APIs appear.
    let deadline = std::time::Instant::now() + WAIT;
    while console.screen().contains("enter the code") {
        assert!(std::time::Instant::now() < deadline, "{}", console.screen());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    console.send("r");
    let screen = console.wait_for("payments", WAIT);
    assert!(!screen.contains("enter the code"), "{screen}");
    assert!(home.stored("split@production").is_some());
    console.send("q");
    assert!(console.wait_exit(WAIT).is_some(), "console quits");
}
