//! A promotion request is checked as the real service checks it, in its 400 wordings.

use envdeck::server::Seed;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{As, detail, start};

async fn gateway_id(ada: &As<'_>, name: &str) -> String {
    let all = ada.get("/v1/admin/gateways?page_size=100").await.1;
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .unwrap_or_else(|| panic!("no gateway {name}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn deployment_on(ada: &As<'_>, api: &str, gateway: &str) -> Value {
    let all = ada
        .get("/v1/admin/deployments?page_size=100&tenant_id=acme")
        .await
        .1;
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["desired_state"]["api_id"] == api && d["gateway_name"] == gateway)
        .unwrap_or_else(|| panic!("no {api} on {gateway}"))
        .clone()
}

async fn request(
    who: &As<'_>,
    api: &str,
    source: &str,
    targets: &[String],
    from: &str,
    to: &str,
) -> (StatusCode, Value) {
    who.post(
        &format!("/v1/tenants/acme/promotions/{api}"),
        json!({"source_deployment_id": source, "target_gateway_ids": targets,
            "source_environment": from, "target_environment": to, "message": "checked"}),
    )
    .await
}

#[tokio::test]
async fn every_gateway_check_answers_400_in_the_real_words() {
    let srv = start(Seed::Demo).await;
    let ada = srv.login("ada").await;
    let dave = srv.login("dave").await;
    let inventory = deployment_on(&ada, "inventory", "acme-stoa-dev").await;
    let src = inventory["id"].as_str().unwrap().to_string();
    let own = gateway_id(&ada, "acme-stoa-staging").await;

    let globex = gateway_id(&ada, "globex-stoa-staging").await;
    let (status, body) = request(&dave, "inventory", &src, &[globex], "dev", "staging").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Gateway 'globex-stoa-staging' belongs to another tenant"
    );

    let wm = gateway_id(&ada, "webmethods-staging").await;
    let (status, body) = request(&dave, "inventory", &src, &[wm], "dev", "staging").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Target gateway 'webmethods-staging' is 'webmethods', but the source gateway 'acme-stoa-dev' is 'stoa'. Select an equivalent target gateway."
    );

    let disabled = gateway_id(&ada, "stoa-shared-staging").await;
    let (status, body) = request(&dave, "inventory", &src, &[disabled], "dev", "staging").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Target gateway 'stoa-shared-staging' is disabled"
    );

    let prod = gateway_id(&ada, "acme-stoa-production").await;
    let (status, body) = request(&dave, "inventory", &src, &[prod], "dev", "staging").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Target gateway 'acme-stoa-production' is in environment 'production', not 'staging'"
    );

    // customers waits on an offline gateway: not a source.
    let customers = deployment_on(&ada, "customers", "acme-stoa-dev-eu").await;
    let cid = customers["id"].as_str().unwrap();
    let (status, body) = request(
        &dave,
        "customers",
        cid,
        std::slice::from_ref(&own),
        "dev",
        "staging",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        format!(
            "Source deployment {cid} is 'pending'. Only synced gateway deployments can be promoted."
        )
    );

    let (status, body) = request(
        &dave,
        "orders",
        &src,
        std::slice::from_ref(&own),
        "dev",
        "staging",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        detail(&body),
        "Source gateway deployment belongs to API 'inventory', not 'orders'"
    );

    // A webmethods source promotes to webmethods, not to STOA.
    let accounts = deployment_on(&ada, "accounts", "webmethods-dev").await;
    let (status, body) = request(
        &dave,
        "accounts",
        accounts["id"].as_str().unwrap(),
        std::slice::from_ref(&own),
        "dev",
        "staging",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(detail(&body).starts_with("Target gateway 'acme-stoa-staging' is 'stoa', but the source gateway 'webmethods-dev' is 'webmethods'"));

    let (status, _) = request(&dave, "inventory", &src, &[], "dev", "staging").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "at least one target"
    );

    // The right lane: devops may create it.
    let (status, body) = request(
        &dave,
        "inventory",
        &src,
        std::slice::from_ref(&own),
        "dev",
        "staging",
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["source_deployment_id"], src.as_str());
    assert_eq!(body["target_gateway_ids"], json!([own]));
}

#[tokio::test]
async fn an_approval_without_the_reviewed_spec_hash_is_422_and_changes_nothing() {
    let srv = start(Seed::Demo).await;
    let dave = srv.login("dave").await;
    let dora = srv.login("dora").await;
    super::create_api(&dave, "acme", "dev", "unseen").await;
    dave.settled("acme", "unseen", "dev").await;
    let p = super::promote(&dave, "unseen", "dev", "staging").await;
    let path = format!("/v1/tenants/acme/promotions/{}", super::id_of(&p));
    for body in [
        None,
        Some(json!({})),
        Some(json!({"reviewed_spec_hash": null})),
    ] {
        let (status, refused) = dora
            .call(
                reqwest::Method::POST,
                &format!("{path}/approve"),
                body.clone(),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body:?}: {refused}"
        );
        let said = refused["detail"].to_string();
        assert!(said.contains("reviewed_spec_hash"), "{body:?}: {said}");
        assert!(
            said.contains("diff"),
            "says where the hash comes from: {said}"
        );
    }
    let still = dora.get(&path).await.1;
    assert_eq!(still["status"], "pending", "{still}");
    let approved = super::approve(&dora, &path).await;
    assert_eq!(approved["status"], "promoting");
}
