//! The promotion steps after creation: approve (four-eyes, reviewed spec hash), complete
//! (the target stage really changes), rollback (a reverse promotion). Each state change is a
//! conditional UPDATE inside one IMMEDIATE transaction, so concurrent steps cannot both win.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::Written;
use super::apis::ensure_tenant;
use super::promotions::{facts, load, message_error, stage_of};
use crate::domain::{Operation, validate_message};
use crate::server::auth::Caller;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::{JsonBody, Params, parse_json};
use crate::server::repo::apis::{self, SpecRow};
use crate::server::repo::promotions::{self as repo, NewPromotion, Stored};
use crate::server::state::AppState;
use crate::wire::{ApproveRequest, ErrorBody, Promotion, RollbackRequest};

#[utoipa::path(post, path = "/v1/tenants/{tenant}/promotions/{id}/approve", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("id" = String, Path)),
    request_body(content = Option<ApproveRequest>, description = "Optional: the spec hash the approver reviewed"),
    responses((status = 200, body = Promotion),
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
    let target = stage_of(&state, &stored.promotion.target_environment)?;
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "promotion.approved",
        resource_type: "promotion",
        resource_id: &id,
    };
    let granted = super::authorize(
        &state,
        &caller,
        Operation::ApprovePromotion,
        &target,
        Some(facts(&stored)?),
        attempt,
    )
    .await?;
    let written = Written::new(&caller, &target, granted);
    let p = stored.promotion;
    state
        .db
        .write_with(move |tx| {
            if let Some(reviewed) = &request.reviewed_spec_hash {
                let now = apis::spec(tx, &tenant, &p.api_id, &p.source_environment)?.map(|s| s.spec_hash);
                if now.as_deref() != Some(reviewed.as_str()) {
                    return Err(ApiError::Conflict(format!(
                        "The source spec changed since it was reviewed (reviewed {}, now {}); review the diff again",
                        short(reviewed), now.as_deref().map(short).unwrap_or("none")
                    )));
                }
            }
            if !repo::transition(tx, &p.id, "pending", "promoting", Some(&written.username))? {
                let status = repo::get(tx, &tenant, &p.id)?.map(|s| s.promotion.status).unwrap_or_default();
                return Err(ApiError::Conflict(format!(
                    "Cannot approve promotion in status '{status}' (expected 'pending')"
                )));
            }
            let mut details = Map::new();
            details.insert("api_id".into(), p.api_id.clone().into());
            if let Some(h) = &request.reviewed_spec_hash {
                details.insert("reviewed_spec_hash".into(), h.clone().into());
            }
            written.audit(tx, &tenant, "promotion.approved", "promotion", &p.id, details)?;
            reload(tx, &tenant, &p.id)
        })
        .await
        .map(Json)
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

fn reload(tx: &rusqlite::Connection, tenant: &str, id: &str) -> ApiResult<Promotion> {
    repo::get(tx, tenant, id)?
        .map(|s| s.promotion)
        .ok_or_else(|| ApiError::Internal("promotion vanished".into()))
}

#[utoipa::path(post, path = "/v1/tenants/{tenant}/promotions/{id}/complete", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("id" = String, Path)),
    responses((status = 200, description = "promoted: the target stage now runs the source spec (failed when the source spec is gone)",
        body = Promotion), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, id)): Path<(String, String)>,
) -> ApiResult<Json<Promotion>> {
    ensure_tenant(&state, &caller, &tenant).await?;
    let stored = load(&state, &tenant, &id).await?;
    let target = stage_of(&state, &stored.promotion.target_environment)?;
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "promotion.completed",
        resource_type: "promotion",
        resource_id: &id,
    };
    let granted = super::authorize(
        &state,
        &caller,
        Operation::CompletePromotion,
        &target,
        Some(facts(&stored)?),
        attempt,
    )
    .await?;
    let written = Written::new(&caller, &target, granted);
    state
        .db
        .write_with(move |tx| {
            let current = repo::get(tx, &tenant, &id)?
                .ok_or_else(|| ApiError::NotFound("Promotion not found".into()))?;
            if current.promotion.status != "promoting" {
                return Err(ApiError::Conflict(format!(
                    "Cannot complete promotion in status '{}' (expected 'promoting')",
                    current.promotion.status
                )));
            }
            let outcome = match &current.rollback_of {
                Some(original) => undo(tx, &tenant, original, &written)?,
                None => land(tx, &tenant, &current, &written)?,
            };
            let mut details = Map::new();
            details.insert("api_id".into(), current.promotion.api_id.clone().into());
            if let Some(err) = &outcome.error {
                details.insert("error".into(), err.clone().into());
            }
            let action = if outcome.error.is_some() {
                "promotion.failed"
            } else {
                "promotion.completed"
            };
            written.audit(tx, &tenant, action, "promotion", &id, details)?;
            repo::finish(
                tx,
                &id,
                if outcome.error.is_some() {
                    "failed"
                } else {
                    "promoted"
                },
                outcome.target_deployment.as_deref(),
                &outcome.previous,
            )?;
            reload(tx, &tenant, &id)
        })
        .await
        .map(Json)
}

struct Outcome {
    target_deployment: Option<String>,
    previous: Value,
    error: Option<String>,
}

/// Copies the source stage's spec into the target stage and syncs the target gateways.
fn land(
    tx: &rusqlite::Connection,
    tenant: &str,
    s: &Stored,
    written: &Written,
) -> ApiResult<Outcome> {
    let p = &s.promotion;
    let previous = apis::spec(tx, tenant, &p.api_id, &p.target_environment)?;
    let previous_json = previous
        .as_ref()
        .map(SpecRow::to_json)
        .unwrap_or(Value::Null);
    let Some(source) = apis::spec(tx, tenant, &p.api_id, &p.source_environment)? else {
        return Ok(Outcome {
            target_deployment: None,
            previous: previous_json,
            error: Some(format!(
                "{} is no longer in {}",
                p.api_id, p.source_environment
            )),
        });
    };
    apis::put_spec(tx, tenant, &p.api_id, &p.target_environment, &source)?;
    let gateways = match &p.target_gateway_ids {
        Some(ids) if !ids.is_empty() => ids.clone(),
        _ => apis::stage_gateways(tx, tenant, &p.target_environment)?,
    };
    let (_, ids) = apis::deploy(
        tx,
        &apis::Deploy {
            tenant,
            api: &p.api_id,
            stage: &p.target_environment,
            gateways: &gateways,
            spec: &source,
            deployed_by: &written.username,
            rollback_of: None,
        },
    )?;
    Ok(Outcome {
        target_deployment: ids.into_iter().next(),
        previous: previous_json,
        error: None,
    })
}

/// Completing a rollback: the original promotion's target gets back what it had before.
fn undo(
    tx: &rusqlite::Connection,
    tenant: &str,
    original: &str,
    written: &Written,
) -> ApiResult<Outcome> {
    let orig = repo::get(tx, tenant, original)?
        .ok_or_else(|| ApiError::Internal(format!("rolled-back promotion {original} vanished")))?;
    let p = &orig.promotion;
    let stage = &p.target_environment;
    let current = apis::spec(tx, tenant, &p.api_id, stage)?;
    let current_json = current
        .as_ref()
        .map(SpecRow::to_json)
        .unwrap_or(Value::Null);
    match orig.previous_target.as_ref().and_then(SpecRow::from_json) {
        Some(previous) => {
            apis::put_spec(tx, tenant, &p.api_id, stage, &previous)?;
            let gateways = apis::deployed_gateways(tx, tenant, &p.api_id, stage)?;
            let (_, ids) = apis::deploy(
                tx,
                &apis::Deploy {
                    tenant,
                    api: &p.api_id,
                    stage,
                    gateways: &gateways,
                    spec: &previous,
                    deployed_by: &written.username,
                    rollback_of: p.target_deployment_id.as_deref(),
                },
            )?;
            Ok(Outcome {
                target_deployment: ids.into_iter().next(),
                previous: current_json,
                error: None,
            })
        }
        None => {
            // The API was new in that stage: rolling back takes it out again.
            apis::remove_from_stage(tx, tenant, &p.api_id, stage)?;
            Ok(Outcome {
                target_deployment: None,
                previous: current_json,
                error: None,
            })
        }
    }
}

#[utoipa::path(post, path = "/v1/tenants/{tenant}/promotions/{id}/rollback", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("id" = String, Path)),
    request_body = RollbackRequest,
    responses((status = 201, description = "A new reverse promotion, already promoting; complete it to restore the target's previous spec. The original becomes rolled_back.",
        body = Promotion), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rollback(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, id)): Path<(String, String)>,
    _params: Params,
    JsonBody(body): JsonBody<RollbackRequest>,
) -> ApiResult<(StatusCode, Json<Promotion>)> {
    validate_message(&body.message).map_err(|e| message_error(e, &body.message))?;
    ensure_tenant(&state, &caller, &tenant).await?;
    let stored = load(&state, &tenant, &id).await?;
    let target = stage_of(&state, &stored.promotion.target_environment)?;
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "promotion.rolled_back",
        resource_type: "promotion",
        resource_id: &id,
    };
    let granted = super::authorize(
        &state,
        &caller,
        Operation::RollbackPromotion,
        &target,
        Some(facts(&stored)?),
        attempt,
    )
    .await?;
    let written = Written::new(&caller, &target, granted);
    let p = stored.promotion;
    let reverse = state
        .db
        .write_with(move |tx| {
            if !repo::transition(tx, &p.id, "promoted", "rolled_back", None)? {
                let status = repo::get(tx, &tenant, &p.id)?
                    .map(|s| s.promotion.status)
                    .unwrap_or_default();
                return Err(ApiError::Conflict(format!(
                    "Cannot roll back promotion in status '{status}' (expected 'promoted')"
                )));
            }
            let reverse = repo::insert(
                tx,
                &NewPromotion {
                    tenant: &tenant,
                    api: &p.api_id,
                    source: &p.target_environment,
                    target: &p.source_environment,
                    source_deployment_id: p.target_deployment_id.as_deref(),
                    target_gateway_ids: None,
                    status: "promoting",
                    message: &body.message,
                    requested_by: &written.username,
                    rollback_of: Some(&p.id),
                    created_at: None,
                },
            )?;
            let mut details = Map::new();
            details.insert("api_id".into(), p.api_id.clone().into());
            details.insert("message".into(), body.message.clone().into());
            details.insert("reverse_promotion_id".into(), reverse.clone().into());
            written.audit(
                tx,
                &tenant,
                "promotion.rolled_back",
                "promotion",
                &p.id,
                details,
            )?;
            reload(tx, &tenant, &reverse)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(reverse)))
}
