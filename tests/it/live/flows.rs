//! What an operator does, step by step, against whichever control plane `Target` names.

use std::time::Instant;

use envdeck::api::prepare::ADMIN_ONLY_SOURCES;
use envdeck::api::{Client, PromotionFilter};
use envdeck::domain::{PromotionStatus, StageName};
use serde_json::Value;

use super::{DEVOPS, SECOND_DEVOPS, TENANT_ADMIN, Target, VIEWER};

fn stage(raw: &str) -> StageName {
    StageName::parse(raw).expect("stage")
}

fn json(out: &std::process::Output, what: &str) -> Value {
    assert!(
        out.status.success(),
        "{what} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{what}: not JSON ({e})"))
}

pub async fn all(t: &Target) {
    let started = Instant::now();
    lists_are_this_tenants_and_this_stages(t).await;
    a_devops_user_gets_the_plain_reason_and_a_working_review(t).await;
    deleting_an_api_live_in_a_read_only_stage_is_refused(t).await;
    a_promotion_goes_through_request_review_approve_gateways_and_rollback(t).await;
    eprintln!(
        "live: every flow passed against {} in {:.1}s",
        t.url,
        started.elapsed().as_secs_f64()
    );
}

async fn lists_are_this_tenants_and_this_stages(t: &Target) {
    let tess = t.client(TENANT_ADMIN).await;
    let gateways = tess.gateways(None).await.expect("gateways");
    assert!(!gateways.is_empty());
    assert!(
        gateways
            .iter()
            .all(|g| g.tenant_id.as_deref().is_none_or(|id| id == t.tenant)),
        "another tenant's gateway is listed"
    );
    // Subscriptions the server keeps without a stage belong to every stage.
    let vic = t.client(VIEWER).await;
    let dev = vic
        .subscriptions(&stage("dev"))
        .await
        .expect("subscriptions");
    let prod = vic
        .subscriptions(&stage("production"))
        .await
        .expect("subscriptions");
    let everywhere = |list: &[envdeck::wire::Subscription]| {
        list.iter()
            .filter(|s| s.environment.is_none())
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
    };
    assert!(!everywhere(&dev).is_empty(), "no stage-less subscription");
    assert_eq!(everywhere(&dev), everywhere(&prod));
    // Promotion events name their source and target stages.
    let audit = tess.audit(None).await.expect("audit");
    assert!(
        audit
            .iter()
            .filter(|e| e.action.contains("promotion"))
            .all(|e| !e.stage_names().is_empty()),
        "a promotion event without its stages"
    );
}

async fn a_devops_user_gets_the_plain_reason_and_a_working_review(t: &Target) {
    let out = t
        .cli(
            DEVOPS,
            &[
                "promote",
                "create",
                "shipping",
                "--to",
                "staging",
                "-m",
                "live: devops",
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(3), "exit code");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(ADMIN_ONLY_SOURCES), "{stderr}");
    // The review (promotion, diff) opens for a devops approver.
    let dave = t.client(DEVOPS).await;
    let pending = dave
        .promotions(&PromotionFilter {
            status: Some("pending".into()),
            ..PromotionFilter::default()
        })
        .await
        .expect("promotions");
    let p = pending.first().expect("a pending promotion to review");
    dave.promotion(&p.id).await.expect("the promotion");
    let diff = dave.promotion_diff(&p.id).await.expect("its diff");
    assert_eq!(diff.target_environment, p.target_environment);
}

async fn deleting_an_api_live_in_a_read_only_stage_is_refused(t: &Target) {
    let tess = t.client(TENANT_ADMIN).await;
    tess.environments().await.expect("stages");
    tess.me().await.expect("me");
    let refused = tess
        .delete_api(&stage("dev"), "payments")
        .await
        .expect_err("refused");
    let words = refused.to_string();
    assert!(
        words.starts_with("payments is live in") && words.contains("(read-only)"),
        "{words}"
    );
    assert!(words.ends_with("nothing was sent"), "{words}");
    assert_eq!(refused.exit_code(), 3);
    let prod = tess.apis(&stage("production")).await.expect("apis");
    assert!(
        prod.iter().any(|a| a.name == "payments"),
        "nothing was deleted"
    );
}

/// An API synced in dev, absent from staging, with no open promotion: shipping in both seeds.
async fn subject(tess: &Client) -> String {
    let open: Vec<String> = tess
        .promotions(&PromotionFilter::default())
        .await
        .expect("promotions")
        .into_iter()
        .filter(|p| PromotionStatus::parse(&p.status).is_some_and(|s| s.is_open()))
        .map(|p| p.api_id)
        .collect();
    let apis = tess.apis(&stage("dev")).await.expect("apis");
    let candidates: Vec<String> = apis
        .iter()
        .filter(|a| !open.contains(&a.id))
        .filter(|a| {
            let stages = a.stage_names();
            !stages.iter().any(|s| stage(s) == stage("staging"))
                && a.runtime_deployments
                    .iter()
                    .any(|r| stage(&r.environment) == stage("dev") && r.status == "synced")
        })
        .map(|a| a.id.clone())
        .collect();
    candidates
        .iter()
        .find(|c| *c == "shipping")
        .or(candidates.first())
        .cloned()
        .expect("an API synced in dev only, with no open promotion (re-seed the control plane)")
}

async fn a_promotion_goes_through_request_review_approve_gateways_and_rollback(t: &Target) {
    let tess = t.client(TENANT_ADMIN).await;
    let api = subject(&tess).await;
    let created = json(
        &t.cli(
            TENANT_ADMIN,
            &[
                "promote",
                "create",
                &api,
                "--to",
                "staging",
                "-m",
                "live: request",
                "-o",
                "json",
            ],
        )
        .await,
        "promote create",
    );
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(created["status"], "pending");

    // A second person reviews the diff and approves what was reviewed.
    let dora = t.client(SECOND_DEVOPS).await;
    let diff = dora.promotion_diff(&id).await.expect("diff");
    let approved = dora
        .approve_promotion(&id, diff.reviewed_spec_hash.as_deref())
        .await
        .expect("approve");
    assert_eq!(approved.status, "promoting");
    assert_eq!(approved.approved_by.as_deref(), Some("dora"));

    t.acknowledge(&id);
    let done = json(
        &t.cli(
            TENANT_ADMIN,
            &[
                "promote",
                "complete",
                &id,
                "--wait",
                "--timeout",
                "60s",
                "-o",
                "json",
            ],
        )
        .await,
        "promote complete --wait",
    );
    assert_eq!(done["status"], "promoted");
    let staging = tess.apis(&stage("staging")).await.expect("apis");
    assert!(
        staging.iter().any(|a| a.id == api),
        "{api} runs in staging now"
    );
    // Completing again is what was wanted: still exit 0.
    json(
        &t.cli(TENANT_ADMIN, &["promote", "complete", &id, "-o", "json"])
            .await,
        "promote complete again",
    );

    let reverse = json(
        &t.cli(
            TENANT_ADMIN,
            &[
                "promote",
                "rollback",
                &id,
                "-m",
                "live: roll back",
                "-o",
                "json",
            ],
        )
        .await,
        "promote rollback",
    );
    assert_eq!(reverse["source_environment"], created["target_environment"]);
    // The real service commits after it answers: the original reads rolled back shortly after.
    let mut status = String::new();
    for _ in 0..50 {
        status = tess.promotion(&id).await.expect("original").status;
        if status == "rolled_back" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "rolled_back");
}
