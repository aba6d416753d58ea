//! The audit trail: every write leaves an entry (per tenant; the stage is in `details`).

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use super::{new_id, now, opt_json_col, ts};
use crate::wire::{AuditEntry, AuditPage};

pub struct Record<'a> {
    pub tenant: &'a str,
    pub user_id: &'a str,
    pub user_email: Option<&'a str>,
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    pub success: bool,
    pub details: Map<String, Value>,
}

pub fn record(conn: &Connection, r: Record<'_>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit (id, tenant_id, timestamp, user_id, user_email, action, resource_type,
             resource_id, status, details, request_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        new_id(),
        r.tenant,
        now(),
        r.user_id,
        r.user_email,
        r.action,
        r.resource_type,
        r.resource_id,
        if r.success { "success" } else { "failure" },
        Value::Object(r.details).to_string(),
        new_id(),
    ])?;
    Ok(())
}

pub struct Filter {
    pub action: Option<String>,
    pub search: Option<String>,
    pub status: Option<String>,
    pub environment: Option<String>,
}

pub fn list(
    conn: &Connection,
    tenant: &str,
    filter: &Filter,
    page: u32,
    page_size: u32,
) -> rusqlite::Result<AuditPage> {
    let search = filter
        .search
        .as_ref()
        .map(|s| format!("%{}%", s.to_lowercase()));
    let where_sql = "tenant_id = ?1
        AND (?2 IS NULL OR action = ?2)
        AND (?3 IS NULL OR status = ?3)
        AND (?4 IS NULL OR lower(coalesce(action,'') || ' ' || coalesce(resource_id,'') || ' '
             || coalesce(user_email,'') || ' ' || coalesce(details,'')) LIKE ?4)
        AND (?5 IS NULL OR json_extract(details, '$.environment') = ?5)";
    let args = params![
        tenant,
        filter.action,
        filter.status,
        search,
        filter.environment
    ];
    let total: i64 = conn
        .prepare_cached(&format!("SELECT count(*) FROM audit WHERE {where_sql}"))?
        .query_row(args, |r| r.get(0))?;
    let offset = (page as i64 - 1) * page_size as i64;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, timestamp, tenant_id, user_id, user_email, action, resource_type, resource_id,
                status, details, request_id
         FROM audit WHERE {where_sql} ORDER BY seq DESC LIMIT ?6 OFFSET ?7"
    ))?;
    let entries = stmt
        .query_map(
            params![
                tenant,
                filter.action,
                filter.status,
                search,
                filter.environment,
                page_size as i64,
                offset
            ],
            |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    timestamp: ts(r.get(1)?),
                    tenant_id: r.get(2)?,
                    user_id: r.get(3)?,
                    user_email: r.get(4)?,
                    action: r.get(5)?,
                    resource_type: r.get(6)?,
                    resource_id: r.get(7)?,
                    status: r.get(8)?,
                    details: opt_json_col(r, 9)?,
                    request_id: r.get(10)?,
                    ..AuditEntry::default()
                })
            },
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(AuditPage {
        has_more: offset + (entries.len() as i64) < total,
        entries,
        total: total as u64,
        page,
        page_size,
        source: Some("envdeck".into()),
        warning: None,
    })
}
