//! API writes: stages, modes, permissions, tenants, audit.

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{create_api, detail, start};

#[tokio::test]
async fn create_edit_delete_act_on_the_one_catalog_entry() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let api = create_api(&dave, "acme", "development", "orders").await;
    assert_eq!(api["id"], "orders");
    assert_eq!(api["deployed_dev"], true);
    assert_eq!(api["runtime_deployments"][0]["status"], "pending");
    assert_eq!(
        api["runtime_deployments"][0]["gateway_names"],
        json!(["envdeck-dev"])
    );
    let api = dave.settled("acme", "orders", "dev").await;
    assert_eq!(api["runtime_deployments"][0]["status"], "synced");
    let dev = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=dev",
            None,
            200,
        )
        .await;
    assert_eq!(dev["total"], 1);
    let stg = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=stg",
            None,
            200,
        )
        .await;
    assert_eq!(stg["total"], 0);
    // One entry per tenant: the same name again is a conflict, in any stage.
    for stage in ["dev", "staging"] {
        let (status, body) = dave
            .post(
                &format!("/v1/tenants/acme/apis?environment={stage}"),
                json!({"name":"orders","display_name":"O","backend_url":"https://o"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
    }
    // An edit names a stage the API runs in.
    let (status, _) = dave
        .put(
            "/v1/tenants/acme/apis/orders?environment=staging",
            json!({"version": "1.1.0"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let edited = dave
        .ok(
            Method::PUT,
            "/v1/tenants/acme/apis/orders?environment=dev",
            Some(json!({"version": "1.1.0", "description": "faster", "display_name": "Orders"})),
            200,
        )
        .await;
    assert_eq!(edited["version"], "1.1.0");
    assert_eq!(edited["display_name"], "Orders");
    assert_eq!(edited["runtime_deployments"][0]["status"], "pending");
    let (status, _) = dave
        .put(
            "/v1/tenants/acme/apis/nope?environment=dev",
            json!({"version":"2"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // dave (devops) lacks apis:delete; tess (tenant-admin) has it.
    let (status, body) = dave
        .delete("/v1/tenants/acme/apis/orders?environment=dev")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(detail(&body), "Permission denied: apis:delete required");
    let tess = srv.login("tess").await;
    tess.ok(
        Method::DELETE,
        "/v1/tenants/acme/apis/orders?environment=dev",
        None,
        200,
    )
    .await;
    let all = dave
        .ok(Method::GET, "/v1/tenants/acme/apis", None, 200)
        .await;
    assert_eq!(all["total"], 0);
    let (status, _) = tess
        .delete("/v1/tenants/acme/apis/orders?environment=dev")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // History and audit saw every write, each naming its stage.
    let deps = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/deployments?api_id=orders",
            None,
            200,
        )
        .await;
    assert_eq!(deps["total"], 2);
    let audit = dave
        .ok(Method::GET, "/v1/audit/acme?search=orders", None, 200)
        .await;
    let actions: Vec<(&str, &str, &str)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["details"]["environment"].as_str().unwrap(),
                e["status"].as_str().unwrap(),
            )
        })
        .collect();
    // Newest first; dave's refused delete is there too, as a failure.
    assert_eq!(
        actions,
        [
            ("api.deleted", "dev", "success"),
            ("api.deleted", "dev", "failure"),
            ("api.updated", "dev", "success"),
            ("api.created", "dev", "success"),
        ]
    );
    let only_dev = dave
        .ok(
            Method::GET,
            "/v1/audit/acme?environment=dev&action=api.created",
            None,
            200,
        )
        .await;
    assert_eq!(only_dev["total"], 1);
}

#[tokio::test]
async fn read_only_stages_refuse_writes_in_the_real_wording_except_the_audited_override() {
    let srv = start(Seed::None).await;
    let tess = srv.login("tess").await;
    let (status, body) = tess
        .post(
            "/v1/tenants/acme/apis?environment=prod",
            json!({"name":"x","display_name":"X","backend_url":"https://x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        detail(&body),
        "Environment 'prod' is read-only. Only cpi-admin can perform writes."
    );
    let (_, body) = tess
        .delete("/v1/tenants/acme/apis/x?environment=production")
        .await;
    assert_eq!(
        detail(&body),
        "Environment 'production' is read-only. Only cpi-admin can perform writes."
    );

    // Refusals are audit-logged too.
    let refused = tess
        .ok(Method::GET, "/v1/audit/acme?status=failure", None, 200)
        .await;
    assert_eq!(refused["total"], 2, "{refused}");
    assert_eq!(refused["entries"][1]["action"], "api.created");
    assert_eq!(
        refused["entries"][1]["details"]["environment"],
        "production"
    );
    assert!(
        refused["entries"][1]["details"]["reason"]
            .as_str()
            .unwrap()
            .contains("read-only")
    );

    let ada = srv.login("ada").await;
    let resp = srv
        .http
        .post(format!(
            "{}/v1/tenants/acme/apis?environment=prod",
            srv.url()
        ))
        .bearer_auth(&ada.token)
        .header("X-Envdeck-Override-Reason", "incident 42: hotfix")
        .json(&json!({"name":"hotfix","display_name":"Hotfix","backend_url":"https://h"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let audit = ada
        .ok(Method::GET, "/v1/audit/acme?action=api.created", None, 200)
        .await;
    let entry = &audit["entries"][0];
    assert_eq!(entry["details"]["environment"], "production");
    assert_eq!(entry["details"]["override"], true);
    assert_eq!(entry["details"]["override_reason"], "incident 42: hotfix");
}

#[tokio::test]
async fn permissions_and_tenants_are_enforced() {
    let srv = start(Seed::None).await;
    let vic = srv.login("vic").await;
    let (status, body) = vic
        .post(
            "/v1/tenants/acme/apis?environment=dev",
            json!({"name":"x","display_name":"X","backend_url":"https://x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(detail(&body), "Permission denied: apis:create required");
    let gus = srv.login("gus").await;
    for path in [
        "/v1/tenants/acme/apis",
        "/v1/tenants/acme/deployments",
        "/v1/tenants/acme/promotions",
        "/v1/subscriptions/tenant/acme",
        "/v1/audit/acme",
    ] {
        let (status, body) = gus.get(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(detail(&body), "Access denied to this tenant", "{path}");
    }
    let (status, _) = gus
        .post(
            "/v1/tenants/acme/apis?environment=dev",
            json!({"name":"x","display_name":"X","backend_url":"https://x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Tenants: only cpi-admin creates them (201 here; the real service says 200).
    let (status, body) = gus
        .post(
            "/v1/tenants",
            json!({"name":"initech","display_name":"Initech"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(detail(&body), "Permission denied: tenants:create required");
    let ada = srv.login("ada").await;
    let t = ada
        .ok(
            Method::POST,
            "/v1/tenants",
            Some(json!({"name":"initech","display_name":"Initech"})),
            201,
        )
        .await;
    assert_eq!(t["id"], "initech");
    let (status, _) = ada
        .post(
            "/v1/tenants",
            json!({"name":"initech","display_name":"Again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = ada.get("/v1/tenants/umbrella/apis").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let audit = ada.ok(Method::GET, "/v1/audit/initech", None, 200).await;
    assert_eq!(audit["entries"][0]["action"], "tenant.created");
}

#[tokio::test]
async fn a_cpi_admin_write_into_a_read_only_stage_needs_a_stated_reason() {
    let srv = start(Seed::None).await;
    let ada = srv.login("ada").await;
    let send = |reason: Option<String>| {
        let mut req = srv
            .http
            .post(format!(
                "{}/v1/tenants/acme/apis?environment=prod",
                srv.url()
            ))
            .bearer_auth(&ada.token)
            .json(&json!({"name":"hotfix","display_name":"Hotfix","backend_url":"https://h"}));
        if let Some(r) = reason {
            req = req.header("X-Envdeck-Override-Reason", r);
        }
        async move {
            let resp = req.send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<serde_json::Value>().await.unwrap())
        }
    };
    // No reason (or only blanks): 422, nothing written.
    for reason in [None, Some("   ".to_string())] {
        let (status, body) = send(reason).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            body["detail"][0]["loc"],
            json!(["header", "X-Envdeck-Override-Reason"])
        );
        assert!(
            body["detail"][0]["msg"]
                .as_str()
                .unwrap()
                .contains("read-only")
        );
    }
    let (status, body) = send(Some("x".repeat(501))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let prod = ada
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=prod",
            None,
            200,
        )
        .await;
    assert_eq!(prod["total"], 0, "{prod}");
    // With a reason: written, audit-logged as an override with it.
    let (status, body) = send(Some("INC-9: hotfix".to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let audit = ada
        .ok(Method::GET, "/v1/audit/acme?action=api.created", None, 200)
        .await;
    assert_eq!(audit["entries"][0]["details"]["override"], true);
    assert_eq!(
        audit["entries"][0]["details"]["override_reason"],
        "INC-9: hotfix"
    );
    // Full stages need no reason.
    create_api(&ada, "acme", "dev", "plain").await;
}
