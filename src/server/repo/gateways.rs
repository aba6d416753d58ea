//! Gateways and gateway deployments (an API on one gateway), in the real service's shapes.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{json_col, new_id, now, ts};
use crate::server::desired;
use crate::server::extract::Paging;
use crate::wire::{Gateway, GatewayDeployment, Page};

pub(crate) fn page<T>(items: Vec<T>, total: i64, paging: Paging) -> Page<T> {
    Page {
        items,
        total: total.max(0) as u64,
        page: paging.page,
        page_size: paging.page_size,
        total_pages: None,
    }
}

const GW_COLUMNS: &str = "id, name, display_name, gateway_type, stage, tenant_id, base_url, status,
    version, last_health_check, created_at, target_gateway_type, topology, deployment_mode, mode,
    enabled";

fn gateway_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Gateway> {
    Ok(Gateway {
        id: r.get(0)?,
        name: r.get(1)?,
        display_name: r.get(2)?,
        gateway_type: r.get(3)?,
        environment: r.get(4)?,
        tenant_id: r.get(5)?,
        base_url: r.get(6)?,
        status: r.get(7)?,
        version: r.get(8)?,
        last_health_check: ts(r.get(9)?),
        created_at: ts(r.get(10)?),
        target_gateway_type: r.get(11)?,
        topology: r.get(12)?,
        deployment_mode: r.get(13)?,
        mode: r.get(14)?,
        enabled: r.get::<_, i64>(15)? != 0,
    })
}

pub struct GatewayFilter {
    pub stage: Option<String>,
    /// That tenant's gateways and the platform's (NULL tenant).
    pub tenant: Option<String>,
    pub gateway_type: Option<String>,
}

pub fn gateways(
    conn: &Connection,
    f: &GatewayFilter,
    paging: Paging,
) -> rusqlite::Result<Page<Gateway>> {
    let filter =
        "(?1 IS NULL OR stage = ?1) AND (?2 IS NULL OR tenant_id IS NULL OR tenant_id = ?2)
        AND (?3 IS NULL OR lower(gateway_type) = ?3 OR lower(target_gateway_type) = ?3)";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM gateways WHERE {filter}"))?
        .query_row(params![f.stage, f.tenant, f.gateway_type], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {GW_COLUMNS} FROM gateways WHERE {filter}
             ORDER BY stage, name LIMIT ?4 OFFSET ?5"
        ))?
        .query_map(
            params![
                f.stage,
                f.tenant,
                f.gateway_type,
                paging.limit(),
                paging.offset()
            ],
            gateway_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page(items, total, paging))
}

pub fn gateway(conn: &Connection, id: &str) -> rusqlite::Result<Option<Gateway>> {
    conn.prepare_cached(&format!("SELECT {GW_COLUMNS} FROM gateways WHERE id = ?1"))?
        .query_row([id], gateway_row)
        .optional()
}

/// Where a new or edited API goes in a stage: the tenant's own enabled gateways there, or the
/// platform's when the tenant has none. Offline gateways have no agent to take it.
pub fn deploy_targets(
    conn: &Connection,
    tenant: &str,
    stage: &str,
) -> rusqlite::Result<Vec<Gateway>> {
    let all: Vec<Gateway> = conn
        .prepare_cached(&format!(
            "SELECT {GW_COLUMNS} FROM gateways WHERE stage = ?1 AND enabled = 1
                 AND status != 'offline' AND (tenant_id IS NULL OR tenant_id = ?2)
             ORDER BY name"
        ))?
        .query_map(params![stage, tenant], gateway_row)?
        .collect::<rusqlite::Result<_>>()?;
    let own: Vec<Gateway> = all
        .iter()
        .filter(|g| g.tenant_id.is_some())
        .cloned()
        .collect();
    Ok(if own.is_empty() { all } else { own })
}

const GD_COLUMNS: &str = "d.id, a.catalog_id, d.gateway_id, d.desired_state, d.desired_at,
    d.sync_status, d.last_sync_attempt, d.last_sync_success, d.last_sync_error, d.sync_attempts,
    d.created_at, d.updated_at, g.name, g.display_name, g.gateway_type, g.stage";

const GD_FROM: &str = "gateway_deployments d JOIN gateways g ON g.id = d.gateway_id
    LEFT JOIN apis a ON a.tenant_id = d.tenant_id AND a.id = d.api_id";

fn gd_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GatewayDeployment> {
    Ok(GatewayDeployment {
        id: r.get(0)?,
        api_catalog_id: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
        gateway_instance_id: r.get(2)?,
        desired_state: json_col(r, 3)?,
        desired_at: ts(r.get(4)?),
        sync_status: r.get(5)?,
        last_sync_attempt: ts(r.get(6)?),
        last_sync_success: ts(r.get(7)?),
        sync_error: r.get(8)?,
        sync_attempts: r.get::<_, i64>(9)?.max(0) as u32,
        created_at: ts(r.get(10)?),
        updated_at: ts(r.get(11)?),
        gateway_name: r.get(12)?,
        gateway_display_name: r.get(13)?,
        gateway_type: r.get(14)?,
        gateway_environment: r.get(15)?,
    })
}

#[derive(Default)]
pub struct DeploymentFilter {
    pub stage: Option<String>,
    pub tenant: Option<String>,
    pub sync_status: Option<String>,
    pub gateway_id: Option<String>,
    pub api_id: Option<String>,
}

pub fn deployments(
    conn: &Connection,
    f: &DeploymentFilter,
    paging: Paging,
) -> rusqlite::Result<Page<GatewayDeployment>> {
    let filter = "(?1 IS NULL OR d.stage = ?1) AND (?2 IS NULL OR d.tenant_id = ?2)
        AND (?3 IS NULL OR d.sync_status = ?3) AND (?4 IS NULL OR d.gateway_id = ?4)
        AND (?5 IS NULL OR d.api_id = ?5)";
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM gateway_deployments d WHERE {filter}"
        ))?
        .query_row(
            params![f.stage, f.tenant, f.sync_status, f.gateway_id, f.api_id],
            |r| r.get(0),
        )?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {GD_COLUMNS} FROM {GD_FROM} WHERE {filter}
             ORDER BY d.tenant_id, d.api_id, g.stage, g.name LIMIT ?6 OFFSET ?7"
        ))?
        .query_map(
            params![
                f.stage,
                f.tenant,
                f.sync_status,
                f.gateway_id,
                f.api_id,
                paging.limit(),
                paging.offset()
            ],
            gd_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page(items, total, paging))
}

pub fn deployment(conn: &Connection, id: &str) -> rusqlite::Result<Option<GatewayDeployment>> {
    conn.prepare_cached(&format!(
        "SELECT {GD_COLUMNS} FROM {GD_FROM} WHERE d.id = ?1"
    ))?
    .query_row([id], gd_row)
    .optional()
}

/// The deployments a promotion (or rollback) put in place, by gateway name.
pub fn linked(conn: &Connection, promotion: &str) -> rusqlite::Result<Vec<GatewayDeployment>> {
    conn.prepare_cached(&format!(
        "SELECT {GD_COLUMNS} FROM {GD_FROM} WHERE d.promotion_id = ?1 ORDER BY g.name"
    ))?
    .query_map([promotion], gd_row)?
    .collect()
}

/// The deployment of an API on one gateway, if any.
pub fn on_gateway(
    conn: &Connection,
    tenant: &str,
    api: &str,
    gateway: &str,
) -> rusqlite::Result<Option<GatewayDeployment>> {
    conn.prepare_cached(&format!(
        "SELECT {GD_COLUMNS} FROM {GD_FROM}
         WHERE d.tenant_id = ?1 AND d.api_id = ?2 AND d.gateway_id = ?3"
    ))?
    .query_row(params![tenant, api, gateway], gd_row)
    .optional()
}

/// What a stage serves of an API: the newest synced deployment's snapshot, as the real
/// service's promotion diff picks it.
pub fn latest_synced(
    conn: &Connection,
    tenant: &str,
    api: &str,
    stage: &str,
) -> rusqlite::Result<Option<GatewayDeployment>> {
    conn.prepare_cached(&format!(
        "SELECT {GD_COLUMNS} FROM {GD_FROM}
         WHERE d.tenant_id = ?1 AND d.api_id = ?2 AND d.stage = ?3 AND d.sync_status = 'synced'
         ORDER BY coalesce(d.last_sync_success, d.desired_at, d.created_at) DESC, g.name
         LIMIT 1"
    ))?
    .query_row(params![tenant, api, stage], gd_row)
    .optional()
}

/// A desired state to put on one gateway.
pub struct Put<'a> {
    pub tenant: &'a str,
    pub api: &'a str,
    pub gateway: &'a Gateway,
    /// Without the per-gateway keys; they are added here.
    pub desired: &'a Value,
    pub promotion_id: Option<&'a str>,
    pub history_id: Option<&'a str>,
}

/// Creates or replaces the API's deployment on the gateway; it waits (`pending`) for the
/// gateway agent to acknowledge it. Returns the deployment id.
pub fn put(conn: &Connection, p: &Put<'_>) -> rusqlite::Result<String> {
    let desired = desired::for_gateway(p.desired, &p.gateway.environment, &p.gateway.name);
    let at = now();
    conn.prepare_cached(
        "INSERT INTO gateway_deployments (id, tenant_id, api_id, gateway_id, stage, version,
             spec_hash, sync_status, desired_generation, synced_generation, last_sync_success,
             last_sync_error, created_at, updated_at, desired_state, desired_at, sync_attempts,
             promotion_id, history_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 1, 0, NULL, NULL, ?8, ?8, ?9, ?8, 0, ?10, ?11)
         ON CONFLICT (tenant_id, api_id, gateway_id) DO UPDATE SET version = ?6, spec_hash = ?7,
             sync_status = 'pending', desired_generation = desired_generation + 1,
             last_sync_error = NULL, updated_at = ?8, desired_state = ?9, desired_at = ?8,
             sync_attempts = 0, promotion_id = ?10, history_id = ?11
         RETURNING id",
    )?
    .query_row(
        params![
            new_id(),
            p.tenant,
            p.api,
            p.gateway.id,
            p.gateway.environment,
            desired::version_of(&desired).unwrap_or_default(),
            desired::hash_of(&desired),
            at,
            desired.to_string(),
            p.promotion_id,
            p.history_id
        ],
        |r| r.get(0),
    )
}

/// Asks the gateway to remove the API (`deleting`); the agent's acknowledgement removes the row.
pub fn mark_deleting(
    conn: &Connection,
    id: &str,
    promotion_id: Option<&str>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE gateway_deployments SET sync_status = 'deleting', last_sync_error = NULL,
             desired_at = ?2, updated_at = ?2, sync_attempts = 0, promotion_id = ?3
         WHERE id = ?1",
    )?
    .execute(params![id, now(), promotion_id])?;
    Ok(())
}

/// What each gateway held of the API before a promotion changed it: `[{gateway_id,
/// desired_state}]`, `desired_state` null where the API was not there.
pub fn snapshot(
    conn: &Connection,
    tenant: &str,
    api: &str,
    gateways: &[String],
) -> rusqlite::Result<Value> {
    let mut out = Vec::with_capacity(gateways.len());
    for g in gateways {
        let held = on_gateway(conn, tenant, api, g)?
            .filter(|d| d.sync_status != "deleting")
            .map(|d| d.desired_state)
            .unwrap_or(Value::Null);
        out.push(serde_json::json!({ "gateway_id": g, "desired_state": held }));
    }
    Ok(Value::Array(out))
}
