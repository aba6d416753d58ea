//! The named APIs of the demo and their promotion history, consistent with what each stage
//! runs: every promoted promotion remembers what its target gateways held before (so it can
//! be rolled back), and its target deployments are linked to it.

use serde_json::{Map, Value, json};

use super::{Ctx, ago, spec_for};
use crate::server::desired::{self, ApiSpec};
use crate::server::repo::promotions::{self, NewPromotion};

/// One finished or open promotion to seed.
struct Past<'a> {
    api: &'a str,
    from: usize,
    to: usize,
    status: &'a str,
    message: &'a str,
    requested_by: &'a str,
    approved_by: Option<&'a str>,
    days: i64,
    source_deployment: Option<&'a str>,
    targets: Vec<String>,
    /// What the targets held before: (gateway id, spec or absent).
    before: Vec<(String, Option<ApiSpec>)>,
    target_deployment: Option<&'a str>,
    rollback_of: Option<&'a str>,
    failure: Option<&'a str>,
}

impl<'a> Past<'a> {
    fn new(api: &'a str, from: usize, to: usize, status: &'a str, message: &'a str) -> Self {
        Past {
            api,
            from,
            to,
            status,
            message,
            requested_by: "dora",
            approved_by: Some("tess"),
            days: 1,
            source_deployment: None,
            targets: Vec::new(),
            before: Vec::new(),
            target_deployment: None,
            rollback_of: None,
            failure: None,
        }
    }
}

fn snapshot(ctx: &Ctx<'_, '_>, api: &str, before: &[(String, Option<ApiSpec>)]) -> Value {
    let catalog_id = ctx.catalog_ids.get(api).cloned().unwrap_or_default();
    Value::Array(
        before
            .iter()
            .map(|(gateway, spec)| {
                let held = spec.as_ref().map(|s| {
                    let (stage, name) = ctx
                        .gateways
                        .values()
                        .find(|g| &g.id == gateway)
                        .map(|g| (g.environment.clone(), g.name.clone()))
                        .unwrap_or_default();
                    desired::for_gateway(
                        &desired::desired_state(ctx.tenant, api, &catalog_id, s),
                        &stage,
                        &name,
                    )
                });
                json!({ "gateway_id": gateway, "desired_state": held })
            })
            .collect(),
    )
}

fn promotion(ctx: &mut Ctx<'_, '_>, p: &Past<'_>) -> rusqlite::Result<String> {
    let (src, dst) = (ctx.stages[p.from].clone(), ctx.stages[p.to].clone());
    let created = ago(p.days, 0);
    let id = promotions::insert(
        ctx.tx,
        &NewPromotion {
            tenant: ctx.tenant,
            api: p.api,
            source: &src,
            target: &dst,
            source_deployment_id: p.source_deployment,
            target_gateway_ids: Some(&p.targets),
            status: p.status,
            message: p.message,
            requested_by: p.requested_by,
            rollback_of: p.rollback_of,
            created_at: Some(&created),
        },
    )?;
    let done = p.status != "pending";
    let before =
        (done && !p.before.is_empty()).then(|| snapshot(ctx, p.api, &p.before).to_string());
    let spec_diff = p
        .failure
        .map(|f| json!({ "failure_reason": f }).to_string());
    ctx.tx.execute(
        "UPDATE promotions SET approved_by = ?2, completed_at = ?3,
             updated_at = coalesce(?3, updated_at), previous_target = ?4,
             target_deployment_id = ?5, failure_reason = ?6, spec_diff = ?7
         WHERE id = ?1",
        rusqlite::params![
            id,
            if done { p.approved_by } else { None },
            done.then(|| ago(p.days, -40)),
            before,
            p.target_deployment,
            p.failure,
            spec_diff
        ],
    )?;
    if let Some(target) = p.target_deployment {
        ctx.tx.execute(
            "UPDATE gateway_deployments SET promotion_id = ?2 WHERE id = ?1",
            rusqlite::params![target, id],
        )?;
    }
    let envs = |m: &mut Map<String, Value>| {
        m.insert("api_id".into(), Value::from(p.api));
        m.insert("source_environment".into(), Value::from(src.clone()));
        m.insert("target_environment".into(), Value::from(dst.clone()));
        m.insert("environment".into(), Value::from(dst.clone()));
    };
    let mut created_details = Map::new();
    envs(&mut created_details);
    created_details.insert("message".into(), Value::from(p.message));
    if p.rollback_of.is_none() {
        ctx.audit(
            p.requested_by,
            "promotion.created",
            "promotion",
            &id,
            created_details,
            p.days,
        )?;
    }
    if done && p.rollback_of.is_none() {
        let mut d = Map::new();
        envs(&mut d);
        let approver = p.approved_by.unwrap_or("tess");
        ctx.audit(
            approver,
            "promotion.approved",
            "promotion",
            &id,
            d.clone(),
            p.days,
        )?;
        let action = match p.failure {
            Some(f) => {
                d.insert("reason".into(), Value::from(f));
                "promotion.failed"
            }
            None => "promotion.completed",
        };
        ctx.audit("gateway-agent", action, "promotion", &id, d, p.days)?;
    }
    Ok(id)
}

/// One step of a busy API through the pipeline: its deployment row in a stage, the gateway,
/// the minor version, whether the gateway failed it, and how many days ago.
pub(super) type Step = (String, String, u32, bool, i64);

/// The promotions that brought a busy API from each stage into the next, where the next one
/// runs what the one before ran: promoted, or failed where the gateway failed it.
pub(super) fn busy_chain(ctx: &mut Ctx<'_, '_>, api: &str, chain: &[Step]) -> rusqlite::Result<()> {
    let messages = [
        "Routine release",
        "Dependency updates",
        "Fix pagination",
        "New fields",
    ];
    for k in 1..chain.len() {
        let (ref source, _, minor_before, _, _) = chain[k - 1];
        let (ref target, ref gateway, minor, failed, days) = chain[k];
        if minor != minor_before {
            continue;
        }
        let message = messages[(k + minor as usize) % messages.len()];
        promotion(
            ctx,
            &Past {
                days,
                requested_by: ["dora", "dave", "tess"][k % 3],
                approved_by: Some(["tess", "dora", "dave"][k % 3]),
                source_deployment: Some(source),
                targets: vec![gateway.clone()],
                before: vec![(gateway.clone(), None)],
                target_deployment: (!failed).then_some(target.as_str()),
                failure: failed.then_some("Partial deployment failure: 1/1 gateways failed"),
                ..Past::new(
                    api,
                    k - 1,
                    k,
                    if failed { "failed" } else { "promoted" },
                    message,
                )
            },
        )?;
    }
    Ok(())
}

/// acme: payments everywhere (production read-only, one behind), orders in two stages,
/// inventory and shipping in the first, customers waiting on an offline gateway, pricing
/// rolled back; open: orders dev→staging and payments staging→production, both by dave.
pub(super) fn acme(ctx: &mut Ctx<'_, '_>) -> rusqlite::Result<()> {
    let n = ctx.stages.len();
    let t = ctx.tenant;

    // payments
    ctx.catalog("payments", "Payments API", "finance", "2.2.0", 90)?;
    let p = |v| spec_for(t, "payments", "Payments API", v, "finance");
    let mut rows = Vec::new();
    for k in 0..n {
        let Some(g) = ctx.own_gateway(k) else {
            continue;
        };
        let version = if k + 1 == n && n >= 3 { (2, 1) } else { (2, 2) };
        rows.push(ctx.deployed("payments", &p(version), &g, "synced", 60 - k as i64 * 5)?);
        let stage = ctx.stages[k].clone();
        ctx.subscriptions("payments", &stage, &p(version).version)?;
    }
    if n >= 3 {
        let prod = ctx.own_gateway(n - 1).map(|g| g.id).unwrap_or_default();
        let stg = ctx.own_gateway(n - 2).map(|g| g.id).unwrap_or_default();
        promotion(
            ctx,
            &Past {
                days: 30,
                source_deployment: rows.get(n - 2).map(String::as_str),
                targets: vec![prod.clone()],
                before: vec![(prod.clone(), Some(p((2, 0))))],
                target_deployment: rows.get(n - 1).map(String::as_str),
                ..Past::new(
                    "payments",
                    n - 2,
                    n - 1,
                    "promoted",
                    "Payments 2.1.0: SEPA instant",
                )
            },
        )?;
        promotion(
            ctx,
            &Past {
                days: 6,
                source_deployment: rows.get(n - 3).map(String::as_str),
                targets: vec![stg.clone()],
                before: vec![(stg, Some(p((2, 1))))],
                target_deployment: rows.get(n - 2).map(String::as_str),
                ..Past::new(
                    "payments",
                    n - 3,
                    n - 2,
                    "promoted",
                    "Payments 2.2.0: refunds and partial captures",
                )
            },
        )?;
        promotion(
            ctx,
            &Past {
                days: 1,
                requested_by: "dave",
                source_deployment: rows.get(n - 2).map(String::as_str),
                targets: vec![prod],
                ..Past::new(
                    "payments",
                    n - 2,
                    n - 1,
                    "pending",
                    "Payments 2.2.0 to production after QA sign-off",
                )
            },
        )?;
    }

    // orders: ahead in the first stage, promoted once, a new release waiting.
    ctx.catalog("orders", "Orders", "retail", "1.5.0", 80)?;
    let o = |v| spec_for(t, "orders", "Orders", v, "retail");
    let dev_row = match ctx.own_gateway(0) {
        Some(g) => Some(ctx.deployed("orders", &o((1, 5)), &g, "synced", 3)?),
        None => None,
    };
    if n >= 2
        && let Some(g) = ctx.own_gateway(1)
    {
        let stg_row = ctx.deployed("orders", &o((1, 4)), &g, "synced", 10)?;
        let stage = ctx.stages[1].clone();
        ctx.subscriptions("orders", &stage, "1.4.0")?;
        promotion(
            ctx,
            &Past {
                days: 10,
                source_deployment: dev_row.as_deref(),
                targets: vec![g.id.clone()],
                before: vec![(g.id.clone(), None)],
                target_deployment: Some(&stg_row),
                ..Past::new(
                    "orders",
                    0,
                    1,
                    "promoted",
                    "Orders 1.4.0: first staging release",
                )
            },
        )?;
        promotion(
            ctx,
            &Past {
                days: 2,
                requested_by: "dave",
                source_deployment: dev_row.as_deref(),
                targets: vec![g.id.clone()],
                ..Past::new("orders", 0, 1, "pending", "Orders 1.5.0: bulk order import")
            },
        )?;
    }

    // inventory and shipping in the first stage only; shipping's promotion failed (the
    // failed deployment was taken off the gateway afterwards).
    for (name, display, version) in [
        ("inventory", "Inventory", (1, 2)),
        ("shipping", "Shipping", (1, 1)),
    ] {
        let v = format!("1.{}.0", version.1);
        ctx.catalog(name, display, "retail", &v, 70)?;
        let Some(g) = ctx.own_gateway(0) else {
            continue;
        };
        let spec = spec_for(t, name, display, version, "retail");
        let row = ctx.deployed(name, &spec, &g, "synced", 20)?;
        let stage = ctx.stages[0].clone();
        ctx.subscriptions(name, &stage, &v)?;
        if name == "shipping"
            && let Some(target) = ctx.own_gateway(1)
        {
            promotion(
                ctx,
                &Past {
                    days: 12,
                    source_deployment: Some(&row),
                    targets: vec![target.id.clone()],
                    before: vec![(target.id, None)],
                    failure: Some("Partial deployment failure: 1/1 gateways failed"),
                    ..Past::new("shipping", 0, 1, "failed", "Shipping 1.1.0: label printing")
                },
            )?;
        }
    }

    // customers: deployed on the offline gateway, waiting.
    ctx.catalog("customers", "Customers", "crm", "0.9.0", 4)?;
    let eu = ctx
        .stage(0)
        .and_then(|s| ctx.gateway(&format!("{t}-stoa-{s}-eu")));
    if let Some(g) = eu {
        let spec = spec_for(t, "customers", "Customers", (0, 9), "crm");
        ctx.deployed("customers", &spec, &g, "pending", 0)?;
    }

    // pricing: promoted, then rolled back; staging runs its earlier release again.
    if let (Some(g0), Some(g1)) = (ctx.own_gateway(0), ctx.own_gateway(1)) {
        ctx.catalog("pricing", "Dynamic Pricing", "retail", "1.2.0", 50)?;
        let s = |v| spec_for(t, "pricing", "Dynamic Pricing", v, "retail");
        let src = ctx.deployed("pricing", &s((1, 2)), &g0, "synced", 12)?;
        let restored = ctx.deployed("pricing", &s((1, 1)), &g1, "synced", 8)?;
        let original = promotion(
            ctx,
            &Past {
                days: 9,
                source_deployment: Some(&src),
                targets: vec![g1.id.clone()],
                before: vec![(g1.id.clone(), Some(s((1, 1))))],
                ..Past::new(
                    "pricing",
                    0,
                    1,
                    "rolled_back",
                    "Pricing 1.2.0: new pricing rules",
                )
            },
        )?;
        let reverse = promotion(
            ctx,
            &Past {
                days: 8,
                requested_by: "tess",
                approved_by: None,
                targets: vec![g1.id.clone()],
                before: vec![(g1.id.clone(), Some(s((1, 2))))],
                target_deployment: Some(&restored),
                rollback_of: Some(&original),
                ..Past::new("pricing", 1, 0, "promoted", "Error rate spike, reverting")
            },
        )?;
        let mut d = Map::new();
        d.insert("api_id".into(), Value::from("pricing"));
        d.insert("original_source".into(), Value::from(ctx.stages[0].clone()));
        d.insert("original_target".into(), Value::from(ctx.stages[1].clone()));
        d.insert("rollback_promotion_id".into(), Value::from(reverse));
        d.insert("environment".into(), Value::from(ctx.stages[1].clone()));
        ctx.audit(
            "tess",
            "promotion.rolled_back",
            "promotion",
            &original,
            d,
            8,
        )?;
    }
    Ok(())
}

/// globex: shipments ahead in the first stage, a promotion by gus waiting.
pub(super) fn globex(ctx: &mut Ctx<'_, '_>) -> rusqlite::Result<()> {
    let t = ctx.tenant;
    let sh = |v| spec_for(t, "shipments", "Shipments", v, "freight");
    ctx.catalog("shipments", "Shipments", "freight", "1.3.0", 60)?;
    let src = match ctx.own_gateway(0) {
        Some(g) => Some(ctx.deployed("shipments", &sh((1, 3)), &g, "synced", 2)?),
        None => None,
    };
    if let Some(g) = ctx.own_gateway(1) {
        ctx.deployed("shipments", &sh((1, 2)), &g, "synced", 15)?;
        promotion(
            ctx,
            &Past {
                days: 1,
                requested_by: "gus",
                source_deployment: src.as_deref(),
                targets: vec![g.id.clone()],
                ..Past::new(
                    "shipments",
                    0,
                    1,
                    "pending",
                    "Shipments 1.3.0: customs pre-clearance",
                )
            },
        )?;
    }
    Ok(())
}
