//! What a new database starts with. Every seed creates the demo accounts and their two
//! tenants (the embedded control plane has no user administration, so this is how anyone
//! signs in) and at least one gateway per stage; `Seed::Demo` adds a busy platform
//! (see [`demo`]). Each part runs once per database, so a restart keeps what changed.

mod demo;

use rusqlite::{OptionalExtension, Transaction, params};

use super::Seed;
use super::db::{Db, DbError};
use super::identity::{NewUser, insert_user};
use super::repo::now;
use crate::domain::{Pipeline, Role};

pub const DEMO_PASSWORD: &str = "demo";

/// (username, roles, tenant)
pub const ACCOUNTS: &[(&str, Role, Option<&str>)] = &[
    ("ada", Role::CpiAdmin, None),
    ("tess", Role::TenantAdmin, Some("acme")),
    ("dave", Role::Devops, Some("acme")),
    ("dora", Role::Devops, Some("acme")),
    ("vic", Role::Viewer, Some("acme")),
    ("gus", Role::Devops, Some("globex")),
];

pub const TENANTS: &[(&str, &str, &str)] = &[
    (
        "acme",
        "Acme Corp",
        "Payments, retail and customer platforms",
    ),
    (
        "globex",
        "Globex Logistics",
        "Freight, fleet and warehouse services",
    ),
];

pub async fn ensure(db: &Db, seed: Seed, pipeline: &Pipeline) -> Result<(), DbError> {
    let stages: Vec<String> = pipeline
        .stages()
        .iter()
        .map(|s| s.name.as_str().to_string())
        .collect();
    db.write(move |tx| {
        if !flag(tx, "seed.accounts")? {
            accounts(tx)?;
            set_flag(tx, "seed.accounts")?;
        }
        if seed == Seed::Demo && !flag(tx, "seed.demo")? {
            demo::populate(tx, &stages)?;
            set_flag(tx, "seed.demo")?;
        }
        default_gateways(tx, &stages)
    })
    .await
}

fn flag(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<bool> {
    Ok(tx
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .is_some())
}

fn set_flag(tx: &Transaction<'_>, key: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
        params![key, now()],
    )?;
    Ok(())
}

fn accounts(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let at = now();
    for (id, name, description) in TENANTS {
        tx.execute(
            "INSERT OR IGNORE INTO tenants
                (id, name, display_name, description, owner_email, status, created_at, updated_at)
             VALUES (?1, ?2, ?2, ?3, ?4, 'active', ?5, ?5)",
            params![id, name, description, format!("platform@{id}.example"), at],
        )?;
    }
    for (username, role, tenant) in ACCOUNTS {
        let email = match tenant {
            Some(t) => format!("{username}@{t}.example"),
            None => format!("{username}@envdeck.example"),
        };
        insert_user(
            tx,
            &NewUser {
                username,
                password: DEMO_PASSWORD,
                email: &email,
                roles: std::slice::from_ref(role),
                tenant_id: *tenant,
            },
        )?;
    }
    Ok(())
}

/// Every stage needs a gateway to deploy to; a stage without one gets a platform gateway.
fn default_gateways(tx: &Transaction<'_>, stages: &[String]) -> rusqlite::Result<()> {
    for stage in stages {
        let has: bool = tx
            .prepare_cached("SELECT 1 FROM gateways WHERE stage = ?1")?
            .exists([stage])?;
        if !has {
            insert_gateway(
                tx,
                &GatewaySeed::stoa(&format!("envdeck-{stage}"), stage, None),
            )?;
        }
    }
    Ok(())
}

/// A gateway to seed.
pub(crate) struct GatewaySeed<'a> {
    pub name: &'a str,
    pub stage: &'a str,
    /// None: a platform gateway, shared by every tenant.
    pub tenant: Option<&'a str>,
    pub gateway_type: &'a str,
    /// The family promotions must match (`target_gateway_type`).
    pub family: &'a str,
    pub topology: &'a str,
    pub status: &'a str,
    pub enabled: bool,
}

impl<'a> GatewaySeed<'a> {
    /// A STOA edge gateway, online and enabled.
    pub fn stoa(name: &'a str, stage: &'a str, tenant: Option<&'a str>) -> GatewaySeed<'a> {
        GatewaySeed {
            name,
            stage,
            tenant,
            gateway_type: "stoa",
            family: "stoa",
            topology: "native-edge",
            status: "online",
            enabled: true,
        }
    }
}

pub(crate) fn insert_gateway(
    tx: &Transaction<'_>,
    g: &GatewaySeed<'_>,
) -> rusqlite::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let at = now();
    let display = g
        .name
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let deployment_mode = if g.topology == "native-edge" {
        "edge"
    } else {
        "connect"
    };
    tx.execute(
        "INSERT INTO gateways (id, name, display_name, gateway_type, stage, tenant_id, base_url,
             status, version, last_health_check, created_at, target_gateway_type, topology,
             deployment_mode, mode, enabled)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '2.4.1', ?9, ?9, ?10, ?11, ?12, NULL, ?13)",
        params![
            id,
            g.name,
            display,
            g.gateway_type,
            g.stage,
            g.tenant,
            format!("https://{}.gw.envdeck.example", g.name),
            g.status,
            at,
            g.family,
            g.topology,
            deployment_mode,
            g.enabled
        ],
    )?;
    Ok(id)
}
