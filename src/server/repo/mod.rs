//! SQL for each resource, run inside `Db` closures. Rows become `wire` types here.

pub mod apis;
pub mod audit;
pub mod catalog;
pub mod gateways;
pub mod promotions;
pub mod resources;
pub mod sync;

use rusqlite::types::Type;

use crate::wire::Timestamp;

/// Timestamps are stored as RFC 3339 text in UTC, which also sorts correctly.
pub fn now() -> String {
    Timestamp::now().to_rfc3339()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn ts(raw: Option<String>) -> Option<Timestamp> {
    raw.as_deref().and_then(Timestamp::parse)
}

/// Reads a JSON text column.
pub fn json_col<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e)))
}

pub fn opt_json_col(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<serde_json::Value>> {
    let text: Option<String> = row.get(idx)?;
    match text {
        None => Ok(None),
        Some(t) => serde_json::from_str(&t)
            .map(Some)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))),
    }
}

pub fn to_json_text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Serialising plain data (strings, vectors, Value) cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

pub fn tenant_exists(conn: &rusqlite::Connection, tenant: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM tenants WHERE id = ?1")?
        .exists([tenant])
}
