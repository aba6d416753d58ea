//! APIs of a tenant: one catalog entry shared by every stage; `?environment=` filters lists
//! by presence, names where a new API is deployed, and feeds the write guard of edits and
//! deletes, which reach every stage (as on the real platform).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::{Written, stage_order};
use crate::domain::Operation;
use crate::domain::policy::stages_named;
use crate::server::auth::Caller;
use crate::server::desired::{self, ApiSpec};
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::{JsonBody, Params};
use crate::server::repo::apis::{self, Catalog};
use crate::server::repo::{gateways, tenant_exists};
use crate::server::spec::{self, SpecFields};
use crate::server::state::AppState;
use crate::wire::{Api, ApiCreate, ApiUpdate, Deleted, ErrorBody, Page};

pub(crate) async fn ensure_tenant(
    state: &AppState,
    caller: &Caller,
    tenant: &str,
) -> ApiResult<()> {
    caller.check_tenant(tenant)?;
    let t = tenant.to_string();
    if state.db.read(move |c| tenant_exists(c, &t)).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound(format!("Tenant '{tenant}' not found")))
    }
}

/// A read inside one tenant: access and existence are checked in the same database trip as
/// the read itself (one blocking hop per request on the hot list path).
pub(crate) async fn read_in_tenant<T: Send + 'static>(
    state: &AppState,
    caller: &Caller,
    tenant: String,
    f: impl FnOnce(&rusqlite::Connection, &str) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    caller.check_tenant(&tenant)?;
    state
        .db
        .read_with(move |c| {
            if !tenant_exists(c, &tenant)? {
                return Err(ApiError::NotFound(format!("Tenant '{tenant}' not found")));
            }
            f(c, &tenant)
        })
        .await
}

#[utoipa::path(get, path = "/v1/tenants/{tenant}/apis", tag = "apis", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id"),
        ("environment" = Option<String>, Query, description = "Stage (any alias): only APIs with gateway deployments there; `version` is then the one running there"),
        ("page" = Option<u32>, Query, description = "≥ 1"),
        ("page_size" = Option<u32>, Query, description = "1..=100, default 20")),
    responses((status = 200, body = Page<Api>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(tenant): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let stage = params
        .stage(&state.pipeline)?
        .map(|s| s.stage.name.as_str().to_string());
    let paging = params.paging(20)?;
    caller.check_tenant(&tenant)?;
    // The page is the same for everyone who may see the tenant: serve it from the cache
    // while no write has happened since it was built.
    let key = format!(
        "{tenant}\u{0}{}\u{0}{}\u{0}{}",
        stage.as_deref().unwrap_or(""),
        paging.page,
        paging.page_size
    );
    let generation = state.db.generation();
    if let Some(body) = state.db.responses().get(&key, generation) {
        return Ok(json_bytes(body));
    }
    let pipeline = state.pipeline.clone();
    let page = read_in_tenant(&state, &caller, tenant, move |c, tenant| {
        Ok(apis::list(
            c,
            tenant,
            stage.as_deref(),
            &stage_order(&pipeline),
            paging,
        )?)
    })
    .await?;
    let body =
        Bytes::from(serde_json::to_vec(&page).map_err(|e| ApiError::Internal(e.to_string()))?);
    state.db.responses().put(key, generation, body.clone());
    Ok(json_bytes(body))
}

fn json_bytes(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

#[utoipa::path(get, path = "/v1/tenants/{tenant}/apis/{api_id}", tag = "apis",
    security(("bearer" = [])),
    params(("tenant" = String, Path), ("api_id" = String, Path),
        ("environment" = Option<String>, Query, description = "Describe the API as it runs in this stage (404 when it does not)")),
    responses((status = 200, body = Api), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, api_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<Api>> {
    let stage = params
        .stage(&state.pipeline)?
        .map(|s| s.stage.name.as_str().to_string());
    let pipeline = state.pipeline.clone();
    let found = read_in_tenant(&state, &caller, tenant, move |c, tenant| {
        let api = apis::get(
            c,
            tenant,
            &api_id,
            stage.as_deref(),
            &stage_order(&pipeline),
        )?;
        // Asked for one stage: the API must run there.
        Ok(match (&stage, api) {
            (Some(s), Some(a)) if !apis::present_in(c, tenant, &a.id)?.contains(s) => None,
            (_, a) => a,
        })
    })
    .await?;
    found
        .map(Json)
        .ok_or_else(|| ApiError::NotFound("API not found".into()))
}

fn valid_api_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 63
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[utoipa::path(post, path = "/v1/tenants/{tenant}/apis", tag = "apis", security(("bearer" = [])),
    params(("tenant" = String, Path),
        ("environment" = String, Query, description = "The stage whose gateways get the new API (required)")),
    request_body = ApiCreate,
    responses((status = 201, description = "The catalog entry, deployed (pending until the gateways acknowledge) on the tenant's enabled gateways of the stage (the real service answers 200)", body = Api),
        (status = 403, body = ErrorBody), (status = 409, description = "The tenant's catalog already has this API, or the stage has no gateway", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(tenant): Path<String>,
    params: Params,
    JsonBody(body): JsonBody<ApiCreate>,
) -> ApiResult<(StatusCode, Json<Api>)> {
    let stage = params.required_stage(&state.pipeline)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "api.created",
        resource_type: "api",
        resource_id: &body.name,
    };
    let granted =
        super::authorize(&state, &caller, Operation::CreateApi, &stage, None, attempt).await?;
    if !valid_api_name(&body.name) {
        return Err(ApiError::invalid(
            &["body", "name"],
            "string_pattern_mismatch",
            "name must be lower-case letters, digits, '-' or '_' (at most 63), starting with a letter or digit",
            Some(body.name.clone().into()),
        ));
    }
    if body.display_name.trim().is_empty() {
        return Err(ApiError::invalid(
            &["body", "display_name"],
            "string_too_short",
            "String should have at least 1 character",
            Some(body.display_name.clone().into()),
        ));
    }
    let written = Written::new(&caller, &stage, granted);
    let (stage_name, label) = (
        stage.stage.name.as_str().to_string(),
        stage.stage.label.clone(),
    );
    let pipeline = state.pipeline.clone();
    let api = state
        .db
        .write_with(move |tx| {
            let id = body.name.clone();
            if let Some(existing) = apis::catalog(tx, &tenant, &id)? {
                let mut stages = apis::present_in(tx, &tenant, &id)?;
                stages.sort_by_key(|s| stage_order(&pipeline).iter().position(|o| o == s));
                let where_ = if stages.is_empty() { String::new() } else { format!(" (runs in {})", stages.join(", ")) };
                return Err(ApiError::Conflict(format!(
                    "API '{}' already exists in the catalog of {tenant}{where_}; promote it to reach {stage_name}",
                    existing.id
                )));
            }
            let targets = gateways::deploy_targets(tx, &tenant, &stage_name)?;
            if targets.is_empty() {
                return Err(ApiError::Conflict(format!(
                    "{label} has no enabled gateway for {tenant} to deploy onto"
                )));
            }
            let description = Some(body.description.clone()).filter(|d| !d.is_empty());
            let catalog_id = apis::insert_catalog(tx, &tenant, &id, &apis::NewCatalog {
                display_name: &body.display_name,
                tags: &body.tags,
                status: "draft",
                version: &body.version,
                description: description.as_deref(),
                backend_url: Some(&body.backend_url),
                created_at: None,
            })?;
            let spec = ApiSpec::build(&id, &SpecFields {
                display_name: body.display_name.clone(),
                version: body.version.clone(),
                description,
                backend_url: Some(body.backend_url.clone()),
                operations: Vec::new(),
            });
            let desired = desired::desired_state(&tenant, &id, &catalog_id, &spec);
            apis::deploy(tx, &apis::Deploy {
                tenant: &tenant,
                api: &id,
                stage: &stage_name,
                gateways: &targets,
                desired: &desired,
                deployed_by: &written.username,
                promotion_id: None,
                rollback_of: None,
            })?;
            let mut details = Map::new();
            details.insert("version".into(), Value::from(body.version.clone()));
            details.insert("gateways".into(), targets.iter().map(|g| Value::from(g.name.clone())).collect());
            written.audit(tx, &tenant, "api.created", "api", &id, details)?;
            apis::get(tx, &tenant, &id, Some(&stage_name), &stage_order(&pipeline))?
                .ok_or_else(|| ApiError::Internal("created API vanished".into()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(api)))
}

/// The catalog entry and the stages the API runs in, for a write's guard.
async fn catalog_and_presence(
    state: &AppState,
    caller: &Caller,
    tenant: &str,
    api_id: &str,
) -> ApiResult<(Catalog, Vec<String>)> {
    let api = api_id.to_string();
    read_in_tenant(state, caller, tenant.to_string(), move |c, tenant| {
        let catalog = apis::catalog(c, tenant, &api)?
            .ok_or_else(|| ApiError::NotFound("API not found".into()))?;
        Ok((catalog, apis::present_in(c, tenant, &api)?))
    })
    .await
}

#[utoipa::path(put, path = "/v1/tenants/{tenant}/apis/{api_id}", tag = "apis",
    security(("bearer" = [])),
    params(("tenant" = String, Path), ("api_id" = String, Path),
        ("environment" = String, Query, description = "The stage whose gateways get the new desired state (required); every stage the API runs in must allow the write")),
    request_body = ApiUpdate,
    responses((status = 200, description = "The catalog entry changed (every stage shows it) and the stage's gateway deployments redeployed", body = Api),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, api_id)): Path<(String, String)>,
    params: Params,
    JsonBody(body): JsonBody<ApiUpdate>,
) -> ApiResult<Json<Api>> {
    let stage = params.required_stage(&state.pipeline)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    // The stage acted from first (the real guard's words), then every stage it runs in.
    super::authorize(
        &state,
        &caller,
        Operation::EditApi,
        &stage,
        None,
        super::Attempt {
            tenant: &tenant,
            action: "api.updated",
            resource_type: "api",
            resource_id: &api_id,
        },
    )
    .await?;
    let (catalog, present) = catalog_and_presence(&state, &caller, &tenant, &api_id).await?;
    let stage_name = stage.stage.name.as_str().to_string();
    if !present.contains(&stage_name) {
        return Err(ApiError::NotFound(format!(
            "API {api_id} does not run in {}",
            stage.stage.label
        )));
    }
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "api.updated",
        resource_type: "api",
        resource_id: &api_id,
    };
    let present_stages = stages_named(&state.pipeline, &present);
    let granted = super::authorize_catalog(
        &state,
        &caller,
        Operation::EditApi,
        &stage,
        &present_stages,
        attempt,
    )
    .await?;
    let written = Written::new(&caller, &stage, granted);
    let pipeline = state.pipeline.clone();
    let api = state
        .db
        .write_with(move |tx| {
            let old = apis::stage_desired(tx, &tenant, &api_id, &stage_name)?
                .as_ref()
                .and_then(ApiSpec::from_desired)
                .ok_or_else(|| ApiError::NotFound(format!("API not found in {stage_name}")))?;
            apis::update_catalog(
                tx,
                &tenant,
                &api_id,
                &apis::CatalogChange {
                    display_name: body.display_name.as_deref(),
                    tags: body.tags.as_deref(),
                    version: body.version.as_deref(),
                    description: body.description.as_deref(),
                    backend_url: body.backend_url.as_deref(),
                },
            )?;
            let fields = SpecFields {
                display_name: body.display_name.clone().unwrap_or(catalog.display_name),
                version: body.version.clone().unwrap_or(old.version.clone()),
                description: body.description.clone().or(old.description.clone()),
                backend_url: body.backend_url.clone().or(old.backend_url.clone()),
                operations: Vec::new(),
            };
            let mut spec = ApiSpec::build(&api_id, &fields);
            // Keep operations the stage's spec already had.
            if let (Some(Value::Object(old_paths)), Some(Value::Object(paths))) =
                (old.spec.get("paths"), spec.spec.get_mut("paths"))
            {
                for (k, v) in old_paths {
                    paths.entry(k.clone()).or_insert(v.clone());
                }
                spec.spec_hash = spec::hash(&spec.spec);
            }
            let desired = desired::desired_state(&tenant, &api_id, &catalog.catalog_id, &spec);
            let mut targets = Vec::new();
            for id in apis::gateways_in(tx, &tenant, &api_id, &stage_name)? {
                targets.extend(gateways::gateway(tx, &id)?);
            }
            apis::deploy(
                tx,
                &apis::Deploy {
                    tenant: &tenant,
                    api: &api_id,
                    stage: &stage_name,
                    gateways: &targets,
                    desired: &desired,
                    deployed_by: &written.username,
                    promotion_id: None,
                    rollback_of: None,
                },
            )?;
            let mut details = Map::new();
            details.insert(
                "changes".into(),
                serde_json::to_value(&body).unwrap_or(Value::Null),
            );
            written.audit(tx, &tenant, "api.updated", "api", &api_id, details)?;
            apis::get(
                tx,
                &tenant,
                &api_id,
                Some(&stage_name),
                &stage_order(&pipeline),
            )?
            .ok_or_else(|| ApiError::Internal("updated API vanished".into()))
        })
        .await?;
    Ok(Json(api))
}

#[utoipa::path(delete, path = "/v1/tenants/{tenant}/apis/{api_id}", tag = "apis",
    security(("bearer" = [])),
    params(("tenant" = String, Path), ("api_id" = String, Path),
        ("environment" = String, Query, description = "The stage acted from (required); every stage the API runs in must allow the delete")),
    responses((status = 200, description = "The catalog entry and its gateway deployments in every stage are gone", body = Deleted),
        (status = 403, description = "Permission, or the API is live in a guarded stage", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "A promotion of the API is open", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, api_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<Deleted>> {
    let stage = params.required_stage(&state.pipeline)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    // The stage acted from first (the real guard's words), then every stage it runs in.
    super::authorize(
        &state,
        &caller,
        Operation::DeleteApi,
        &stage,
        None,
        super::Attempt {
            tenant: &tenant,
            action: "api.deleted",
            resource_type: "api",
            resource_id: &api_id,
        },
    )
    .await?;
    let (_, present) = catalog_and_presence(&state, &caller, &tenant, &api_id).await?;
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "api.deleted",
        resource_type: "api",
        resource_id: &api_id,
    };
    let present_stages = stages_named(&state.pipeline, &present);
    let names: Vec<String> = present_stages
        .iter()
        .map(|s| s.name.as_str().to_string())
        .collect();
    let granted = super::authorize_catalog(
        &state,
        &caller,
        Operation::DeleteApi,
        &stage,
        &present_stages,
        attempt,
    )
    .await?;
    let written = Written::new(&caller, &stage, granted);
    state
        .db
        .write_with(move |tx| {
            if apis::catalog(tx, &tenant, &api_id)?.is_none() {
                return Err(ApiError::NotFound("API not found".into()));
            }
            if let Some((id, status, target)) =
                crate::server::repo::promotions::open_of_api(tx, &tenant, &api_id)?
            {
                return Err(ApiError::Conflict(format!(
                    "A promotion of {api_id} into {target} is open (id={id}, status={status})"
                )));
            }
            apis::delete_everywhere(tx, &tenant, &api_id)?;
            let mut details = Map::new();
            details.insert(
                "stages".into(),
                names.iter().map(|n| Value::from(n.clone())).collect(),
            );
            written.audit(tx, &tenant, "api.deleted", "api", &api_id, details)?;
            let message = if names.is_empty() {
                format!("API {api_id} deleted")
            } else {
                format!(
                    "API {api_id} deleted from every stage ({})",
                    names.join(", ")
                )
            };
            Ok(Json(Deleted {
                message,
                id: api_id,
            }))
        })
        .await
}
