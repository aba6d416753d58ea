//! Read-only stage-scoped resources: deployment history, gateways, gateway deployments,
//! subscriptions.

use rusqlite::{Connection, OptionalExtension, params};

use super::ts;
use crate::server::extract::Paging;
use crate::wire::{Deployment, Gateway, GatewayDeployment, Page, Subscription};

fn page<T>(items: Vec<T>, total: i64, paging: Paging, with_pages: bool) -> Page<T> {
    let total = total.max(0) as u64;
    Page {
        items,
        total,
        page: paging.page,
        page_size: paging.page_size,
        total_pages: with_pages.then(|| total.div_ceil(paging.page_size.max(1) as u64) as u32),
    }
}

pub struct DeploymentFilter {
    pub stage: Option<String>,
    pub api_id: Option<String>,
    pub status: Option<String>,
}

pub fn deployments(
    conn: &Connection,
    tenant: &str,
    f: &DeploymentFilter,
    paging: Paging,
) -> rusqlite::Result<Page<Deployment>> {
    let filter = "tenant_id = ?1 AND (?2 IS NULL OR stage = ?2) AND (?3 IS NULL OR api_id = ?3)
        AND (?4 IS NULL OR status = ?4)";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM deployments WHERE {filter}"))?
        .query_row(params![tenant, f.stage, f.api_id, f.status], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT id, tenant_id, api_id, stage, version, status, deployed_by, created_at,
                 updated_at, completed_at, error_message, rollback_of, gateway_id, spec_hash,
                 attempt_count
             FROM deployments WHERE {filter} ORDER BY created_at DESC, id LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![
                tenant,
                f.stage,
                f.api_id,
                f.status,
                paging.limit(),
                paging.offset()
            ],
            |r| {
                let api_id: String = r.get(2)?;
                Ok(Deployment {
                    id: r.get(0)?,
                    tenant_id: r.get(1)?,
                    api_name: api_id.clone(),
                    api_id,
                    environment: r.get(3)?,
                    version: r.get(4)?,
                    status: r.get(5)?,
                    deployed_by: r.get(6)?,
                    created_at: ts(r.get(7)?),
                    updated_at: ts(r.get(8)?),
                    completed_at: ts(r.get(9)?),
                    error_message: r.get(10)?,
                    rollback_of: r.get(11)?,
                    gateway_id: r.get(12)?,
                    spec_hash: r.get(13)?,
                    commit_sha: None,
                    attempt_count: r.get::<_, i64>(14)? as u32,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page(items, total, paging, false))
}

/// Gateways of a stage (or all); `tenant` limits to that tenant's own plus shared gateways.
pub fn gateways(
    conn: &Connection,
    stage: Option<&str>,
    tenant: Option<&str>,
    paging: Paging,
) -> rusqlite::Result<Page<Gateway>> {
    let filter =
        "(?1 IS NULL OR stage = ?1) AND (?2 IS NULL OR tenant_id IS NULL OR tenant_id = ?2)";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM gateways WHERE {filter}"))?
        .query_row(params![stage, tenant], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT id, name, display_name, gateway_type, stage, tenant_id, base_url, status,
                 version, last_health_check, created_at
             FROM gateways WHERE {filter} ORDER BY stage, name LIMIT ?3 OFFSET ?4"
        ))?
        .query_map(
            params![stage, tenant, paging.limit(), paging.offset()],
            gateway_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page(items, total, paging, false))
}

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
        ..Gateway::default()
    })
}

pub fn gateway_stage(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<(String, Option<String>)>> {
    conn.prepare_cached("SELECT stage, tenant_id FROM gateways WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

pub struct GatewayDeploymentFilter {
    pub stage: Option<String>,
    pub tenant: Option<String>,
    pub sync_status: Option<String>,
    pub api_id: Option<String>,
}

const GD_COLUMNS: &str = "d.id, d.tenant_id, d.api_id, d.gateway_id, g.name, g.stage, d.version,
    d.spec_hash, d.sync_status, d.desired_generation, d.synced_generation, d.last_sync_success,
    d.last_sync_error, d.created_at, d.updated_at, g.display_name, g.gateway_type";

fn gd_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<GatewayDeployment> {
    let tenant_id: String = r.get(1)?;
    let api_id: String = r.get(2)?;
    let desired_state = serde_json::json!({
        "api_id": api_id,
        "api_name": api_id,
        "tenant_id": tenant_id,
        "version": r.get::<_, String>(6)?,
        "spec_hash": r.get::<_, Option<String>>(7)?,
        "desired_generation": r.get::<_, i64>(9)?,
        "synced_generation": r.get::<_, i64>(10)?,
    });
    Ok(GatewayDeployment {
        id: r.get(0)?,
        api_catalog_id: format!("{tenant_id}/{api_id}"),
        gateway_instance_id: r.get(3)?,
        desired_state,
        desired_at: ts(r.get(14)?),
        sync_status: r.get(8)?,
        last_sync_attempt: ts(r.get(14)?),
        last_sync_success: ts(r.get(11)?),
        sync_error: r.get(12)?,
        sync_attempts: 0,
        created_at: ts(r.get(13)?),
        updated_at: ts(r.get(14)?),
        gateway_name: r.get(4)?,
        gateway_display_name: r.get(15)?,
        gateway_type: r.get(16)?,
        gateway_environment: r.get(5)?,
    })
}

pub fn gateway_deployments(
    conn: &Connection,
    f: &GatewayDeploymentFilter,
    paging: Paging,
) -> rusqlite::Result<Page<GatewayDeployment>> {
    let filter = "(?1 IS NULL OR d.stage = ?1) AND (?2 IS NULL OR d.tenant_id = ?2)
        AND (?3 IS NULL OR d.sync_status = ?3) AND (?4 IS NULL OR d.api_id = ?4)";
    let args = params![f.stage, f.tenant, f.sync_status, f.api_id];
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM gateway_deployments d WHERE {filter}"
        ))?
        .query_row(args, |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {GD_COLUMNS} FROM gateway_deployments d JOIN gateways g ON g.id = d.gateway_id
             WHERE {filter} ORDER BY d.tenant_id, d.api_id, g.name LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![
                f.stage,
                f.tenant,
                f.sync_status,
                f.api_id,
                paging.limit(),
                paging.offset()
            ],
            gd_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page(items, total, paging, false))
}

pub fn gateway_deployment(
    conn: &Connection,
    id: &str,
) -> rusqlite::Result<Option<GatewayDeployment>> {
    conn.prepare_cached(&format!(
        "SELECT {GD_COLUMNS} FROM gateway_deployments d JOIN gateways g ON g.id = d.gateway_id
         WHERE d.id = ?1"
    ))?
    .query_row([id], gd_row)
    .optional()
}

pub struct SubscriptionFilter {
    pub stage: Option<String>,
    pub status: Option<String>,
}

pub fn subscriptions(
    conn: &Connection,
    tenant: &str,
    f: &SubscriptionFilter,
    paging: Paging,
) -> rusqlite::Result<Page<Subscription>> {
    let filter =
        "s.tenant_id = ?1 AND (?2 IS NULL OR s.stage = ?2) AND (?3 IS NULL OR s.status = ?3)";
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM subscriptions s WHERE {filter}"
        ))?
        .query_row(params![tenant, f.stage, f.status], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT s.id, s.application_id, s.application_name, s.subscriber_id,
                 s.subscriber_email, s.api_id, coalesce(a.display_name, s.api_id), s.api_version,
                 s.tenant_id, s.stage, s.plan_id, s.plan_name, s.status, s.created_at,
                 s.updated_at, s.approved_at, s.expires_at, s.approved_by
             FROM subscriptions s LEFT JOIN apis a ON a.tenant_id = s.tenant_id AND a.id = s.api_id
             WHERE {filter} ORDER BY s.created_at DESC, s.id LIMIT ?4 OFFSET ?5"
        ))?
        .query_map(
            params![tenant, f.stage, f.status, paging.limit(), paging.offset()],
            |r| {
                Ok(Subscription {
                    id: r.get(0)?,
                    application_id: r.get(1)?,
                    application_name: r.get(2)?,
                    subscriber_id: r.get(3)?,
                    subscriber_email: r.get(4)?,
                    api_id: r.get(5)?,
                    api_name: r.get(6)?,
                    api_version: r.get(7)?,
                    tenant_id: r.get(8)?,
                    environment: r.get(9)?,
                    plan_id: r.get(10)?,
                    plan_name: r.get(11)?,
                    status: r.get(12)?,
                    created_at: ts(r.get(13)?),
                    updated_at: ts(r.get(14)?),
                    approved_at: ts(r.get(15)?),
                    expires_at: ts(r.get(16)?),
                    approved_by: r.get(17)?,
                })
            },
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(page(items, total, paging, true))
}
