//! A token of one tenant is refused (403, in JSON) on every route of another tenant, reads
//! and writes alike, whether or not the resource exists.

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::call;
use crate::support::{start_server, token};

/// Every tenant-scoped route of the contract, for tenant `acme`.
fn acme_routes(api: &str, promotion: &str) -> Vec<(Method, String, Option<Value>)> {
    let api_body =
        json!({"name": "intruder", "display_name": "Intruder", "backend_url": "https://i"});
    let promote =
        json!({"source_environment": "dev", "target_environment": "staging", "message": "ship"});
    let t = "/v1/tenants/acme";
    vec![
        (Method::GET, format!("{t}/apis?environment=dev"), None),
        (
            Method::POST,
            format!("{t}/apis?environment=dev"),
            Some(api_body),
        ),
        (Method::GET, format!("{t}/apis/{api}?environment=dev"), None),
        (
            Method::PUT,
            format!("{t}/apis/{api}?environment=dev"),
            Some(json!({"version": "9.9.9"})),
        ),
        (
            Method::DELETE,
            format!("{t}/apis/{api}?environment=dev"),
            None,
        ),
        (
            Method::GET,
            format!("{t}/deployments?environment=dev"),
            None,
        ),
        (
            Method::GET,
            "/v1/subscriptions/tenant/acme".to_string(),
            None,
        ),
        (Method::GET, "/v1/audit/acme".to_string(), None),
        (Method::GET, format!("{t}/promotions"), None),
        (Method::POST, format!("{t}/promotions/{api}"), Some(promote)),
        (Method::GET, format!("{t}/promotions/{promotion}"), None),
        (
            Method::GET,
            format!("{t}/promotions/{promotion}/diff"),
            None,
        ),
        (
            Method::POST,
            format!("{t}/promotions/{promotion}/approve"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("{t}/promotions/{promotion}/complete"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("{t}/promotions/{promotion}/rollback"),
            Some(json!({"message": "no"})),
        ),
    ]
}

#[tokio::test]
async fn a_token_of_another_tenant_is_refused_on_every_tenant_route() {
    let srv = start_server(Seed::Demo).await;
    let ada = token(srv.url(), "ada").await;
    let apis = call(
        &srv,
        Method::GET,
        "/v1/tenants/acme/apis?environment=dev",
        Some(ada.expose()),
        None,
    )
    .await;
    let api = apis.body["items"][0]["id"]
        .as_str()
        .expect("the demo seeds APIs in acme")
        .to_string();
    let promotions = call(
        &srv,
        Method::GET,
        "/v1/tenants/acme/promotions",
        Some(ada.expose()),
        None,
    )
    .await;
    let promotion = promotions.body["items"][0]["id"]
        .as_str()
        .expect("the demo seeds promotions in acme")
        .to_string();

    // gus is a devops of globex; tess administers acme but not globex.
    let gus = token(srv.url(), "gus").await;
    for (method, path, body) in acme_routes(&api, &promotion) {
        let refused = call(&srv, method.clone(), &path, Some(gus.expose()), body).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            refused.text
        );
        refused.detail();
    }
    // A made-up id in the other tenant is refused the same way: nothing leaks about existence.
    for (method, path, body) in acme_routes("no-such-api", "no-such-promotion") {
        let refused = call(&srv, method.clone(), &path, Some(gus.expose()), body).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            refused.text
        );
    }
    let tess = token(srv.url(), "tess").await;
    let across = call(
        &srv,
        Method::GET,
        "/v1/tenants/globex/apis?environment=dev",
        Some(tess.expose()),
        None,
    )
    .await;
    assert_eq!(across.status, StatusCode::FORBIDDEN, "{}", across.text);

    // Nothing was written in acme by the refused calls.
    let after = call(
        &srv,
        Method::GET,
        "/v1/tenants/acme/apis?environment=dev",
        Some(ada.expose()),
        None,
    )
    .await;
    assert_eq!(after.body["total"], apis.body["total"]);
    let promotions_after = call(
        &srv,
        Method::GET,
        "/v1/tenants/acme/promotions",
        Some(ada.expose()),
        None,
    )
    .await;
    assert_eq!(promotions_after.body["total"], promotions.body["total"]);
}
