//! The promotion lifecycle: create → approve → complete, and rollback.
//! Policy is asked before each step; the state change itself is a conditional UPDATE inside
//! one IMMEDIATE transaction, so two concurrent approvals cannot both succeed.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::Written;
use super::apis::ensure_tenant;
use crate::domain::policy::PromotionFacts;
use crate::domain::promotion::MessageError;
use crate::domain::{Operation, PromotionStatus, validate_chain, validate_message};
use crate::server::auth::{Caller, Granted};
use crate::server::desired;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::{JsonBody, Params, StageRef, resolve_stage};
use crate::server::repo::promotions::{self as repo, NewPromotion, Stored};
use crate::server::repo::{apis, gateways};
use crate::server::spec;
use crate::server::state::AppState;
use crate::wire::GatewayDeployment;
use crate::wire::{ErrorBody, Page, Promotion, PromotionDiff};

/// `POST /v1/tenants/{t}/promotions/{api_id}`. Unlike the real service, both
/// `source_deployment_id` and `target_gateway_ids` may be left out: the server then picks the
/// synced deployment in the source stage and every compatible gateway of the target stage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PromotionRequest {
    #[serde(default)]
    pub source_deployment_id: Option<String>,
    #[serde(default)]
    pub target_gateway_ids: Option<Vec<String>>,
    pub source_environment: String,
    pub target_environment: String,
    pub message: String,
}

pub(super) fn message_error(e: MessageError, input: &str) -> ApiError {
    let kind = match e {
        MessageError::Empty => "string_too_short",
        MessageError::TooLong(_) => "string_too_long",
    };
    ApiError::invalid(
        &["body", "message"],
        kind,
        e.to_string(),
        Some(input.chars().take(80).collect::<String>().into()),
    )
}

pub(super) async fn load(state: &AppState, tenant: &str, id: &str) -> ApiResult<Stored> {
    let (t, i) = (tenant.to_string(), id.to_string());
    state
        .db
        .read(move |c| repo::get(c, &t, &i))
        .await?
        .ok_or_else(|| ApiError::NotFound("Promotion not found".into()))
}

pub(super) fn stage_of<'p>(state: &'p AppState, name: &str) -> ApiResult<StageRef<'p>> {
    // Stored names are canonical; a stage removed from the stages file since is a 409.
    resolve_stage(&state.pipeline, name, &["path", "id"]).map_err(|_| {
        ApiError::Conflict(format!(
            "stage {name} is no longer part of this control plane"
        ))
    })
}

/// A step on a stored promotion, for its audit entry.
pub(super) struct Step<'a> {
    pub tenant: &'a str,
    pub stored: &'a Stored,
    pub action: &'a str,
}

/// Asks the policy for a step on a stored promotion (judged with its facts) landing in
/// `target`; a refusal is audit-logged like any other.
pub(super) async fn authorize_step(
    state: &AppState,
    caller: &Caller,
    op: Operation,
    target: &StageRef<'_>,
    step: Step<'_>,
) -> ApiResult<Granted> {
    let attempt = super::Attempt {
        tenant: step.tenant,
        action: step.action,
        resource_type: "promotion",
        resource_id: &step.stored.promotion.id,
    };
    super::authorize(
        state,
        caller,
        op,
        target,
        Some(facts(step.stored)?),
        attempt,
    )
    .await
}

/// The status a step needs, as stored: the one rule (`Operation::required_status`).
pub(super) fn needed(op: Operation) -> &'static str {
    op.required_status().map_or("", PromotionStatus::as_str)
}

pub(super) fn facts(stored: &Stored) -> ApiResult<PromotionFacts<'_>> {
    let status = PromotionStatus::parse(&stored.promotion.status)
        .ok_or_else(|| ApiError::Internal(format!("stored status {}", stored.promotion.status)))?;
    Ok(PromotionFacts {
        status,
        requested_by: &stored.promotion.requested_by,
    })
}

#[utoipa::path(get, path = "/v1/tenants/{tenant}/promotions", tag = "promotions",
    security(("bearer" = [])),
    params(("tenant" = String, Path), ("api_id" = Option<String>, Query),
        ("status" = Option<String>, Query), ("target_environment" = Option<String>, Query),
        ("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, body = Page<Promotion>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(tenant): Path<String>,
    params: Params,
) -> ApiResult<Json<Page<Promotion>>> {
    let statuses: Vec<&str> = PromotionStatus::ALL.iter().map(|s| s.as_str()).collect();
    let target = match params.get("target_environment") {
        Some(raw) => Some(
            resolve_stage(&state.pipeline, raw, &["query", "target_environment"])?
                .stage
                .name
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let filter = repo::Filter {
        api_id: params.get("api_id").map(str::to_string),
        status: params.one_of("status", &statuses)?,
        target,
    };
    let paging = params.paging(20)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    let page = state
        .db
        .read(move |c| repo::list(c, &tenant, &filter, paging))
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/v1/tenants/{tenant}/promotions/{id}", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Promotion), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, id)): Path<(String, String)>,
) -> ApiResult<Json<Promotion>> {
    ensure_tenant(&state, &caller, &tenant).await?;
    Ok(Json(load(&state, &tenant, &id).await?.promotion))
}

#[utoipa::path(get, path = "/v1/tenants/{tenant}/promotions/{id}/diff", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "Source and target specs as they are now; send reviewed_spec_hash back on approve",
        body = PromotionDiff), (status = 404, body = ErrorBody)))]
pub async fn diff(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, id)): Path<(String, String)>,
) -> ApiResult<Json<PromotionDiff>> {
    ensure_tenant(&state, &caller, &tenant).await?;
    let stored = load(&state, &tenant, &id).await?;
    let p = stored.promotion;
    let (t, api, src, dst) = (
        tenant.clone(),
        p.api_id.clone(),
        p.source_environment.clone(),
        p.target_environment.clone(),
    );
    let source_id = p.source_deployment_id.clone();
    let (source, target, reviewed) = state
        .db
        .read(move |c| {
            let reviewed = match &source_id {
                Some(id) => gateways::deployment(c, id)?,
                None => None,
            };
            Ok((
                gateways::latest_synced(c, &t, &api, &src)?,
                gateways::latest_synced(c, &t, &api, &dst)?,
                reviewed,
            ))
        })
        .await?;
    let spec_of = |d: &Option<GatewayDeployment>| {
        d.as_ref()
            .and_then(|d| d.desired_state.get("openapi_spec").cloned())
    };
    // The source as approve will deploy it: the promotion's source deployment.
    let reviewed_spec_hash = reviewed
        .as_ref()
        .or(source.as_ref())
        .and_then(|d| desired::hash_of(&d.desired_state).map(str::to_string));
    Ok(Json(PromotionDiff {
        promotion_id: p.id,
        diff_summary: Some(spec::diff(
            spec_of(&reviewed.clone().or(source.clone())).as_ref(),
            spec_of(&target).as_ref(),
        )),
        source_spec: source.as_ref().map(snapshot),
        target_spec: target.as_ref().map(snapshot),
        reviewed_spec_hash,
        source_environment: p.source_environment,
        target_environment: p.target_environment,
    }))
}

/// A stage's synced deployment as the real diff describes it, plus the spec itself.
fn snapshot(d: &GatewayDeployment) -> Value {
    serde_json::json!({
        "deployment_id": d.id,
        "gateway_instance_id": d.gateway_instance_id,
        "gateway_name": d.gateway_name,
        "environment": d.gateway_environment,
        "api_catalog_id": d.api_catalog_id,
        "version": d.version(),
        "spec_hash": d.spec_hash(),
        "sync_status": d.sync_status,
        "last_sync_success": d.last_sync_success,
        "spec": d.desired_state.get("openapi_spec"),
    })
}

#[utoipa::path(post, path = "/v1/tenants/{tenant}/promotions/{api_id}", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("api_id" = String, Path)),
    request_body = PromotionRequest,
    responses((status = 201, body = Promotion), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 400, description = "The real service's gateway checks: source not synced, gateway of another tenant, disabled, wrong stage, other family or topology", body = ErrorBody),
        (status = 409, description = "An open promotion exists for the API and target", body = ErrorBody),
        (status = 422, description = "Unknown stage, not the next stage, bad message", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, api_id)): Path<(String, String)>,
    JsonBody(body): JsonBody<PromotionRequest>,
) -> ApiResult<(StatusCode, Json<Promotion>)> {
    let source = resolve_stage(
        &state.pipeline,
        &body.source_environment,
        &["body", "source_environment"],
    )?;
    let target = resolve_stage(
        &state.pipeline,
        &body.target_environment,
        &["body", "target_environment"],
    )?;
    validate_message(&body.message).map_err(|e| message_error(e, &body.message))?;
    if body.target_gateway_ids.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::invalid(
            &["body", "target_gateway_ids"],
            "too_short",
            "List should have at least 1 item after validation, not 0",
            Some(Value::Array(Vec::new())),
        ));
    }
    validate_chain(&state.pipeline, &source.stage.name, &target.stage.name).map_err(|e| {
        ApiError::invalid(
            &["body", "target_environment"],
            "value_error",
            e.to_string(),
            Some(body.target_environment.clone().into()),
        )
    })?;
    ensure_tenant(&state, &caller, &tenant).await?;
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "promotion.created",
        resource_type: "api",
        resource_id: &api_id,
    };
    let granted = super::authorize(
        &state,
        &caller,
        Operation::CreatePromotion,
        &target,
        None,
        attempt,
    )
    .await?;
    let written = Written::new(&caller, &target, granted);
    let (src, dst) = (source.stage.name.to_string(), target.stage.name.to_string());
    let promotion = state
        .db
        .write_with(move |tx| {
            if apis::catalog(tx, &tenant, &api_id)?.is_none() {
                return Err(ApiError::NotFound("API not found".into()));
            }
            let checked = super::promotion_checks::check(
                tx,
                &tenant,
                &api_id,
                &src,
                &dst,
                body.source_deployment_id.as_deref(),
                body.target_gateway_ids.as_deref(),
            )?;
            if let Some((id, status)) = repo::open_for(tx, &tenant, &api_id, &dst)? {
                return Err(ApiError::Conflict(format!(
                    "Active promotion already exists for {api_id} → {dst} (id={id}, status={status})"
                )));
            }
            let targets: Vec<String> = checked.targets.iter().map(|g| g.id.clone()).collect();
            let id = repo::insert(tx, &NewPromotion {
                tenant: &tenant,
                api: &api_id,
                source: &src,
                target: &dst,
                source_deployment_id: Some(&checked.source.id),
                target_gateway_ids: Some(&targets),
                status: "pending",
                message: &body.message,
                requested_by: &written.username,
                rollback_of: None,
                created_at: None,
            })?;
            let mut details = Map::new();
            details.insert("api_id".into(), api_id.clone().into());
            details.insert("source_environment".into(), src.clone().into());
            details.insert("target_environment".into(), dst.clone().into());
            details.insert("source_deployment_id".into(), checked.source.id.clone().into());
            details.insert("target_gateway_ids".into(), targets.iter().map(|t| Value::from(t.clone())).collect());
            details.insert("message".into(), body.message.clone().into());
            written.audit(tx, &tenant, "promotion.created", "promotion", &id, details)?;
            repo::get(tx, &tenant, &id)?
                .map(|s| s.promotion)
                .ok_or_else(|| ApiError::Internal("promotion vanished".into()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(promotion)))
}
