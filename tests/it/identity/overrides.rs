//! The emergency override on the client: only a cpi-admin's writes into a read-only stage pass
//! the guard while it lasts, and every write (never a read) carries the reason in
//! `X-Envdeck-Override-Reason` for the server's audit entry.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::json;

use envdeck::api::{Client, Emergency as Override, OVERRIDE_HEADER};
use envdeck::domain::StageName;
use envdeck::server::Seed;
use envdeck::wire::ApiCreate;

use super::plane;

fn api(name: &str) -> ApiCreate {
    ApiCreate {
        name: name.to_string(),
        display_name: name.to_string(),
        version: "1.0.0".to_string(),
        description: String::new(),
        backend_url: format!("https://backend.example.test/{name}"),
        tags: Vec::new(),
    }
}

async fn guarded(url: &str, user: &str) -> Client {
    let client = crate::support::client_as(url, user, "acme").await;
    // The write guard learns the stages and the actor from these.
    client.environments().await.expect("environments");
    client.me().await.expect("me");
    client
}

#[tokio::test]
async fn only_a_cpi_admin_writes_into_a_read_only_stage_and_only_while_it_lasts() {
    let plane = plane(Seed::None).await;
    let production = StageName::parse("prod").expect("stage");
    let ada = guarded(&plane.url, "ada").await;
    let refused = ada
        .create_api(&production, &api("before"))
        .await
        .expect_err("read-only without an override");
    assert_eq!(refused.exit_code(), 3, "{refused}");

    ada.begin_override(Override::new("INC-42: hotfix", Duration::from_secs(600)).expect("reason"));
    assert!(ada.active_override().is_some());
    ada.create_api(&production, &api("during"))
        .await
        .expect("a cpi-admin's override write");
    ada.end_override();
    let refused = ada
        .create_api(&production, &api("after"))
        .await
        .expect_err("locked again");
    assert_eq!(refused.exit_code(), 3, "{refused}");

    // Time-boxed: an override that is over no longer counts.
    ada.begin_override(Override::new("INC-43", Duration::ZERO).expect("reason"));
    assert!(ada.active_override().is_none());
    assert!(ada.create_api(&production, &api("late")).await.is_err());

    let dave = guarded(&plane.url, "dave").await;
    dave.begin_override(
        Override::new("not mine to take", Duration::from_secs(600)).expect("reason"),
    );
    let refused = dave
        .create_api(&production, &api("devops"))
        .await
        .expect_err("cpi-admin only");
    assert_eq!(refused.exit_code(), 3, "{refused}");
}

/// A request's method and its override header.
type Seen = (String, Option<String>);

#[tokio::test]
async fn writes_carry_the_reason_and_reads_do_not() {
    envdeck::net::install_crypto_provider();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let record = |method: &'static str| {
        let seen = seen.clone();
        move |headers: HeaderMap| {
            let seen = seen.clone();
            async move {
                let reason = headers
                    .get(OVERRIDE_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                seen.lock()
                    .expect("lock")
                    .push((method.to_string(), reason));
                let body = json!({"id": "a1", "tenant_id": "acme", "name": "x",
                    "display_name": "x", "version": "1.0.0", "status": "draft"});
                (StatusCode::CREATED, axum::Json(body))
            }
        }
    };
    let app = Router::new().route(
        "/v1/tenants/acme/apis",
        post(record("POST")).get(record("GET")),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let client = crate::support::trusting(
        Client::new(&url, "acme", Some(envdeck::secret::Secret::new("t"))).expect("client"),
    );
    let dev = StageName::parse("dev").expect("stage");
    client.begin_override(
        Override::new("INC-42: hotfix ü", Duration::from_secs(600)).expect("reason"),
    );
    client.create_api(&dev, &api("x")).await.expect("write");
    let _ = client.apis(&dev).await;
    client.end_override();
    client.create_api(&dev, &api("x")).await.expect("write");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen,
        [
            (
                "POST".to_string(),
                Some("INC-42%3A%20hotfix%20%C3%BC".to_string())
            ),
            ("GET".to_string(), None),
            ("POST".to_string(), None),
        ]
    );
}
