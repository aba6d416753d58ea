//! APIs of a tenant, per stage: list, get, create, update, delete.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::{Written, stage_order};
use crate::domain::Operation;
use crate::server::auth::Caller;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::{JsonBody, Params};
use crate::server::repo::apis::{self, SpecRow};
use crate::server::repo::tenant_exists;
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
        ("environment" = Option<String>, Query, description = "Stage (any alias): only APIs present there"),
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
        ("environment" = Option<String>, Query, description = "Describe the API as it is in this stage")),
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
    ensure_tenant(&state, &caller, &tenant).await?;
    let pipeline = state.pipeline.clone();
    let found = state
        .db
        .read(move |c| {
            let api = apis::get(
                c,
                &tenant,
                &api_id,
                stage.as_deref(),
                &stage_order(&pipeline),
            )?;
            // Asked for one stage: the API must be there.
            Ok(match (&stage, api) {
                (Some(s), Some(a)) if apis::spec(c, &tenant, &a.id, s)?.is_none() => None,
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

fn spec_row(api_id: &str, fields: &SpecFields) -> SpecRow {
    let doc = spec::build(api_id, fields);
    SpecRow {
        version: fields.version.clone(),
        description: fields.description.clone(),
        backend_url: fields.backend_url.clone(),
        spec_hash: spec::hash(&doc),
        spec: doc,
    }
}

#[utoipa::path(post, path = "/v1/tenants/{tenant}/apis", tag = "apis", security(("bearer" = [])),
    params(("tenant" = String, Path),
        ("environment" = String, Query, description = "The stage to create the API in (required)")),
    request_body = ApiCreate,
    responses((status = 201, description = "Created and deployed on the stage's gateways (the real service answers 200)", body = Api),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
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
    let stage_name = stage.stage.name.as_str().to_string();
    let pipeline = state.pipeline.clone();
    let api = state
        .db
        .write_with(move |tx| {
            let id = body.name.clone();
            if apis::spec(tx, &tenant, &id, &stage_name)?.is_some() {
                return Err(ApiError::Conflict(format!(
                    "API '{id}' already exists in {stage_name}"
                )));
            }
            if !apis::catalog_exists(tx, &tenant, &id)? {
                let at = crate::server::repo::now();
                apis::insert_catalog(
                    tx,
                    &tenant,
                    &id,
                    &body.display_name,
                    &body.tags,
                    "draft",
                    &at,
                )?;
            }
            let row = spec_row(
                &id,
                &SpecFields {
                    display_name: body.display_name.clone(),
                    version: body.version.clone(),
                    description: Some(body.description.clone()).filter(|d| !d.is_empty()),
                    backend_url: Some(body.backend_url.clone()),
                    operations: Vec::new(),
                },
            );
            apis::put_spec(tx, &tenant, &id, &stage_name, &row)?;
            let gateways = apis::stage_gateways(tx, &tenant, &stage_name)?;
            apis::deploy(
                tx,
                &apis::Deploy {
                    tenant: &tenant,
                    api: &id,
                    stage: &stage_name,
                    gateways: &gateways,
                    spec: &row,
                    deployed_by: &written.username,
                    rollback_of: None,
                },
            )?;
            let mut details = Map::new();
            details.insert("version".into(), Value::from(body.version.clone()));
            written.audit(tx, &tenant, "api.created", "api", &id, details)?;
            apis::get(tx, &tenant, &id, Some(&stage_name), &stage_order(&pipeline))?
                .ok_or_else(|| ApiError::Internal("created API vanished".into()))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(api)))
}

#[utoipa::path(put, path = "/v1/tenants/{tenant}/apis/{api_id}", tag = "apis",
    security(("bearer" = [])),
    params(("tenant" = String, Path), ("api_id" = String, Path),
        ("environment" = String, Query, description = "The stage whose spec changes (required)")),
    request_body = ApiUpdate,
    responses((status = 200, body = Api), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, api_id)): Path<(String, String)>,
    params: Params,
    JsonBody(body): JsonBody<ApiUpdate>,
) -> ApiResult<Json<Api>> {
    let stage = params.required_stage(&state.pipeline)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "api.updated",
        resource_type: "api",
        resource_id: &api_id,
    };
    let granted =
        super::authorize(&state, &caller, Operation::EditApi, &stage, None, attempt).await?;
    let written = Written::new(&caller, &stage, granted);
    let stage_name = stage.stage.name.as_str().to_string();
    let pipeline = state.pipeline.clone();
    let api = state
        .db
        .write_with(move |tx| {
            let current = apis::get(
                tx,
                &tenant,
                &api_id,
                Some(&stage_name),
                &stage_order(&pipeline),
            )?;
            let (Some(current), Some(old)) =
                (current, apis::spec(tx, &tenant, &api_id, &stage_name)?)
            else {
                return Err(ApiError::NotFound(format!("API not found in {stage_name}")));
            };
            apis::update_catalog(
                tx,
                &tenant,
                &api_id,
                body.display_name.as_deref(),
                body.tags.as_deref(),
            )?;
            let fields = SpecFields {
                display_name: body.display_name.clone().unwrap_or(current.display_name),
                version: body.version.clone().unwrap_or(old.version.clone()),
                description: body.description.clone().or(old.description.clone()),
                backend_url: body.backend_url.clone().or(old.backend_url.clone()),
                operations: Vec::new(),
            };
            // Keep operations the stage's spec already had.
            let mut row = spec_row(&api_id, &fields);
            if let (Some(old_paths), Some(Value::Object(paths))) =
                (old.spec.get("paths"), row.spec.get_mut("paths"))
                && let Value::Object(old_paths) = old_paths
            {
                for (k, v) in old_paths {
                    paths.entry(k.clone()).or_insert(v.clone());
                }
                row.spec_hash = spec::hash(&row.spec);
            }
            apis::put_spec(tx, &tenant, &api_id, &stage_name, &row)?;
            let gateways: Vec<String> = apis::deployed_gateways(tx, &tenant, &api_id, &stage_name)?;
            apis::deploy(
                tx,
                &apis::Deploy {
                    tenant: &tenant,
                    api: &api_id,
                    stage: &stage_name,
                    gateways: &gateways,
                    spec: &row,
                    deployed_by: &written.username,
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
        ("environment" = String, Query, description = "The stage to remove the API from (required)")),
    responses((status = 200, body = Deleted), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((tenant, api_id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<Deleted>> {
    let stage = params.required_stage(&state.pipeline)?;
    ensure_tenant(&state, &caller, &tenant).await?;
    let attempt = super::Attempt {
        tenant: &tenant,
        action: "api.deleted",
        resource_type: "api",
        resource_id: &api_id,
    };
    let granted =
        super::authorize(&state, &caller, Operation::DeleteApi, &stage, None, attempt).await?;
    let written = Written::new(&caller, &stage, granted);
    let stage_name = stage.stage.name.as_str().to_string();
    state
        .db
        .write_with(move |tx| {
            if apis::spec(tx, &tenant, &api_id, &stage_name)?.is_none() {
                return Err(ApiError::NotFound(format!("API not found in {stage_name}")));
            }
            if let Some((id, status)) =
                crate::server::repo::promotions::open_for(tx, &tenant, &api_id, &stage_name)?
            {
                return Err(ApiError::Conflict(format!(
                    "A promotion into {stage_name} is open for {api_id} (id={id}, status={status})"
                )));
            }
            apis::remove_from_stage(tx, &tenant, &api_id, &stage_name)?;
            written.audit(tx, &tenant, "api.deleted", "api", &api_id, Map::new())?;
            Ok(Json(Deleted {
                message: format!("API {api_id} removed from {stage_name}"),
                id: api_id,
            }))
        })
        .await
}
