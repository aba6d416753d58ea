//! The simulated gateway agent: auto completes promotions by themselves, fail fails them
//! with the real reason, manual leaves them promoting until `complete` acknowledges.

use envdeck::server::Seed;
use envdeck::server::agent::GatewayMode;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{create_api, detail, id_of, promote, start_mode};

#[tokio::test]
async fn with_failing_gateways_a_promotion_fails_with_the_reason() {
    let srv = start_mode(Seed::None, GatewayMode::Fail).await;
    let ada = srv.login("ada").await;
    let tess = srv.login("tess").await;
    create_api(&tess, "acme", "dev", "flaky").await;
    // Even the first deployment fails: the API shows the error, and cannot be promoted.
    let api = tess
        .until("/v1/tenants/acme/apis/flaky", |a| {
            a["runtime_deployments"][0]["status"] == "error"
        })
        .await;
    assert!(
        api["runtime_deployments"][0]["latest_error"]
            .as_str()
            .unwrap()
            .contains("simulated failure")
    );
    let (status, body) = tess
        .post(
            "/v1/tenants/acme/promotions/flaky",
            json!({"source_environment":"dev","target_environment":"staging","message":"m"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(detail(&body).ends_with("Only synced gateway deployments can be promoted."));
    // A source synced before the gateways started failing: mark it synced through SQL.
    super::sql(
        &srv,
        "UPDATE gateway_deployments SET sync_status = 'synced', last_sync_error = NULL",
    );
    let p = promote(&tess, "flaky", "dev", "staging").await;
    let path = format!("/v1/tenants/acme/promotions/{}", id_of(&p));
    super::approve(&ada, &path).await;
    let failed = tess.promotion_becomes("acme", &id_of(&p), "failed").await;
    assert_eq!(
        failed["spec_diff"]["failure_reason"],
        "Partial deployment failure: 1/1 gateways failed"
    );
    assert!(failed["completed_at"].is_string());
    let (status, body) = tess.post(&format!("{path}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Cannot complete promotion in status 'failed' (expected 'promoting')"
    );
    let audit = tess
        .ok(
            Method::GET,
            "/v1/audit/acme?action=promotion.failed",
            None,
            200,
        )
        .await;
    let e = &audit["entries"][0];
    assert_eq!(
        e["details"]["reason"],
        failed["spec_diff"]["failure_reason"]
    );
    assert_eq!(e["details"]["source_environment"], "dev");
    assert_eq!(e["details"]["target_environment"], "staging");
}

#[tokio::test]
async fn with_manual_gateways_complete_is_the_manual_path() {
    let srv = start_mode(Seed::None, GatewayMode::Manual).await;
    let tess = srv.login("tess").await;
    let dave = srv.login("dave").await;
    let created = create_api(&tess, "acme", "dev", "hand").await;
    assert_eq!(created["runtime_deployments"][0]["status"], "pending");
    // Nothing acknowledges: the source stays pending and cannot be promoted.
    tokio::time::sleep(super::AGENT_DELAY * 4).await;
    let (status, body) = dave
        .post(
            "/v1/tenants/acme/promotions/hand",
            json!({"source_environment":"dev","target_environment":"staging","message":"m"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        detail(&body).contains("is 'pending'. Only synced gateway deployments can be promoted.")
    );
    super::sql(
        &srv,
        "UPDATE gateway_deployments SET sync_status = 'synced'",
    );
    let p = promote(&dave, "hand", "dev", "staging").await;
    let path = format!("/v1/tenants/acme/promotions/{}", id_of(&p));
    super::approve(&tess, &path).await;
    tokio::time::sleep(super::AGENT_DELAY * 4).await;
    let still = tess.ok(Method::GET, &path, None, 200).await;
    assert_eq!(still["status"], "promoting");
    let gd = tess
        .ok(
            Method::GET,
            "/v1/admin/deployments?environment=staging&tenant_id=acme",
            None,
            200,
        )
        .await;
    assert_eq!(gd["items"][0]["sync_status"], "pending");
    let done = dave
        .ok(Method::POST, &format!("{path}/complete"), None, 200)
        .await;
    assert_eq!(done["status"], "promoted");
    let gd = tess
        .ok(
            Method::GET,
            "/v1/admin/deployments?environment=staging&tenant_id=acme",
            None,
            200,
        )
        .await;
    assert_eq!(gd["items"][0]["sync_status"], "synced");
    let (status, body) = dave.post(&format!("{path}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Cannot complete promotion in status 'promoted' (expected 'promoting')"
    );
}

#[tokio::test]
async fn complete_refuses_while_the_gateways_have_not_synced() {
    // Auto mode with a long delay: the deployments wait while we ask.
    let dir = tempfile::tempdir().unwrap();
    let server = envdeck::server::start_with(
        super::options(dir.path(), Seed::None),
        envdeck::server::agent::AgentOptions {
            mode: GatewayMode::Auto,
            delay: std::time::Duration::from_secs(3600),
        },
    )
    .await
    .unwrap();
    let srv = super::Srv {
        server,
        dir,
        http: super::http(),
    };
    let tess = srv.login("tess").await;
    create_api(&tess, "acme", "dev", "slow").await;
    super::sql(
        &srv,
        "UPDATE gateway_deployments SET sync_status = 'synced'",
    );
    let p = promote(&tess, "slow", "dev", "staging").await;
    let path = format!("/v1/tenants/acme/promotions/{}", id_of(&p));
    super::approve(&tess, &path).await;
    let (status, body) = tess.post(&format!("{path}/complete"), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Cannot complete promotion until all linked gateway deployments are synced"
    );
}
