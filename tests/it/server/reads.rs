//! Read endpoints against the demo seed.

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};

use super::start;

#[tokio::test]
async fn health_and_public_environments_need_no_token() {
    let srv = start(Seed::None).await;
    let (status, body) = srv.anon(Method::GET, "/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "healthy");
    let (status, body) = srv.anon(Method::GET, "/v1/environments/public").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = body["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "staging", "production"]);
    assert_eq!(body["environments"][2]["mode"], "read-only");
    assert_eq!(body["environments"][2]["color"], "#ef4444");
    assert_eq!(body["current"], "dev");
}

#[tokio::test]
async fn environments_list_stages_in_pipeline_order_with_this_server_as_endpoint() {
    let srv = start(Seed::None).await;
    let vic = srv.login("vic").await;
    let body = vic.ok(Method::GET, "/v1/environments", None, 200).await;
    let envs = body["environments"].as_array().unwrap();
    assert_eq!(envs.len(), 3);
    assert_eq!(envs[0]["name"], "dev");
    assert_eq!(envs[0]["color"], "#22c55e");
    assert_eq!(envs[1]["color"], "#f59e0b");
    assert_eq!(envs[0]["is_current"], true);
    assert_eq!(envs[1]["endpoints"]["api_url"], srv.url());
    assert_eq!(envs[1]["endpoints"]["keycloak_realm"], "stoa");
}

#[tokio::test]
async fn me_carries_server_computed_roles_and_permissions() {
    let srv = start(Seed::None).await;
    let tess = srv.login("tess").await;
    let me = tess.ok(Method::GET, "/v1/me", None, 200).await;
    assert_eq!(me["username"], "tess");
    assert_eq!(me["tenant_id"], "acme");
    assert_eq!(me["roles"], serde_json::json!(["tenant-admin"]));
    let perms: Vec<&str> = me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(perms.contains(&"apis:delete") && perms.contains(&"apis:promote"));
    assert!(!perms.contains(&"tenants:create"));
    let vic = srv.login("vic").await;
    let me = vic.ok(Method::GET, "/v1/me", None, 200).await;
    let perms = me["permissions"].as_array().unwrap();
    assert!(!perms.iter().any(|p| p == "apis:create"));
}

#[tokio::test]
async fn tenants_admin_sees_all_others_their_own() {
    let srv = start(Seed::None).await;
    let ada = srv.login("ada").await;
    let all = ada.ok(Method::GET, "/v1/tenants", None, 200).await;
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["acme", "globex"]);
    let gus = srv.login("gus").await;
    let own = gus.ok(Method::GET, "/v1/tenants", None, 200).await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    assert_eq!(own[0]["id"], "globex");
}

#[tokio::test]
async fn the_demo_seed_looks_like_a_busy_platform() {
    let srv = start(Seed::Demo).await;
    let dave = srv.login("dave").await;
    let all = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?page_size=100",
            None,
            200,
        )
        .await;
    assert!(all["total"].as_u64().unwrap() >= 20, "{}", all["total"]);
    assert_eq!(all["page_size"], 100);
    let dev = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=development",
            None,
            200,
        )
        .await;
    let prod = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=prod&page_size=100",
            None,
            200,
        )
        .await;
    assert!(
        dev["total"].as_u64() > prod["total"].as_u64(),
        "stages differ"
    );
    assert_eq!(
        prod["items"].as_array().unwrap().len() as u64,
        prod["total"].as_u64().unwrap()
    );
    // Paging with a true total.
    let p2 = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?page=2&page_size=5",
            None,
            200,
        )
        .await;
    assert_eq!(p2["items"].as_array().unwrap().len(), 5);
    assert_eq!(p2["total"], all["total"]);
    let payments = dave
        .ok(Method::GET, "/v1/tenants/acme/apis/payments", None, 200)
        .await;
    assert_eq!(payments["runtime_deployments"].as_array().unwrap().len(), 3);
    assert_eq!(payments["runtime_deployments"][0]["environment"], "dev");
    assert_eq!(payments["deployed_staging"], true);

    let tess = srv.login("tess").await;
    let gd = tess
        .ok(
            Method::GET,
            "/v1/admin/deployments?page_size=100",
            None,
            200,
        )
        .await;
    let statuses: Vec<&str> = gd["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["sync_status"].as_str().unwrap())
        .collect();
    for wanted in ["synced", "drifted", "error"] {
        assert!(statuses.contains(&wanted), "no {wanted} gateway deployment");
    }
    assert!(
        gd["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["desired_state"]["tenant_id"] == "acme")
    );
    let gw = tess
        .ok(Method::GET, "/v1/admin/gateways?environment=stg", None, 200)
        .await;
    assert!(
        gw["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["environment"] == "staging")
    );
    assert!(gw["total"].as_u64().unwrap() >= 2);

    let deps = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/deployments?environment=prod",
            None,
            200,
        )
        .await;
    assert!(deps["total"].as_u64().unwrap() > 0);
    assert!(
        deps["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["environment"] == "production")
    );
    let failed = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/deployments?status=failed",
            None,
            200,
        )
        .await;
    assert!(
        failed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "failed")
    );

    let subs = dave
        .ok(Method::GET, "/v1/subscriptions/tenant/acme", None, 200)
        .await;
    assert!(subs["total"].as_u64().unwrap() > 0);
    assert!(subs["total_pages"].as_u64().unwrap() >= 1);
    let audit = dave
        .ok(Method::GET, "/v1/audit/acme?page_size=5", None, 200)
        .await;
    assert_eq!(audit["entries"].as_array().unwrap().len(), 5);
    assert_eq!(audit["has_more"], true);
    let by_action = dave
        .ok(
            Method::GET,
            "/v1/audit/acme?action=promotion.created",
            None,
            200,
        )
        .await;
    assert!(
        by_action["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] == "promotion.created")
    );
    assert!(by_action["total"].as_u64().unwrap() >= 2);
    let searched = dave
        .ok(Method::GET, "/v1/audit/acme?search=payments", None, 200)
        .await;
    assert!(searched["total"].as_u64().unwrap() >= 1);

    let pending = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/promotions?status=pending",
            None,
            200,
        )
        .await;
    let pairs: Vec<(String, String, String)> = pending["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["source_environment"].as_str().unwrap().to_string(),
                p["target_environment"].as_str().unwrap().to_string(),
                p["requested_by"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        pairs.contains(&("dev".into(), "staging".into(), "dave".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("staging".into(), "production".into(), "dave".into())),
        "{pairs:?}"
    );
    let to_prod = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/promotions?target_environment=prod",
            None,
            200,
        )
        .await;
    assert!(
        to_prod["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["target_environment"] == "production")
    );
    // The diff of a pending promotion shows real changes and the hash to approve with.
    let id = pending["items"][0]["id"].as_str().unwrap();
    let diff = dave
        .ok(
            Method::GET,
            &format!("/v1/tenants/acme/promotions/{id}/diff"),
            None,
            200,
        )
        .await;
    assert_eq!(diff["diff_summary"]["identical"], false, "{diff}");
    assert_eq!(diff["reviewed_spec_hash"].as_str().unwrap().len(), 64);
    assert!(diff["source_spec"]["spec"]["paths"].is_object());
    let one = dave
        .ok(
            Method::GET,
            &format!("/v1/tenants/acme/promotions/{id}"),
            None,
            200,
        )
        .await;
    assert_eq!(one["id"], id);
}
