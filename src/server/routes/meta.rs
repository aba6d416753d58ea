//! Health, stages, the caller, tenants.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::domain::permissions_for;
use crate::domain::role;
use crate::server::auth::Caller;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::JsonBody;
use crate::server::repo::{audit, catalog};
use crate::server::state::AppState;
use crate::wire::{
    Environment, EnvironmentEndpoints, EnvironmentList, ErrorBody, Health, Me, PublicEnvironment,
    PublicEnvironmentList, Tenant, TenantCreate,
};

#[utoipa::path(get, path = "/health", tag = "meta",
    responses((status = 200, description = "The server is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "healthy".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

fn current(state: &AppState) -> Option<String> {
    state
        .pipeline
        .safe_default()
        .map(|s| s.name.as_str().to_string())
}

#[utoipa::path(get, path = "/v1/environments", tag = "environments",
    security(("bearer" = [])),
    responses((status = 200, description = "Stages in promotion order", body = EnvironmentList),
        (status = 401, body = ErrorBody)))]
pub async fn environments(State(state): State<AppState>, _caller: Caller) -> Json<EnvironmentList> {
    let current = current(&state);
    let environments = state
        .pipeline
        .stages()
        .iter()
        .map(|s| Environment {
            name: s.name.as_str().to_string(),
            label: s.label.clone(),
            mode: s.mode.as_str().to_string(),
            color: s.color.map(|c| c.to_hex()),
            endpoints: Some(EnvironmentEndpoints {
                api_url: Some(state.url.to_string()),
                keycloak_url: Some(state.url.to_string()),
                keycloak_realm: Some("stoa".into()),
                mcp_url: None,
            }),
            is_current: current.as_deref() == Some(s.name.as_str()),
        })
        .collect();
    Json(EnvironmentList {
        environments,
        current,
    })
}

#[utoipa::path(get, path = "/v1/environments/public", tag = "environments",
    responses((status = 200, description = "Stages without endpoints (no token needed)",
        body = PublicEnvironmentList)))]
pub async fn environments_public(State(state): State<AppState>) -> Json<PublicEnvironmentList> {
    let environments = state
        .pipeline
        .stages()
        .iter()
        .map(|s| PublicEnvironment {
            name: s.name.as_str().to_string(),
            label: s.label.clone(),
            mode: s.mode.as_str().to_string(),
            color: s.color.map(|c| c.to_hex()),
            health_url: Some(format!("{}/health", state.url)),
        })
        .collect();
    Json(PublicEnvironmentList {
        environments,
        current: current(&state),
    })
}

#[utoipa::path(get, path = "/v1/me", tag = "identity", security(("bearer" = [])),
    responses((status = 200, description = "The caller, with server-computed permissions", body = Me),
        (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<Me> {
    let p = &caller.principal;
    let roles: Vec<String> = p.roles.iter().map(|r| r.as_str().to_string()).collect();
    let role_display_names = p
        .roles
        .iter()
        .map(|r| {
            let shown = match r {
                crate::domain::Role::CpiAdmin => "Platform Admin",
                crate::domain::Role::TenantAdmin => "Workspace Admin",
                crate::domain::Role::Devops => "DevOps",
                crate::domain::Role::Viewer => "Viewer",
                crate::domain::Role::Other(o) => o.as_str(),
            };
            (r.as_str().to_string(), shown.to_string())
        })
        .collect();
    Json(Me {
        user_id: p.sub.clone(),
        email: p.email.clone(),
        username: p.username.clone(),
        tenant_id: p.tenant_id.clone(),
        roles,
        permissions: permissions_for(&p.roles)
            .into_iter()
            .map(str::to_string)
            .collect(),
        effective_scopes: Vec::new(),
        role_display_names,
    })
}

#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, description = "Tenants the caller may see (a bare array)",
        body = Vec<Tenant>), (status = 401, body = ErrorBody)))]
pub async fn list_tenants(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<Tenant>>> {
    let only = if caller.is_cpi_admin() {
        None
    } else {
        match caller.principal.tenant_id.clone() {
            Some(t) => Some(t),
            None => return Ok(Json(Vec::new())),
        }
    };
    let tenants = state
        .db
        .read(move |c| catalog::list(c, only.as_deref()))
        .await?;
    Ok(Json(tenants))
}

/// Tenant ids: a slug of the name unless the body's name already is one.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_ascii_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(63).collect()
}

#[utoipa::path(post, path = "/v1/tenants", tag = "tenants", security(("bearer" = [])),
    request_body = TenantCreate,
    responses((status = 201, description = "Created (the real service answers 200)", body = Tenant),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_tenant(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<TenantCreate>,
) -> ApiResult<(StatusCode, Json<Tenant>)> {
    caller.require_permission(role::TENANTS_CREATE)?;
    let id = slug(&body.name);
    if id.is_empty() {
        return Err(ApiError::invalid(
            &["body", "name"],
            "string_pattern_mismatch",
            "name must contain letters or digits",
            Some(body.name.clone().into()),
        ));
    }
    let user_id = caller.principal.sub.clone();
    let email = caller.principal.email.clone();
    let tenant = state
        .db
        .write_with(move |tx| {
            if !catalog::insert(tx, &id, &body)? {
                return Err(ApiError::Conflict(format!("Tenant '{id}' already exists")));
            }
            let mut details = serde_json::Map::new();
            details.insert("name".into(), body.name.clone().into());
            audit::record(
                tx,
                audit::Record {
                    tenant: &id,
                    user_id: &user_id,
                    user_email: email.as_deref(),
                    action: "tenant.created",
                    resource_type: "tenant",
                    resource_id: &id,
                    success: true,
                    details,
                },
            )?;
            catalog::get(tx, &id)?.ok_or_else(|| ApiError::Internal("tenant vanished".into()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(tenant)))
}
