//! Rollbacks that change a read-only or promote-only stage wait for a second person; the
//! undo of an undo restores the stage it changed; a model of the state machine agrees.

use envdeck::server::Seed;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{As, create_api, detail, id_of, promote, start};

/// `api` live in production through dev → staging → production (dave asks, dora approves).
async fn to_production(dave: &As<'_>, dora: &As<'_>, api: &str) -> String {
    for (from, to) in [("dev", "staging"), ("staging", "production")] {
        let p = promote(dave, api, from, to).await;
        super::approve(dora, &format!("/v1/tenants/acme/promotions/{}", id_of(&p))).await;
        dora.promotion_becomes("acme", &id_of(&p), "promoted").await;
        if to == "production" {
            return format!("/v1/tenants/acme/promotions/{}", id_of(&p));
        }
    }
    unreachable!()
}

async fn prod_total(who: &As<'_>) -> Value {
    who.ok(
        Method::GET,
        "/v1/tenants/acme/apis?environment=prod",
        None,
        200,
    )
    .await["total"]
        .clone()
}

#[tokio::test]
async fn a_rollback_of_production_waits_for_a_second_person() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    create_api(&dave, "acme", "dev", "orders").await;
    dave.settled("acme", "orders", "dev").await;
    let path = to_production(&dave, &dora, "orders").await;

    let reverse = dora
        .ok(
            Method::POST,
            &format!("{path}/rollback"),
            Some(json!({"message": "error rate spike"})),
            201,
        )
        .await;
    assert_eq!(reverse["status"], "pending", "{reverse}");
    let rpath = format!("/v1/tenants/acme/promotions/{}", id_of(&reverse));
    tokio::time::sleep(super::AGENT_DELAY * 4).await;
    assert_eq!(
        prod_total(&dora).await,
        1,
        "nothing changes before approval"
    );
    // The requester cannot approve it; someone else can, without a reviewed hash.
    let (status, body) = dora.post(&format!("{rpath}/approve"), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(detail(&body).contains("4-eyes"), "{body}");
    let approved = dave
        .ok(
            Method::POST,
            &format!("{rpath}/approve"),
            Some(json!({})),
            200,
        )
        .await;
    assert_eq!(approved["status"], "promoting");
    assert_eq!(approved["approved_by"], "dave");
    dave.promotion_becomes("acme", &id_of(&reverse), "promoted")
        .await;
    assert_eq!(prod_total(&dave).await, 0, "the restore took orders out");
    let stg = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(stg["total"], 1, "staging untouched");

    // Into a full stage a rollback still starts at once.
    let stg_promo = dave
        .ok(
            Method::GET,
            "/v1/tenants/acme/promotions?api_id=orders&target_environment=staging&status=promoted",
            None,
            200,
        )
        .await;
    let first = stg_promo["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["source_environment"] == "dev")
        .expect("the dev → staging promotion")
        .clone();
    let stg_path = format!("/v1/tenants/acme/promotions/{}", id_of(&first));
    let quick = dave
        .ok(
            Method::POST,
            &format!("{stg_path}/rollback"),
            Some(json!({"message": "undo staging"})),
            201,
        )
        .await;
    assert_eq!(quick["status"], "promoting");
}

#[tokio::test]
async fn a_cpi_admin_stating_an_emergency_may_roll_back_production_alone() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    let ada = srv.login("ada").await;
    create_api(&dave, "acme", "dev", "pay").await;
    dave.settled("acme", "pay", "dev").await;
    let path = to_production(&dave, &dora, "pay").await;
    let resp = srv
        .http
        .post(format!("{}{path}/rollback", srv.url()))
        .bearer_auth(&ada.token)
        .header("X-Envdeck-Override-Reason", "INC-12: outage")
        .json(&json!({"message": "emergency"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let reverse: Value = resp.json().await.unwrap();
    assert_eq!(reverse["status"], "promoting", "{reverse}");
    ada.promotion_becomes("acme", &id_of(&reverse), "promoted")
        .await;
    assert_eq!(prod_total(&ada).await, 0);
    let audit = ada
        .ok(
            Method::GET,
            "/v1/audit/acme?action=promotion.rolled_back",
            None,
            200,
        )
        .await;
    assert_eq!(audit["entries"][0]["details"]["override"], true);
    assert_eq!(
        audit["entries"][0]["details"]["override_reason"],
        "INC-12: outage"
    );
}

/// The spec hash production serves for `api`, if any.
async fn prod_hash(tess: &As<'_>, api: &str) -> Value {
    let page = tess
        .ok(
            Method::GET,
            &format!("/v1/admin/deployments?environment=production&api_id={api}&tenant_id=acme"),
            None,
            200,
        )
        .await;
    page["items"][0]["desired_state"]["spec_hash"].clone()
}

#[tokio::test]
async fn undoing_a_rollback_restores_the_stage_it_changed_and_waits_like_it() {
    let srv = start(Seed::None).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    let tess = srv.login("tess").await;
    create_api(&dave, "acme", "dev", "inv").await;
    dave.settled("acme", "inv", "dev").await;
    let path = to_production(&dave, &dora, "inv").await;
    let live = prod_hash(&tess, "inv").await;
    assert!(live.is_string());
    let reverse = dave
        .ok(
            Method::POST,
            &format!("{path}/rollback"),
            Some(json!({"message": "undo"})),
            201,
        )
        .await;
    let rpath = format!("/v1/tenants/acme/promotions/{}", id_of(&reverse));
    dora.ok(
        Method::POST,
        &format!("{rpath}/approve"),
        Some(json!({})),
        200,
    )
    .await;
    dora.promotion_becomes("acme", &id_of(&reverse), "promoted")
        .await;
    assert!(prod_hash(&tess, "inv").await.is_null());
    // The reverse is named production → staging, yet it changed production: undoing it
    // changes production again, so it waits for a second person too.
    let redo = dave
        .ok(
            Method::POST,
            &format!("{rpath}/rollback"),
            Some(json!({"message": "redo"})),
            201,
        )
        .await;
    assert_eq!(redo["status"], "pending", "{redo}");
    let audit = tess
        .ok(
            Method::GET,
            "/v1/audit/acme?action=promotion.rolled_back",
            None,
            200,
        )
        .await;
    assert_eq!(audit["entries"][0]["details"]["environment"], "production");
    let redo_path = format!("/v1/tenants/acme/promotions/{}", id_of(&redo));
    dora.ok(
        Method::POST,
        &format!("{redo_path}/approve"),
        Some(json!({})),
        200,
    )
    .await;
    dora.promotion_becomes("acme", &id_of(&redo), "promoted")
        .await;
    assert_eq!(prod_hash(&tess, "inv").await, live, "production as it was");
    let stg = tess
        .ok(
            Method::GET,
            "/v1/tenants/acme/apis?environment=staging",
            None,
            200,
        )
        .await;
    assert_eq!(stg["total"], 1, "staging untouched");
}
