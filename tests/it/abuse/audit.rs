//! The audit log under a viewer's abuse: refused writes with huge names are stored bounded,
//! search patterns are bounded, and one tenant's audit searches never stall another's reads.

use std::time::{Duration, Instant};

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::call;
use crate::support::{TestServer, start_server, token};

/// A create refused by the policy (a viewer), with a name of `len` bytes.
async fn refused_create(srv: &TestServer, vic: &str, len: usize) {
    let body = json!({
        "name": "a".repeat(len),
        "display_name": "Huge",
        "backend_url": "https://h",
    });
    let refused = call(
        srv,
        Method::POST,
        "/v1/tenants/acme/apis?environment=dev",
        Some(vic),
        Some(body),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
}

#[tokio::test]
async fn a_refused_write_with_a_huge_name_leaves_a_bounded_audit_entry() {
    let srv = start_server(Seed::Demo).await;
    let vic = token(srv.url(), "vic").await;
    let tess = token(srv.url(), "tess").await;
    refused_create(&srv, vic.expose(), 250_000).await;
    let page = call(
        &srv,
        Method::GET,
        "/v1/audit/acme?status=failure&page_size=1",
        Some(tess.expose()),
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    let entry = &page.body["entries"][0];
    let id = entry["resource_id"].as_str().expect("resource_id");
    assert!(id.chars().count() <= 300, "stored {} chars", id.len());
    assert!(id.starts_with("aaaa"), "{id}");
    assert!(id.contains("truncated"), "the cut is marked: {id}");
    assert!(
        page.text.len() < 16 * 1024,
        "an entry of {} bytes",
        page.text.len()
    );
}

#[tokio::test]
async fn audit_search_patterns_over_100_characters_are_422() {
    let srv = start_server(Seed::Demo).await;
    let vic = token(srv.url(), "vic").await;
    let long = format!("/v1/audit/acme?search={}", "a".repeat(101));
    let refused = call(&srv, Method::GET, &long, Some(vic.expose()), None).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    assert!(
        refused.detail().to_string().contains("search"),
        "{}",
        refused.text
    );
    let fits = format!("/v1/audit/acme?search={}", "a".repeat(100));
    let ok = call(&srv, Method::GET, &fits, Some(vic.expose()), None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    // Wildcards are plain characters: `%` finds nothing in a log without one.
    let wild = call(
        &srv,
        Method::GET,
        "/v1/audit/acme?search=%25%25",
        Some(vic.expose()),
        None,
    )
    .await;
    assert_eq!(wild.status, StatusCode::OK, "{}", wild.text);
    assert_eq!(wild.body["total"], 0, "{}", wild.text);
}

#[tokio::test]
async fn one_tenants_audit_searches_do_not_stall_another_tenants_reads() {
    let srv = start_server(Seed::Demo).await;
    let vic = token(srv.url(), "vic").await;
    let gus = token(srv.url(), "gus").await;
    for _ in 0..4 {
        refused_create(&srv, vic.expose(), 250_000).await;
    }
    // Four searches at once (as many as there are readers), each costly before the fix.
    let pattern = format!("{}b", "a".repeat(1000));
    let searches: Vec<_> = (0..4)
        .map(|_| {
            let url = format!("/v1/audit/acme?search={pattern}");
            let (srv_url, vic) = (srv.url().to_string(), vic.expose().to_string());
            tokio::spawn(async move {
                let http = envdeck::net::http_client_builder().build().expect("client");
                let _ = http
                    .get(format!("{srv_url}{url}"))
                    .bearer_auth(vic)
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await;
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        let list = call(
            &srv,
            Method::GET,
            "/v1/tenants/globex/promotions",
            Some(gus.expose()),
            None,
        )
        .await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.text);
        slowest = slowest.max(started.elapsed());
    }
    for s in searches {
        let _ = tokio::time::timeout(Duration::from_secs(30), s).await;
    }
    assert!(
        slowest < Duration::from_millis(1500),
        "another tenant's list waited {slowest:?}"
    );
}
