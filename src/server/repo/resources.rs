//! Read-only stage-scoped resources: deployment history and subscriptions. Subscriptions
//! made the real way have no stage: a stage filter leaves them out, as the real one does.

use rusqlite::{Connection, params};

use super::ts;
use crate::server::extract::Paging;
use crate::wire::{Deployment, Page, Subscription};

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
