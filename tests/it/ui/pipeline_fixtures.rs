//! Pipelines to draw: a small one an operator reads (drift, waiting promotions, hashes, long
//! names) and a big one for the benchmark (`benches/pipeline_matrix.rs` includes this file).

use envdeck::domain::matrix::{Matrix, StageSource, build};
use envdeck::domain::{Mode, Stage, StageName};
use envdeck::wire::{Api, GatewayDeployment, Promotion, RuntimeDeployment, Timestamp};
use serde_json::json;

pub fn now() -> Timestamp {
    Timestamp::parse("2026-12-02T12:00:00Z").expect("time")
}

fn ago(days: i64, hours: i64) -> Option<Timestamp> {
    Some(Timestamp(
        now().0 - chrono::Duration::days(days) - chrono::Duration::hours(hours),
    ))
}

pub fn stage(name: &str, label: &str, mode: Mode) -> Stage {
    Stage::new(
        StageName::parse(name).expect("stage"),
        Some(label),
        mode,
        None,
    )
}

pub fn three() -> Vec<Stage> {
    vec![
        stage("dev", "Development", Mode::Full),
        stage("staging", "Staging", Mode::Full),
        stage("production", "Production", Mode::ReadOnly),
    ]
}

pub fn five() -> Vec<Stage> {
    vec![
        stage("dev", "Development", Mode::Full),
        stage("qa", "QA", Mode::Full),
        stage("staging", "Staging", Mode::PromoteOnly),
        stage("preprod", "Pre-production", Mode::PromoteOnly),
        stage("production", "Production", Mode::ReadOnly),
    ]
}

pub fn api(id: &str) -> Api {
    Api {
        id: id.into(),
        name: id.into(),
        display_name: id.into(),
        ..Api::default()
    }
}

pub fn deployed(
    api: &str,
    stage: &str,
    version: &str,
    hash: &str,
    sync: &str,
) -> GatewayDeployment {
    GatewayDeployment {
        gateway_environment: Some(stage.into()),
        sync_status: sync.into(),
        desired_state: json!({"api_id": api, "api_name": api, "version": version,
            "spec_hash": format!("{hash:0<64}")}),
        ..GatewayDeployment::default()
    }
}

pub fn promotion(api: &str, from: &str, to: &str, status: &str, by: &str, days: i64) -> Promotion {
    Promotion {
        id: format!("{api}-{from}-{to}-{status}-{days}"),
        api_id: api.into(),
        source_environment: from.into(),
        target_environment: to.into(),
        status: status.into(),
        requested_by: by.into(),
        created_at: ago(days, 2),
        completed_at: (status != "pending" && status != "promoting")
            .then(|| ago(days, 0))
            .flatten(),
        ..Promotion::default()
    }
}

/// Per stage, the deployments listed there.
pub fn by_stage(stages: &[Stage], all: &[GatewayDeployment]) -> Vec<StageSource> {
    stages
        .iter()
        .map(|s| {
            StageSource::Deployments(
                all.iter()
                    .filter(|d| d.gateway_environment.as_deref() == Some(s.name.as_str()))
                    .cloned()
                    .collect(),
            )
        })
        .collect()
}

/// The small pipeline over the first, a middle and the last of `stages`.
pub fn small(stages: &[Stage]) -> (Vec<Api>, Vec<GatewayDeployment>, Vec<Promotion>) {
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    let (first, last) = (names[0], names[names.len() - 1]);
    let mid = names[names.len() / 2];
    let mut d = Vec::new();
    for s in &names {
        d.push(deployed("ledger", s, "3.0.0", "c0", "synced"));
        let v = if *s == last { "2.1.0" } else { "2.2.0" };
        d.push(deployed("payments", s, v, v, "synced"));
    }
    d.push(deployed("orders", first, "1.5.0", "b1", "synced"));
    d.push(deployed("orders", mid, "1.4.0", "b0", "drifted"));
    d.push(deployed("inventory", first, "1.2.0", "a1", "error"));
    d.push(deployed("pricing", first, "1.2.0", "d2d2d2d", "synced"));
    d.push(deployed("pricing", mid, "1.2.0", "e7e7e7e", "synced"));
    d.push(deployed(
        "customers",
        first,
        "0.9.0-beta.12+build.20261202",
        "f0",
        "pending",
    ));
    d.push(deployed(
        "fraud-scoring-and-anti-money-laundering",
        first,
        "1.0.0",
        "9",
        "synced",
    ));
    let catalog = [
        "ledger",
        "payments",
        "orders",
        "inventory",
        "pricing",
        "customers",
        "shipping",
    ]
    .into_iter()
    .chain(["fraud-scoring-and-anti-money-laundering"])
    .map(api)
    .collect();
    let before_last = names[names.len() - 2];
    let after_first = names[1];
    let promotions = vec![
        promotion("payments", before_last, last, "pending", "dave", 1),
        promotion("orders", first, after_first, "pending", "dave", 2),
        promotion(
            "shipping",
            first,
            after_first,
            "promoting",
            "alexandra-k",
            0,
        ),
        promotion("payments", before_last, last, "promoted", "dora", 30),
        promotion("payments", first, after_first, "promoted", "dora", 6),
        promotion("pricing", first, after_first, "rolled_back", "dora", 9),
        promotion("shipping", first, after_first, "failed", "dora", 12),
        promotion("ledger", first, after_first, "promoted", "tess", 24),
        promotion("ledger", before_last, last, "promoted", "tess", 18),
    ];
    let mut promotions = promotions;
    // the middle links of a longer pipeline, for the lead time
    let middle = names.windows(2).skip(1).take(names.len().saturating_sub(3));
    for (j, pair) in middle.enumerate() {
        let days = 23 - j as i64;
        promotions.push(promotion(
            "ledger", pair[0], pair[1], "promoted", "tess", days,
        ));
    }
    (catalog, d, promotions)
}

pub fn small_matrix(stages: &[Stage]) -> (Matrix, Vec<Promotion>) {
    let (catalog, deployments, promotions) = small(stages);
    let m = build(
        stages,
        &catalog,
        &by_stage(stages, &deployments),
        &promotions,
    );
    (m, promotions)
}

/// What devops sees: presence and sync from the catalog; the last stage not readable.
pub fn devops_matrix(stages: &[Stage]) -> Matrix {
    let (catalog, deployments, promotions) = small(stages);
    let catalog: Vec<Api> = catalog
        .into_iter()
        .map(|mut a| {
            for d in deployments.iter().filter(|d| d.api_id() == a.id) {
                let sync = d.sync_status.as_str();
                a.runtime_deployments.push(RuntimeDeployment {
                    environment: d.gateway_environment.clone().unwrap_or_default(),
                    status: sync.into(),
                    gateway_count: 1,
                    synced_count: u32::from(sync == "synced"),
                    drifted_count: u32::from(sync == "drifted"),
                    error_count: u32::from(sync == "error"),
                    pending_count: u32::from(sync == "pending"),
                    ..RuntimeDeployment::default()
                });
            }
            a
        })
        .collect();
    let mut sources: Vec<StageSource> = stages
        .iter()
        .map(|_| StageSource::Runtime {
            why: "this role cannot list gateway deployments".into(),
        })
        .collect();
    if let Some(last) = sources.last_mut() {
        *last = StageSource::Unknown {
            why: "production lives on its own control plane: sign in to it".into(),
        };
    }
    build(stages, &catalog, &sources, &promotions)
}

/// `apis` APIs over `stages`: every API deployed in a prefix of the pipeline, some behind,
/// some drifted, a tenth with a promotion waiting; and a history of promotions.
#[allow(dead_code)] // for benches/pipeline_matrix.rs
pub fn big(stages: &[Stage], apis: usize) -> (Vec<Api>, Vec<StageSource>, Vec<Promotion>) {
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    let mut catalog = Vec::with_capacity(apis);
    let mut deployments = Vec::new();
    let mut promotions = Vec::new();
    for i in 0..apis {
        let id = format!("service-{i:05}");
        let depth = 1 + i % names.len();
        for (k, s) in names.iter().take(depth).enumerate() {
            let minor = (i + k) % 4;
            let sync = match i % 17 {
                3 => "drifted",
                5 => "error",
                7 => "pending",
                _ => "synced",
            };
            let v = format!("1.{minor}.0");
            deployments.push(deployed(&id, s, &v, &v, sync));
        }
        if i % 10 == 0 && depth < names.len() {
            promotions.push(promotion(
                &id,
                names[depth - 1],
                names[depth],
                "pending",
                "dave",
                1,
            ));
        }
        for k in 1..depth {
            let status = if i % 9 == 0 { "failed" } else { "promoted" };
            promotions.push(promotion(
                &id,
                names[k - 1],
                names[k],
                status,
                "dora",
                (i % 30) as i64,
            ));
        }
        catalog.push(api(&id));
    }
    let sources = by_stage(stages, &deployments);
    (catalog, sources, promotions)
}
