//! APIs: one catalog entry per API and tenant, shared by every stage. An API is present in a
//! stage when it has gateway deployments there; what it runs there is their desired state.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{json_col, new_id, now, ts};
use crate::server::desired::{self, ApiSpec};
use crate::server::extract::Paging;
use crate::wire::{Api, Page, RuntimeDeployment, Timestamp};

/// The tenant-wide catalog entry.
#[derive(Clone, Debug)]
pub struct Catalog {
    pub id: String,
    pub catalog_id: String,
    pub display_name: String,
    pub tags: Vec<String>,
    pub status: String,
    pub version: String,
    pub description: Option<String>,
    pub backend_url: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

const CATALOG_COLUMNS: &str = "a.id, a.catalog_id, a.display_name, a.tags, a.status, a.version,
    a.description, a.backend_url, a.created_at, a.updated_at";

fn catalog_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Catalog> {
    Ok(Catalog {
        id: r.get(0)?,
        catalog_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
        display_name: r.get(2)?,
        tags: json_col(r, 3)?,
        status: r.get(4)?,
        version: r.get(5)?,
        description: r.get(6)?,
        backend_url: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub fn catalog(conn: &Connection, tenant: &str, api: &str) -> rusqlite::Result<Option<Catalog>> {
    conn.prepare_cached(&format!(
        "SELECT {CATALOG_COLUMNS} FROM apis a WHERE a.tenant_id = ?1 AND a.id = ?2"
    ))?
    .query_row(params![tenant, api], catalog_row)
    .optional()
}

/// A new catalog entry.
pub struct NewCatalog<'a> {
    pub display_name: &'a str,
    pub tags: &'a [String],
    pub status: &'a str,
    pub version: &'a str,
    pub description: Option<&'a str>,
    pub backend_url: Option<&'a str>,
    /// Seeding back-dates rows; `None` means now.
    pub created_at: Option<&'a str>,
}

/// Inserts the entry and returns its catalog id (a UUID, like the real `api_catalog_id`).
pub fn insert_catalog(
    conn: &Connection,
    tenant: &str,
    api: &str,
    c: &NewCatalog<'_>,
) -> rusqlite::Result<String> {
    let catalog_id = new_id();
    let at = c.created_at.map(str::to_string).unwrap_or_else(now);
    conn.execute(
        "INSERT INTO apis (tenant_id, id, catalog_id, display_name, tags, status, version,
             description, backend_url, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
        params![
            tenant,
            api,
            catalog_id,
            c.display_name,
            super::to_json_text(c.tags),
            c.status,
            c.version,
            c.description,
            c.backend_url,
            at
        ],
    )?;
    Ok(catalog_id)
}

/// Changes the catalog entry (every stage shows it); `None` keeps a field.
pub struct CatalogChange<'a> {
    pub display_name: Option<&'a str>,
    pub tags: Option<&'a [String]>,
    pub version: Option<&'a str>,
    pub description: Option<&'a str>,
    pub backend_url: Option<&'a str>,
}

pub fn update_catalog(
    conn: &Connection,
    tenant: &str,
    api: &str,
    c: &CatalogChange<'_>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE apis SET display_name = coalesce(?3, display_name), tags = coalesce(?4, tags),
             version = coalesce(?5, version), description = coalesce(?6, description),
             backend_url = coalesce(?7, backend_url), updated_at = ?8
         WHERE tenant_id = ?1 AND id = ?2",
        params![
            tenant,
            api,
            c.display_name,
            c.tags.map(super::to_json_text::<[String]>),
            c.version,
            c.description,
            c.backend_url,
            now()
        ],
    )?;
    Ok(())
}

/// Removes the catalog entry and its gateway deployments in every stage (as the real service:
/// a delete "in dev" reaches production too).
pub fn delete_everywhere(conn: &Connection, tenant: &str, api: &str) -> rusqlite::Result<usize> {
    let n = conn.execute(
        "DELETE FROM gateway_deployments WHERE tenant_id = ?1 AND api_id = ?2",
        params![tenant, api],
    )?;
    conn.execute(
        "DELETE FROM apis WHERE tenant_id = ?1 AND id = ?2",
        params![tenant, api],
    )?;
    Ok(n)
}

/// The stages an API has gateway deployments in (canonical names, any order).
pub fn present_in(conn: &Connection, tenant: &str, api: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT DISTINCT stage FROM gateway_deployments WHERE tenant_id = ?1 AND api_id = ?2",
    )?
    .query_map(params![tenant, api], |r| r.get(0))?
    .collect()
}

/// What a stage runs of an API: its synced deployments first, the newest desire otherwise.
pub fn stage_desired(
    conn: &Connection,
    tenant: &str,
    api: &str,
    stage: &str,
) -> rusqlite::Result<Option<Value>> {
    conn.prepare_cached(
        "SELECT desired_state FROM gateway_deployments
         WHERE tenant_id = ?1 AND api_id = ?2 AND stage = ?3 AND sync_status != 'deleting'
         ORDER BY sync_status = 'synced' DESC, desired_at DESC LIMIT 1",
    )?
    .query_row(params![tenant, api, stage], |r| json_col(r, 0))
    .optional()
}

/// The gateways an API is deployed on in a stage.
pub fn gateways_in(
    conn: &Connection,
    tenant: &str,
    api: &str,
    stage: &str,
) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT gateway_id FROM gateway_deployments
         WHERE tenant_id = ?1 AND api_id = ?2 AND stage = ?3 ORDER BY gateway_id",
    )?
    .query_map(params![tenant, api, stage], |r| r.get(0))?
    .collect()
}

/// One page of a tenant's catalog, or of the APIs present in `stage`. `order` is the
/// pipeline order of stage names.
pub fn list(
    conn: &Connection,
    tenant: &str,
    stage: Option<&str>,
    order: &[&str],
    paging: Paging,
) -> rusqlite::Result<Page<Api>> {
    let filter = "a.tenant_id = ?1 AND (?2 IS NULL OR EXISTS (SELECT 1 FROM gateway_deployments d
        WHERE d.tenant_id = a.tenant_id AND d.api_id = a.id AND d.stage = ?2))";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM apis a WHERE {filter}"))?
        .query_row(params![tenant, stage], |r| r.get(0))?;
    let catalog: Vec<Catalog> = conn
        .prepare_cached(&format!(
            "SELECT {CATALOG_COLUMNS} FROM apis a WHERE {filter} ORDER BY a.id LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(
            params![tenant, stage, paging.limit(), paging.offset()],
            catalog_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    let items = assemble(conn, tenant, catalog, stage, order)?;
    Ok(Page {
        items,
        total: total.max(0) as u64,
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
    Ok(match catalog(conn, tenant, id)? {
        None => None,
        Some(c) => assemble(conn, tenant, vec![c], stage, order)?.pop(),
    })
}

/// One gateway deployment of a page's API, enough for presence, versions and health.
struct GatewayRow {
    stage: String,
    sync_status: String,
    last_sync_success: Option<String>,
    last_sync_error: Option<String>,
    gateway_name: String,
    desired_at: Option<String>,
    desired: Value,
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
    let mut rows: HashMap<String, Vec<GatewayRow>> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT d.api_id, d.stage, d.sync_status, d.last_sync_success, d.last_sync_error, g.name,
             d.desired_at, d.desired_state
         FROM gateway_deployments d JOIN gateways g ON g.id = d.gateway_id
         WHERE d.tenant_id = ?1 AND d.api_id IN (SELECT value FROM json_each(?2))
         ORDER BY g.name",
    )?;
    let mut found = stmt.query(params![tenant, ids])?;
    while let Some(r) = found.next()? {
        rows.entry(r.get(0)?).or_default().push(GatewayRow {
            stage: r.get(1)?,
            sync_status: r.get(2)?,
            last_sync_success: r.get(3)?,
            last_sync_error: r.get(4)?,
            gateway_name: r.get(5)?,
            desired_at: r.get(6)?,
            desired: json_col(r, 7)?,
        });
    }
    let rank = |s: &str| order.iter().position(|o| *o == s).unwrap_or(usize::MAX);
    let mut out = Vec::with_capacity(catalog.len());
    for c in catalog {
        let api_rows = rows.remove(&c.id).unwrap_or_default();
        let has = |s: &str| api_rows.iter().any(|x| x.stage == s);
        // A stage-filtered list shows what runs in that stage.
        let running = stage.and_then(|s| running_in(&api_rows, s));
        let (deployed_dev, deployed_staging) = (has("dev"), has("staging"));
        out.push(Api {
            tenant_id: tenant.to_string(),
            name: c.id.clone(),
            display_name: c.display_name,
            version: running
                .as_ref()
                .map(|s| s.version.clone())
                .unwrap_or(c.version),
            description: match &running {
                Some(s) => s.description.clone(),
                None => c.description,
            },
            backend_url: match &running {
                Some(s) => s.backend_url.clone(),
                None => c.backend_url,
            },
            status: c.status,
            tags: c.tags,
            deployed_dev,
            deployed_staging,
            created_at: ts(c.created_at),
            updated_at: ts(c.updated_at),
            runtime_deployments: runtime_deployments(api_rows, &rank),
            id: c.id,
            ..Api::default()
        });
    }
    Ok(out)
}

/// The same choice as [`stage_desired`], over rows already read.
fn running_in(rows: &[GatewayRow], stage: &str) -> Option<ApiSpec> {
    rows.iter()
        .filter(|r| r.stage == stage && r.sync_status != "deleting")
        .max_by(|a, b| {
            (a.sync_status == "synced", &a.desired_at)
                .cmp(&(b.sync_status == "synced", &b.desired_at))
        })
        .and_then(|r| ApiSpec::from_desired(&r.desired))
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
        let success: Option<Timestamp> = ts(row.last_sync_success);
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

/// What a write or a promotion deploys, onto which gateways, by whom.
pub struct Deploy<'a> {
    pub tenant: &'a str,
    pub api: &'a str,
    pub stage: &'a str,
    pub gateways: &'a [crate::wire::Gateway],
    pub desired: &'a Value,
    pub deployed_by: &'a str,
    pub promotion_id: Option<&'a str>,
    /// Set when this deployment undoes a promotion.
    pub rollback_of: Option<&'a str>,
}

/// Puts the desired state on the gateways (pending until the agent acknowledges) and opens a
/// deployment history row (`in_progress`). Returns the gateway deployment ids.
pub fn deploy(conn: &Connection, d: &Deploy<'_>) -> rusqlite::Result<Vec<String>> {
    let history = open_history(conn, d)?;
    let mut ids = Vec::with_capacity(d.gateways.len());
    for gateway in d.gateways {
        ids.push(super::gateways::put(
            conn,
            &super::gateways::Put {
                tenant: d.tenant,
                api: d.api,
                gateway,
                desired: d.desired,
                promotion_id: d.promotion_id,
                history_id: Some(&history),
            },
        )?);
    }
    Ok(ids)
}

fn open_history(conn: &Connection, d: &Deploy<'_>) -> rusqlite::Result<String> {
    let history = new_id();
    let at = now();
    conn.prepare_cached(
        "INSERT INTO deployments (id, tenant_id, api_id, stage, version, status, deployed_by,
             created_at, updated_at, rollback_of, gateway_id, spec_hash, attempt_count)
         VALUES (?1, ?2, ?3, ?4, ?5, 'in_progress', ?6, ?7, ?7, ?8, ?9, ?10, 0)",
    )?
    .execute(params![
        history,
        d.tenant,
        d.api,
        d.stage,
        desired::version_of(d.desired).unwrap_or_default(),
        d.deployed_by,
        at,
        d.rollback_of,
        d.gateways.first().map(|g| g.id.clone()),
        desired::hash_of(d.desired)
    ])?;
    Ok(history)
}
