//! The data dir: restarts keep everything, corrupt or newer databases are refused untouched,
//! `fresh` starts over, a stages file replaces the default stages.

use envdeck::server::{Seed, ServerOptions, start as start_server};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Srv, create_api, detail, http, options, start_in};

#[tokio::test]
async fn a_restart_on_the_same_data_dir_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_in(dir, Seed::Demo).await;
    let dave = srv.login("dave").await;
    create_api(&dave, "acme", "dev", "kept").await;
    let before = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?page_size=100",
            None,
            200,
        )
        .await;
    let promos = dave
        .ok(Method::GET, "/v1/tenants/acme/promotions", None, 200)
        .await;
    drop(dave);
    let Srv { server, dir, .. } = srv;
    server.shutdown().await.unwrap();

    let srv = start_in(dir, Seed::Demo).await;
    let dave = srv.login("dave").await;
    let after = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?page_size=100",
            None,
            200,
        )
        .await;
    assert_eq!(
        before["total"], after["total"],
        "no re-seeding, nothing lost"
    );
    let ids = |v: &serde_json::Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&before), ids(&after));
    let promos_after = dave
        .ok(Method::GET, "/v1/tenants/acme/promotions", None, 200)
        .await;
    assert_eq!(promos["total"], promos_after["total"]);
    let audit = dave
        .ok(
            Method::GET,
            "/v1/audit/acme?action=api.created&search=kept",
            None,
            200,
        )
        .await;
    assert_eq!(audit["total"], 1);
}

#[tokio::test]
async fn fresh_starts_from_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let srv = start_in(dir, Seed::None).await;
    let dave = srv.login("dave").await;
    create_api(&dave, "acme", "dev", "gone").await;
    drop(dave);
    let Srv { server, dir, .. } = srv;
    server.shutdown().await.unwrap();
    let server = start_server(ServerOptions {
        fresh: true,
        ..options(dir.path(), Seed::None)
    })
    .await
    .unwrap();
    let http = http();
    let token = super::token(&http, server.url(), "dave").await;
    let list: serde_json::Value = http
        .get(format!("{}/v1/tenants/acme/apis", server.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_corrupt_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(envdeck::server::DB_FILE);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = start_server(options(dir.path(), Seed::Demo))
        .await
        .err()
        .expect("refused");
    let msg = err.to_string();
    assert!(msg.contains("is not a valid envdeck database"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[tokio::test]
async fn a_database_from_a_newer_envdeck_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(envdeck::server::DB_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future(x); PRAGMA user_version = 999;")
            .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let err = start_server(options(dir.path(), Seed::Demo))
        .await
        .err()
        .expect("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("was written by a newer envdeck (schema v999, this binary knows v"),
        "{msg}"
    );
    assert!(msg.ends_with("refusing to touch it"), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[tokio::test]
async fn a_busy_port_is_a_clear_error() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = ServerOptions {
        listen: holder.local_addr().unwrap(),
        ..options(dir.path(), Seed::None)
    };
    let msg = start_server(opts).await.err().expect("refused").to_string();
    assert!(msg.starts_with("cannot listen on 127.0.0.1:"), "{msg}");
}

#[tokio::test]
async fn a_stages_file_replaces_the_stages_and_promote_only_takes_promotions_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("stages.toml"),
        r##"
        [[stage]]
        name = "sandbox"
        label = "Sandbox"
        [[stage]]
        name = "qa"
        mode = "promote-only"
        color = "#3b82f6"
        [[stage]]
        name = "perf"
        mode = "promote-only"
        [[stage]]
        name = "prod"
        mode = "read-only"
        "##,
    )
    .unwrap();
    let srv = start_in(dir, Seed::None).await;
    let dave = srv.login("dave").await;
    let envs = dave.ok(Method::GET, "/v1/environments", None, 200).await;
    let names: Vec<&str> = envs["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "qa", "perf", "production"]);
    assert_eq!(envs["environments"][1]["color"], "#3b82f6");
    create_api(&dave, "acme", "sandbox", "svc").await;
    dave.settled("acme", "svc", "dev").await;
    let (status, body) = dave
        .post(
            "/v1/tenants/acme/apis?environment=QA",
            json!({"name":"x","display_name":"X","backend_url":"https://x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        detail(&body),
        "Environment 'QA' is promote-only. Changes arrive through promotions."
    );
    let p = dave
        .ok(Method::POST, "/v1/tenants/acme/promotions/svc",
            Some(json!({"source_environment":"development","target_environment":"qa","message":"to qa"})), 201)
        .await;
    let path = format!("/v1/tenants/acme/promotions/{}", p["id"].as_str().unwrap());
    super::approve(&dave, &path).await;
    dave.promotion_becomes("acme", p["id"].as_str().unwrap(), "promoted")
        .await;
    let qa = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=qa",
            None,
            200,
        )
        .await;
    assert_eq!(qa["total"], 1);
    let (status, body) = dave
        .post(
            "/v1/tenants/acme/promotions/svc",
            json!({"source_environment":"qa","target_environment":"prod","message":"skip"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["detail"][0]["msg"]
            .as_str()
            .unwrap()
            .contains("Allowed chains: dev→qa, qa→perf, perf→production")
    );
}

#[tokio::test]
async fn envdeck_serve_announces_its_url_first_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut serve = crate::support::ServeProcess::start(dir.path(), "none");
    assert!(serve.url.starts_with("http://127.0.0.1:"), "{}", serve.url);
    let http = http();
    let token = super::token(&http, &serve.url, "dave").await;
    let created = http
        .post(format!(
            "{}/v1/tenants/acme/apis?environment=dev",
            serve.url
        ))
        .bearer_auth(&token)
        .json(&json!({"name":"durable","display_name":"D","backend_url":"https://d"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let status = std::process::Command::new("kill")
        .args(["-TERM", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exited = crate::support::eventually(std::time::Duration::from_secs(20), || {
        matches!(serve.child.try_wait(), Ok(Some(_)))
    });
    assert!(exited, "envdeck serve did not stop on SIGTERM");
    let code = serve.child.wait().unwrap();
    assert!(code.success(), "{code:?}");
    // What was written survives the stop.
    let conn = rusqlite::Connection::open(dir.path().join(envdeck::server::DB_FILE)).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM apis WHERE id = 'durable'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 1);
}
