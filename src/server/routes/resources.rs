//! Read-only lists: deployment history, gateways, gateway deployments, subscriptions, audit.

use axum::Json;
use axum::extract::{Path, State};

use super::apis::ensure_tenant;
use crate::domain::role;
use crate::server::auth::Caller;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Params;
use crate::server::repo::{audit, gateways, resources};
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
    params(("environment" = Option<String>, Query, description = "Stage (any alias)"),
        ("tenant_id" = Option<String>, Query, description = "That tenant's gateways and the platform's (no tenant)"),
        ("gateway_type" = Option<String>, Query, description = "gateway_type or target_gateway_type"),
        ("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "cpi-admin sees every gateway; a tenant-admin only their tenant's and the platform's (the real service shows others too)",
        body = Page<Gateway>),
        (status = 403, description = "Not cpi-admin or tenant-admin, or another tenant asked for", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn gateways(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<Gateway>>> {
    let stage = stage_param(&state, &params)?;
    let paging = params.paging(50)?;
    caller.require_admin_role()?;
    let filter = gateways::GatewayFilter {
        stage,
        tenant: scoped_tenant(&caller, &params)?,
        gateway_type: params
            .get("gateway_type")
            .map(|t| t.trim().to_ascii_lowercase()),
    };
    let page = state
        .db
        .read(move |c| gateways::gateways(c, &filter, paging))
        .await?;
    Ok(Json(page))
}

/// The tenant a list is limited to: `tenant_id=` when the caller may see it; for anyone but a
/// cpi-admin their own tenant, always (stricter than the real service, which leaks others).
fn scoped_tenant(caller: &Caller, params: &Params) -> ApiResult<Option<String>> {
    let asked = params.get("tenant_id").map(str::to_string);
    if let Some(t) = &asked {
        caller.check_tenant(t)?;
    }
    if caller.is_cpi_admin() {
        return Ok(asked);
    }
    Ok(Some(
        asked
            .or_else(|| caller.principal.tenant_id.clone())
            .unwrap_or_else(|| {
                // A tenant-admin without a tenant sees no tenant's data.
                "\u{0}no-tenant".to_string()
            }),
    ))
}

#[utoipa::path(get, path = "/v1/admin/deployments", tag = "gateways", security(("bearer" = [])),
    params(("environment" = Option<String>, Query, description = "Gateway stage (any alias)"),
        ("sync_status" = Option<String>, Query),
        ("gateway_instance_id" = Option<String>, Query),
        ("tenant_id" = Option<String>, Query, description = "The API's tenant"),
        ("api_id" = Option<String>, Query, description = "envdeck: one API's deployments"),
        ("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "APIs on gateways, in the real shape (the API is named in desired_state); a tenant-admin sees their tenant's only",
        body = Page<GatewayDeployment>),
        (status = 403, description = "Not cpi-admin or tenant-admin, or another tenant asked for", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn gateway_deployments(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Page<GatewayDeployment>>> {
    let stage = stage_param(&state, &params)?;
    let sync_status = params.one_of("sync_status", SYNC_STATUSES)?;
    let paging = params.paging(50)?;
    caller.require_admin_role()?;
    let filter = gateways::DeploymentFilter {
        stage,
        tenant: scoped_tenant(&caller, &params)?,
        sync_status,
        gateway_id: params.get("gateway_instance_id").map(str::to_string),
        api_id: params.get("api_id").map(str::to_string),
    };
    let page = state
        .db
        .read(move |c| gateways::deployments(c, &filter, paging))
        .await?;
    Ok(Json(page))
}

#[utoipa::path(get, path = "/v1/subscriptions/tenant/{tenant}", tag = "subscriptions",
    security(("bearer" = [])),
    params(("tenant" = String, Path), ("environment" = Option<String>, Query, description = "Only subscriptions of that stage (any alias); those with no stage are left out, as the real service does"),
        ("status" = Option<String>, Query), ("page" = Option<u32>, Query),
        ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "Envelope with total_pages; `environment` is null for subscriptions made the real way", body = Page<Subscription>),
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
    let search = params.get("search");
    if let Some(s) = search.filter(|s| s.chars().count() > audit::MAX_SEARCH_CHARS) {
        // Every row is scanned for the pattern: its length multiplies the cost.
        return Err(ApiError::invalid(
            &["query", "search"],
            "string_too_long",
            format!(
                "String should have at most {} characters",
                audit::MAX_SEARCH_CHARS
            ),
            Some(serde_json::Value::from(
                s.chars().take(20).collect::<String>() + "…",
            )),
        ));
    }
    let filter = audit::Filter {
        action: params.get("action").map(str::to_string),
        search: search.map(str::to_string),
        status: params.one_of("status", &["success", "failure"])?,
        environment: stage_param(&state, &params)?,
    };
    let paging = params.paging(20)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    caller.require_permission(role::AUDIT_READ)?;
    let page = state
        .db
        .read_heavy(move |c| {
            audit::list(c, &tenant, &filter, paging.page, paging.page_size).map_err(ApiError::from)
        })
        .await?;
    Ok(Json(page))
}
