//! `/v1/admin/*`: cpi-admin and tenant-admin only (the real 403), and a tenant-admin never
//! sees another tenant's gateways or deployments.

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};

use super::{detail, start};

#[tokio::test]
async fn devops_and_viewers_get_the_real_403_on_both_admin_lists() {
    let srv = start(Seed::Demo).await;
    for user in ["dave", "vic", "gus"] {
        let who = srv.login(user).await;
        for path in [
            "/v1/admin/gateways",
            "/v1/admin/deployments?environment=dev",
        ] {
            let (status, body) = who.get(path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {path}");
            assert_eq!(
                detail(&body),
                "Access denied. Required roles: ['cpi-admin', 'tenant-admin']",
                "{user} {path}"
            );
        }
    }
}

#[tokio::test]
async fn a_tenant_admin_sees_their_tenant_and_the_platform_only() {
    let srv = start(Seed::Demo).await;
    let tess = srv.login("tess").await;
    let gw = tess
        .ok(Method::GET, "/v1/admin/gateways?page_size=100", None, 200)
        .await;
    let items = gw["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|g| g["tenant_id"].is_null() || g["tenant_id"] == "acme")
    );
    assert!(items.iter().any(|g| g["tenant_id"].is_null()));
    assert_eq!(gw["total"].as_u64().unwrap() as usize, items.len());
    let disabled = items
        .iter()
        .find(|g| g["enabled"] == false)
        .expect("a disabled gateway");
    assert!(disabled["tenant_id"].is_null());
    assert!(
        items
            .iter()
            .any(|g| g["target_gateway_type"] == "webmethods" && g["topology"] == "remote-agent")
    );
    let stg = tess
        .ok(
            Method::GET,
            "/v1/admin/gateways?environment=stg&gateway_type=kong",
            None,
            200,
        )
        .await;
    assert_eq!(stg["total"], 1);
    assert_eq!(stg["items"][0]["name"], "kong-staging");
    let (status, body) = tess.get("/v1/admin/gateways?tenant_id=globex").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(detail(&body), "Access denied to this tenant");

    let gd = tess
        .ok(
            Method::GET,
            "/v1/admin/deployments?page_size=100",
            None,
            200,
        )
        .await;
    let items = gd["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for d in items {
        assert_eq!(d["desired_state"]["tenant_id"], "acme", "{d}");
        assert!(d["api_catalog_id"].as_str().unwrap().len() == 36);
        assert!(d["desired_state"]["spec_hash"].as_str().unwrap().len() == 64);
        assert!(d["desired_state"]["openapi_spec"]["paths"].is_object());
        assert!(
            d.get("api_id").is_none(),
            "no top-level api_id, as the real shape"
        );
        assert!(d["gateway_name"].is_string() && d["gateway_environment"].is_string());
    }
    let statuses: Vec<&str> = items
        .iter()
        .map(|d| d["sync_status"].as_str().unwrap())
        .collect();
    for wanted in ["synced", "pending"] {
        assert!(statuses.contains(&wanted), "no {wanted} gateway deployment");
    }
    let prod = tess
        .ok(
            Method::GET,
            "/v1/admin/deployments?environment=prod&sync_status=synced",
            None,
            200,
        )
        .await;
    assert!(
        prod["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["gateway_environment"] == "production")
    );
    let gw_id = prod["items"][0]["gateway_instance_id"].as_str().unwrap();
    let one = tess
        .ok(
            Method::GET,
            &format!("/v1/admin/deployments?gateway_instance_id={gw_id}&page_size=100"),
            None,
            200,
        )
        .await;
    assert!(
        one["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["gateway_instance_id"] == gw_id)
    );

    // cpi-admin sees every tenant unless tenant_id is sent.
    let ada = srv.login("ada").await;
    let all = ada
        .ok(
            Method::GET,
            "/v1/admin/deployments?page_size=100",
            None,
            200,
        )
        .await;
    let tenants: std::collections::BTreeSet<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["desired_state"]["tenant_id"].as_str().unwrap())
        .collect();
    assert!(tenants.contains("globex") && tenants.contains("acme"));
    let globex = ada
        .ok(
            Method::GET,
            "/v1/admin/gateways?tenant_id=globex&page_size=100",
            None,
            200,
        )
        .await;
    assert!(
        globex["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["tenant_id"].is_null() || g["tenant_id"] == "globex")
    );
}
