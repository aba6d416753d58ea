//! The client against our own embedded control plane (the router `envdeck serve` runs), on
//! 127.0.0.1:0, signed in with the password grant as the demo users.

use envdeck::api::{ApiError, Client, PromotionFilter};
use envdeck::domain::StageName;
use envdeck::server::Seed;
use envdeck::wire::{ApiCreate, ApiUpdate, PromotionCreate, TenantCreate};

use crate::support::{client_as, demo_server, start_server, token};

fn stage(name: &str) -> StageName {
    StageName::parse(name).expect("stage")
}

fn new_api(name: &str) -> ApiCreate {
    ApiCreate {
        name: name.to_string(),
        display_name: format!("{name} API"),
        version: "1.0.0".to_string(),
        description: "made by the client tests".to_string(),
        backend_url: format!("https://backend.example.test/{name}"),
        tags: vec!["test".to_string()],
    }
}

#[tokio::test]
async fn every_read_works_against_the_demo_seed() {
    let srv = demo_server().await;
    let dave = client_as(srv.url(), "dave", "acme").await;
    let dev = stage("dev");

    assert!(!dave.health().await.expect("health").status.is_empty());
    let envs = dave.environments().await.expect("environments");
    let names: Vec<&str> = envs.environments.iter().map(|e| e.name.as_str()).collect();
    for expected in ["dev", "staging", "production"] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let production = envs.environments.iter().find(|e| e.name == "production");
    assert_eq!(production.map(|e| e.mode.as_str()), Some("read-only"));
    let public = dave
        .public_environments()
        .await
        .expect("public environments");
    assert_eq!(public.environments.len(), envs.environments.len());

    let me = dave.me().await.expect("me");
    assert_eq!(me.username, "dave");
    assert!(me.roles.iter().any(|r| r == "devops"), "{:?}", me.roles);
    assert!(me.permissions.iter().any(|p| p == "apis:promote"));
    let tenants = dave.tenants().await.expect("tenants");
    assert!(tenants.iter().any(|t| t.id == "acme"));

    let apis = dave.apis(&dev).await.expect("apis");
    assert!(apis.len() >= 20, "{} APIs in dev", apis.len());
    let one = dave.api(&apis[0].id).await.expect("one API");
    assert_eq!(one.id, apis[0].id);

    let deployments = dave.deployments(&dev).await.expect("deployments");
    assert!(deployments.iter().all(|d| d.environment == "dev"));
    // The admin lists are for tenant-admin and cpi-admin, as on the real service.
    let refused = dave.gateways(None).await.expect_err("devops");
    assert_eq!(refused.status(), Some(403), "{refused}");
    let tess = client_as(srv.url(), "tess", "acme").await;
    let gateways = tess.gateways(None).await.expect("gateways");
    assert!(!gateways.is_empty());
    assert!(
        gateways
            .iter()
            .all(|g| g.tenant_id.as_deref().is_none_or(|t| t == "acme")),
        "another tenant's gateway"
    );
    let staging_gateways = tess
        .gateways(Some(&stage("stg")))
        .await
        .expect("staging gateways");
    assert!(!staging_gateways.is_empty());
    assert!(staging_gateways.iter().all(|g| g.environment == "staging"));
    let synced = tess
        .gateway_deployments(Some(&dev), Some("synced"))
        .await
        .expect("gateway deployments");
    assert!(!synced.is_empty());
    assert!(synced.iter().all(|d| d.sync_status == "synced"));
    dave.subscriptions(&dev).await.expect("subscriptions");
    assert!(!dave.audit(None).await.expect("audit").is_empty());

    let open = dave
        .promotions(&PromotionFilter {
            status: Some("pending".to_string()),
            ..PromotionFilter::default()
        })
        .await
        .expect("promotions");
    assert!(open.len() >= 2, "{open:?}");
    let into_production = dave
        .promotions(&PromotionFilter {
            target: Some(stage("prod")),
            ..PromotionFilter::default()
        })
        .await
        .expect("promotions into production");
    assert!(!into_production.is_empty());
    assert!(
        into_production
            .iter()
            .all(|p| p.target_environment == "production")
    );
    let first = dave.promotion(&open[0].id).await.expect("promotion");
    assert_eq!(first.id, open[0].id);
    let diff = dave.promotion_diff(&open[0].id).await.expect("diff");
    assert_eq!(diff.promotion_id, open[0].id);
}

#[tokio::test]
async fn writes_reach_the_stage_asked_and_refusals_keep_the_servers_words() {
    let srv = start_server(Seed::None).await;
    let dave = client_as(srv.url(), "dave", "acme").await;
    let dev = stage("development");

    let created = dave
        .create_api(&dev, &new_api("ledger"))
        .await
        .expect("create");
    assert_eq!(created.name, "ledger");
    let listed = dave.apis(&dev).await.expect("apis");
    assert!(listed.iter().any(|a| a.id == created.id));
    let update = ApiUpdate {
        version: Some("1.1.0".to_string()),
        ..ApiUpdate::default()
    };
    let updated = dave
        .update_api(&dev, &created.id, &update)
        .await
        .expect("update");
    assert_eq!(updated.version, "1.1.0");
    assert!(
        dave.apis(&stage("staging"))
            .await
            .expect("staging")
            .iter()
            .all(|a| a.id != created.id)
    );

    let refused = dave
        .create_api(&stage("prod"), &new_api("hotfix"))
        .await
        .expect_err("production is read-only");
    assert_eq!(refused.status(), Some(403));
    assert_eq!(refused.exit_code(), 3);
    assert!(refused.to_string().contains("read-only"), "{refused}");

    let vic = client_as(srv.url(), "vic", "acme").await;
    let denied = vic
        .create_api(&dev, &new_api("viewer-made"))
        .await
        .expect_err("viewer");
    assert_eq!(
        denied.to_string(),
        "Permission denied: apis:create required"
    );
    assert_eq!(denied.exit_code(), 3);

    let no_delete = dave
        .delete_api(&dev, &created.id)
        .await
        .expect_err("devops may not delete");
    assert_eq!(
        no_delete.to_string(),
        "Permission denied: apis:delete required"
    );
    let tess = client_as(srv.url(), "tess", "acme").await;
    let deleted = tess.delete_api(&dev, &created.id).await.expect("delete");
    assert!(
        deleted.id.is_empty() || deleted.id == created.id,
        "{deleted:?}"
    );
    assert!(
        dave.apis(&dev)
            .await
            .expect("apis")
            .iter()
            .all(|a| a.id != created.id)
    );
    let gone = dave
        .update_api(&dev, &created.id, &update)
        .await
        .expect_err("gone");
    assert_eq!(gone.exit_code(), 4, "{gone}");

    let audit = dave.audit(None).await.expect("audit");
    let text = serde_json::to_string(&audit).expect("json");
    assert!(
        text.contains("ledger"),
        "the writes are not in the audit log: {text}"
    );
}

#[tokio::test]
async fn errors_map_to_exit_codes() {
    let srv = start_server(Seed::None).await;
    let anonymous = Client::new(srv.url(), "acme", None).expect("client");
    let error = anonymous.me().await.expect_err("no token");
    assert_eq!((error.status(), error.exit_code()), (Some(401), 3));

    let dave = client_as(srv.url(), "dave", "acme").await;
    let dave_token = token(srv.url(), "dave").await;
    let dave_on_globex = Client::new(srv.url(), "globex", Some(dave_token)).expect("client");
    let error = dave_on_globex
        .apis(&stage("dev"))
        .await
        .expect_err("other tenant");
    assert_eq!((error.status(), error.exit_code()), (Some(403), 3));
    assert_eq!(error.to_string(), "Access denied to this tenant");

    let body = TenantCreate {
        name: "Initech".to_string(),
        display_name: "Initech".to_string(),
        description: None,
        owner_email: None,
    };
    let denied = dave.create_tenant(&body).await.expect_err("devops");
    assert_eq!(denied.exit_code(), 3, "{denied}");
    let ada = client_as(srv.url(), "ada", "acme").await;
    let created = ada.create_tenant(&body).await.expect("cpi-admin creates");
    assert_eq!(created.id, "initech");
    let twice = ada.create_tenant(&body).await.expect_err("exists");
    assert_eq!((twice.status(), twice.exit_code()), (Some(409), 5));
    assert!(
        ada.tenants()
            .await
            .expect("tenants")
            .iter()
            .any(|t| t.id == "initech")
    );

    let error = dave
        .promotion("00000000-0000-0000-0000-000000000000")
        .await
        .expect_err("unknown promotion");
    assert_eq!(error.exit_code(), 4, "{error}");
    assert!(!matches!(error, ApiError::Decode { .. }));
}

#[tokio::test]
async fn more_than_a_hundred_apis_come_back_complete() {
    let srv = start_server(Seed::None).await;
    let dave = client_as(srv.url(), "dave", "acme").await;
    let dev = stage("dev");
    for chunk in (0..130).collect::<Vec<_>>().chunks(10) {
        let creations = chunk.iter().map(|i| {
            let client = dave.clone();
            let dev = dev.clone();
            async move {
                client
                    .create_api(&dev, &new_api(&format!("bulk-{i:03}")))
                    .await
            }
        });
        for result in futures::future::join_all(creations).await {
            result.expect("create");
        }
    }
    let apis = dave.apis(&dev).await.expect("apis");
    let mut names: Vec<&str> = apis.iter().map(|a| a.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 130);
}

#[tokio::test]
async fn a_promotion_walks_the_pipeline_through_the_client() {
    let srv = start_server(Seed::None).await;
    let tess = client_as(srv.url(), "tess", "acme").await;
    let dave = client_as(srv.url(), "dave", "acme").await;
    let dora = client_as(srv.url(), "dora", "acme").await;
    let (dev, staging, production) = (stage("dev"), stage("staging"), stage("production"));
    tess.create_api(&dev, &new_api("orders"))
        .await
        .expect("create");
    // The gateway agent acknowledges the new deployment; then it can be promoted.
    let to_staging = promotion_body(&tess, "orders", &dev, &staging).await;
    let p1 = tess
        .create_promotion("orders", &to_staging)
        .await
        .expect("promote");
    assert_eq!(p1.status, "pending");
    let again = tess
        .create_promotion("orders", &to_staging)
        .await
        .expect_err("one open promotion");
    assert_eq!(again.exit_code(), 5, "{again}");
    let diff = dave.promotion_diff(&p1.id).await.expect("diff");
    let p1 = dave
        .approve_promotion(&p1.id, diff.reviewed_spec_hash.as_deref())
        .await
        .expect("approve");
    assert_eq!(p1.status, "promoting");
    let p1 = settled(&tess, &p1.id).await;
    assert_eq!(p1.status, "promoted", "its gateways completed it");
    let done = tess
        .complete_promotion(&p1.id)
        .await
        .expect_err("done already");
    assert_eq!(
        envdeck::api::completion::refusal(&done),
        Some(envdeck::api::completion::Refusal::AlreadyPromoted),
        "{done}"
    );
    assert!(
        dave.apis(&staging)
            .await
            .expect("staging")
            .iter()
            .any(|a| a.name == "orders")
    );

    let to_production = promotion_body(&tess, "orders", &staging, &production).await;
    let p2 = dave
        .create_promotion("orders", &to_production)
        .await
        .expect("devops may create over HTTP");
    let four_eyes = dave
        .approve_promotion(&p2.id, None)
        .await
        .expect_err("four-eyes");
    assert_eq!(four_eyes.exit_code(), 3, "{four_eyes}");
    let diff = dora.promotion_diff(&p2.id).await.expect("diff");
    let p2 = dora
        .approve_promotion(&p2.id, diff.reviewed_spec_hash.as_deref())
        .await
        .expect("approve by another");
    assert_eq!(p2.approved_by.as_deref(), Some("dora"));
    settled(&dora, &p2.id).await;
    assert!(
        dave.apis(&production)
            .await
            .expect("production")
            .iter()
            .any(|a| a.name == "orders")
    );

    let reverse = dora
        .rollback_promotion(&p2.id, "error rate spike, reverting")
        .await
        .expect("rollback");
    assert_ne!(reverse.id, p2.id);
    assert_eq!(
        dave.promotion(&p2.id).await.expect("original").status,
        "rolled_back"
    );
    // p1 is promoted (into staging): the server itself asks for the message.
    let empty = dora
        .rollback_promotion(&p1.id, "")
        .await
        .expect_err("message required");
    assert!(matches!(empty.exit_code(), 5 | 6), "{empty}");
}

/// Waits (bounded) until the promotion leaves `promoting`.
async fn settled(client: &Client, id: &str) -> envdeck::wire::Promotion {
    for _ in 0..100 {
        let p = client.promotion(id).await.expect("promotion");
        if p.status != "promoting" {
            return p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("promotion {id} still promoting after 5 s");
}

/// The body the console builds (api::prepare): a synced source deployment and this tenant's
/// compatible gateways of the target stage. Waits (bounded) for the source to be synced.
async fn promotion_body(
    client: &Client,
    api: &str,
    from: &StageName,
    to: &StageName,
) -> PromotionCreate {
    for _ in 0..100 {
        let prepared = client
            .prepare_promotion(api, from, to)
            .await
            .expect("prepare");
        if let Some(lane) = prepared.lanes.first() {
            assert!(!lane.targets.is_empty(), "no compatible gateway in {to}");
            return PromotionCreate {
                source_deployment_id: lane.source.id.clone(),
                target_gateway_ids: lane.targets.iter().map(|g| g.id.clone()).collect(),
                source_environment: from.to_string(),
                target_environment: to.to_string(),
                message: format!("ship {api} to {to}"),
            };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no synced deployment of {api} in {from}");
}

#[tokio::test]
async fn the_write_guard_refuses_before_anything_is_sent() {
    let srv = start_server(Seed::None).await;
    let dave = client_as(srv.url(), "dave", "acme").await;
    dave.environments().await.expect("environments");
    dave.me().await.expect("me");
    let before = dave.audit(None).await.expect("audit").len();

    let refused = dave
        .create_api(&stage("prod"), &new_api("sneaky"))
        .await
        .expect_err("guarded");
    assert!(matches!(refused, ApiError::Refused(_)), "{refused:?}");
    assert_eq!(refused.exit_code(), 3);
    assert!(refused.to_string().contains("read-only"), "{refused}");
    let unknown = dave
        .delete_api(&stage("qa"), "anything")
        .await
        .expect_err("unknown stage");
    assert!(matches!(unknown, ApiError::Refused(_)), "{unknown:?}");
    assert_eq!(
        dave.audit(None).await.expect("audit").len(),
        before,
        "a write reached the server"
    );

    dave.create_api(&stage("dev"), &new_api("allowed"))
        .await
        .expect("dev is writable");
}

#[tokio::test]
async fn a_stage_on_its_own_control_plane_gets_its_own_client_and_login() {
    let main = start_server(Seed::None).await;
    let own = start_server(Seed::None).await;
    let dave = client_as(main.url(), "dave", "acme").await;
    // The second control plane has its own identity provider: its own token.
    let production_token = token(own.url(), "dave").await;
    let elsewhere = dave
        .for_endpoint(own.url(), Some(production_token))
        .expect("client for the stage's endpoint");
    assert_eq!(elsewhere.tenant(), "acme");
    let dev = stage("dev");
    elsewhere
        .create_api(&dev, &new_api("only-there"))
        .await
        .expect("create on the stage's control plane");
    assert!(
        elsewhere
            .apis(&dev)
            .await
            .expect("apis")
            .iter()
            .any(|a| a.name == "only-there")
    );
    assert!(
        dave.apis(&dev)
            .await
            .expect("apis")
            .iter()
            .all(|a| a.name != "only-there")
    );
    // A token of one control plane means nothing to the other.
    let foreign = dave
        .for_endpoint(own.url(), Some(token(main.url(), "dave").await))
        .expect("client");
    let refused = foreign.me().await.expect_err("foreign token");
    assert_eq!((refused.status(), refused.exit_code()), (Some(401), 3));
}
