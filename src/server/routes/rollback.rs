//! Rollback: a reverse promotion putting back what the changed gateways held before a
//! promotion. Into a full stage it starts promoting at once; into a read-only or promote-only
//! stage it waits, pending, for someone other than the requester to approve it (a cpi-admin
//! stating an emergency override reason excepted), so nobody changes such a stage alone.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rusqlite::Connection;
use serde_json::{Map, Value};

use super::Written;
use super::apis::ensure_tenant;
use super::promotions::{Step, authorize_step, load, message_error, needed, stage_of};
use crate::domain::policy::needs_four_eyes;
use crate::domain::{Mode, Operation, Stage, validate_message};
use crate::server::auth::{Caller, Granted};
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::{JsonBody, Params};
use crate::server::repo::promotions::{self as repo, NewPromotion, Stored};
use crate::server::repo::sync;
use crate::server::repo::{apis, gateways};
use crate::server::state::AppState;
use crate::wire::{ErrorBody, Promotion, RollbackRequest};

/// The stage whose gateways a promotion changed (and its undo changes again): where its
/// target gateways live. A reverse promotion keeps the real service's swapped stage names,
/// so its `target_environment` is not that stage.
async fn changed_stage(state: &AppState, stored: &Stored) -> ApiResult<String> {
    let fallback = stored.promotion.target_environment.clone();
    let first = stored
        .promotion
        .target_gateway_ids
        .as_ref()
        .and_then(|ids| ids.first().cloned());
    let Some(first) = first else {
        return Ok(fallback);
    };
    let env = state
        .db
        .read(move |c| Ok(gateways::gateway(c, &first)?.map(|g| g.environment)))
        .await?;
    Ok(env.unwrap_or(fallback))
}

/// Stages no one may change alone: not full, or production.
fn guarded(stage: &Stage) -> bool {
    stage.mode != Mode::Full || needs_four_eyes(stage)
}

#[utoipa::path(post, path = "/v1/tenants/{tenant}/promotions/{id}/rollback", tag = "promotions",
    security(("bearer" = [])), params(("tenant" = String, Path), ("id" = String, Path)),
    request_body = RollbackRequest,
    responses((status = 201, description = "A new reverse promotion (source and target swapped, as the real one). Unlike the real one it targets the gateways the original changed and puts back exactly what they held before it; the gateway agent completes it. Into a full stage it is already promoting; into a read-only or promote-only stage it is pending until someone else approves it (a cpi-admin sending X-Envdeck-Override-Reason excepted). The original becomes rolled_back.",
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
    let changed = changed_stage(&state, &stored).await?;
    let target = stage_of(&state, &changed)?;
    let step = Step {
        tenant: &tenant,
        stored: &stored,
        action: "promotion.rolled_back",
    };
    let granted =
        authorize_step(&state, &caller, Operation::RollbackPromotion, &target, step).await?;
    let guarded = guarded(target.stage);
    let emergency = guarded && caller.is_cpi_admin() && caller.override_reason.is_some();
    if emergency {
        // Same bound on the reason as any other override.
        caller.require_override_reason(Granted { via_override: true }, &target.spelled)?;
    }
    let wait = guarded && !emergency;
    let mut written = Written::new(&caller, &target, granted);
    // Skipping the second person is the override: audit-logged with its reason.
    written.via_override |= emergency;
    let p = stored.promotion;
    let reverse = state
        .db
        .write_with(move |tx| {
            let Some(before) = repo::get(tx, &tenant, &p.id)?.and_then(|s| s.previous_target)
            else {
                return Err(ApiError::Conflict(format!(
                    "Nothing records what {} held before promotion {}; it cannot be rolled back",
                    p.target_environment, p.id
                )));
            };
            let from = needed(Operation::RollbackPromotion);
            if !repo::transition(tx, &p.id, from, "rolled_back", None)? {
                let status = repo::get(tx, &tenant, &p.id)?
                    .map(|s| s.promotion.status)
                    .unwrap_or_default();
                return Err(ApiError::Conflict(format!(
                    "Can only rollback promoted promotions (current: {status})"
                )));
            }
            let gateway_ids: Vec<String> = Restore::parse(&before).ids();
            let reverse = repo::insert(
                tx,
                &NewPromotion {
                    tenant: &tenant,
                    api: &p.api_id,
                    source: &p.target_environment,
                    target: &p.source_environment,
                    source_deployment_id: p.target_deployment_id.as_deref(),
                    target_gateway_ids: Some(&gateway_ids),
                    status: if wait { "pending" } else { "promoting" },
                    message: &body.message,
                    requested_by: &written.username,
                    rollback_of: Some(&p.id),
                    created_at: None,
                },
            )?;
            if wait {
                // The restore waits on the reverse itself until it is approved.
                repo::set_previous_target(tx, &reverse, &before)?;
            } else {
                start(
                    tx,
                    &tenant,
                    &p.api_id,
                    &p.id,
                    &reverse,
                    &before,
                    &written.username,
                )?;
            }
            let mut details = Map::new();
            details.insert("api_id".into(), p.api_id.clone().into());
            details.insert("message".into(), body.message.clone().into());
            details.insert("rollback_promotion_id".into(), reverse.clone().into());
            details.insert("awaiting_approval".into(), wait.into());
            details.insert(
                "original_source".into(),
                p.source_environment.clone().into(),
            );
            details.insert(
                "original_target".into(),
                p.target_environment.clone().into(),
            );
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

/// Approves a pending reverse promotion: four-eyes whatever the stage (that is why it
/// waits), then the restore it holds is deployed as an immediate rollback's would be.
/// No reviewed spec hash: what it deploys was fixed when the rollback was asked for.
pub(super) async fn approve_reverse(
    state: AppState,
    caller: Caller,
    tenant: String,
    stored: Stored,
) -> ApiResult<Promotion> {
    let changed = changed_stage(&state, &stored).await?;
    let target = stage_of(&state, &changed)?;
    let step = Step {
        tenant: &tenant,
        stored: &stored,
        action: "promotion.approved",
    };
    let granted =
        authorize_step(&state, &caller, Operation::ApprovePromotion, &target, step).await?;
    if stored
        .promotion
        .requested_by
        .eq_ignore_ascii_case(caller.username())
    {
        return Err(ApiError::Forbidden(format!(
            "Cannot approve your own rollback of {} (4-eyes principle). A different team member must approve it.",
            target.stage.name
        )));
    }
    let written = Written::new(&caller, &target, granted);
    let (p, original) = (stored.promotion, stored.rollback_of.unwrap_or_default());
    state
        .db
        .write_with(move |tx| {
            let from = needed(Operation::ApprovePromotion);
            if !repo::transition(tx, &p.id, from, "promoting", Some(&written.username))? {
                let status = repo::get(tx, &tenant, &p.id)?
                    .map(|s| s.promotion.status)
                    .unwrap_or_default();
                return Err(ApiError::Conflict(format!(
                    "Cannot approve promotion in status '{status}' (expected '{from}')"
                )));
            }
            // Read after the transition: only the winner of a race deploys it.
            let Some(before) = repo::get(tx, &tenant, &p.id)?.and_then(|s| s.previous_target)
            else {
                return Err(ApiError::Conflict(
                    "Nothing records what this rollback restores".into(),
                ));
            };
            start(
                tx,
                &tenant,
                &p.api_id,
                &original,
                &p.id,
                &before,
                &written.username,
            )?;
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
            details.insert("rollback_of".into(), original.clone().into());
            written.audit(
                tx,
                &tenant,
                "promotion.approved",
                "promotion",
                &p.id,
                details,
            )?;
            reload(tx, &tenant, &p.id)
        })
        .await
}

fn reload(tx: &Connection, tenant: &str, id: &str) -> ApiResult<Promotion> {
    repo::get(tx, tenant, id)?
        .map(|s| s.promotion)
        .ok_or_else(|| ApiError::Internal("promotion vanished".into()))
}

/// Deploys a reverse promotion: records what its gateways hold now (so that it can itself
/// be rolled back), then puts back `before`.
fn start(
    tx: &Connection,
    tenant: &str,
    api: &str,
    original: &str,
    reverse: &str,
    before: &Value,
    username: &str,
) -> ApiResult<()> {
    let restore = Restore::parse(before);
    let now_held = gateways::snapshot(tx, tenant, api, &restore.ids())?;
    repo::set_previous_target(tx, reverse, &now_held)?;
    put_back(tx, tenant, api, original, reverse, &restore, username)?;
    // Nothing to change (the gateways already hold it): done at once.
    sync::check_promotion_completion(tx, reverse)?;
    Ok(())
}

/// What each gateway held before a promotion: (gateway id, desired state or nothing).
struct Restore(Vec<(String, Option<Value>)>);

impl Restore {
    fn parse(before: &Value) -> Restore {
        Restore(
            before
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| {
                    let gateway = e.get("gateway_id")?.as_str()?.to_string();
                    let held = e.get("desired_state").filter(|v| v.is_object()).cloned();
                    Some((gateway, held))
                })
                .collect(),
        )
    }

    fn ids(&self) -> Vec<String> {
        self.0.iter().map(|r| r.0.clone()).collect()
    }
}

/// Puts each gateway back as it was, linked to the reverse promotion: the old desired state
/// where there was one, a deletion where the API was new. Only these gateways change.
fn put_back(
    tx: &Connection,
    tenant: &str,
    api: &str,
    original: &str,
    reverse: &str,
    restore: &Restore,
    username: &str,
) -> ApiResult<()> {
    for (gateway_id, held) in &restore.0 {
        let current = gateways::on_gateway(tx, tenant, api, gateway_id)?;
        match held {
            Some(desired) => {
                let Some(gateway) = gateways::gateway(tx, gateway_id)? else {
                    continue;
                };
                apis::deploy(
                    tx,
                    &apis::Deploy {
                        tenant,
                        api,
                        stage: &gateway.environment.clone(),
                        gateways: std::slice::from_ref(&gateway),
                        desired,
                        deployed_by: username,
                        promotion_id: Some(reverse),
                        rollback_of: Some(original),
                    },
                )?;
            }
            None => {
                if let Some(d) = current {
                    gateways::mark_deleting(tx, &d.id, Some(reverse))?;
                }
            }
        }
    }
    Ok(())
}
