//! The promotion steps after creation: approve (four-eyes, reviewed spec hash; the source's
//! desired state goes to the target gateways, pending) and complete (the manual path);
//! rollback is in `rollback`. The gateway agent
//! (`server::agent`) completes or fails promotions as gateways acknowledge. Each state change
//! is a conditional UPDATE inside one IMMEDIATE transaction, so concurrent steps cannot both win.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde_json::Map;

use super::Written;
use super::apis::ensure_tenant;
use super::promotions::{Step, authorize_step, load, needed, stage_of};
use crate::domain::Operation;
use crate::server::agent::GatewayMode;
use crate::server::auth::Caller;
use crate::server::desired;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::parse_json;
use crate::server::repo::promotions as repo;
use crate::server::repo::sync::{self, Ack};
use crate::server::repo::{apis, gateways};
use crate::server::state::AppState;
use crate::wire::{ApproveRequest, ErrorBody, Gateway, Promotion};

#[utoipa::path(post, path = "/v1/tenants/{tenant}/promotions/{id}/approve", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("id" = String, Path)),
    request_body(content = Option<ApproveRequest>, description = "Optional: the spec hash the approver reviewed"),
    responses((status = 200, description = "promoting: the source's desired state is pending on each target gateway, linked to the promotion", body = Promotion),
        (status = 403, description = "Four-eyes, permission", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not pending, or the source spec changed since it was reviewed", body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<Promotion>> {
    let request: ApproveRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ApproveRequest::default()
    } else {
        parse_json(&body)?
    };
    ensure_tenant(&state, &caller, &tenant).await?;
    let stored = load(&state, &tenant, &id).await?;
    if stored.rollback_of.is_some() {
        // A reverse promotion waiting for a second person: it deploys its restore.
        return super::rollback::approve_reverse(state, caller, tenant, stored)
            .await
            .map(Json);
    }
    let target = stage_of(&state, &stored.promotion.target_environment)?;
    let step = Step {
        tenant: &tenant,
        stored: &stored,
        action: "promotion.approved",
    };
    let granted =
        authorize_step(&state, &caller, Operation::ApprovePromotion, &target, step).await?;
    // The embedded control plane ties every approval to the diff that was reviewed (the
    // real one ignores the field; envdeck's client always sends it). Checked after the
    // policy, so a caller who may not approve hears that first.
    let Some(reviewed) = request
        .reviewed_spec_hash
        .clone()
        .filter(|h| !h.trim().is_empty())
    else {
        return Err(ApiError::invalid(
            &["body", "reviewed_spec_hash"],
            "missing",
            format!(
                "Field required: send the reviewed_spec_hash of GET /v1/tenants/{tenant}/promotions/{id}/diff, so that the approval is tied to the spec that was reviewed"
            ),
            None,
        ));
    };
    let written = Written::new(&caller, &target, granted);
    let p = stored.promotion;
    state
        .db
        .write_with(move |tx| {
            let source = match &p.source_deployment_id {
                Some(id) => gateways::deployment(tx, id)?,
                None => None,
            };
            let Some(source) = source else {
                return Err(ApiError::Conflict(
                    "The source gateway deployment of this promotion no longer exists; create a new promotion".to_string(),
                ));
            };
            let now = desired::hash_of(&source.desired_state);
            if now != Some(reviewed.as_str()) {
                return Err(ApiError::Conflict(format!(
                    "The source spec changed since it was reviewed (reviewed {}, now {}); review the diff again",
                    short(&reviewed), now.map(short).unwrap_or("none")
                )));
            }
            let from = needed(Operation::ApprovePromotion);
            if !repo::transition(tx, &p.id, from, "promoting", Some(&written.username))? {
                let status = repo::get(tx, &tenant, &p.id)?.map(|s| s.promotion.status).unwrap_or_default();
                return Err(ApiError::Conflict(format!(
                    "Cannot approve promotion in status '{status}' (expected '{from}')"
                )));
            }
            let ids = p.target_gateway_ids.clone().unwrap_or_default();
            if ids.is_empty() {
                return Err(ApiError::BadRequest(
                    "Cannot approve promotion without explicit target gateways. Create a new gateway-aware promotion.".into(),
                ));
            }
            let targets = target_gateways(tx, &ids)?;
            let previous = gateways::snapshot(tx, &tenant, &p.api_id, &ids)?;
            repo::set_previous_target(tx, &p.id, &previous)?;
            apis::deploy(tx, &apis::Deploy {
                tenant: &tenant,
                api: &p.api_id,
                stage: &p.target_environment,
                gateways: &targets,
                desired: &source.desired_state,
                deployed_by: &written.username,
                promotion_id: Some(&p.id),
                rollback_of: None,
            })?;
            let mut details = Map::new();
            details.insert("api_id".into(), p.api_id.clone().into());
            details.insert("source_environment".into(), p.source_environment.clone().into());
            details.insert("target_environment".into(), p.target_environment.clone().into());
            details.insert("reviewed_spec_hash".into(), reviewed.clone().into());
            written.audit(tx, &tenant, "promotion.approved", "promotion", &p.id, details)?;
            reload(tx, &tenant, &p.id)
        })
        .await
        .map(Json)
}

fn target_gateways(tx: &rusqlite::Connection, ids: &[String]) -> ApiResult<Vec<Gateway>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(
            gateways::gateway(tx, id)?.ok_or_else(|| {
                ApiError::Conflict(format!("Target gateway {id} no longer exists"))
            })?,
        );
    }
    Ok(out)
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn reload(tx: &rusqlite::Connection, tenant: &str, id: &str) -> ApiResult<Promotion> {
    repo::get(tx, tenant, id)?
        .map(|s| s.promotion)
        .ok_or_else(|| ApiError::Internal("promotion vanished".into()))
}

fn not_promoting(status: &str) -> ApiError {
    let expected = needed(Operation::CompletePromotion);
    ApiError::BadRequest(format!(
        "Cannot complete promotion in status '{status}' (expected '{expected}')"
    ))
}

#[utoipa::path(post, path = "/v1/tenants/{tenant}/promotions/{id}/complete", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "promoted. With `--gateways manual` this is the manual path: it acknowledges the linked gateway deployments first",
        body = Promotion),
        (status = 400, description = "Not promoting, or linked gateway deployments not synced yet", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, id)): Path<(String, String)>,
) -> ApiResult<Json<Promotion>> {
    ensure_tenant(&state, &caller, &tenant).await?;
    let stored = load(&state, &tenant, &id).await?;
    if stored.promotion.status != needed(Operation::CompletePromotion) {
        return Err(not_promoting(&stored.promotion.status));
    }
    let target = stage_of(&state, &stored.promotion.target_environment)?;
    let step = Step {
        tenant: &tenant,
        stored: &stored,
        action: "promotion.completed",
    };
    let granted =
        authorize_step(&state, &caller, Operation::CompletePromotion, &target, step).await?;
    let written = Written::new(&caller, &target, granted);
    let manual = state.gateways == GatewayMode::Manual;
    state
        .db
        .write_with(move |tx| {
            let current = repo::get(tx, &tenant, &id)?
                .ok_or_else(|| ApiError::NotFound("Promotion not found".into()))?;
            if current.promotion.status != needed(Operation::CompletePromotion) {
                return Err(not_promoting(&current.promotion.status));
            }
            if manual {
                // No agent answers: completing by hand acknowledges what waits.
                for d in gateways::linked(tx, &id)? {
                    sync::acknowledge(tx, &d.id, &Ack::Synced)?;
                }
            }
            let linked = gateways::linked(tx, &id)?;
            if linked.is_empty() && current.previous_target.is_none() {
                return Err(ApiError::BadRequest(
                    "Cannot complete promotion without linked gateway deployments".into(),
                ));
            }
            if linked.iter().any(|d| d.sync_status != "synced") {
                return Err(ApiError::BadRequest(
                    "Cannot complete promotion until all linked gateway deployments are synced"
                        .into(),
                ));
            }
            if !repo::complete(tx, &id, linked.first().map(|d| d.id.as_str()))? {
                return Err(not_promoting("unknown"));
            }
            let p = &current.promotion;
            let mut details = Map::new();
            details.insert("api_id".into(), p.api_id.clone().into());
            details.insert(
                "source_environment".into(),
                p.source_environment.clone().into(),
            );
            details.insert(
                "target_environment".into(),
                p.target_environment.clone().into(),
            );
            written.audit(
                tx,
                &tenant,
                "promotion.completed",
                "promotion",
                &id,
                details,
            )?;
            reload(tx, &tenant, &id)
        })
        .await
        .map(Json)
}
