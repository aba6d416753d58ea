//! Sizes the server refuses: a request body over its limit (413, with a JSON detail, before
//! anything is written) and a page far over the largest page size (422).

use envdeck::server::Seed;
use envdeck::server::extract::BODY_LIMIT;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{answer, call};
use crate::support::{start_server, token};

#[tokio::test]
async fn a_body_over_the_limit_is_413_with_a_json_detail() {
    let srv = start_server(Seed::Demo).await;
    let ada = token(srv.url(), "ada").await;
    let huge = json!({
        "name": "huge",
        "display_name": "Huge",
        "backend_url": "https://h",
        "description": "x".repeat(BODY_LIMIT + 1024),
    });
    let refused = call(
        &srv,
        Method::POST,
        "/v1/tenants/acme/apis?environment=dev",
        Some(ada.expose()),
        Some(huge),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        refused.text
    );
    assert!(
        refused.detail().as_str().is_some_and(|d| !d.is_empty()),
        "{}",
        refused.text
    );

    // Declared by Content-Length alone, without JSON: refused the same way.
    let http = envdeck::net::http_client_builder()
        .build()
        .expect("http client");
    let raw = http
        .put(format!(
            "{}/v1/tenants/acme/apis/huge?environment=dev",
            srv.url()
        ))
        .bearer_auth(ada.expose())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(vec![b' '; BODY_LIMIT * 2])
        .send()
        .await
        .expect("request");
    let refused = answer(raw).await;
    assert_eq!(
        refused.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        refused.text
    );
    refused.detail();

    // Nothing was created.
    let lookup = call(
        &srv,
        Method::GET,
        "/v1/tenants/acme/apis/huge?environment=dev",
        Some(ada.expose()),
        None,
    )
    .await;
    assert_eq!(lookup.status, StatusCode::NOT_FOUND, "{}", lookup.text);
}

#[tokio::test]
async fn a_page_size_of_100000_is_422_on_every_list() {
    let srv = start_server(Seed::Demo).await;
    let ada = token(srv.url(), "ada").await;
    for path in [
        "/v1/tenants/acme/apis?environment=dev",
        "/v1/tenants/acme/deployments?environment=dev",
        "/v1/admin/gateways?environment=dev",
        "/v1/subscriptions/tenant/acme?environment=dev",
        "/v1/tenants/acme/promotions?environment=dev",
    ] {
        let big = format!("{path}&page_size=100000");
        let refused = call(&srv, Method::GET, &big, Some(ada.expose()), None).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{big}: {}",
            refused.text
        );
        let detail = refused.detail();
        assert!(detail.to_string().contains("page_size"), "{big}: {detail}");
        // The largest allowed page still works.
        let max = format!("{path}&page_size=100");
        let ok = call(&srv, Method::GET, &max, Some(ada.expose()), None).await;
        assert_eq!(ok.status, StatusCode::OK, "{max}: {}", ok.text);
    }
}

#[tokio::test]
async fn page_numbers_beyond_the_range_are_422_not_wrapped() {
    let srv = start_server(Seed::Demo).await;
    let ada = token(srv.url(), "ada").await;
    let path = "/v1/tenants/acme/apis?environment=dev";
    // 2^32 + 1 once wrapped to page 1; 2^63 overflowed the offset.
    for query in [
        "page=4294967297",
        "page=9223372036854775807",
        "page=99999999999999999999",
        "page_size=4294967297",
        "page_size=-4294967295",
    ] {
        let url = format!("{path}&{query}");
        let refused = call(&srv, Method::GET, &url, Some(ada.expose()), None).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            refused.text
        );
        let field = query.split('=').next().unwrap_or_default();
        let detail = refused.detail().to_string();
        assert!(detail.contains(field), "{url}: {detail}");
    }
    // The last allowed page still answers (empty).
    let last = format!("{path}&page=1000000");
    let ok = call(&srv, Method::GET, &last, Some(ada.expose()), None).await;
    assert_eq!(ok.status, StatusCode::OK, "{last}: {}", ok.text);
}
