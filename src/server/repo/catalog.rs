//! Tenants.

use rusqlite::{Connection, OptionalExtension, params};

use super::{now, ts};
use crate::wire::{Tenant, TenantCreate};

const COLUMNS: &str = "t.id, t.name, t.display_name, t.description, t.owner_email, t.status,
    t.created_at, t.updated_at,
    (SELECT count(*) FROM apis a WHERE a.tenant_id = t.id),
    (SELECT count(DISTINCT application_id) FROM subscriptions s WHERE s.tenant_id = t.id)";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Tenant> {
    Ok(Tenant {
        id: r.get(0)?,
        name: r.get(1)?,
        display_name: r.get(2)?,
        description: r.get(3)?,
        owner_email: r.get(4)?,
        status: r.get(5)?,
        created_at: ts(r.get(6)?),
        updated_at: ts(r.get(7)?),
        api_count: r.get::<_, i64>(8)? as u64,
        application_count: r.get::<_, i64>(9)? as u64,
    })
}

/// Every tenant, or only `only` (a non-admin's own tenant).
pub fn list(conn: &Connection, only: Option<&str>) -> rusqlite::Result<Vec<Tenant>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tenants t WHERE ?1 IS NULL OR t.id = ?1 ORDER BY t.id"
    ))?;
    stmt.query_map([only], row)?.collect()
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Tenant>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tenants t WHERE t.id = ?1"))?
        .query_row([id], row)
        .optional()
}

/// Inserts a tenant; `false` when the id is taken.
pub fn insert(conn: &Connection, id: &str, body: &TenantCreate) -> rusqlite::Result<bool> {
    let at = now();
    let n = conn.execute(
        "INSERT OR IGNORE INTO tenants
            (id, name, display_name, description, owner_email, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?6)",
        params![
            id,
            body.name,
            body.display_name,
            body.description,
            body.owner_email,
            at
        ],
    )?;
    Ok(n == 1)
}
