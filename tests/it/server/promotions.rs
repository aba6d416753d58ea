//! The promotion state machine as the real platform runs it: chain, duplicates, four-eyes,
//! reviewed hash, approval deploying onto the target gateways, the agent completing it,
//! rollback, audit details, and the approval race.

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{As, create_api, detail, id_of, promote, start};

async fn try_promote(who: &As<'_>, api: &str, from: &str, to: &str) -> (StatusCode, Value) {
    who.post(
        &format!("/v1/tenants/acme/promotions/{api}"),
        json!({"source_environment": from, "target_environment": to, "message": format!("ship {api}")}),
    )
    .await
}

#[tokio::test]
async fn a_promotion_walks_dev_to_production_by_itself_and_rolls_back() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    create_api(&dave, "acme", "dev", "orders").await;
    dave.settled("acme", "orders", "dev").await;

    // Only the next stage.
    let (status, body) = try_promote(&dave, "orders", "dev", "prod").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["detail"][0]["msg"],
        "Invalid promotion chain: dev→production. Allowed chains: dev→staging, staging→production"
    );
    let (status, body) = dave
        .post(
            "/v1/tenants/acme/promotions/orders",
            json!({"source_environment":"dev","target_environment":"staging","message":"  "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "message"]));
    let vic = srv.login("vic").await;
    let (status, body) = try_promote(&vic, "orders", "dev", "staging").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(detail(&body), "Permission denied: apis:promote required");
    let (status, _) = try_promote(&dave, "ghost", "dev", "staging").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // dev → staging: devops may request and approve outside production.
    let p1 = promote(&dave, "orders", "dev", "stg").await;
    assert_eq!(p1["status"], "pending");
    assert_eq!(p1["target_environment"], "staging");
    assert_eq!(p1["target_gateway_ids"].as_array().unwrap().len(), 1);
    let (status, body) = try_promote(&dave, "orders", "dev", "staging").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(detail(&body).starts_with("Active promotion already exists for orders → staging"));
    let path1 = format!("/v1/tenants/acme/promotions/{}", id_of(&p1));
    let (status, body) = dave.post(&format!("{path1}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Cannot complete promotion in status 'pending' (expected 'promoting')"
    );
    let approved = super::approve(&dave, &path1).await;
    assert_eq!(approved["status"], "promoting");
    assert_eq!(approved["approved_by"], "dave");
    let (status, body) = dora.post(&format!("{path1}/approve"), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        detail(&body),
        "Promotion is in status 'promoting' (expected 'pending')"
    );
    // The agent acknowledges; the promotion completes by itself.
    let done = dave
        .promotion_becomes("acme", &id_of(&p1), "promoted")
        .await;
    assert!(done["completed_at"].is_string() && done["target_deployment_id"].is_string());
    let (status, body) = dave.post(&format!("{path1}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Cannot complete promotion in status 'promoted' (expected 'promoting')"
    );
    let stg = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(stg["items"][0]["id"], "orders");
    assert_eq!(
        stg["items"][0]["runtime_deployments"][1]["status"],
        "synced"
    );
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
    let p2 = promote(&dave, "orders", "staging", "production").await;
    let path = format!("/v1/tenants/acme/promotions/{}", id_of(&p2));
    let (status, body) = dave.post(&format!("{path}/approve"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(detail(&body).contains("4-eyes"), "{body}");
    let diff = dora
        .ok(Method::GET, &format!("{path}/diff"), None, 200)
        .await;
    assert!(diff["target_spec"].is_null(), "orders is new in production");
    assert_eq!(diff["source_spec"]["environment"], "staging");
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
    dora.promotion_becomes("acme", &id_of(&p2), "promoted")
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
        .post(&format!("{path}/rollback"), json!({"message": ""}))
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
    // Production is read-only: the undo waits for a second person.
    assert_eq!(reverse["status"], "pending");
    assert_eq!(reverse["source_environment"], "production");
    assert_eq!(reverse["target_environment"], "staging");
    assert_eq!(reverse["target_gateway_ids"], p2["target_gateway_ids"]);
    let original = dora.ok(Method::GET, &path, None, 200).await;
    assert_eq!(original["status"], "rolled_back");
    let (status, _) = dora
        .post(&format!("{path}/rollback"), json!({"message": "again"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    dave.ok(
        Method::POST,
        &format!("/v1/tenants/acme/promotions/{}/approve", id_of(&reverse)),
        Some(json!({})),
        200,
    )
    .await;
    dora.promotion_becomes("acme", &id_of(&reverse), "promoted")
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
    let stg = dora
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(stg["total"], 1, "the rollback touched no other stage");

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
}

#[tokio::test]
async fn rollback_restores_exactly_what_the_target_held_and_nothing_else() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    create_api(&dave, "acme", "dev", "billing").await;
    dave.settled("acme", "billing", "dev").await;
    let p = promote(&dave, "billing", "dev", "staging").await;
    let path = format!("/v1/tenants/acme/promotions/{}", id_of(&p));
    super::approve(&dora, &path).await;
    dora.promotion_becomes("acme", &id_of(&p), "promoted").await;
    // staging now runs 1.0.0; dev moves on to 1.1.0 and is promoted again.
    dave.ok(
        Method::PUT,
        "/v1/tenants/acme/apis/billing?environment=dev",
        Some(json!({"version": "1.1.0", "description": "faster"})),
        200,
    )
    .await;
    dave.settled("acme", "billing", "dev").await;
    let p2 = promote(&dave, "billing", "dev", "staging").await;
    let path2 = format!("/v1/tenants/acme/promotions/{}", id_of(&p2));
    let diff = dora
        .ok(Method::GET, &format!("{path2}/diff"), None, 200)
        .await;
    assert_eq!(
        diff["diff_summary"]["changed"][0]["path"],
        "/info/description"
    );
    let reviewed = diff["reviewed_spec_hash"].as_str().unwrap().to_string();
    // A source that changes after review invalidates the review.
    dave.ok(
        Method::PUT,
        "/v1/tenants/acme/apis/billing?environment=dev",
        Some(json!({"version": "1.2.0"})),
        200,
    )
    .await;
    dave.settled("acme", "billing", "dev").await;
    let (status, _) = dora
        .post(
            &format!("{path2}/approve"),
            json!({"reviewed_spec_hash": reviewed}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let fresh = dora
        .ok(Method::GET, &format!("{path2}/diff"), None, 200)
        .await;
    dora.ok(
        Method::POST,
        &format!("{path2}/approve"),
        Some(json!({"reviewed_spec_hash": fresh["reviewed_spec_hash"]})),
        200,
    )
    .await;
    dora.promotion_becomes("acme", &id_of(&p2), "promoted")
        .await;
    let stg = |v: Value| v["version"].as_str().unwrap().to_string();
    let get_stg = || dave.get("/v1/tenants/acme/apis/billing?environment=staging");
    assert_eq!(stg(get_stg().await.1), "1.2.0");
    let before_dev = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis/billing?environment=dev",
            None,
            200,
        )
        .await;
    let reverse = dora
        .ok(
            Method::POST,
            &format!("{path2}/rollback"),
            Some(json!({"message": "revert"})),
            201,
        )
        .await;
    dora.promotion_becomes("acme", &id_of(&reverse), "promoted")
        .await;
    assert_eq!(
        stg(get_stg().await.1),
        "1.0.0",
        "staging runs what it ran before"
    );
    let after_dev = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis/billing?environment=dev",
            None,
            200,
        )
        .await;
    assert_eq!(before_dev["version"], after_dev["version"]);
    assert_eq!(after_dev["version"], "1.2.0", "dev untouched");
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
async fn promotion_events_carry_their_stages_in_the_audit_details() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let tess = srv.login("tess").await;
    create_api(&dave, "acme", "dev", "ledger").await;
    dave.settled("acme", "ledger", "dev").await;
    let p = promote(&dave, "ledger", "dev", "staging").await;
    let path = format!("/v1/tenants/acme/promotions/{}", id_of(&p));
    super::approve(&tess, &path).await;
    tess.promotion_becomes("acme", &id_of(&p), "promoted").await;
    let reverse = tess
        .ok(
            Method::POST,
            &format!("{path}/rollback"),
            Some(json!({"message": "undo"})),
            201,
        )
        .await;
    let audit = tess
        .ok(
            Method::GET,
            "/v1/audit/acme?search=promotion.&page_size=100",
            None,
            200,
        )
        .await;
    let entry = |action: &str| {
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action && e["resource_id"] == id_of(&p))
            .unwrap_or_else(|| panic!("no {action} in {audit}"))
            .clone()
    };
    for action in [
        "promotion.created",
        "promotion.approved",
        "promotion.completed",
    ] {
        let e = entry(action);
        assert_eq!(e["details"]["source_environment"], "dev", "{action}");
        assert_eq!(e["details"]["target_environment"], "staging", "{action}");
    }
    let rb = entry("promotion.rolled_back");
    assert_eq!(rb["details"]["original_source"], "dev");
    assert_eq!(rb["details"]["original_target"], "staging");
    assert_eq!(rb["details"]["rollback_promotion_id"], reverse["id"]);
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
        dave.settled("acme", &name, "dev").await;
        let p = promote(&dave, &name, "dev", "staging").await;
        let promotion = format!("/v1/tenants/acme/promotions/{}", id_of(&p));
        let diff = dora
            .ok(Method::GET, &format!("{promotion}/diff"), None, 200)
            .await;
        let reviewed = json!({"reviewed_spec_hash": diff["reviewed_spec_hash"]});
        let path = format!("{promotion}/approve");
        let (a, b) = tokio::join!(
            dora.post(&path, reviewed.clone()),
            tess.post(&path, reviewed)
        );
        let mut codes = [a.0.as_u16(), b.0.as_u16()];
        codes.sort();
        assert_eq!(codes, [200, 409], "round {round}: {a:?} {b:?}");
    }
}
