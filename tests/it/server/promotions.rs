//! The promotion state machine: chain, duplicates, four-eyes, reviewed hash, complete,
//! rollback, and the approval race.

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{As, create_api, detail, start};

async fn promote(who: &As<'_>, api: &str, from: &str, to: &str) -> (StatusCode, Value) {
    who.post(
        &format!("/v1/tenants/acme/promotions/{api}"),
        json!({"source_environment": from, "target_environment": to, "message": format!("ship {api}")}),
    )
    .await
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn a_promotion_walks_dev_to_production_and_rolls_back() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    create_api(&dave, "acme", "dev", "orders").await;

    // Only the next stage.
    let (status, body) = promote(&dave, "orders", "dev", "prod").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["detail"][0]["msg"],
        "Invalid promotion chain: dev→production. Allowed chains: dev→staging, staging→production"
    );
    let (status, _) = promote(&dave, "orders", "dev", "development").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = dave
        .post(
            "/v1/tenants/acme/promotions/orders",
            json!({"source_environment":"dev","target_environment":"staging","message":"  "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "message"]));
    let (status, _) = dave.post("/v1/tenants/acme/promotions/orders",
        json!({"source_environment":"dev","target_environment":"staging","message":"m","target_gateway_ids":[]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let vic = srv.login("vic").await;
    let (status, body) = promote(&vic, "orders", "dev", "staging").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(detail(&body), "Permission denied: apis:promote required");
    let (status, _) = promote(&dave, "ghost", "dev", "staging").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // dev → staging: the requester may approve outside production.
    let (status, p1) = promote(&dave, "orders", "dev", "stg").await;
    assert_eq!(status, StatusCode::CREATED, "{p1}");
    assert_eq!(p1["status"], "pending");
    assert_eq!(p1["requested_by"], "dave");
    assert_eq!(p1["target_environment"], "staging");
    assert!(!p1["target_gateway_ids"].as_array().unwrap().is_empty());
    let (status, body) = promote(&dave, "orders", "dev", "staging").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(detail(&body).starts_with("Active promotion already exists for orders → staging"));
    let (status, _) = dave
        .post(
            &format!("/v1/tenants/acme/promotions/{}/complete", id(&p1)),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "complete needs promoting");
    let approved = dave
        .ok(
            Method::POST,
            &format!("/v1/tenants/acme/promotions/{}/approve", id(&p1)),
            None,
            200,
        )
        .await;
    assert_eq!(approved["status"], "promoting");
    assert_eq!(approved["approved_by"], "dave");
    let (status, body) = dora
        .post(
            &format!("/v1/tenants/acme/promotions/{}/approve", id(&p1)),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        detail(&body),
        "Promotion is in status 'promoting' (expected 'pending')"
    );
    let done = dave
        .ok(
            Method::POST,
            &format!("/v1/tenants/acme/promotions/{}/complete", id(&p1)),
            None,
            200,
        )
        .await;
    assert_eq!(done["status"], "promoted");
    assert!(done["completed_at"].is_string() && done["target_deployment_id"].is_string());
    let stg = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(stg["items"][0]["id"], "orders");
    let gds = dave
        .ok(
            Method::GET,
            "/v1/admin/deployments?environment=staging&api_id=orders",
            None,
            200,
        )
        .await;
    assert!(
        gds["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["sync_status"] == "synced")
    );
    assert!(gds["total"].as_u64().unwrap() >= 1);
    let hist = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/deployments?environment=staging&api_id=orders",
            None,
            200,
        )
        .await;
    assert_eq!(hist["items"][0]["status"], "success");

    // staging → production: four-eyes, and approval tied to the reviewed spec.
    let (status, p2) = promote(&dave, "orders", "staging", "production").await;
    assert_eq!(status, StatusCode::CREATED, "{p2}");
    let path = format!("/v1/tenants/acme/promotions/{}", id(&p2));
    let (status, body) = dave.post(&format!("{path}/approve"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(detail(&body).contains("4-eyes"), "{body}");
    let diff = dora
        .ok(Method::GET, &format!("{path}/diff"), None, 200)
        .await;
    assert!(diff["target_spec"].is_null(), "orders is new in production");
    let hash = diff["reviewed_spec_hash"].as_str().unwrap().to_string();
    let (status, body) = dora
        .post(
            &format!("{path}/approve"),
            json!({"reviewed_spec_hash": "0".repeat(64)}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(detail(&body).contains("changed since it was reviewed"));
    dora.ok(
        Method::POST,
        &format!("{path}/approve"),
        Some(json!({"reviewed_spec_hash": hash})),
        200,
    )
    .await;
    dora.ok(Method::POST, &format!("{path}/complete"), None, 200)
        .await;
    let prod = dora
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=prod",
            None,
            200,
        )
        .await;
    assert_eq!(prod["total"], 1);

    // Rollback: message required, 201 with a reverse promotion, original rolled_back.
    let (status, _) = dora.post(&format!("{path}/rollback"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = dora
        .post(
            &format!("/v1/tenants/acme/promotions/{}/rollback", id(&p2)),
            json!({"message": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let reverse = dora
        .ok(
            Method::POST,
            &format!("{path}/rollback"),
            Some(json!({"message": "error rate spike"})),
            201,
        )
        .await;
    assert_eq!(reverse["status"], "promoting");
    assert_eq!(reverse["source_environment"], "production");
    assert_eq!(reverse["target_environment"], "staging");
    assert_eq!(reverse["message"], "error rate spike");
    let original = dora.ok(Method::GET, &path, None, 200).await;
    assert_eq!(original["status"], "rolled_back");
    let (status, _) = dora
        .post(&format!("{path}/rollback"), json!({"message": "again"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    dora.ok(
        Method::POST,
        &format!("/v1/tenants/acme/promotions/{}/complete", id(&reverse)),
        None,
        200,
    )
    .await;
    let prod = dora
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=prod",
            None,
            200,
        )
        .await;
    assert_eq!(
        prod["total"], 0,
        "orders was new in production: the rollback takes it out"
    );

    let listed = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/promotions?api_id=orders&page_size=2",
            None,
            200,
        )
        .await;
    assert_eq!(listed["total"], 3);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let audit = dave
        .ok(
            Method::GET,
            "/v1/audit/acme?search=promotion.&page_size=100",
            None,
            200,
        )
        .await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "promotion.created",
        "promotion.approved",
        "promotion.completed",
        "promotion.rolled_back",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_changed_source_invalidates_the_review_and_rollback_restores_the_previous_spec() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    create_api(&dave, "acme", "dev", "billing").await;
    create_api(&dave, "acme", "staging", "billing").await;
    dave.ok(
        Method::PUT,
        "/v1/tenants/acme/apis/billing?environment=dev",
        Some(json!({"version": "1.1.0"})),
        200,
    )
    .await;
    let (_, p) = promote(&dave, "billing", "dev", "staging").await;
    let path = format!("/v1/tenants/acme/promotions/{}", id(&p));
    let diff = dora
        .ok(Method::GET, &format!("{path}/diff"), None, 200)
        .await;
    assert_eq!(diff["diff_summary"]["changed"][0]["path"], "/info/version");
    let reviewed = diff["reviewed_spec_hash"].as_str().unwrap().to_string();
    dave.ok(
        Method::PUT,
        "/v1/tenants/acme/apis/billing?environment=dev",
        Some(json!({"version": "1.2.0"})),
        200,
    )
    .await;
    let (status, _) = dora
        .post(
            &format!("{path}/approve"),
            json!({"reviewed_spec_hash": reviewed}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let fresh = dora
        .ok(Method::GET, &format!("{path}/diff"), None, 200)
        .await;
    dora.ok(
        Method::POST,
        &format!("{path}/approve"),
        Some(json!({"reviewed_spec_hash": fresh["reviewed_spec_hash"]})),
        200,
    )
    .await;
    dora.ok(Method::POST, &format!("{path}/complete"), None, 200)
        .await;
    let stg = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis/billing?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(stg["version"], "1.2.0");
    let reverse = dora
        .ok(
            Method::POST,
            &format!("{path}/rollback"),
            Some(json!({"message": "revert"})),
            201,
        )
        .await;
    dora.ok(
        Method::POST,
        &format!("/v1/tenants/acme/promotions/{}/complete", id(&reverse)),
        None,
        200,
    )
    .await;
    let stg = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis/billing?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(
        stg["version"], "1.0.0",
        "staging has its previous spec back"
    );
    let hist = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/deployments?environment=staging&api_id=billing",
            None,
            200,
        )
        .await;
    assert_eq!(hist["items"][0]["status"], "rolled_back");
}

#[tokio::test]
async fn two_simultaneous_approvals_yield_one_200_and_one_409() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    let tess = srv.login("tess").await;
    for round in 0..5 {
        let name = format!("race-{round}");
        create_api(&dave, "acme", "dev", &name).await;
        let (_, p) = promote(&dave, &name, "dev", "staging").await;
        let path = format!("/v1/tenants/acme/promotions/{}/approve", id(&p));
        let (a, b) = tokio::join!(dora.post(&path, json!({})), tess.post(&path, json!({})));
        let mut codes = [a.0.as_u16(), b.0.as_u16()];
        codes.sort();
        assert_eq!(codes, [200, 409], "round {round}: {a:?} {b:?}");
    }
}
