//! The demo platform: two tenants with 22 APIs each in varied states across the stages,
//! gateways, deployments (synced, drifted, error), history, subscriptions, audit entries,
//! and open promotions waiting for review. A fixed RNG seed keeps names and shapes the same
//! on every run; only ids and times differ.

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Transaction, params};
use serde_json::{Map, Value};

use super::insert_gateway;
use crate::server::repo::apis::{self, SpecRow};
use crate::server::repo::promotions::{self, NewPromotion};
use crate::server::repo::{audit, new_id};
use crate::server::spec::{self, SpecFields};

const ACME: &[(&str, &str, &str)] = &[
    ("payments", "Payments API", "finance"),
    ("customer-profile", "Customer Profile", "crm"),
    ("accounts", "Accounts", "finance"),
    ("cards", "Card Issuing", "finance"),
    ("fraud-scoring", "Fraud Scoring", "risk"),
    ("kyc-checks", "KYC Checks", "risk"),
    ("loyalty", "Loyalty Points", "retail"),
    ("catalog", "Product Catalog", "retail"),
    ("pricing", "Dynamic Pricing", "retail"),
    ("cart", "Shopping Cart", "retail"),
    ("checkout", "Checkout", "retail"),
    ("invoices", "Invoicing", "finance"),
    ("refunds", "Refunds", "finance"),
    ("notifications", "Notifications", "platform"),
    ("search", "Search", "platform"),
    ("recommendations", "Recommendations", "data"),
    ("reviews", "Product Reviews", "retail"),
    ("store-locator", "Store Locator", "retail"),
    ("support-tickets", "Support Tickets", "crm"),
    ("consents", "Consent Ledger", "compliance"),
    ("exchange-rates", "Exchange Rates", "finance"),
    ("webhooks", "Webhook Relay", "platform"),
];

const GLOBEX: &[(&str, &str, &str)] = &[
    ("shipments", "Shipments", "freight"),
    ("tracking", "Parcel Tracking", "freight"),
    ("rates", "Freight Rates", "freight"),
    ("customs", "Customs Declarations", "compliance"),
    ("fleet", "Fleet Telemetry", "fleet"),
    ("drivers", "Driver Roster", "fleet"),
    ("routes", "Route Planner", "fleet"),
    ("fuel-cards", "Fuel Cards", "fleet"),
    ("warehouses", "Warehouse Registry", "warehouse"),
    ("inventory", "Inventory Levels", "warehouse"),
    ("picking", "Pick Lists", "warehouse"),
    ("dock-slots", "Dock Scheduling", "warehouse"),
    ("returns", "Returns Portal", "freight"),
    ("labels", "Label Printing", "freight"),
    ("proof-of-delivery", "Proof of Delivery", "freight"),
    ("carriers", "Carrier Directory", "partners"),
    ("tenders", "Load Tenders", "partners"),
    ("billing", "Billing", "finance"),
    ("claims", "Damage Claims", "finance"),
    ("emissions", "Emissions Reports", "compliance"),
    ("weather", "Weather Alerts", "platform"),
    ("geocoding", "Geocoding", "platform"),
];

const EXTRA_OPS: &[(&str, &str, &str)] = &[
    ("post", "", "Create one"),
    ("delete", "/{id}", "Remove one"),
    ("patch", "/{id}", "Change one"),
    ("get", "/{id}/history", "History of one"),
    ("post", "/search", "Search"),
    ("get", "/stats", "Statistics"),
];

const APPS: &[&str] = &[
    "Mobile App",
    "Web Shop",
    "Partner Portal",
    "Ledger Sync",
    "Data Warehouse",
    "Call Center",
    "Kiosk",
];

const SYNC_ERRORS: &[&str] = &[
    "upstream timeout after 30s while applying route",
    "certificate for backend expired",
    "gateway rejected spec: duplicate operationId",
];

struct Ctx<'a, 't> {
    tx: &'a Transaction<'t>,
    rng: StdRng,
    stages: &'a [String],
    tenant: &'a str,
    /// Gateways per stage: (tenant edge gateway, shared gateway).
    gateways: Vec<(String, String)>,
}

fn ago(days: i64, minutes: i64) -> String {
    crate::wire::Timestamp(Utc::now() - Duration::days(days) - Duration::minutes(minutes))
        .to_rfc3339()
}

fn spec_for(tenant: &str, api: &str, display: &str, minor: u32, tag: &str) -> SpecRow {
    let ops = EXTRA_OPS
        .iter()
        .take(minor as usize)
        .map(|(m, p, s)| (format!("/{api}{p}"), m.to_string(), s.to_string()))
        .collect();
    let fields = SpecFields {
        display_name: display.to_string(),
        version: format!("1.{minor}.0"),
        description: Some(format!("{display} ({tag}) for {tenant}")),
        backend_url: Some(format!("https://{api}.svc.{tenant}.internal")),
        operations: ops,
    };
    let doc = spec::build(api, &fields);
    SpecRow {
        version: fields.version,
        description: fields.description,
        backend_url: fields.backend_url,
        spec_hash: spec::hash(&doc),
        spec: doc,
    }
}

pub fn populate(tx: &Transaction<'_>, stages: &[String]) -> rusqlite::Result<()> {
    for (seed, tenant, defs) in [(7_u64, "acme", ACME), (11, "globex", GLOBEX)] {
        let mut gateways = Vec::new();
        for (i, stage) in stages.iter().enumerate() {
            let status = if i == 1 && tenant == "globex" {
                "degraded"
            } else {
                "online"
            };
            let edge = insert_gateway(
                tx,
                &format!("{tenant}-{stage}-edge"),
                stage,
                Some(tenant),
                "edge",
                status,
            )?;
            let shared_name = format!("stoa-{stage}");
            let shared: String = match tx.query_row(
                "SELECT id FROM gateways WHERE name = ?1",
                [&shared_name],
                |r| r.get(0),
            ) {
                Ok(id) => id,
                Err(rusqlite::Error::QueryReturnedNoRows) => {
                    insert_gateway(tx, &shared_name, stage, None, "stoa", "online")?
                }
                Err(e) => return Err(e),
            };
            gateways.push((edge, shared));
        }
        let mut ctx = Ctx {
            tx,
            rng: StdRng::seed_from_u64(seed),
            stages,
            tenant,
            gateways,
        };
        for (i, def) in defs.iter().enumerate() {
            api(&mut ctx, i, def)?;
        }
        open_promotions(&mut ctx)?;
    }
    Ok(())
}

/// One API: its versions per stage (earlier stages may be ahead), gateway deployments,
/// history, subscriptions and audit entries.
fn api(ctx: &mut Ctx<'_, '_>, index: usize, def: &(&str, &str, &str)) -> rusqlite::Result<()> {
    let (name, display, tag) = *def;
    let n = ctx.stages.len();
    // The first two APIs carry the open promotions: present everywhere, earlier stages ahead.
    let (depth, minors): (usize, Vec<u32>) = match index {
        0 => (n, (0..n).map(|k| if k == 0 { 4 } else { 3 }).collect()),
        1 => (
            n,
            (0..n)
                .map(|k| if k + 1 < n.min(3) { 2 } else { 1 })
                .collect(),
        ),
        _ => {
            let roll: f64 = ctx.rng.r#gen();
            let depth = if roll < 0.45 {
                n
            } else if roll < 0.75 {
                n.min(2)
            } else {
                1
            };
            let mut minor = ctx.rng.gen_range(0..4_u32);
            let mut minors = vec![0; depth];
            for k in (0..depth).rev() {
                minors[k] = minor;
                if ctx.rng.gen_bool(0.3) {
                    minor += 1;
                }
            }
            (depth, minors)
        }
    };
    let created = 40 + ctx.rng.gen_range(0..40_i64);
    let status = if depth == n { "published" } else { "draft" };
    let tags = vec![tag.to_string()];
    ctx.tx.execute(
        "INSERT INTO apis (tenant_id, id, display_name, tags, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            ctx.tenant,
            name,
            display,
            Value::from(tags).to_string(),
            status,
            ago(created, 0),
            ago(created / 4, 13)
        ],
    )?;
    for (k, minor) in minors.iter().enumerate().take(depth) {
        let stage = ctx.stages[k].clone();
        let row = spec_for(ctx.tenant, name, display, *minor, tag);
        apis::put_spec(ctx.tx, ctx.tenant, name, &stage, &row)?;
        let (edge, shared) = ctx.gateways[k].clone();
        let mut on = vec![edge];
        if ctx.rng.gen_bool(0.5) {
            on.push(shared);
        }
        let deployed_by = ["dave", "dora", "tess"][ctx.rng.gen_range(0..3)];
        let (history, gd_ids) = apis::deploy(
            ctx.tx,
            &apis::Deploy {
                tenant: ctx.tenant,
                api: name,
                stage: &stage,
                gateways: &on,
                spec: &row,
                deployed_by,
                rollback_of: None,
            },
        )?;
        let when = created - (k as i64) * 3 - 1;
        ctx.tx.execute(
            "UPDATE deployments SET created_at = ?2, updated_at = ?2, completed_at = ?3 WHERE id = ?1",
            params![history, ago(when, 30), ago(when, 25)],
        )?;
        // Earlier failed attempts make the history look lived-in.
        if ctx.rng.gen_bool(0.2) {
            ctx.tx.execute(
                "INSERT INTO deployments (id, tenant_id, api_id, stage, version, status, deployed_by,
                     created_at, updated_at, completed_at, error_message, gateway_id, attempt_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'failed', ?6, ?7, ?7, ?7, ?8, ?9, 3)",
                params![new_id(), ctx.tenant, name, stage, row.version, deployed_by, ago(when + 1, 0),
                    "health check failed: backend returned 503", on[0]],
            )?;
        }
        // Drift and errors, but never on the APIs that carry open promotions.
        if index >= 2 {
            for id in gd_ids {
                let roll: f64 = ctx.rng.r#gen();
                if roll < 0.08 {
                    ctx.tx.execute(
                        "UPDATE gateway_deployments SET sync_status = 'drifted',
                             desired_generation = desired_generation + 1 WHERE id = ?1",
                        [&id],
                    )?;
                } else if roll < 0.14 {
                    let err = SYNC_ERRORS[ctx.rng.gen_range(0..SYNC_ERRORS.len())];
                    ctx.tx.execute(
                        "UPDATE gateway_deployments SET sync_status = 'error', last_sync_error = ?2,
                             desired_generation = desired_generation + 1 WHERE id = ?1",
                        params![id, err],
                    )?;
                }
            }
        }
        subscriptions(ctx, name, &stage, &row.version, k)?;
        let mut details = Map::new();
        details.insert("environment".into(), stage.clone().into());
        details.insert("version".into(), row.version.clone().into());
        let user = ["dave", "dora", "tess"][ctx.rng.gen_range(0..3)];
        audit_entry(
            ctx,
            user,
            if k == 0 {
                "api.created"
            } else {
                "promotion.completed"
            },
            "api",
            name,
            details,
            when,
        )?;
    }
    Ok(())
}

fn subscriptions(
    ctx: &mut Ctx<'_, '_>,
    api: &str,
    stage: &str,
    version: &str,
    k: usize,
) -> rusqlite::Result<()> {
    let count = if k == 0 {
        ctx.rng.gen_range(0..2)
    } else {
        ctx.rng.gen_range(0..4)
    };
    for _ in 0..count {
        let app = APPS[ctx.rng.gen_range(0..APPS.len())];
        let app_id = format!("app-{}", app.to_ascii_lowercase().replace(' ', "-"));
        let roll: f64 = ctx.rng.r#gen();
        let status = if roll < 0.65 {
            "active"
        } else if roll < 0.8 {
            "pending"
        } else if roll < 0.9 {
            "suspended"
        } else {
            "revoked"
        };
        let (plan_id, plan) = if ctx.rng.gen_bool(0.5) {
            ("gold", "Gold")
        } else {
            ("basic", "Basic")
        };
        let created = ctx.rng.gen_range(2..30_i64);
        let user = ["tess", "dave", "dora"][ctx.rng.gen_range(0..3)];
        ctx.tx.execute(
            "INSERT INTO subscriptions (id, tenant_id, application_id, application_name, subscriber_id,
                 subscriber_email, api_id, api_version, stage, plan_id, plan_name, status, created_at,
                 updated_at, approved_at, expires_at, approved_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16)",
            params![
                new_id(), ctx.tenant, app_id, app, user, format!("{user}@{}.example", ctx.tenant),
                api, version, stage, plan_id, plan, status, ago(created, 0),
                (status != "pending").then(|| ago(created - 1, 0)),
                ctx.rng.gen_bool(0.3).then(|| ago(-90, 0)),
                (status != "pending").then_some("tess"),
            ],
        )?;
    }
    Ok(())
}

fn audit_entry(
    ctx: &mut Ctx<'_, '_>,
    user: &str,
    action: &str,
    resource_type: &str,
    resource_id: &str,
    details: Map<String, Value>,
    days_ago: i64,
) -> rusqlite::Result<()> {
    let email = format!("{user}@{}.example", ctx.tenant);
    audit::record(
        ctx.tx,
        audit::Record {
            tenant: ctx.tenant,
            user_id: user,
            user_email: Some(&email),
            action,
            resource_type,
            resource_id,
            success: true,
            details,
        },
    )?;
    ctx.tx.execute(
        "UPDATE audit SET timestamp = ?1 WHERE seq = last_insert_rowid()",
        [ago(days_ago, 20)],
    )?;
    Ok(())
}

/// Pending promotions (requested by dave in acme, gus in globex) over real spec changes,
/// and some history: promoted, failed, rolled back.
fn open_promotions(ctx: &mut Ctx<'_, '_>) -> rusqlite::Result<()> {
    let n = ctx.stages.len();
    if n < 2 {
        return Ok(());
    }
    let requester = if ctx.tenant == "acme" { "dave" } else { "gus" };
    let (api0, api1) = if ctx.tenant == "acme" {
        (ACME[0].0, ACME[1].0)
    } else {
        (GLOBEX[0].0, GLOBEX[1].0)
    };
    let mut pending = vec![(
        api0,
        0usize,
        "Release 1.4.0: refunds and partial captures",
        2_i64,
    )];
    if n >= 3 {
        pending.push((
            api1,
            1,
            "Customer profile 1.2.0 to production after QA sign-off",
            1,
        ));
    }
    for (api, k, message, days) in pending {
        let (src, dst) = (ctx.stages[k].clone(), ctx.stages[k + 1].clone());
        let source_deployment: Option<String> = ctx.tx.query_row(
            "SELECT id FROM gateway_deployments WHERE tenant_id = ?1 AND api_id = ?2 AND stage = ?3
                 AND sync_status = 'synced' ORDER BY id LIMIT 1",
            params![ctx.tenant, api, src],
            |r| r.get(0),
        ).ok();
        let targets = apis::stage_gateways(ctx.tx, ctx.tenant, &dst)?;
        let created = ago(days, 45);
        let id = promotions::insert(
            ctx.tx,
            &NewPromotion {
                tenant: ctx.tenant,
                api,
                source: &src,
                target: &dst,
                source_deployment_id: source_deployment.as_deref(),
                target_gateway_ids: Some(&targets),
                status: "pending",
                message,
                requested_by: requester,
                rollback_of: None,
                created_at: Some(&created),
            },
        )?;
        let mut details = Map::new();
        details.insert("environment".into(), dst.clone().into());
        details.insert("message".into(), message.into());
        audit_entry(
            ctx,
            requester,
            "promotion.created",
            "promotion",
            &id,
            details,
            days,
        )?;
    }
    // History: finished promotions of other APIs.
    let history = [
        ("promoted", "Quarterly release", 20_i64),
        ("failed", "Hotfix for timeouts", 12),
        ("rolled_back", "New pricing rules", 8),
        ("promoted", "Schema cleanup", 5),
    ];
    let defs = if ctx.tenant == "acme" { ACME } else { GLOBEX };
    for (i, (status, message, days)) in history.iter().enumerate() {
        let api = defs[2 + i].0;
        let (src, dst) = (ctx.stages[0].clone(), ctx.stages[1].clone());
        let created = ago(*days, 0);
        let id = promotions::insert(
            ctx.tx,
            &NewPromotion {
                tenant: ctx.tenant,
                api,
                source: &src,
                target: &dst,
                source_deployment_id: None,
                target_gateway_ids: None,
                status,
                message,
                requested_by: if ctx.tenant == "acme" { "dora" } else { "gus" },
                rollback_of: None,
                created_at: Some(&created),
            },
        )?;
        ctx.tx.execute(
            "UPDATE promotions SET approved_by = ?2, completed_at = ?3, updated_at = ?3,
                 previous_target = 'null' WHERE id = ?1",
            params![
                id,
                if ctx.tenant == "acme" { "tess" } else { "ada" },
                ago(*days, -30)
            ],
        )?;
        if *status == "rolled_back" {
            let reverse = promotions::insert(
                ctx.tx,
                &NewPromotion {
                    tenant: ctx.tenant,
                    api,
                    source: &dst,
                    target: &src,
                    source_deployment_id: None,
                    target_gateway_ids: None,
                    status: "promoted",
                    message: "Error rate spike, reverting",
                    requested_by: if ctx.tenant == "acme" { "tess" } else { "ada" },
                    rollback_of: Some(&id),
                    created_at: Some(&ago(*days - 1, 0)),
                },
            )?;
            ctx.tx.execute(
                "UPDATE promotions SET completed_at = ?2, previous_target = 'null' WHERE id = ?1",
                params![reverse, ago(*days - 1, -5)],
            )?;
        }
        let mut details = Map::new();
        details.insert("environment".into(), dst.clone().into());
        details.insert("message".into(), Value::from(*message));
        audit_entry(
            ctx,
            "tess",
            &format!(
                "promotion.{}",
                if *status == "rolled_back" {
                    "rolled_back"
                } else if *status == "failed" {
                    "failed"
                } else {
                    "completed"
                }
            ),
            "promotion",
            &id,
            details,
            *days,
        )?;
    }
    Ok(())
}
