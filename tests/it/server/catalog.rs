//! One catalog entry per API and tenant: presence by gateway deployments, edits and deletes
//! that reach every stage, judged by every stage the API runs in.

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{detail, start};

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn lists_filter_by_presence_with_runtime_deployments_and_true_totals() {
    let srv = start(Seed::Demo).await;
    let vic = srv.login("vic").await;
    let all = vic
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?page_size=100",
            None,
            200,
        )
        .await;
    assert!(all["total"].as_u64().unwrap() >= 15, "{}", all["total"]);
    for (spelling, present, absent) in [
        (
            "development",
            vec!["payments", "orders", "inventory", "shipping", "customers"],
            vec![],
        ),
        (
            "stg",
            vec!["payments", "orders"],
            vec!["inventory", "shipping", "customers"],
        ),
        (
            "prod",
            vec!["payments"],
            vec!["orders", "inventory", "shipping", "customers"],
        ),
    ] {
        let page = vic
            .ok(
                Method::GET,
                &format!("/v1/tenants/acme/apis?environment={spelling}&page_size=100"),
                None,
                200,
            )
            .await;
        let listed = ids(&page);
        assert_eq!(
            page["total"].as_u64().unwrap() as usize,
            listed.len(),
            "{spelling}"
        );
        for p in present {
            assert!(listed.contains(&p.to_string()), "{p} in {spelling}");
        }
        for a in absent {
            assert!(!listed.contains(&a.to_string()), "{a} not in {spelling}");
        }
    }
    // A page of the full list with the true total.
    let p2 = vic
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?page=2&page_size=5",
            None,
            200,
        )
        .await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 5);
    assert_eq!(p2["total"], all["total"]);

    let payments = vic
        .ok(Method::GET, "/v1/tenants/acme/apis/payments", None, 200)
        .await;
    let rd = payments["runtime_deployments"].as_array().unwrap();
    let envs: Vec<&str> = rd
        .iter()
        .map(|d| d["environment"].as_str().unwrap())
        .collect();
    assert_eq!(envs, ["dev", "staging", "production"]);
    assert_eq!(rd[2]["gateway_names"], json!(["acme-stoa-production"]));
    assert_eq!(rd[2]["synced_count"], 1);
    assert_eq!(payments["deployed_dev"], true);
    assert_eq!(payments["deployed_staging"], true);
    // The version of a stage-filtered list is the one running there.
    let prod = vic
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis/payments?environment=production",
            None,
            200,
        )
        .await;
    let stg = vic
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis/payments?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(prod["version"], "2.1.0");
    assert_eq!(stg["version"], "2.2.0");
    let customers = vic
        .ok(Method::GET, "/v1/tenants/acme/apis/customers", None, 200)
        .await;
    assert_eq!(customers["runtime_deployments"][0]["status"], "pending");
    let (status, _) = vic
        .get("/v1/tenants/acme/apis/inventory?environment=staging")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deleting_in_dev_removes_the_api_from_every_stage() {
    let srv = start(Seed::Demo).await;
    let tess = srv.login("tess").await;
    // pricing runs in dev and staging.
    let stg = tess
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=staging&page_size=100",
            None,
            200,
        )
        .await;
    assert!(ids(&stg).contains(&"pricing".to_string()));
    let body = tess
        .ok(
            Method::DELETE,
            "/v1/tenants/acme/apis/pricing?environment=dev",
            None,
            200,
        )
        .await;
    assert!(
        body["message"].as_str().unwrap().contains("every stage"),
        "{body}"
    );
    for stage in ["dev", "staging", "production"] {
        let page = tess
            .ok(
                Method::GET,
                &format!("/v1/tenants/acme/apis?environment={stage}&page_size=100"),
                None,
                200,
            )
            .await;
        assert!(!ids(&page).contains(&"pricing".to_string()), "{stage}");
    }
    let all = tess
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?page_size=100",
            None,
            200,
        )
        .await;
    assert!(!ids(&all).contains(&"pricing".to_string()));
    let (status, _) = tess
        .delete("/v1/tenants/acme/apis/pricing?environment=dev")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_api_live_in_read_only_production_is_guarded_in_every_stage() {
    let srv = start(Seed::Demo).await;
    let tess = srv.login("tess").await;
    let (status, body) = tess
        .delete("/v1/tenants/acme/apis/payments?environment=dev")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(detail(&body), "payments is live in Production (read-only)");
    let (status, body) = tess
        .put(
            "/v1/tenants/acme/apis/payments?environment=dev",
            json!({"display_name": "Payments v2"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(detail(&body), "payments is live in Production (read-only)");
    // The refusal is audited.
    let refused = tess
        .ok(Method::GET, "/v1/audit/acme?status=failure", None, 200)
        .await;
    assert_eq!(
        refused["entries"][0]["details"]["reason"],
        "payments is live in Production (read-only)"
    );

    // An edit of an API not in production reaches the catalog every stage shows.
    tess.ok(
        Method::PUT,
        "/v1/tenants/acme/apis/orders?environment=dev",
        Some(json!({"display_name": "Orders (renamed)", "version": "1.6.0"})),
        200,
    )
    .await;
    for stage in ["dev", "staging"] {
        let o = tess
            .ok(
                Method::GET,
                &format!("/v1/tenants/acme/apis/orders?environment={stage}"),
                None,
                200,
            )
            .await;
        assert_eq!(o["display_name"], "Orders (renamed)", "{stage}");
    }
    let stg = tess
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis/orders?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(stg["version"], "1.4.0", "staging keeps running its release");

    // payments has no open promotion left once the pending one is rejected... ada overrides.
    let ada = srv.login("ada").await;
    let open = ada
        .ok(
            Method::GET,
            "/v1/tenants/acme/promotions?api_id=payments&status=pending",
            None,
            200,
        )
        .await;
    assert_eq!(open["total"], 1, "{open}");
    let resp = srv
        .http
        .delete(format!(
            "{}/v1/tenants/acme/apis/payments?environment=dev",
            srv.url()
        ))
        .bearer_auth(&ada.token)
        .header("X-Envdeck-Override-Reason", "INC-7: retire payments v2")
        .send()
        .await
        .unwrap();
    let (status, body) = super::split(resp).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(detail(&body).contains("is open"));
    // Approve and let it land, then the override delete goes through.
    let id = open["items"][0]["id"].as_str().unwrap();
    super::approve(&ada, &format!("/v1/tenants/acme/promotions/{id}")).await;
    ada.promotion_becomes("acme", id, "promoted").await;
    let resp = srv
        .http
        .delete(format!(
            "{}/v1/tenants/acme/apis/payments?environment=dev",
            srv.url()
        ))
        .bearer_auth(&ada.token)
        .header("X-Envdeck-Override-Reason", "INC-7: retire payments v2")
        .send()
        .await
        .unwrap();
    let (status, body) = super::split(resp).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let prod = ada
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=production",
            None,
            200,
        )
        .await;
    assert!(!ids(&prod).contains(&"payments".to_string()));
    let audit = ada
        .ok(Method::GET, "/v1/audit/acme?action=api.deleted", None, 200)
        .await;
    assert_eq!(audit["entries"][0]["details"]["override"], true);
    assert_eq!(
        audit["entries"][0]["details"]["override_reason"],
        "INC-7: retire payments v2"
    );
}

#[tokio::test]
async fn subscriptions_without_a_stage_show_null_and_a_stage_filter_leaves_them_out() {
    let srv = start(Seed::Demo).await;
    let tess = srv.login("tess").await;
    let all = tess
        .ok(
            Method::GET,
            "/v1/subscriptions/tenant/acme?page_size=100",
            None,
            200,
        )
        .await;
    let items = all["items"].as_array().unwrap();
    let nulls = items.iter().filter(|s| s["environment"].is_null()).count();
    assert!(nulls > 0, "some subscriptions have no stage");
    assert!(items.len() > nulls);
    let mut filtered = 0;
    for spelling in ["development", "stage", "prod"] {
        let page = tess
            .ok(
                Method::GET,
                &format!("/v1/subscriptions/tenant/acme?environment={spelling}&page_size=100"),
                None,
                200,
            )
            .await;
        let rows = page["items"].as_array().unwrap();
        assert!(
            rows.iter().all(|s| !s["environment"].is_null()),
            "{spelling}"
        );
        assert_eq!(page["total"].as_u64().unwrap() as usize, rows.len());
        filtered += rows.len();
    }
    assert_eq!(filtered + nulls, items.len());
}
