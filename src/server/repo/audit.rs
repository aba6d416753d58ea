//! The audit trail: every write leaves an entry (per tenant; the stage is in `details`).

use std::borrow::Cow;

use rusqlite::{Connection, params};
use serde_json::{Map, Value};

use super::{new_id, now, opt_json_col, ts};
use crate::wire::{AuditEntry, AuditPage};

/// Longest stored name, id, action or email: a refused write carries whatever the caller
/// sent (up to the body limit), and every reader of the log pays for what is stored.
pub const MAX_FIELD_CHARS: usize = 256;
/// Longest string stored inside `details` (reasons, override reasons).
pub const MAX_DETAIL_CHARS: usize = 1024;
/// Most keys or items kept per object or array of `details`, and the deepest nesting kept.
const MAX_DETAIL_ITEMS: usize = 64;
const MAX_DETAIL_DEPTH: usize = 4;
/// Ends a cut value, so that nobody takes it for what was sent.
pub const TRUNCATED: &str = "…[truncated]";
/// Longest `search` pattern accepted (422 beyond).
pub const MAX_SEARCH_CHARS: usize = 100;

fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((cut, _)) => Cow::Owned(format!("{}{TRUNCATED}", &s[..cut])),
    }
}

fn clip_value(v: Value, depth: usize) -> Value {
    match v {
        Value::String(s) => match clip(&s, MAX_DETAIL_CHARS) {
            Cow::Borrowed(_) => Value::String(s),
            Cow::Owned(cut) => Value::String(cut),
        },
        Value::Array(_) | Value::Object(_) if depth >= MAX_DETAIL_DEPTH => Value::from(TRUNCATED),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .take(MAX_DETAIL_ITEMS)
                .map(|i| clip_value(i, depth + 1))
                .collect(),
        ),
        Value::Object(map) => Value::Object(clip_map(map, depth)),
        other => other,
    }
}

fn clip_map(map: Map<String, Value>, depth: usize) -> Map<String, Value> {
    map.into_iter()
        .take(MAX_DETAIL_ITEMS)
        .map(|(k, v)| {
            (
                clip(&k, MAX_FIELD_CHARS).into_owned(),
                clip_value(v, depth + 1),
            )
        })
        .collect()
}

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
        clip(r.user_id, MAX_FIELD_CHARS),
        r.user_email.map(|e| clip(e, MAX_FIELD_CHARS)),
        clip(r.action, MAX_FIELD_CHARS),
        clip(r.resource_type, MAX_FIELD_CHARS),
        clip(r.resource_id, MAX_FIELD_CHARS),
        if r.success { "success" } else { "failure" },
        Value::Object(clip_map(r.details, 0)).to_string(),
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
    // A plain substring (instr), not a LIKE pattern: `%` and `_` from the caller must not
    // turn into wildcards whose matching backtracks.
    let search = filter.search.as_ref().map(|s| s.to_lowercase());
    let where_sql = "tenant_id = ?1
        AND (?2 IS NULL OR action = ?2)
        AND (?3 IS NULL OR status = ?3)
        AND (?4 IS NULL OR instr(lower(coalesce(action,'') || ' ' || coalesce(resource_id,'') || ' '
             || coalesce(user_email,'') || ' ' || coalesce(details,'')), ?4) > 0)
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
