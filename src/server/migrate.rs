//! Versioned schema migrations (`PRAGMA user_version`), and the checks that refuse a
//! database this binary must not touch (corrupt, or written by a newer envdeck).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

/// Each entry moves the schema from version i to i + 1.
const MIGRATIONS: &[&str] = &[SCHEMA_V1, SCHEMA_V2];

/// The schema version this binary writes.
pub const CURRENT_VERSION: u32 = MIGRATIONS.len() as u32;

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(
        "database at {path} was written by a newer envdeck (schema v{found}, this binary knows v{known}); refusing to touch it"
    )]
    TooNew {
        path: String,
        found: u32,
        known: u32,
    },
    #[error("{path} is not a valid envdeck database: {reason}")]
    Invalid { path: String, reason: String },
}

/// Inspects an existing file read-only (so a refused file keeps every byte).
pub fn check_existing(path: &Path) -> Result<(), CheckError> {
    if !path.exists() {
        return Ok(());
    }
    let invalid = |reason: String| CheckError::Invalid {
        path: path.display().to_string(),
        reason,
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| invalid(e.to_string()))?;
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| invalid(e.to_string()))?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| invalid(e.to_string()))?;
    if check != "ok" {
        return Err(invalid(format!("integrity check failed: {check}")));
    }
    if version > CURRENT_VERSION {
        return Err(CheckError::TooNew {
            path: path.display().to_string(),
            found: version,
            known: CURRENT_VERSION,
        });
    }
    if version == 0 {
        // An empty file is fine; a file with tables but no version is someone else's database.
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| invalid(e.to_string()))?;
        if tables > 0 {
            return Err(invalid(
                "it holds tables but no envdeck schema version".into(),
            ));
        }
    }
    Ok(())
}

/// Brings the schema up to [`CURRENT_VERSION`], one transaction per step.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<u32> {
    let mut version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    while (version as usize) < MIGRATIONS.len() {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(MIGRATIONS[version as usize])?;
        if version == 0 {
            tx.execute_batch(crate::server::identity::SCHEMA_SQL)?;
        }
        version += 1;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "database migrated");
    }
    Ok(version)
}

const SCHEMA_V1: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description TEXT,
    owner_email TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The tenant catalog entry; what it looks like in each stage lives in api_specs.
CREATE TABLE apis (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE api_specs (
    tenant_id TEXT NOT NULL,
    api_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    version TEXT NOT NULL,
    description TEXT,
    backend_url TEXT,
    spec TEXT NOT NULL,
    spec_hash TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, api_id, stage),
    FOREIGN KEY (tenant_id, api_id) REFERENCES apis(tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX api_specs_stage ON api_specs(tenant_id, stage, api_id);

CREATE TABLE gateways (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    gateway_type TEXT NOT NULL,
    stage TEXT NOT NULL,
    tenant_id TEXT,
    base_url TEXT,
    status TEXT NOT NULL,
    version TEXT,
    last_health_check TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX gateways_stage ON gateways(stage);

CREATE TABLE gateway_deployments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    api_id TEXT NOT NULL,
    gateway_id TEXT NOT NULL REFERENCES gateways(id),
    stage TEXT NOT NULL,
    version TEXT NOT NULL,
    spec_hash TEXT,
    sync_status TEXT NOT NULL,
    desired_generation INTEGER NOT NULL,
    synced_generation INTEGER NOT NULL,
    last_sync_success TEXT,
    last_sync_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (tenant_id, api_id, gateway_id)
);
CREATE INDEX gateway_deployments_stage ON gateway_deployments(stage, tenant_id, api_id);

CREATE TABLE deployments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    api_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    version TEXT NOT NULL,
    status TEXT NOT NULL,
    deployed_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT,
    error_message TEXT,
    rollback_of TEXT,
    gateway_id TEXT,
    spec_hash TEXT,
    attempt_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deployments_tenant ON deployments(tenant_id, stage, created_at);

CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    application_name TEXT NOT NULL,
    subscriber_id TEXT,
    subscriber_email TEXT,
    api_id TEXT NOT NULL,
    api_version TEXT,
    stage TEXT NOT NULL,
    plan_id TEXT,
    plan_name TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    approved_at TEXT,
    expires_at TEXT,
    approved_by TEXT
);
CREATE INDEX subscriptions_tenant ON subscriptions(tenant_id, stage);

CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    tenant_id TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    user_id TEXT,
    user_email TEXT,
    action TEXT NOT NULL,
    resource_type TEXT,
    resource_id TEXT,
    status TEXT NOT NULL,
    details TEXT,
    request_id TEXT
);
CREATE INDEX audit_tenant ON audit(tenant_id, seq);

CREATE TABLE promotions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    api_id TEXT NOT NULL,
    source_stage TEXT NOT NULL,
    target_stage TEXT NOT NULL,
    source_deployment_id TEXT,
    target_deployment_id TEXT,
    target_gateway_ids TEXT,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    approved_by TEXT,
    completed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- what the target held before completion (JSON of the spec row), to undo it on rollback
    previous_target TEXT,
    rollback_of TEXT
);
CREATE INDEX promotions_tenant ON promotions(tenant_id, created_at);
"#;

/// v2: the real platform's model. One catalog entry per API and tenant; what a stage runs is
/// the `desired_state` of the API's gateway deployments there (api_specs goes away).
/// Gateways get a family, topology and `enabled`; subscriptions may have no stage.
const SCHEMA_V2: &str = r#"
ALTER TABLE apis ADD COLUMN catalog_id TEXT;
ALTER TABLE apis ADD COLUMN version TEXT NOT NULL DEFAULT '1.0.0';
ALTER TABLE apis ADD COLUMN description TEXT;
ALTER TABLE apis ADD COLUMN backend_url TEXT;
UPDATE apis SET catalog_id = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4'
    || substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-'
    || hex(randomblob(6)));
UPDATE apis SET
    version = coalesce((SELECT s.version FROM api_specs s WHERE s.tenant_id = apis.tenant_id
        AND s.api_id = apis.id ORDER BY s.updated_at DESC LIMIT 1), version),
    description = (SELECT s.description FROM api_specs s WHERE s.tenant_id = apis.tenant_id
        AND s.api_id = apis.id ORDER BY s.updated_at DESC LIMIT 1),
    backend_url = (SELECT s.backend_url FROM api_specs s WHERE s.tenant_id = apis.tenant_id
        AND s.api_id = apis.id ORDER BY s.updated_at DESC LIMIT 1);
CREATE UNIQUE INDEX apis_catalog_id ON apis(catalog_id);

ALTER TABLE gateways ADD COLUMN target_gateway_type TEXT;
ALTER TABLE gateways ADD COLUMN topology TEXT;
ALTER TABLE gateways ADD COLUMN deployment_mode TEXT;
ALTER TABLE gateways ADD COLUMN mode TEXT;
ALTER TABLE gateways ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
UPDATE gateways SET target_gateway_type = gateway_type, topology = 'native-edge',
    deployment_mode = 'edge';

ALTER TABLE gateway_deployments ADD COLUMN desired_state TEXT NOT NULL DEFAULT '{}';
ALTER TABLE gateway_deployments ADD COLUMN desired_at TEXT;
ALTER TABLE gateway_deployments ADD COLUMN last_sync_attempt TEXT;
ALTER TABLE gateway_deployments ADD COLUMN sync_attempts INTEGER NOT NULL DEFAULT 0;
-- The promotion whose approval (or rollback) put this desired state here.
ALTER TABLE gateway_deployments ADD COLUMN promotion_id TEXT;
-- The deployment history row this sync belongs to.
ALTER TABLE gateway_deployments ADD COLUMN history_id TEXT;
UPDATE gateway_deployments SET desired_at = updated_at, last_sync_attempt = updated_at,
    desired_state = coalesce((SELECT json_object('api_id', s.api_id, 'api_name', s.api_id,
        'tenant_id', s.tenant_id, 'api_catalog_id', a.catalog_id, 'version', s.version,
        'spec_hash', s.spec_hash, 'backend_url', s.backend_url, 'description', s.description,
        'display_name', a.display_name, 'openapi_spec', json(s.spec), 'activated', json('true'),
        'target_environment', s.stage,
        'target_gateway_name', (SELECT g.name FROM gateways g WHERE g.id = gateway_deployments.gateway_id))
      FROM api_specs s JOIN apis a ON a.tenant_id = s.tenant_id AND a.id = s.api_id
      WHERE s.tenant_id = gateway_deployments.tenant_id AND s.api_id = gateway_deployments.api_id
        AND s.stage = gateway_deployments.stage), '{}');
CREATE INDEX gateway_deployments_promotion ON gateway_deployments(promotion_id);
CREATE INDEX gateway_deployments_sync ON gateway_deployments(sync_status);
DROP TABLE api_specs;

ALTER TABLE promotions ADD COLUMN failure_reason TEXT;
ALTER TABLE promotions ADD COLUMN spec_diff TEXT;

-- The real service stores no stage for subscriptions made through its API: stage is nullable.
CREATE TABLE subscriptions_v2 (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    application_name TEXT NOT NULL,
    subscriber_id TEXT,
    subscriber_email TEXT,
    api_id TEXT NOT NULL,
    api_version TEXT,
    stage TEXT,
    plan_id TEXT,
    plan_name TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    approved_at TEXT,
    expires_at TEXT,
    approved_by TEXT
);
INSERT INTO subscriptions_v2 SELECT id, tenant_id, application_id, application_name,
    subscriber_id, subscriber_email, api_id, api_version, stage, plan_id, plan_name, status,
    created_at, updated_at, approved_at, expires_at, approved_by FROM subscriptions;
DROP TABLE subscriptions;
ALTER TABLE subscriptions_v2 RENAME TO subscriptions;
CREATE INDEX subscriptions_tenant ON subscriptions(tenant_id, stage);
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_reach_the_current_version_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), CURRENT_VERSION);
        assert_eq!(migrate(&mut conn).unwrap(), CURRENT_VERSION);
    }

    #[test]
    fn v2_moves_each_stage_spec_into_its_gateway_deployments() {
        let mut conn = Connection::open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(SCHEMA_V1).unwrap();
        tx.execute_batch(crate::server::identity::SCHEMA_SQL)
            .unwrap();
        tx.execute_batch(
            r#"
            INSERT INTO tenants VALUES ('acme','Acme','Acme',NULL,NULL,'active','t','t');
            INSERT INTO apis VALUES ('acme','orders','Orders','[]','draft','t','t');
            INSERT INTO api_specs VALUES ('acme','orders','dev','1.4.0',NULL,'https://o',
                '{"paths":{}}','h1','2026-01-01T00:00:00.000000Z');
            INSERT INTO gateways VALUES ('g1','acme-dev','Acme Dev','stoa','dev','acme',NULL,
                'online',NULL,NULL,'t');
            INSERT INTO gateway_deployments VALUES ('d1','acme','orders','g1','dev','1.4.0','h1',
                'synced',1,1,NULL,NULL,'t','t');
            INSERT INTO subscriptions VALUES ('s1','acme','a','App',NULL,NULL,'orders',NULL,'dev',
                NULL,NULL,'active','t','t',NULL,NULL,NULL);
            PRAGMA user_version = 1;
            "#,
        )
        .unwrap();
        tx.commit().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), 2);
        let desired: String = conn
            .query_row("SELECT desired_state FROM gateway_deployments", [], |r| {
                r.get(0)
            })
            .unwrap();
        let desired: serde_json::Value = serde_json::from_str(&desired).unwrap();
        assert_eq!(desired["api_id"], "orders");
        assert_eq!(desired["version"], "1.4.0");
        assert_eq!(desired["spec_hash"], "h1");
        assert_eq!(desired["target_gateway_name"], "acme-dev");
        let (catalog_id, version): (String, String) = conn
            .query_row("SELECT catalog_id, version FROM apis", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((catalog_id.len(), version.as_str()), (36, "1.4.0"));
        conn.execute("UPDATE subscriptions SET stage = NULL", [])
            .unwrap();
    }

    #[test]
    fn refuses_foreign_and_newer_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE t(x); PRAGMA user_version = 0;")
            .unwrap();
        drop(conn);
        assert!(matches!(
            check_existing(&path),
            Err(CheckError::Invalid { .. })
        ));
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", CURRENT_VERSION + 1)
            .unwrap();
        drop(conn);
        let err = check_existing(&path).unwrap_err().to_string();
        assert!(err.contains("newer envdeck"), "{err}");
    }
}
