//! Read-only lists: deployment history, gateways, gateway deployments, subscriptions, audit.

use axum::Json;
use axum::extract::{Path, State};

use super::apis::ensure_tenant;
use crate::domain::role;
use crate::server::auth::Caller;
use crate::server::error::ApiResult;
use crate::server::extract::Params;
use crate::server::repo::{audit, resources};
use crate::server::state::AppState;
use crate::wire::{
    AuditPage, Deployment, ErrorBody, Gateway, GatewayDeployment, Page, Subscription,
};

const DEPLOYMENT_STATUSES: &[&str] =
    &["pending", "in_progress", "success", "failed", "rolled_back"];
const SYNC_STATUSES: &[&str] = &[
    "pending", "syncing", "synced", "drifted", "error", "deleting",
];
const SUBSCRIPTION_STATUSES: &[&str] = &[
    "pending",
    "active",
    "suspended",
    "revoked",
    "expired",
    "rejected",
];

fn stage_param(state: &AppState, params: &Params) -> ApiResult<Option<String>> {
    Ok(params
        .stage(&state.pipeline)?
        .map(|s| s.stage.name.as_str().to_string()))
}

#[utoipa::path(get, path = "/v1/tenants/{tenant}/deployments", tag = "deployments",
    security(("bearer" = [])),
    params(("tenant" = String, Path), ("environment" = Option<String>, Query),
        ("api_id" = Option<String>, Query), ("status" = Option<String>, Query),
        ("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query, description = "default 50, max 100")),
    responses((status = 200, body = Page<Deployment>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn deployments(
    State(state): State<AppState>,
    caller: Caller,
    Path(tenant): Path<String>,
    params: Params,
) -> ApiResult<Json<Page<Deployment>>> {
    let filter = resources::DeploymentFilter {
        stage: stage_param(&state, &params)?,
        api_id: params.get("api_id").map(str::to_string),
        status: params.one_of("status", DEPLOYMENT_STATUSES)?,
    };
    let paging = params.paging(50)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    let page = state
        .db
        .read(move |c| resources::deployments(c, &tenant, &filter, paging))
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/v1/admin/gateways", tag = "gateways", security(("bearer" = [])),
    params(("environment" = Option<String>, Query), ("page" = Option<u32>, Query),
        ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "cpi-admin sees every gateway; others their tenant's and the shared ones",
        body = Page<Gateway>), (status = 422, body = ErrorBody)))]
pub async fn gateways(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<Gateway>>> {
    let stage = stage_param(&state, &params)?;
    let paging = params.paging(50)?;
    caller.require_permission(role::APIS_READ)?;
    let tenant = visible_tenant(&caller);
    let page = state
        .db
        .read(move |c| resources::gateways(c, stage.as_deref(), tenant.as_deref(), paging))
        .await?;
    Ok(Json(page))
}

/// cpi-admin sees everything (`None`); anyone else only their tenant (or nothing at all).
fn visible_tenant(caller: &Caller) -> Option<String> {
    if caller.is_cpi_admin() {
        None
    } else {
        Some(
            caller
                .principal
                .tenant_id
                .clone()
                .unwrap_or_else(|| "\u{0}no-tenant".to_string()),
        )
    }
}

#[utoipa::path(get, path = "/v1/admin/deployments", tag = "gateways", security(("bearer" = [])),
    params(("environment" = Option<String>, Query), ("sync_status" = Option<String>, Query),
        ("tenant_id" = Option<String>, Query), ("api_id" = Option<String>, Query),
        ("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "APIs on gateways; non-admins see their tenant's only",
        body = Page<GatewayDeployment>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn gateway_deployments(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<GatewayDeployment>>> {
    let stage = stage_param(&state, &params)?;
    let sync_status = params.one_of("sync_status", SYNC_STATUSES)?;
    let paging = params.paging(50)?;
    caller.require_permission(role::APIS_READ)?;
    let asked = params.get("tenant_id").map(str::to_string);
    if let Some(t) = &asked {
        caller.check_tenant(t)?;
    }
    let filter = resources::GatewayDeploymentFilter {
        stage,
        tenant: asked.or_else(|| visible_tenant(&caller)),
        sync_status,
        api_id: params.get("api_id").map(str::to_string),
    };
    let page = state
        .db
        .read(move |c| resources::gateway_deployments(c, &filter, paging))
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/v1/subscriptions/tenant/{tenant}", tag = "subscriptions",
    security(("bearer" = [])),
    params(("tenant" = String, Path), ("environment" = Option<String>, Query),
        ("status" = Option<String>, Query), ("page" = Option<u32>, Query),
        ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "Envelope with total_pages", body = Page<Subscription>),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn subscriptions(
    State(state): State<AppState>,
    caller: Caller,
    Path(tenant): Path<String>,
    params: Params,
) -> ApiResult<Json<Page<Subscription>>> {
    let filter = resources::SubscriptionFilter {
        stage: stage_param(&state, &params)?,
        status: params.one_of("status", SUBSCRIPTION_STATUSES)?,
    };
    let paging = params.paging(20)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    let page = state
        .db
        .read(move |c| resources::subscriptions(c, &tenant, &filter, paging))
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/v1/audit/{tenant}", tag = "audit", security(("bearer" = [])),
    params(("tenant" = String, Path), ("action" = Option<String>, Query),
        ("search" = Option<String>, Query, description = "Substring of action, resource, user or details"),
        ("status" = Option<String>, Query, description = "success or failure"),
        ("environment" = Option<String>, Query, description = "Entries of one stage"),
        ("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Path(tenant): Path<String>,
    params: Params,
) -> ApiResult<Json<AuditPage>> {
    let filter = audit::Filter {
        action: params.get("action").map(str::to_string),
        search: params.get("search").map(str::to_string),
        status: params.one_of("status", &["success", "failure"])?,
        environment: stage_param(&state, &params)?,
    };
    let paging = params.paging(20)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    caller.require_permission(role::AUDIT_READ)?;
    let page = state
        .db
        .read(move |c| audit::list(c, &tenant, &filter, paging.page, paging.page_size))
        .await?;
    Ok(Json(page))
}
