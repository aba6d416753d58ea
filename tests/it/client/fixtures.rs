//! Every recorded response of the real service, replayed to the matching client method:
//! a table says, per file, what the client must make of it (data, or an error in the
//! server's words with the right exit code) and how it must have spelt the request.

use envdeck::api::{ApiError, Client, PromotionFilter};
use envdeck::domain::StageName;
use envdeck::secret::Secret;
use envdeck::wire::{ApiCreate, ApiUpdate, PromotionCreate, TenantCreate};
use serde_json::Value;

use super::replay::{Env, RecordedRequest, Recording, ReplayStub, recording_names};

enum Expect {
    Ok {
        len: Option<usize>,
        at: Vec<(&'static str, &'static str)>,
        sent: Vec<(&'static str, Option<&'static str>)>,
    },
    Err {
        status: u16,
        exit: u8,
        words: &'static str,
    },
}

fn ok() -> Expect {
    Expect::Ok {
        len: None,
        at: Vec::new(),
        sent: Vec::new(),
    }
}

fn list(len: usize) -> Expect {
    Expect::Ok {
        len: Some(len),
        at: Vec::new(),
        sent: Vec::new(),
    }
}

fn err(status: u16, exit: u8, words: &'static str) -> Expect {
    Expect::Err {
        status,
        exit,
        words,
    }
}

impl Expect {
    /// The JSON at `pointer` in the client's answer (re-serialised) equals `json`.
    fn at(mut self, pointer: &'static str, json: &'static str) -> Expect {
        if let Expect::Ok { at, .. } = &mut self {
            at.push((pointer, json));
        }
        self
    }

    /// The client sent query parameter `key` with `value` (`None`: did not send it).
    fn sent(mut self, key: &'static str, value: Option<&'static str>) -> Expect {
        if let Expect::Ok { sent, .. } = &mut self {
            sent.push((key, value));
        }
        self
    }
}

const NOT_AUTHENTICATED: &str = "Not authenticated";
const OTHER_TENANT: &str = "Access denied to this tenant";
const READ_ONLY: &str = "Environment 'prod' is read-only. Only cpi-admin can perform writes.";
const INTERNAL: &str = "Internal server error.";
const ADMIN_ROLES: &str = "Access denied. Required roles: ['cpi-admin', 'tenant-admin']";

fn expectation(file: &str) -> Option<Expect> {
    let e = match file {
        "delete_apis_403_readonly_prod_patched-logger.json" => err(403, 3, READ_ONLY),
        "delete_apis_404.json" => err(404, 4, "API not found"),
        "delete_apis_500_readonly_prod.json" => err(500, 1, INTERNAL),
        "delete_apis_ok.json" => ok()
            .at("/id", r#""orders""#)
            .at("/message", r#""API deleted""#),
        "get_admin-deployments_403_devops.json" => err(403, 3, ADMIN_ROLES),
        // Every tenant's deployments come back; the client keeps acme's (desired_state).
        "get_admin-deployments_ok_tenant-admin.json" => list(9).sent("tenant_id", Some("acme")),
        "get_admin-deployments_ok_env-dev_synced.json" => list(4)
            .at("/0/desired_state/api_id", r#""shipping""#)
            .at("/0/gateway_environment", r#""dev""#)
            .sent("environment", Some("dev"))
            .sent("sync_status", Some("synced")),
        "get_admin-gateways_403_devops.json" => err(403, 3, ADMIN_ROLES),
        // Other tenants' gateways are dropped; the platform's (no tenant) stay.
        "get_admin-gateways_ok_tenant-admin.json" => list(15).sent("tenant_id", Some("acme")),
        "get_admin-gateways_ok_tenant-acme_env-staging.json" => list(1)
            .at("/0/name", r#""acme-stoa-staging""#)
            .at("/0/topology", r#""native-edge""#)
            .sent("environment", Some("staging"))
            .sent("tenant_id", Some("acme")),
        "get_api_404.json" => err(404, 4, "API not found"),
        "get_api_ok.json" => ok()
            .at("/id", r#""payments""#)
            .at(
                "/runtime_deployments/0/gateway_names/0",
                r#""acme-stoa-dev""#,
            )
            .at("/created_at", r#""2026-11-23T07:36:28.835420Z""#),
        "get_apis_401_no_token.json" => err(401, 3, NOT_AUTHENTICATED),
        "get_apis_403_other_tenant.json" => err(403, 3, OTHER_TENANT),
        "get_apis_422_bad_page.json" => {
            err(422, 6, "page: Input should be greater than or equal to 1")
        }
        "get_apis_ok_catalog.json" => list(5),
        "get_apis_ok_catalog_env-dev.json" => list(5).sent("environment", Some("dev")),
        "get_apis_ok_catalog_env-prod.json" => list(1)
            .at("/0/id", r#""payments""#)
            .at("/0/runtime_deployments/1/environment", r#""prod""#)
            .sent("environment", Some("prod")),
        "get_audit_ok_promotion-events.json" | "get_audit_ok_after_flow.json" => list(5)
            .at("/4/details/source_environment", r#""dev""#)
            .at("/4/details/target_environment", r#""staging""#),
        "get_promotions_ok_live.json" => list(4),
        "get_promotion-diff_ok_devops.json" => ok()
            .at("/source_environment", r#""dev""#)
            .at("/target_environment", r#""staging""#),
        "get_promotion_ok_promoted_by_gateways.json" => ok().at("/status", r#""promoted""#),
        "get_promotion_ok_reverse_promoting.json" => ok()
            .at("/status", r#""promoting""#)
            .at("/target_gateway_ids", "null"),
        "post_promotion-approve_ok_devops.json" => ok().at("/status", r#""promoting""#),
        "post_promotion-complete_400_not_synced.json" => err(
            400,
            6,
            "Cannot complete promotion without linked gateway deployments",
        ),
        "post_promotion-complete_400_already_promoted.json" => err(
            400,
            6,
            "Cannot complete promotion in status 'promoted' (expected 'promoting')",
        ),
        "post_promotion-rollback_created_reverse.json" => ok()
            .at("/status", r#""promoting""#)
            .at("/target_environment", r#""dev""#),
        "post_promotions_400_other_tenant_gateway.json" => err(
            400,
            6,
            "Gateway 'globex-stoa-staging' belongs to another tenant",
        ),
        "post_promotions_400_family_mismatch.json" => err(
            400,
            6,
            "Target gateway 'webmethods-prod' is 'webmethods', but the source gateway 'acme-stoa-staging' is 'stoa'",
        ),
        "post_promotions_created_shipping.json" => ok()
            .at("/status", r#""pending""#)
            .at("/api_id", r#""shipping""#),
        "get_apis_ok.json" => list(1)
            .at("/0/name", r#""payments""#)
            .at("/0/deployed_staging", "true"),
        "get_apis_ok_env-dev.json" => list(1)
            .sent("environment", Some("dev"))
            .sent("page_size", Some("100")),
        "get_apis_ok_env-prod_after_promotion.json" => list(1).sent("environment", Some("prod")),
        "get_apis_ok_env-prod_empty.json" => list(0).sent("environment", Some("prod")),
        // Recorded with `production`, which the real APIs list ignores: we send `prod`.
        "get_apis_ok_env-production.json" => list(1).sent("environment", Some("prod")),
        "get_apis_ok_env-staging.json" => list(1).sent("environment", Some("staging")),
        "get_audit_401_no_token.json" => err(401, 3, NOT_AUTHENTICATED),
        "get_audit_403_other_tenant.json" => err(403, 3, OTHER_TENANT),
        "get_audit_ok.json" => list(0),
        "get_audit_ok_filter-status-failure.json" => list(1).at("/0/status", r#""failure""#),
        "get_audit_ok_page-size-2.json" => list(0),
        // has_more and total say 4, the page holds 3: we keep what came, without duplicates.
        "get_audit_ok_seeded.json" => list(3)
            .at("/0/action", r#""tenant.created""#)
            .at("/0/timestamp", r#""2026-11-23T07:29:31.045118Z""#),
        "get_deployments_403_other_tenant.json" => err(403, 3, OTHER_TENANT),
        "get_deployments_422_bad_env.json" => err(
            422,
            6,
            "environment: Input should be 'dev', 'staging' or 'production'",
        ),
        "get_deployments_422_env-prod.json" => err(422, 6, "environment: Input should be"),
        // A naive timestamp (no zone) is UTC.
        "get_deployments_ok.json" => list(1)
            .at("/0/status", r#""pending""#)
            .at("/0/created_at", r#""2026-11-23T07:36:29.420876Z""#),
        "get_deployments_ok_env-dev.json" => list(1).sent("environment", Some("dev")),
        "get_environments-public_ok.json" => ok()
            .at("/environments/0/name", r#""production""#)
            .at("/current", r#""dev""#),
        "get_environments_401_no_token.json" => err(401, 3, NOT_AUTHENTICATED),
        "get_environments_ok.json" => ok()
            .at("/environments/0/mode", r#""read-only""#)
            .at("/environments/0/color", r##""#ef4444""##)
            .at("/environments/2/name", r#""dev""#)
            .at(
                "/environments/1/endpoints/api_url",
                r#""https://staging-api.example.test""#,
            ),
        "get_health_ok.json" => ok().at("/status", r#""healthy""#),
        "get_me_401_bad_signature.json" => {
            err(401, 3, "Invalid token: Signature verification failed.")
        }
        "get_me_401_expired.json" => err(401, 3, "Invalid token: Signature has expired."),
        "get_me_401_no_token.json" => err(401, 3, NOT_AUTHENTICATED),
        "get_me_401_wrong_audience.json" => err(401, 3, "Invalid token: Invalid audience"),
        "get_me_ok_cpi-admin.json" => ok()
            .at("/roles", r#"["cpi-admin"]"#)
            .at("/tenant_id", "null"),
        "get_me_ok_operator-key.json" => ok().at("/username", r#""stoa-operator""#),
        "get_me_ok_tenant-admin.json" => ok()
            .at("/username", r#""bob""#)
            .at("/tenant_id", r#""acme""#),
        "get_promotion-diff_404.json" => err(
            404,
            4,
            "Promotion 00000000-0000-0000-0000-000000000000 not found",
        ),
        "get_promotion-diff_ok.json" => ok()
            .at("/target_environment", r#""staging""#)
            .at("/source_spec/sync_status", r#""synced""#),
        "get_promotion-diff_ok_production.json" => {
            ok().at("/target_environment", r#""production""#)
        }
        "get_promotion_404.json" => err(404, 4, "Promotion not found"),
        "get_promotion_422_bad_uuid.json" => {
            err(422, 6, "promotion_id: Input should be a valid UUID")
        }
        "get_promotion_ok_pending.json" => ok()
            .at("/status", r#""pending""#)
            .at("/created_at", r#""2026-11-23T07:36:30.278736Z""#),
        "get_promotions_401_no_token.json" => err(401, 3, NOT_AUTHENTICATED),
        "get_promotions_403_other_tenant.json" => err(403, 3, OTHER_TENANT),
        "get_promotions_empty.json" => list(0),
        "get_promotions_ok.json" => list(3).at("/1/target_environment", r#""production""#),
        "get_promotions_ok_filter-target-production.json" => {
            list(1).sent("target_environment", Some("production"))
        }
        "get_subscriptions-tenant_403_other_tenant.json" => err(403, 3, OTHER_TENANT),
        "get_subscriptions-tenant_422_bad_status.json" => {
            err(422, 6, "status: Input should be 'pending'")
        }
        // The real service never says a subscription's stage, so the client first asks for
        // every one (no ?environment=), then each stage by each spelling. One recording
        // answers all of those here; tests/it/client/real_platform.rs routes them by stage.
        name if name.starts_with("get_subscriptions-tenant_ok") => ok().sent("environment", None),
        "get_tenants_401_no_token.json" => err(401, 3, NOT_AUTHENTICATED),
        "get_tenants_empty.json" => list(0),
        "get_tenants_ok.json" => list(1).at("/0/id", r#""acme""#),
        "get_tenants_ok_tenant-admin.json" => list(1).at("/0/id", r#""acme""#),
        "post_apis_401_no_token.json" => err(401, 3, NOT_AUTHENTICATED),
        "post_apis_403_other_tenant.json" => err(403, 3, OTHER_TENANT),
        "post_apis_403_readonly_prod_patched-logger.json" => err(403, 3, READ_ONLY),
        "post_apis_403_viewer.json" => err(403, 3, "Permission denied: apis:create required"),
        "post_apis_422_malformed_json.json" => err(422, 6, "JSON decode error"),
        "post_apis_422_missing_fields.json" => err(
            422,
            6,
            "display_name: Field required; backend_url: Field required",
        ),
        "post_apis_500_readonly_prod.json" => err(500, 1, INTERNAL),
        // 200, not 201, and null timestamps on a new API.
        "post_apis_created.json" => ok()
            .at("/id", r#""payments""#)
            .at("/created_at", "null")
            .sent("environment", Some("dev")),
        "post_apis_created_env-dev.json" => ok()
            .at("/id", r#""orders""#)
            .sent("environment", Some("dev")),
        "post_promotion-approve_400_four_eyes.json" => err(
            400,
            3,
            "Cannot approve your own promotion to production (4-eyes principle)",
        ),
        "post_promotion-approve_400_not_pending.json" => {
            err(400, 6, "Cannot approve promotion in status 'promoting'")
        }
        "post_promotion-approve_ok_other_user.json" => ok()
            .at("/status", r#""promoting""#)
            .at("/approved_by", r#""carol""#),
        "post_promotion-approve_ok_self_staging.json" => ok().at("/approved_by", r#""bob""#),
        "post_promotion-complete_400_no_linked_deployments.json" => err(
            400,
            6,
            "Cannot complete promotion without linked gateway deployments",
        ),
        "post_promotion-complete_400_not_promoting.json" => {
            err(400, 6, "Cannot complete promotion in status 'pending'")
        }
        "post_promotion-complete_ok.json" => ok().at("/status", r#""promoted""#),
        "post_promotion-complete_ok_production.json" => ok()
            .at("/status", r#""promoted""#)
            .at("/completed_at", r#""2026-11-23T07:36:30.727765Z""#),
        "post_promotion-rollback_400_already_rolled_back.json" => err(
            400,
            6,
            "Can only rollback promoted promotions (current: rolled_back)",
        ),
        "post_promotion-rollback_400_not_promoted.json" => err(
            400,
            6,
            "Can only rollback promoted promotions (current: pending)",
        ),
        "post_promotion-rollback_422_missing_message.json" => {
            err(422, 6, "message: Field required")
        }
        // A NEW promotion, already promoting, with null target gateways.
        "post_promotion-rollback_created.json" => ok()
            .at("/status", r#""promoting""#)
            .at("/source_environment", r#""production""#)
            .at("/target_gateway_ids", "null"),
        "post_promotions_400_active_exists.json" => err(
            400,
            5,
            "Active promotion already exists for payments → staging",
        ),
        "post_promotions_400_same_env.json" => {
            err(400, 6, "Cannot promote to the same environment: dev")
        }
        "post_promotions_400_target_env_mismatch.json" => {
            err(400, 6, "is in environment 'production', not 'staging'")
        }
        "post_promotions_400_wrong_chain.json" => {
            err(400, 6, "Invalid promotion chain: dev→production")
        }
        "post_promotions_403_viewer.json" => {
            err(403, 3, "Permission denied: apis:promote required")
        }
        "post_promotions_422_empty_targets.json" => err(
            422,
            6,
            "target_gateway_ids: List should have at least 1 item",
        ),
        "post_promotions_422_missing_message.json" => err(422, 6, "message: Field required"),
        "post_promotions_created_dev-staging.json" => ok()
            .at("/status", r#""pending""#)
            .sent("environment", Some("staging")),
        "post_promotions_created_staging-production.json" => ok()
            .at("/target_environment", r#""production""#)
            .sent("environment", Some("production")),
        "post_tenants_403_not_admin.json" => {
            err(403, 3, "Permission denied: tenants:create required")
        }
        "post_tenants_409_exists.json" => err(409, 5, "Tenant 'acme' already exists"),
        "post_tenants_created.json" => ok()
            .at("/id", r#""acme""#)
            .at("/created_at", r#""2026-11-23T07:36:28.747574Z""#),
        "put_apis_403_readonly_prod_patched-logger.json" => err(403, 3, READ_ONLY),
        "put_apis_404.json" => err(404, 4, "API not found"),
        "put_apis_500_readonly_prod.json" => err(500, 1, INTERNAL),
        "put_apis_ok.json" => ok()
            .at("/version", r#""1.1.0""#)
            .sent("environment", Some("dev")),
        "put_apis_ok_readonly_prod_cpi-admin.json" => ok()
            .at("/description", r#""Order management (hotfix)""#)
            .sent("environment", Some("prod")),
        _ => return None,
    };
    Some(e)
}

fn stage_of(recording: &Recording) -> StageName {
    let raw = recording
        .query("environment")
        .or_else(|| {
            recording
                .request
                .body
                .get("target_environment")?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "dev".to_string());
    StageName::parse(&raw).expect("recorded stage")
}

fn body_or<T: serde::de::DeserializeOwned>(recording: &Recording, fallback: T) -> T {
    serde_json::from_value(recording.request.body.clone()).unwrap_or(fallback)
}

/// Calls the client method the recording belongs to; the answer comes back as JSON.
async fn call(client: &Client, file: &str, rec: &Recording) -> Result<Value, ApiError> {
    fn json<T: serde::Serialize>(value: T) -> Value {
        serde_json::to_value(value).expect("serialisable")
    }
    let stage = stage_of(rec);
    let id_after = |name: &str| rec.segment_after(name).expect("id in path");
    let promotion_id = || id_after("promotions");
    let filter = PromotionFilter {
        target: rec
            .query("target_environment")
            .map(|t| StageName::parse(&t).expect("stage")),
        status: rec.query("status"),
        ..PromotionFilter::default()
    };
    let new_api = ApiCreate {
        name: "payments".into(),
        display_name: "Payments API".into(),
        version: "1.0.0".into(),
        description: String::new(),
        backend_url: "https://backend.example.test/payments".into(),
        tags: Vec::new(),
    };
    let new_promotion = PromotionCreate {
        source_deployment_id: "a4813090-08a7-45c0-a081-8057ead76836".into(),
        target_gateway_ids: vec!["27db6320-246a-49d0-9461-855f3dd71100".into()],
        source_environment: "dev".into(),
        target_environment: stage.to_string(),
        message: "Release".into(),
    };
    let kind = file.split('_').take(2).collect::<Vec<_>>().join("_");
    Ok(match kind.as_str() {
        "get_health" => json(client.health().await?),
        "get_environments-public" => json(client.public_environments().await?),
        "get_environments" => json(client.environments().await?),
        "get_me" => json(client.me().await?),
        "get_tenants" => json(client.tenants().await?),
        "post_tenants" => {
            let body = TenantCreate {
                name: "acme".into(),
                display_name: "Acme Corp".into(),
                description: None,
                owner_email: None,
            };
            json(client.create_tenant(&body).await?)
        }
        "get_apis" => json(client.apis(&stage).await?),
        "get_api" => json(client.api(&id_after("apis")).await?),
        "get_admin-deployments" => {
            let stage = rec.query("environment").map(|_| stage.clone());
            let status = rec.query("sync_status");
            json(
                client
                    .gateway_deployments(stage.as_ref(), status.as_deref())
                    .await?,
            )
        }
        "get_admin-gateways" => {
            let stage = rec.query("environment").map(|_| stage.clone());
            json(client.gateways(stage.as_ref()).await?)
        }
        "post_apis" => json(client.create_api(&stage, &body_or(rec, new_api)).await?),
        "put_apis" => {
            let body = body_or(rec, ApiUpdate::default());
            json(client.update_api(&stage, &id_after("apis"), &body).await?)
        }
        "delete_apis" => json(client.delete_api(&stage, &id_after("apis")).await?),
        "get_deployments" => json(client.deployments(&stage).await?),
        "get_subscriptions-tenant" => json(client.subscriptions(&stage).await?),
        "get_audit" => json(client.audit(None).await?),
        "get_promotions" => json(client.promotions(&filter).await?),
        "get_promotion" => json(client.promotion(&promotion_id()).await?),
        "get_promotion-diff" => json(client.promotion_diff(&promotion_id()).await?),
        "post_promotions" => {
            let body = body_or(rec, new_promotion);
            json(
                client
                    .create_promotion(&id_after("promotions"), &body)
                    .await?,
            )
        }
        "post_promotion-approve" => json(client.approve_promotion(&promotion_id(), None).await?),
        "post_promotion-complete" => json(client.complete_promotion(&promotion_id()).await?),
        "post_promotion-rollback" => {
            let message = rec
                .request
                .body
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("revert");
            json(client.rollback_promotion(&promotion_id(), message).await?)
        }
        other => panic!("{file}: no client method for {other}"),
    })
}

/// What the client's write guard reads before a write the recording answers: the API an
/// edit or delete reaches (in dev only), the promotion a step acts on (into staging, in the
/// status the step needs, asked by someone else).
fn guard_reads(rec: &Recording) -> Vec<(Env, Recording)> {
    let method = rec.request.method.as_str();
    let path = rec.path().to_string();
    let get = |path: String, body: serde_json::Value| Recording {
        request: RecordedRequest {
            method: "GET".into(),
            path,
            body: serde_json::Value::Null,
        },
        status: 200,
        headers: Default::default(),
        body,
    };
    let id = path.rsplit('/').next().unwrap_or_default().to_string();
    if matches!(method, "PUT" | "DELETE") && rec.segment_after("apis").is_some() {
        let api = serde_json::json!({
            "id": id, "tenant_id": "acme", "name": id, "display_name": id, "version": "1",
            "status": "active", "tags": [], "deployed_dev": true, "deployed_staging": false,
            "runtime_deployments": []
        });
        return vec![(Env::Any, get(path, api))];
    }
    let step = ["approve", "complete", "rollback"]
        .into_iter()
        .find(|s| method == "POST" && path.ends_with(&format!("/{s}")));
    let Some(step) = step else {
        return Vec::new();
    };
    let status = match step {
        "approve" => "pending",
        "complete" => "promoting",
        _ => "promoted",
    };
    let promotion_path = path.trim_end_matches(&format!("/{step}")).to_string();
    let promotion = serde_json::json!({
        "id": promotion_path.rsplit('/').next().unwrap_or_default(), "tenant_id": "acme",
        "api_id": "a", "source_environment": "dev", "target_environment": "staging",
        "status": status, "message": "m", "requested_by": "someone-else"
    });
    vec![(Env::Any, get(promotion_path, promotion))]
}

/// Runs one recording; returns a description of every mismatch.
async fn check(file: &str, expect: &Expect) -> Vec<String> {
    let rec = Recording::load(file);
    let mut routes = vec![(Env::Any, rec.clone())];
    routes.extend(guard_reads(&rec));
    let stub = ReplayStub::routed(routes).await;
    let tenant = rec
        .segment_after("tenants")
        .or_else(|| rec.segment_after("audit"))
        .or_else(|| rec.segment_after("tenant"))
        .unwrap_or_else(|| "acme".to_string());
    let client = crate::support::trusting(
        Client::new(&stub.url, &tenant, Some(Secret::new("fixture-token"))).expect("client"),
    );
    let outcome = call(&client, file, &rec).await;
    let seen = stub.seen();
    let mut problems = Vec::new();
    // The write guard reads what it judges first (an API, a promotion); the write comes last.
    match seen.last() {
        Some(first) if first.path == rec.path() && first.method == rec.request.method => {}
        other => problems.push(format!(
            "sent {other:?}, recording is {} {}",
            rec.request.method,
            rec.path()
        )),
    }
    if seen
        .iter()
        .any(|s| s.authorization.as_deref() != Some("Bearer fixture-token"))
        && file != "get_health_ok.json"
        && !file.starts_with("get_environments-public")
    {
        problems.push("a request went without the bearer token".into());
    }
    let is_write = rec.request.method != "GET";
    let writes = seen.iter().filter(|s| s.method != "GET").count();
    if is_write && writes != 1 {
        problems.push(format!("a write was sent {writes} times"));
    }
    if is_write
        && file.contains("apis")
        && seen.last().and_then(|s| s.query("environment")).is_none()
    {
        problems.push("an API write went without ?environment=".into());
    }
    // The request the recording answers (the guard's reads before a write are GETs).
    let answered = seen.iter().find(|s| s.method == rec.request.method);
    if let Some(first) = answered
        && !first.body.is_empty()
        && serde_json::from_slice::<Value>(&first.body).is_err()
    {
        problems.push("the request body is not JSON".into());
    }
    match (expect, outcome) {
        (Expect::Ok { len, at, sent }, Ok(value)) => {
            if let Some(len) = len {
                let actual = value.as_array().map(Vec::len);
                if actual != Some(*len) {
                    problems.push(format!("expected {len} items, got {actual:?}"));
                }
            }
            for (pointer, json) in at {
                let want: Value = serde_json::from_str(json).expect("expected JSON");
                if value.pointer(pointer) != Some(&want) {
                    problems.push(format!(
                        "{pointer}: expected {want}, got {:?}",
                        value.pointer(pointer)
                    ));
                }
            }
            for (key, want) in sent {
                let got = answered.and_then(|s| s.query(key));
                if got != *want {
                    problems.push(format!("sent {key}={got:?}, expected {want:?}"));
                }
            }
        }
        (
            Expect::Err {
                status,
                exit,
                words,
            },
            Err(error),
        ) => {
            if error.status() != Some(*status) || error.exit_code() != *exit {
                problems.push(format!(
                    "expected status {status} exit {exit}, got {:?} exit {} ({error})",
                    error.status(),
                    error.exit_code()
                ));
            }
            if !error.to_string().contains(words) {
                problems.push(format!(
                    "expected the server's words {words:?}, got {error:?}"
                ));
            }
            if error.to_string().contains("fixture-token") {
                problems.push("the token leaked into an error".into());
            }
        }
        (Expect::Ok { .. }, Err(error)) => {
            problems.push(format!("expected success, got {error:?}"))
        }
        (Expect::Err { .. }, Ok(value)) => problems.push(format!("expected an error, got {value}")),
    }
    problems
}

#[tokio::test]
async fn every_recorded_response_of_the_real_service_is_read_as_expected() {
    let names = recording_names();
    assert!(names.len() >= 90, "fixtures missing: {}", names.len());
    let mut failures = Vec::new();
    for file in &names {
        let Some(expect) = expectation(file) else {
            failures.push(format!("{file}: no expectation in the table"));
            continue;
        };
        for problem in check(file, &expect).await {
            failures.push(format!("{file}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
