//! The client's flows against what the real STOA service answered (tests/fixtures/stoa,
//! recorded by scripts/record-stoa.py), with several recordings served together by stage.

use envdeck::api::completion::{self, Refusal};
use envdeck::api::prepare::{self, ADMIN_ONLY_SOURCES};
use envdeck::api::{ApiError, Client, plan};
use envdeck::domain::StageName;
use envdeck::secret::Secret;
use envdeck::wire::{AuditEntry, Page, Promotion};

use super::replay::{Env, Recording, ReplayStub};

fn stage(raw: &str) -> StageName {
    StageName::parse(raw).expect("stage")
}

fn client(stub: &ReplayStub) -> Client {
    Client::new(&stub.url, "acme", Some(Secret::new("fixture-token"))).expect("client")
}

fn body<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(Recording::load(name).body).expect("recorded body")
}

#[tokio::test]
async fn subscriptions_the_server_keeps_without_a_stage_show_in_every_stage() {
    let mut routes = vec![(
        Env::Exact(None),
        Recording::load("get_subscriptions-tenant_ok_all.json"),
    )];
    for env in [
        "dev",
        "development",
        "staging",
        "stage",
        "production",
        "prod",
    ] {
        let name = format!("get_subscriptions-tenant_ok_env-{env}.json");
        routes.push((Env::Exact(Some(env)), Recording::load(&name)));
    }
    let stub = ReplayStub::routed(routes).await;
    let client = client(&stub);
    let seen = |stage_name: &str| {
        let client = client.clone();
        let stage_name = stage(stage_name);
        async move {
            let mut found: Vec<(String, Option<String>)> = client
                .subscriptions(&stage_name)
                .await
                .expect("subscriptions")
                .into_iter()
                .map(|s| (s.application_name, s.environment))
                .collect();
            found.sort();
            found
        }
    };
    let everywhere = [("checkout-web", None), ("mobile-app", None)];
    let with = |own: &[(&str, Option<&str>)]| {
        let mut v: Vec<(String, Option<String>)> = own
            .iter()
            .chain(&everywhere)
            .map(|(a, e)| (a.to_string(), e.map(str::to_string)))
            .collect();
        v.sort();
        v
    };
    // Production owns both spellings (`production` and `prod`) of its subscriptions.
    assert_eq!(
        seen("production").await,
        with(&[
            ("erp-sync", Some("production")),
            ("warehouse-bot", Some("production"))
        ])
    );
    assert_eq!(seen("dev").await, with(&[("checkout-web", Some("dev"))]));
    assert_eq!(
        seen("staging").await,
        with(&[("partner-portal", Some("staging"))])
    );
}

#[tokio::test]
async fn a_promotion_is_prepared_from_the_real_lists_with_this_tenants_gateways() {
    let stub = ReplayStub::routed(vec![
        (
            Env::Exact(Some("dev")),
            Recording::load("get_admin-deployments_ok_env-dev_synced.json"),
        ),
        (
            Env::Any,
            Recording::load("get_admin-gateways_ok_tenant-admin.json"),
        ),
        (Env::Any, Recording::load("get_promotions_ok_live.json")),
    ])
    .await;
    let prepared = client(&stub)
        .prepare_promotion("shipping", &stage("dev"), &stage("staging"))
        .await
        .expect("prepared");
    assert_eq!(
        prepared.lanes.len(),
        1,
        "one synced deployment of shipping in dev"
    );
    let lane = &prepared.lanes[0];
    assert_eq!(lane.source.gateway_name.as_deref(), Some("acme-stoa-dev"));
    let targets: Vec<&str> = lane.targets.iter().map(|g| g.name.as_str()).collect();
    // Not globex's staging gateway ("belongs to another tenant" on the real service).
    assert_eq!(targets, ["acme-stoa-staging"]);
    assert_eq!(plan::lane_problem(lane, "Staging"), None);

    // Staging → production: the tenant's stoa gateways (both spellings of production) and the
    // platform's stoa edge; never a webMethods or Kong gateway (another family).
    let stub = ReplayStub::routed(vec![
        (
            Env::Any,
            Recording::load("get_admin-deployments_ok_tenant-admin.json"),
        ),
        (
            Env::Any,
            Recording::load("get_admin-gateways_ok_tenant-admin.json"),
        ),
    ])
    .await;
    let prepared = client(&stub)
        .prepare_promotion("payments", &stage("staging"), &stage("production"))
        .await
        .expect("prepared");
    let lane = prepared
        .lanes
        .first()
        .expect("payments is synced in staging");
    let mut targets: Vec<&str> = lane.targets.iter().map(|g| g.name.as_str()).collect();
    targets.sort();
    assert_eq!(
        targets,
        ["acme-stoa-prod-eu", "acme-stoa-production", "stoa-prod"]
    );
    let chosen: Vec<&str> = lane
        .targets
        .iter()
        .zip(prepare::default_choice(&lane.targets, "acme"))
        .filter(|(_, on)| *on)
        .map(|(g, _)| g.name.as_str())
        .collect();
    assert!(
        !chosen.contains(&"stoa-prod"),
        "the tenant's own gateways are chosen first: {chosen:?}"
    );
}

#[tokio::test]
async fn a_devops_user_is_told_plainly_that_sources_are_for_admins() {
    let stub = ReplayStub::routed(vec![
        (
            Env::Any,
            Recording::load("get_admin-deployments_403_devops.json"),
        ),
        (
            Env::Any,
            Recording::load("get_admin-gateways_403_devops.json"),
        ),
    ])
    .await;
    let error = client(&stub)
        .prepare_promotion("shipping", &stage("dev"), &stage("staging"))
        .await
        .expect_err("403");
    assert_eq!(error.to_string(), ADMIN_ONLY_SOURCES);
    assert_eq!(error.exit_code(), 3);
}

#[test]
fn the_real_complete_refusals_mean_wait_or_done() {
    let refusal_of = |name: &str| {
        let rec = Recording::load(name);
        let error = ApiError::Http {
            status: rec.status,
            message: rec.body["detail"].as_str().unwrap_or_default().to_string(),
            retry_after: None,
        };
        completion::refusal(&error)
    };
    assert_eq!(
        refusal_of("post_promotion-complete_400_not_synced.json"),
        Some(Refusal::NotYetSynced)
    );
    assert_eq!(
        refusal_of("post_promotion-complete_400_no_linked_deployments.json"),
        Some(Refusal::NotYetSynced)
    );
    assert_eq!(
        refusal_of("post_promotion-complete_400_already_promoted.json"),
        Some(Refusal::AlreadyPromoted)
    );
    assert_eq!(
        refusal_of("post_promotion-approve_400_not_pending.json"),
        None
    );
}

#[test]
fn progress_counts_the_promotions_own_gateways_and_is_unknown_without_them() {
    let promoted: Promotion = body("get_promotion_ok_promoted_by_gateways.json");
    let deployments: Page<envdeck::wire::GatewayDeployment> =
        body("get_admin-deployments_ok_tenant-admin.json");
    // The recording was taken before this promotion's deployment existed: nothing visible.
    assert_eq!(completion::progress(&promoted, &deployments.items), None);
    let mut linked = deployments.items.clone();
    let mut mine = linked[0].clone();
    mine.desired_state["api_id"] = "shipping".into();
    mine.gateway_instance_id = promoted.target_gateway_ids.clone().unwrap_or_default()[0].clone();
    mine.sync_status = "syncing".into();
    linked.push(mine);
    assert_eq!(completion::progress(&promoted, &linked), Some((0, 1)));
    let reverse: Promotion = body("get_promotion_ok_reverse_promoting.json");
    assert!(
        reverse.target_gateway_ids.is_none(),
        "nothing is linked to a reverse promotion"
    );
}

#[test]
fn promotion_events_name_their_source_and_target_stages() {
    let page: envdeck::wire::AuditPage = body("get_audit_ok_promotion-events.json");
    let created: &AuditEntry = page
        .entries
        .iter()
        .find(|e| e.action == "promotion_created")
        .expect("a promotion event");
    assert_eq!(created.stage_names(), ["dev", "staging"]);
    let pipeline = envdeck::domain::Pipeline::in_order(
        ["dev", "staging", "production"]
            .iter()
            .map(|n| envdeck::domain::Stage::new(stage(n), None, envdeck::domain::Mode::Full, None))
            .collect(),
    );
    let touches = |s: &str| {
        envdeck::app::localize::touches(&pipeline, &created.stage_names(), Some(&stage(s)))
    };
    assert!(touches("dev") && touches("staging") && !touches("production"));
}
