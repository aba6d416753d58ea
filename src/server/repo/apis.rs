//! APIs: the tenant catalog entry, its spec per stage, and its deployment onto the
//! stage's gateways.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{json_col, new_id, now, ts};
use crate::server::extract::Paging;
use crate::wire::{Api, Page, RuntimeDeployment};

/// An API's spec in one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecRow {
    pub version: String,
    pub description: Option<String>,
    pub backend_url: Option<String>,
    pub spec: Value,
    pub spec_hash: String,
}

impl SpecRow {
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "version": self.version,
            "description": self.description,
            "backend_url": self.backend_url,
            "spec": self.spec,
            "spec_hash": self.spec_hash,
        })
    }

    pub fn from_json(v: &Value) -> Option<SpecRow> {
        Some(SpecRow {
            version: v.get("version")?.as_str()?.to_string(),
            description: v
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            backend_url: v
                .get("backend_url")
                .and_then(Value::as_str)
                .map(str::to_string),
            spec: v.get("spec")?.clone(),
            spec_hash: v.get("spec_hash")?.as_str()?.to_string(),
        })
    }
}

struct Catalog {
    id: String,
    display_name: String,
    tags: Vec<String>,
    status: String,
    created_at: Option<String>,
    updated_at: Option<String>,
}

struct StageSpec {
    stage: String,
    version: String,
    description: Option<String>,
    backend_url: Option<String>,
}

struct GatewayRow {
    stage: String,
    sync_status: String,
    last_sync_success: Option<String>,
    last_sync_error: Option<String>,
    gateway_name: String,
}

/// One page of a tenant's APIs, or of those present in `stage`. `order` is the pipeline
/// order, used to pick which stage's spec describes an API when no stage is asked for.
pub fn list(
    conn: &Connection,
    tenant: &str,
    stage: Option<&str>,
    order: &[&str],
    paging: Paging,
) -> rusqlite::Result<Page<Api>> {
    let filter = "a.tenant_id = ?1 AND (?2 IS NULL OR EXISTS (SELECT 1 FROM api_specs s
        WHERE s.tenant_id = a.tenant_id AND s.api_id = a.id AND s.stage = ?2))";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM apis a WHERE {filter}"))?
        .query_row(params![tenant, stage], |r| r.get(0))?;
    let catalog: Vec<Catalog> = conn
        .prepare_cached(&format!(
            "SELECT a.id, a.display_name, a.tags, a.status, a.created_at, a.updated_at
             FROM apis a WHERE {filter} ORDER BY a.id LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(
            params![tenant, stage, paging.limit(), paging.offset()],
            catalog_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    let items = assemble(conn, tenant, catalog, stage, order)?;
    Ok(Page {
        items,
        total: total as u64,
        page: paging.page,
        page_size: paging.page_size,
        total_pages: None,
    })
}

pub fn get(
    conn: &Connection,
    tenant: &str,
    id: &str,
    stage: Option<&str>,
    order: &[&str],
) -> rusqlite::Result<Option<Api>> {
    let catalog = conn
        .prepare_cached(
            "SELECT a.id, a.display_name, a.tags, a.status, a.created_at, a.updated_at
             FROM apis a WHERE a.tenant_id = ?1 AND a.id = ?2",
        )?
        .query_row(params![tenant, id], catalog_row)
        .optional()?;
    Ok(match catalog {
        None => None,
        Some(c) => assemble(conn, tenant, vec![c], stage, order)?.pop(),
    })
}

fn catalog_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Catalog> {
    Ok(Catalog {
        id: r.get(0)?,
        display_name: r.get(1)?,
        tags: json_col(r, 2)?,
        status: r.get(3)?,
        created_at: r.get(4)?,
        updated_at: r.get(5)?,
    })
}

fn assemble(
    conn: &Connection,
    tenant: &str,
    catalog: Vec<Catalog>,
    stage: Option<&str>,
    order: &[&str],
) -> rusqlite::Result<Vec<Api>> {
    if catalog.is_empty() {
        return Ok(Vec::new());
    }
    // Only the page's APIs: the cost of a page does not grow with the tenant.
    let ids = super::to_json_text(&catalog.iter().map(|c| c.id.as_str()).collect::<Vec<_>>());
    let mut specs: HashMap<String, Vec<StageSpec>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT api_id, stage, version, description, backend_url FROM api_specs
         WHERE tenant_id = ?1 AND api_id IN (SELECT value FROM json_each(?2))",
    )?;
    let mut rows = stmt.query(params![tenant, ids])?;
    while let Some(r) = rows.next()? {
        specs.entry(r.get(0)?).or_default().push(StageSpec {
            stage: r.get(1)?,
            version: r.get(2)?,
            description: r.get(3)?,
            backend_url: r.get(4)?,
        });
    }
    let mut gateways: HashMap<String, Vec<GatewayRow>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT d.api_id, d.stage, d.sync_status, d.last_sync_success, d.last_sync_error, g.name
         FROM gateway_deployments d JOIN gateways g ON g.id = d.gateway_id
         WHERE d.tenant_id = ?1 AND d.api_id IN (SELECT value FROM json_each(?2))
         ORDER BY g.name",
    )?;
    let mut rows = stmt.query(params![tenant, ids])?;
    while let Some(r) = rows.next()? {
        gateways.entry(r.get(0)?).or_default().push(GatewayRow {
            stage: r.get(1)?,
            sync_status: r.get(2)?,
            last_sync_success: r.get(3)?,
            last_sync_error: r.get(4)?,
            gateway_name: r.get(5)?,
        });
    }
    let rank = |s: &str| order.iter().position(|o| *o == s).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(catalog.len());
    for c in catalog {
        let api_specs = specs.remove(&c.id).unwrap_or_default();
        let chosen = match stage {
            Some(s) => api_specs.iter().find(|x| x.stage == s),
            None => api_specs.iter().min_by_key(|x| rank(&x.stage)),
        };
        let has = |s: &str| api_specs.iter().any(|x| x.stage == s);
        let runtime = runtime_deployments(gateways.remove(&c.id).unwrap_or_default(), &rank);
        out.push(Api {
            tenant_id: tenant.to_string(),
            name: c.id.clone(),
            display_name: c.display_name,
            version: chosen.map(|x| x.version.clone()).unwrap_or_default(),
            description: chosen.and_then(|x| x.description.clone()),
            backend_url: chosen.and_then(|x| x.backend_url.clone()),
            status: c.status,
            tags: c.tags,
            deployed_dev: has("dev"),
            deployed_staging: has("staging"),
            created_at: ts(c.created_at),
            updated_at: ts(c.updated_at),
            runtime_deployments: runtime,
            id: c.id,
            ..Api::default()
        });
    }
    Ok(out)
}

fn runtime_deployments(
    rows: Vec<GatewayRow>,
    rank: &dyn Fn(&str) -> usize,
) -> Vec<RuntimeDeployment> {
    let mut by_stage: Vec<RuntimeDeployment> = Vec::new();
    for row in rows {
        let idx = match by_stage.iter().position(|d| d.environment == row.stage) {
            Some(i) => i,
            None => {
                by_stage.push(RuntimeDeployment {
                    environment: row.stage.clone(),
                    ..Default::default()
                });
                by_stage.len() - 1
            }
        };
        let d = &mut by_stage[idx];
        d.gateway_count += 1;
        match row.sync_status.as_str() {
            "synced" => d.synced_count += 1,
            "error" => d.error_count += 1,
            "drifted" => d.drifted_count += 1,
            _ => d.pending_count += 1,
        }
        if row.last_sync_error.is_some() {
            d.latest_error = row.last_sync_error;
        }
        let success = ts(row.last_sync_success);
        if success > d.last_sync_success {
            d.last_sync_success = success;
        }
        d.gateway_names.push(row.gateway_name);
    }
    for d in &mut by_stage {
        d.status = if d.error_count > 0 {
            "error"
        } else if d.drifted_count > 0 {
            "drifted"
        } else if d.pending_count > 0 {
            "pending"
        } else {
            "synced"
        }
        .to_string();
    }
    by_stage.sort_by_key(|d| rank(&d.environment));
    by_stage
}

pub fn spec(
    conn: &Connection,
    tenant: &str,
    api: &str,
    stage: &str,
) -> rusqlite::Result<Option<SpecRow>> {
    conn.prepare_cached(
        "SELECT version, description, backend_url, spec, spec_hash FROM api_specs
         WHERE tenant_id = ?1 AND api_id = ?2 AND stage = ?3",
    )?
    .query_row(params![tenant, api, stage], |r| {
        Ok(SpecRow {
            version: r.get(0)?,
            description: r.get(1)?,
            backend_url: r.get(2)?,
            spec: json_col(r, 3)?,
            spec_hash: r.get(4)?,
        })
    })
    .optional()
}

pub fn catalog_exists(conn: &Connection, tenant: &str, api: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM apis WHERE tenant_id = ?1 AND id = ?2")?
        .exists(params![tenant, api])
}

pub fn insert_catalog(
    conn: &Connection,
    tenant: &str,
    api: &str,
    display_name: &str,
    tags: &[String],
    status: &str,
    at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO apis (tenant_id, id, display_name, tags, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            tenant,
            api,
            display_name,
            super::to_json_text(&tags),
            status,
            at
        ],
    )?;
    Ok(())
}

pub fn update_catalog(
    conn: &Connection,
    tenant: &str,
    api: &str,
    display_name: Option<&str>,
    tags: Option<&[String]>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE apis SET display_name = coalesce(?3, display_name), tags = coalesce(?4, tags),
             updated_at = ?5
         WHERE tenant_id = ?1 AND id = ?2",
        params![
            tenant,
            api,
            display_name,
            tags.map(super::to_json_text::<[String]>),
            now()
        ],
    )?;
    Ok(())
}

pub fn put_spec(
    conn: &Connection,
    tenant: &str,
    api: &str,
    stage: &str,
    spec: &SpecRow,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO api_specs (tenant_id, api_id, stage, version, description, backend_url,
             spec, spec_hash, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (tenant_id, api_id, stage) DO UPDATE SET version = ?4, description = ?5,
             backend_url = ?6, spec = ?7, spec_hash = ?8, updated_at = ?9",
        params![
            tenant,
            api,
            stage,
            spec.version,
            spec.description,
            spec.backend_url,
            spec.spec.to_string(),
            spec.spec_hash,
            now()
        ],
    )?;
    Ok(())
}

/// The gateways of a stage this tenant may deploy to: its own and the shared ones.
pub fn stage_gateways(
    conn: &Connection,
    tenant: &str,
    stage: &str,
) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT id FROM gateways WHERE stage = ?1 AND (tenant_id IS NULL OR tenant_id = ?2)
         ORDER BY name",
    )?
    .query_map(params![stage, tenant], |r| r.get(0))?
    .collect()
}

/// A deployment of a stage's spec onto some of its gateways.
pub struct Deploy<'a> {
    pub tenant: &'a str,
    pub api: &'a str,
    pub stage: &'a str,
    pub gateways: &'a [String],
    pub spec: &'a SpecRow,
    pub deployed_by: &'a str,
    /// Set when this deployment undoes a promotion.
    pub rollback_of: Option<&'a str>,
}

/// Puts the stage's spec onto the gateways (all synced: the embedded gateways apply at once)
/// and writes a deployment history row. Returns (history id, gateway deployment ids).
pub fn deploy(conn: &Connection, d: &Deploy<'_>) -> rusqlite::Result<(String, Vec<String>)> {
    let Deploy {
        tenant,
        api,
        stage,
        gateways,
        spec,
        deployed_by,
        rollback_of,
    } = *d;
    let at = now();
    let mut ids = Vec::with_capacity(gateways.len());
    for gateway in gateways {
        let id: String = conn
            .prepare_cached(
                "INSERT INTO gateway_deployments (id, tenant_id, api_id, gateway_id, stage, version,
                     spec_hash, sync_status, desired_generation, synced_generation,
                     last_sync_success, last_sync_error, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'synced', 1, 1, ?8, NULL, ?8, ?8)
                 ON CONFLICT (tenant_id, api_id, gateway_id) DO UPDATE SET version = ?6,
                     spec_hash = ?7, sync_status = 'synced',
                     desired_generation = desired_generation + 1,
                     synced_generation = desired_generation + 1,
                     last_sync_success = ?8, last_sync_error = NULL, updated_at = ?8
                 RETURNING id",
            )?
            .query_row(
                params![new_id(), tenant, api, gateway, stage, spec.version, spec.spec_hash, at],
                |r| r.get(0),
            )?;
        ids.push(id);
    }
    let history = new_id();
    conn.prepare_cached(
        "INSERT INTO deployments (id, tenant_id, api_id, stage, version, status, deployed_by,
             created_at, updated_at, completed_at, rollback_of, gateway_id, spec_hash, attempt_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8, ?9, ?10, ?11, 1)",
    )?
    .execute(params![
        history,
        tenant,
        api,
        stage,
        spec.version,
        if rollback_of.is_some() { "rolled_back" } else { "success" },
        deployed_by,
        at,
        rollback_of,
        gateways.first(),
        spec.spec_hash
    ])?;
    Ok((history, ids))
}

/// Takes an API out of one stage; the catalog entry goes when no stage holds it any more.
pub fn remove_from_stage(
    conn: &Connection,
    tenant: &str,
    api: &str,
    stage: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM gateway_deployments WHERE tenant_id = ?1 AND api_id = ?2 AND stage = ?3",
        params![tenant, api, stage],
    )?;
    conn.execute(
        "DELETE FROM api_specs WHERE tenant_id = ?1 AND api_id = ?2 AND stage = ?3",
        params![tenant, api, stage],
    )?;
    conn.execute(
        "DELETE FROM apis WHERE tenant_id = ?1 AND id = ?2
             AND NOT EXISTS (SELECT 1 FROM api_specs WHERE tenant_id = ?1 AND api_id = ?2)",
        params![tenant, api],
    )?;
    Ok(())
}

/// The gateways an API is on in a stage; the stage's gateways when it is on none.
pub fn deployed_gateways(
    conn: &Connection,
    tenant: &str,
    api: &str,
    stage: &str,
) -> rusqlite::Result<Vec<String>> {
    let on: Vec<String> = conn
        .prepare_cached(
            "SELECT gateway_id FROM gateway_deployments
             WHERE tenant_id = ?1 AND api_id = ?2 AND stage = ?3 ORDER BY gateway_id",
        )?
        .query_map(params![tenant, api, stage], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if on.is_empty() {
        stage_gateways(conn, tenant, stage)
    } else {
        Ok(on)
    }
}
