//! Error shapes: 401, 404, 405, 413, 422 (FastAPI's list).

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{detail, split, start};

#[tokio::test]
async fn missing_or_bad_tokens_get_401_with_www_authenticate() {
    let srv = start(Seed::None).await;
    for path in [
        "/v1/me",
        "/v1/environments",
        "/v1/tenants/acme/apis",
        "/v1/audit/acme",
    ] {
        let resp = srv
            .http
            .get(format!("{}{path}", srv.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{path}");
        let www = resp
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_string());
        assert!(www.unwrap_or_default().starts_with("Bearer"), "{path}");
        let (_, body) = split(resp).await;
        assert!(body["detail"].is_string(), "{body}");
    }
    let resp = srv
        .http
        .get(format!("{}/v1/me", srv.url()))
        .bearer_auth("not.a.jwt")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_queries_answer_422_in_fastapis_list_shape() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let (status, body) = dave.get("/v1/tenants/acme/apis?page_size=101").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "page_size"]));
    assert_eq!(body["detail"][0]["type"], "less_than_equal");
    let (status, body) = dave.get("/v1/tenants/acme/apis?page=0").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "greater_than_equal");
    let (status, body) = dave.get("/v1/tenants/acme/apis?page=two").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "int_parsing");
    for path in [
        "/v1/tenants/acme/apis?environment=qa",
        "/v1/tenants/acme/deployments?environment=qa",
        "/v1/admin/gateways?environment=qa",
        "/v1/admin/deployments?environment=qa",
        "/v1/subscriptions/tenant/acme?environment=qa",
        "/v1/tenants/acme/promotions?target_environment=qa",
    ] {
        let (status, body) = dave.get(path).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(body["detail"][0]["type"], "enum", "{path}");
        assert_eq!(
            body["detail"][0]["msg"], "Input should be 'dev', 'staging' or 'production'",
            "{path}"
        );
        assert_eq!(body["detail"][0]["input"], "qa", "{path}");
    }
    let (status, body) = dave.get("/v1/admin/deployments?sync_status=happy").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "sync_status"]));
}

#[tokio::test]
async fn bad_bodies_answer_422_and_unknown_things_404() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let resp = srv
        .http
        .post(format!(
            "{}/v1/tenants/acme/apis?environment=dev",
            srv.url()
        ))
        .bearer_auth(&dave.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = split(resp).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "json_invalid");
    let (status, body) = dave
        .post(
            "/v1/tenants/acme/apis?environment=dev",
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["type"], "missing");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "display_name"]));
    let (status, body) = dave
        .post(
            "/v1/tenants/acme/apis?environment=dev",
            json!({"name":"Bad Name","display_name":"X","backend_url":"u"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // Writes name their stage.
    let (status, body) = dave
        .post(
            "/v1/tenants/acme/apis",
            json!({"name":"x","display_name":"X","backend_url":"u"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["query", "environment"]));
    // Too large.
    let resp = srv
        .http
        .post(format!(
            "{}/v1/tenants/acme/apis?environment=dev",
            srv.url()
        ))
        .bearer_auth(&dave.token)
        .body(vec![b' '; 300 * 1024])
        .send()
        .await
        .unwrap();
    let (status, body) = split(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["detail"].is_string());

    let (status, body) = dave.get("/v1/tenants/acme/apis/ghost").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(detail(&body), "API not found");
    let (status, body) = dave
        .get("/v1/tenants/acme/promotions/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(detail(&body), "Promotion not found");
    for action in ["approve", "complete"] {
        let (status, _) = dave
            .post(
                &format!("/v1/tenants/acme/promotions/nope/{action}"),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
    }
    let (status, body) = dave.get("/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(detail(&body), "Not Found");
    let (status, body) = dave.call(Method::PATCH, "/v1/tenants", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body["detail"].is_string());
}
