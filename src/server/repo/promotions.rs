//! Promotion rows and the conditional state changes that make concurrent approvals safe.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::{new_id, now, opt_json_col, ts};
use crate::server::extract::Paging;
use crate::wire::{Page, Promotion};

/// A promotion with what only the server needs.
#[derive(Clone, Debug)]
pub struct Stored {
    pub promotion: Promotion,
    /// What each target gateway held before approval: `[{gateway_id, desired_state|null}]`.
    pub previous_target: Option<Value>,
    pub rollback_of: Option<String>,
    /// Why the gateways failed it (also in `spec_diff.failure_reason`).
    pub failure_reason: Option<String>,
}

const COLUMNS: &str = "id, tenant_id, api_id, source_stage, target_stage, source_deployment_id,
    target_deployment_id, target_gateway_ids, status, message, requested_by, approved_by,
    completed_at, created_at, updated_at, previous_target, rollback_of, spec_diff, failure_reason";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
    let targets = opt_json_col(r, 7)?.and_then(|v| serde_json::from_value(v).ok());
    Ok(Stored {
        promotion: Promotion {
            id: r.get(0)?,
            tenant_id: r.get(1)?,
            api_id: r.get(2)?,
            source_environment: r.get(3)?,
            target_environment: r.get(4)?,
            source_deployment_id: r.get(5)?,
            target_deployment_id: r.get(6)?,
            target_gateway_ids: targets,
            status: r.get(8)?,
            spec_diff: opt_json_col(r, 17)?,
            message: r.get(9)?,
            requested_by: r.get(10)?,
            approved_by: r.get(11)?,
            completed_at: ts(r.get(12)?),
            created_at: ts(r.get(13)?),
            updated_at: ts(r.get(14)?),
            ..Promotion::default()
        },
        previous_target: opt_json_col(r, 15)?,
        rollback_of: r.get(16)?,
        failure_reason: r.get(18)?,
    })
}

pub fn get(conn: &Connection, tenant: &str, id: &str) -> rusqlite::Result<Option<Stored>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM promotions WHERE tenant_id = ?1 AND id = ?2"
    ))?
    .query_row(params![tenant, id], row)
    .optional()
}

pub struct Filter {
    pub api_id: Option<String>,
    pub status: Option<String>,
    pub target: Option<String>,
}

pub fn list(
    conn: &Connection,
    tenant: &str,
    f: &Filter,
    paging: Paging,
) -> rusqlite::Result<Page<Promotion>> {
    let filter = "tenant_id = ?1 AND (?2 IS NULL OR api_id = ?2) AND (?3 IS NULL OR status = ?3)
        AND (?4 IS NULL OR target_stage = ?4)";
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM promotions WHERE {filter}"))?
        .query_row(params![tenant, f.api_id, f.status, f.target], |r| r.get(0))?;
    let items = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM promotions WHERE {filter}
             ORDER BY created_at DESC, id LIMIT ?5 OFFSET ?6"
        ))?
        .query_map(
            params![
                tenant,
                f.api_id,
                f.status,
                f.target,
                paging.limit(),
                paging.offset()
            ],
            |r| row(r).map(|s| s.promotion),
        )?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Page {
        items,
        total: total.max(0) as u64,
        page: paging.page,
        page_size: paging.page_size,
        total_pages: None,
    })
}

/// The open (pending or promoting) promotion of an API into a stage, if any: (id, status).
pub fn open_for(
    conn: &Connection,
    tenant: &str,
    api: &str,
    target: &str,
) -> rusqlite::Result<Option<(String, String)>> {
    conn.prepare_cached(
        "SELECT id, status FROM promotions WHERE tenant_id = ?1 AND api_id = ?2
             AND target_stage = ?3 AND status IN ('pending', 'promoting')",
    )?
    .query_row(params![tenant, api, target], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}

pub struct NewPromotion<'a> {
    pub tenant: &'a str,
    pub api: &'a str,
    pub source: &'a str,
    pub target: &'a str,
    pub source_deployment_id: Option<&'a str>,
    pub target_gateway_ids: Option<&'a [String]>,
    pub status: &'a str,
    pub message: &'a str,
    pub requested_by: &'a str,
    pub rollback_of: Option<&'a str>,
    /// Seeding back-dates rows; `None` means now.
    pub created_at: Option<&'a str>,
}

pub fn insert(conn: &Connection, p: &NewPromotion<'_>) -> rusqlite::Result<String> {
    let id = new_id();
    let at = p.created_at.map(str::to_string).unwrap_or_else(now);
    conn.prepare_cached(
        "INSERT INTO promotions (id, tenant_id, api_id, source_stage, target_stage,
             source_deployment_id, target_gateway_ids, status, message, requested_by,
             created_at, updated_at, rollback_of)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)",
    )?
    .execute(params![
        id,
        p.tenant,
        p.api,
        p.source,
        p.target,
        p.source_deployment_id,
        p.target_gateway_ids.map(super::to_json_text::<[String]>),
        p.status,
        p.message,
        p.requested_by,
        at,
        p.rollback_of
    ])?;
    Ok(id)
}

/// Moves a promotion from `from` to `to`; `false` when someone else moved it first.
pub fn transition(
    conn: &Connection,
    id: &str,
    from: &str,
    to: &str,
    approved_by: Option<&str>,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE promotions SET status = ?3, approved_by = coalesce(?4, approved_by),
                 updated_at = ?5
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![id, from, to, approved_by, now()])?;
    Ok(n == 1)
}

/// Remembers what the target gateways held before this promotion changed them.
pub fn set_previous_target(conn: &Connection, id: &str, previous: &Value) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE promotions SET previous_target = ?2 WHERE id = ?1")?
        .execute(params![id, previous.to_string()])?;
    Ok(())
}

/// The manual path: promoting → promoted once every linked deployment is synced.
pub fn complete(
    conn: &Connection,
    id: &str,
    target_deployment_id: Option<&str>,
) -> rusqlite::Result<bool> {
    let at = now();
    let n = conn
        .prepare_cached(
            "UPDATE promotions SET status = 'promoted', target_deployment_id = ?2,
                 completed_at = ?3, updated_at = ?3
             WHERE id = ?1 AND status = 'promoting'",
        )?
        .execute(params![id, target_deployment_id, at])?;
    Ok(n == 1)
}

/// Any open (pending or promoting) promotion of an API: (id, status, target stage).
pub fn open_of_api(
    conn: &Connection,
    tenant: &str,
    api: &str,
) -> rusqlite::Result<Option<(String, String, String)>> {
    conn.prepare_cached(
        "SELECT id, status, target_stage FROM promotions WHERE tenant_id = ?1 AND api_id = ?2
             AND status IN ('pending', 'promoting') ORDER BY created_at LIMIT 1",
    )?
    .query_row(params![tenant, api], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .optional()
}
