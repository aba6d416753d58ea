//! The demo platform, in the real model: tenants acme and globex, their own STOA gateways in
//! every stage plus platform gateways of other families (one disabled, one offline), one
//! catalog entry per API whose presence in a stage is its gateway deployments there, a
//! promotion history consistent with what each stage runs, two open promotions requested by
//! dave, subscriptions (some without a stage, as the real API stores them) and audit entries.
//! A fixed RNG seed keeps names and shapes the same on every run; only ids and times differ.

mod history;

use std::collections::HashMap;

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Transaction, params};
use serde_json::{Map, Value};

use super::{GatewaySeed, insert_gateway};
use crate::server::desired::{self, ApiSpec};
use crate::server::repo::{apis, audit, gateways, new_id};
use crate::server::spec::SpecFields;
use crate::wire::Gateway;

/// (name, display name, tag) of the APIs beyond the named ones, for busy lists.
const ACME_MORE: &[(&str, &str, &str)] = &[
    ("accounts", "Accounts", "finance"),
    ("cards", "Card Issuing", "finance"),
    ("fraud-scoring", "Fraud Scoring", "risk"),
    ("kyc-checks", "KYC Checks", "risk"),
    ("loyalty", "Loyalty Points", "retail"),
    ("catalog", "Product Catalog", "retail"),
    ("pricing", "Dynamic Pricing", "retail"),
    ("refunds", "Refunds", "finance"),
    ("notifications", "Notifications", "platform"),
    ("search", "Search", "platform"),
    ("invoices", "Invoicing", "finance"),
    ("webhooks", "Webhook Relay", "platform"),
    ("exchange-rates", "Exchange Rates", "finance"),
    ("consents", "Consent Ledger", "compliance"),
    ("cart", "Shopping Cart", "retail"),
    ("checkout", "Checkout", "retail"),
    ("reviews", "Product Reviews", "retail"),
    ("store-locator", "Store Locator", "retail"),
    ("support-tickets", "Support Tickets", "crm"),
];

const GLOBEX: &[(&str, &str, &str)] = &[
    ("shipments", "Shipments", "freight"),
    ("tracking", "Parcel Tracking", "freight"),
    ("rates", "Freight Rates", "freight"),
    ("customs", "Customs Declarations", "compliance"),
    ("fleet", "Fleet Telemetry", "fleet"),
    ("warehouses", "Warehouse Registry", "warehouse"),
    ("ledger", "Ledger", "finance"),
    ("returns", "Returns Portal", "freight"),
    ("carriers", "Carrier Directory", "partners"),
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
];

const SYNC_ERRORS: &[&str] = &[
    "upstream timeout after 30s while applying route",
    "certificate for backend expired",
    "gateway rejected spec: duplicate operationId",
];

pub(super) struct Ctx<'a, 't> {
    tx: &'a Transaction<'t>,
    rng: StdRng,
    stages: &'a [String],
    tenant: &'a str,
    gateways: HashMap<String, Gateway>,
    catalog_ids: HashMap<String, String>,
}

fn ago(days: i64, minutes: i64) -> String {
    crate::wire::Timestamp(Utc::now() - Duration::days(days) - Duration::minutes(minutes))
        .to_rfc3339()
}

fn spec_for(tenant: &str, api: &str, display: &str, version: (u32, u32), tag: &str) -> ApiSpec {
    let ops = EXTRA_OPS
        .iter()
        .take(version.1 as usize)
        .map(|(m, p, s)| (format!("/{api}{p}"), m.to_string(), s.to_string()))
        .collect();
    ApiSpec::build(
        api,
        &SpecFields {
            display_name: display.to_string(),
            version: format!("{}.{}.0", version.0, version.1),
            description: Some(format!("{display} ({tag}) for {tenant}")),
            backend_url: Some(format!("https://{api}.svc.{tenant}.internal")),
            operations: ops,
        },
    )
}

pub fn populate(tx: &Transaction<'_>, stages: &[String]) -> rusqlite::Result<()> {
    platform_gateways(tx, stages)?;
    for (seed, tenant) in [(7_u64, "acme"), (11, "globex")] {
        let mut ctx = Ctx {
            tx,
            rng: StdRng::seed_from_u64(seed),
            stages,
            tenant,
            gateways: HashMap::new(),
            catalog_ids: HashMap::new(),
        };
        tenant_gateways(&mut ctx)?;
        if tenant == "acme" {
            history::acme(&mut ctx)?;
            for (i, def) in ACME_MORE.iter().enumerate() {
                busy_api(&mut ctx, i, def)?;
            }
        } else {
            history::globex(&mut ctx)?;
            for (i, def) in GLOBEX.iter().enumerate().skip(1) {
                busy_api(&mut ctx, i, def)?;
            }
        }
    }
    Ok(())
}

/// Shared by every tenant: webmethods (remote agent) in every stage, kong and a disabled STOA
/// gateway in the second stage.
fn platform_gateways(tx: &Transaction<'_>, stages: &[String]) -> rusqlite::Result<()> {
    for (k, stage) in stages.iter().enumerate() {
        let name = format!("webmethods-{stage}");
        insert_gateway(
            tx,
            &GatewaySeed {
                gateway_type: "webmethods",
                family: "webmethods",
                topology: "remote-agent",
                ..GatewaySeed::stoa(&name, stage, None)
            },
        )?;
        if k == 1 {
            let kong = format!("kong-{stage}");
            insert_gateway(
                tx,
                &GatewaySeed {
                    gateway_type: "kong",
                    family: "kong",
                    topology: "remote-agent",
                    ..GatewaySeed::stoa(&kong, stage, None)
                },
            )?;
            let shared = format!("stoa-shared-{stage}");
            insert_gateway(
                tx,
                &GatewaySeed {
                    enabled: false,
                    status: "offline",
                    ..GatewaySeed::stoa(&shared, stage, None)
                },
            )?;
        }
    }
    Ok(())
}

/// `<tenant>-stoa-<stage>` everywhere; acme also has an offline gateway in the first stage
/// (what waits there stays pending: no agent answers for it).
fn tenant_gateways(ctx: &mut Ctx<'_, '_>) -> rusqlite::Result<()> {
    let tenant = ctx.tenant;
    for (k, stage) in ctx.stages.iter().enumerate() {
        let name = format!("{tenant}-stoa-{stage}");
        let status = if tenant == "globex" && k == 1 {
            "degraded"
        } else {
            "online"
        };
        insert_gateway(
            ctx.tx,
            &GatewaySeed {
                status,
                ..GatewaySeed::stoa(&name, stage, Some(tenant))
            },
        )?;
        if tenant == "acme" && k == 0 {
            let eu = format!("{tenant}-stoa-{stage}-eu");
            insert_gateway(
                ctx.tx,
                &GatewaySeed {
                    status: "offline",
                    ..GatewaySeed::stoa(&eu, stage, Some(tenant))
                },
            )?;
        }
    }
    let all = gateways::gateways(
        ctx.tx,
        &gateways::GatewayFilter {
            stage: None,
            tenant: Some(tenant.to_string()),
            gateway_type: None,
        },
        crate::server::extract::Paging {
            page: 1,
            page_size: 100,
        },
    )?;
    ctx.gateways = all.items.into_iter().map(|g| (g.name.clone(), g)).collect();
    Ok(())
}

impl Ctx<'_, '_> {
    fn stage(&self, k: usize) -> Option<&str> {
        self.stages.get(k).map(String::as_str)
    }

    fn gateway(&self, name: &str) -> Option<Gateway> {
        self.gateways.get(name).cloned()
    }

    /// The tenant's own STOA gateway of stage k.
    fn own_gateway(&self, k: usize) -> Option<Gateway> {
        self.stage(k)
            .and_then(|s| self.gateway(&format!("{}-stoa-{s}", self.tenant)))
    }

    fn catalog(
        &mut self,
        name: &str,
        display: &str,
        tag: &str,
        version: &str,
        days: i64,
    ) -> rusqlite::Result<()> {
        let tags = vec![tag.to_string()];
        let created = ago(days, 0);
        let id = apis::insert_catalog(
            self.tx,
            self.tenant,
            name,
            &apis::NewCatalog {
                display_name: display,
                tags: &tags,
                status: "published",
                version,
                description: Some(&format!("{display} ({tag}) for {}", self.tenant)),
                backend_url: Some(&format!("https://{name}.svc.{}.internal", self.tenant)),
                created_at: Some(&created),
            },
        )?;
        self.catalog_ids.insert(name.to_string(), id);
        let mut details = Map::new();
        details.insert("version".into(), Value::from(version));
        if let Some(first) = self.stage(0) {
            details.insert("environment".into(), Value::from(first));
        }
        let user = ["dave", "dora", "tess"][self.rng.gen_range(0..3)];
        self.audit(user, "api.created", "api", name, details, days)
    }

    /// The API's desired state on the gateway, acknowledged as `status` `days` ago; a history
    /// row says who deployed it. Returns the gateway deployment id.
    fn deployed(
        &mut self,
        api: &str,
        spec: &ApiSpec,
        gateway: &Gateway,
        status: &str,
        days: i64,
    ) -> rusqlite::Result<String> {
        let catalog_id = self.catalog_ids.get(api).cloned().unwrap_or_default();
        let desired = desired::desired_state(self.tenant, api, &catalog_id, spec);
        let id = gateways::put(
            self.tx,
            &gateways::Put {
                tenant: self.tenant,
                api,
                gateway,
                desired: &desired,
                promotion_id: None,
                history_id: None,
            },
        )?;
        let (at, acked) = (ago(days, 30), ago(days, 28));
        let error =
            (status == "error").then(|| SYNC_ERRORS[self.rng.gen_range(0..SYNC_ERRORS.len())]);
        self.tx.execute(
            "UPDATE gateway_deployments SET sync_status = ?2,
                 synced_generation = CASE WHEN ?2 = 'pending' THEN synced_generation
                     ELSE desired_generation END,
                 desired_generation = desired_generation + CASE WHEN ?2 = 'drifted' THEN 1 ELSE 0 END,
                 last_sync_success = CASE WHEN ?2 IN ('synced', 'drifted') THEN ?4 END,
                 last_sync_attempt = CASE WHEN ?2 = 'pending' THEN NULL ELSE ?4 END,
                 sync_attempts = CASE WHEN ?2 = 'pending' THEN 0 ELSE 1 END,
                 last_sync_error = ?5, desired_at = ?3, created_at = ?3, updated_at = ?4
             WHERE id = ?1",
            params![id, status, at, acked, error],
        )?;
        let deployed_by = ["dave", "dora", "tess"][self.rng.gen_range(0..3)];
        let (history_status, error_message) = match status {
            "pending" => ("in_progress", None),
            "error" => ("failed", error),
            _ => ("success", None),
        };
        self.tx.execute(
            "INSERT INTO deployments (id, tenant_id, api_id, stage, version, status, deployed_by,
                 created_at, updated_at, completed_at, error_message, gateway_id, spec_hash,
                 attempt_count)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1)",
            params![
                new_id(),
                self.tenant,
                api,
                gateway.environment,
                spec.version,
                history_status,
                deployed_by,
                at,
                acked,
                (status != "pending").then_some(acked.clone()),
                error_message,
                gateway.id,
                spec.spec_hash
            ],
        )?;
        Ok(id)
    }

    fn audit(
        &mut self,
        user: &str,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        details: Map<String, Value>,
        days_ago: i64,
    ) -> rusqlite::Result<()> {
        let email = format!("{user}@{}.example", self.tenant);
        audit::record(
            self.tx,
            audit::Record {
                tenant: self.tenant,
                user_id: user,
                user_email: Some(&email),
                action,
                resource_type,
                resource_id,
                success: true,
                details,
            },
        )?;
        self.tx.execute(
            "UPDATE audit SET timestamp = ?1 WHERE seq = last_insert_rowid()",
            [ago(days_ago, 20)],
        )?;
        Ok(())
    }

    /// Subscriptions to an API in a stage; about a third have no stage, as the real
    /// subscription API stores them.
    fn subscriptions(&mut self, api: &str, stage: &str, version: &str) -> rusqlite::Result<()> {
        let count = self.rng.gen_range(0..3);
        for _ in 0..count {
            let app = APPS[self.rng.gen_range(0..APPS.len())];
            let app_id = format!("app-{}", app.to_ascii_lowercase().replace(' ', "-"));
            let roll: f64 = self.rng.r#gen();
            let status = if roll < 0.65 {
                "active"
            } else if roll < 0.8 {
                "pending"
            } else if roll < 0.9 {
                "suspended"
            } else {
                "revoked"
            };
            let (plan_id, plan) = if self.rng.gen_bool(0.5) {
                ("gold", "Gold")
            } else {
                ("basic", "Basic")
            };
            let created = self.rng.gen_range(2..30_i64);
            let user = ["tess", "dave", "dora"][self.rng.gen_range(0..3)];
            let environment = (!self.rng.gen_bool(0.35)).then_some(stage);
            self.tx.execute(
                "INSERT INTO subscriptions (id, tenant_id, application_id, application_name,
                     subscriber_id, subscriber_email, api_id, api_version, stage, plan_id,
                     plan_name, status, created_at, updated_at, approved_at, expires_at, approved_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16)",
                params![
                    new_id(), self.tenant, app_id, app, user,
                    format!("{user}@{}.example", self.tenant), api, version, environment,
                    plan_id, plan, status, ago(created, 0),
                    (status != "pending").then(|| ago(created - 1, 0)),
                    self.rng.gen_bool(0.3).then(|| ago(-90, 0)),
                    (status != "pending").then_some("tess"),
                ],
            )?;
        }
        Ok(())
    }
}

/// One of the many: present in the first 1..=n stages (earlier stages may be ahead), on the
/// tenant's own gateway and sometimes a platform one, with the odd drift or sync error.
fn busy_api(ctx: &mut Ctx<'_, '_>, index: usize, def: &(&str, &str, &str)) -> rusqlite::Result<()> {
    let (name, display, tag) = *def;
    // History APIs already exist (the history module made them).
    if ctx.catalog_ids.contains_key(name) {
        return Ok(());
    }
    let n = ctx.stages.len();
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
    let created = 40 + ctx.rng.gen_range(0..40_i64);
    ctx.catalog(name, display, tag, &format!("1.{}.0", minors[0]), created)?;
    // acme's went through the pipeline within the last month (the health figures' window):
    // stage k was deployed by a promotion a day or three after stage k-1. No RNG draw here,
    // so every other seeded value stays what it was.
    let recent = ctx.tenant == "acme";
    let mut day = 6 + (index as i64 * 5) % 22;
    let mut chain = Vec::new();
    for (k, minor) in minors.iter().enumerate() {
        let spec = spec_for(ctx.tenant, name, display, (1, *minor), tag);
        let Some(own) = ctx.own_gateway(k) else {
            continue;
        };
        let roll: f64 = ctx.rng.r#gen();
        let status = if roll < 0.08 {
            "drifted"
        } else if roll < 0.14 {
            "error"
        } else {
            "synced"
        };
        let when = if recent {
            if k > 0 {
                day = (day - 1 - (index + k) as i64 % 3).max(0);
            }
            day
        } else {
            created - (k as i64) * 3 - 1
        };
        let row = ctx.deployed(name, &spec, &own, status, when)?;
        chain.push((row, own.id.clone(), *minor, status == "error", when));
        // accounts also runs on the platform's webmethods gateway (another family).
        if index == 0
            && ctx.tenant == "acme"
            && let Some(wm) = ctx
                .stage(k)
                .and_then(|s| ctx.gateway(&format!("webmethods-{s}")))
        {
            ctx.deployed(name, &spec, &wm, "synced", when)?;
        }
        let stage = ctx.stages[k].clone();
        ctx.subscriptions(name, &stage, &spec.version)?;
    }
    if recent {
        history::busy_chain(ctx, name, &chain)?;
    }
    Ok(())
}
