//! The HTTP surface: one router for every endpoint of the contract.

pub mod apis;
pub mod meta;
pub mod promotion_checks;
pub mod promotion_steps;
pub mod promotions;
pub mod resources;
pub mod rollback;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use rusqlite::Connection;
use serde_json::{Map, Value};

use super::auth::{Caller, Granted};
use super::error::{self, ApiError, ApiResult};
use super::extract::{BODY_LIMIT, StageRef};
use super::repo::audit;
use super::state::AppState;
use crate::domain::policy::PromotionFacts;
use crate::domain::{Operation, Pipeline};

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(meta::health))
        .route("/v1/environments", get(meta::environments))
        .route("/v1/environments/public", get(meta::environments_public))
        .route("/v1/me", get(meta::me))
        .route(
            "/v1/tenants",
            get(meta::list_tenants).post(meta::create_tenant),
        )
        .route(
            "/v1/tenants/{tenant}/apis",
            get(apis::list).post(apis::create),
        )
        .route(
            "/v1/tenants/{tenant}/apis/{api_id}",
            get(apis::get).put(apis::update).delete(apis::delete),
        )
        .route(
            "/v1/tenants/{tenant}/deployments",
            get(resources::deployments),
        )
        .route("/v1/admin/gateways", get(resources::gateways))
        .route("/v1/admin/deployments", get(resources::gateway_deployments))
        .route(
            "/v1/subscriptions/tenant/{tenant}",
            get(resources::subscriptions),
        )
        .route("/v1/audit/{tenant}", get(resources::audit))
        .route("/v1/tenants/{tenant}/promotions", get(promotions::list))
        .route(
            "/v1/tenants/{tenant}/promotions/{id}",
            get(promotions::get).post(promotions::create),
        )
        .route(
            "/v1/tenants/{tenant}/promotions/{id}/diff",
            get(promotions::diff),
        )
        .route(
            "/v1/tenants/{tenant}/promotions/{id}/approve",
            post(promotion_steps::approve),
        )
        .route(
            "/v1/tenants/{tenant}/promotions/{id}/complete",
            post(promotion_steps::complete),
        )
        .route(
            "/v1/tenants/{tenant}/promotions/{id}/rollback",
            post(rollback::rollback),
        )
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    api.with_state(state.clone()).merge(state.identity.router())
}

/// Stage names in pipeline order.
pub fn stage_order(pipeline: &Pipeline) -> Vec<&str> {
    pipeline.stages().iter().map(|s| s.name.as_str()).collect()
}

/// Who wrote, where, and whether through the override: everything an audit entry needs,
/// owned so that it can move into a database closure.
pub struct Written {
    pub username: String,
    pub user_id: String,
    pub email: Option<String>,
    pub stage: String,
    pub via_override: bool,
    pub override_reason: Option<String>,
}

impl Written {
    pub fn new(caller: &Caller, stage: &StageRef<'_>, granted: Granted) -> Written {
        Written {
            username: caller.username().to_string(),
            user_id: caller.principal.sub.clone(),
            email: caller.principal.email.clone(),
            stage: stage.stage.name.as_str().to_string(),
            via_override: granted.via_override,
            override_reason: caller.override_reason.clone(),
        }
    }

    pub fn audit(
        &self,
        conn: &Connection,
        tenant: &str,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        mut details: Map<String, Value>,
    ) -> rusqlite::Result<()> {
        details.insert("environment".into(), Value::from(self.stage.clone()));
        details.insert("user".into(), Value::from(self.username.clone()));
        if self.via_override {
            details.insert("override".into(), Value::Bool(true));
            if let Some(reason) = &self.override_reason {
                details.insert("override_reason".into(), Value::from(reason.clone()));
            }
        }
        audit::record(
            conn,
            audit::Record {
                tenant,
                user_id: &self.user_id,
                user_email: self.email.as_deref().or(Some(&self.username)),
                action,
                resource_type,
                resource_id,
                success: true,
                details,
            },
        )
    }
}

/// What a write attempts, for the audit entry of a refusal.
pub struct Attempt<'a> {
    pub tenant: &'a str,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
}

/// Asks the policy; a refusal (403) is itself audit-logged with status `failure` and the
/// reason, so that the Audit view shows attempted writes too.
pub async fn authorize(
    state: &AppState,
    caller: &Caller,
    op: Operation,
    stage: &StageRef<'_>,
    facts: Option<PromotionFacts<'_>>,
    attempt: Attempt<'_>,
) -> ApiResult<Granted> {
    let decided = caller.authorize(&state.pipeline, op, stage, facts);
    let granted = audit_refusal(state, caller, stage, decided, attempt).await?;
    caller.require_override_reason(granted, &stage.spelled)?;
    Ok(granted)
}

/// [`authorize`] for edits and deletes of the shared catalog entry, judged in every stage
/// the API runs in.
pub async fn authorize_catalog(
    state: &AppState,
    caller: &Caller,
    op: Operation,
    stage: &StageRef<'_>,
    present_in: &[&crate::domain::Stage],
    attempt: Attempt<'_>,
) -> ApiResult<Granted> {
    let decided =
        caller.authorize_catalog(&state.pipeline, op, stage, attempt.resource_id, present_in);
    let granted = audit_refusal(state, caller, stage, decided, attempt).await?;
    caller.require_override_reason(granted, &stage.spelled)?;
    Ok(granted)
}

async fn audit_refusal(
    state: &AppState,
    caller: &Caller,
    stage: &StageRef<'_>,
    decided: ApiResult<Granted>,
    attempt: Attempt<'_>,
) -> ApiResult<Granted> {
    let refusal = match decided {
        Ok(granted) => return Ok(granted),
        Err(e @ ApiError::Forbidden(_)) => e,
        Err(other) => return Err(other),
    };
    let mut details = Map::new();
    details.insert("environment".into(), Value::from(stage.stage.name.as_str()));
    details.insert("user".into(), Value::from(caller.username()));
    details.insert("reason".into(), Value::from(refusal.to_string()));
    let (tenant, action, resource_type, resource_id) = (
        attempt.tenant.to_string(),
        attempt.action.to_string(),
        attempt.resource_type.to_string(),
        attempt.resource_id.to_string(),
    );
    let (user_id, email) = (
        caller.principal.sub.clone(),
        caller
            .principal
            .email
            .clone()
            .unwrap_or_else(|| caller.username().to_string()),
    );
    let logged = state
        .db
        .write(move |tx| {
            audit::record(
                tx,
                audit::Record {
                    tenant: &tenant,
                    user_id: &user_id,
                    user_email: Some(&email),
                    action: &action,
                    resource_type: &resource_type,
                    resource_id: &resource_id,
                    success: false,
                    details,
                },
            )
        })
        .await;
    if let Err(e) = logged {
        tracing::warn!(error = %e, "could not audit-log a refused write");
    }
    Err(refusal)
}
