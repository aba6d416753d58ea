use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::health::{self, DAYS};
use super::*;
use crate::domain::{Mode, StageName};
use crate::wire::{Api, GatewayDeployment, Promotion, RuntimeDeployment};

fn stages(names: &[&str]) -> Vec<Stage> {
    names
        .iter()
        .map(|n| Stage::new(StageName::parse(n).unwrap(), None, Mode::Full, None))
        .collect()
}

fn api(id: &str) -> Api {
    Api {
        id: id.into(),
        name: id.into(),
        display_name: id.into(),
        ..Api::default()
    }
}

fn gd(api: &str, stage: &str, version: &str, hash: &str, sync: &str) -> GatewayDeployment {
    GatewayDeployment {
        gateway_environment: Some(stage.into()),
        sync_status: sync.into(),
        desired_state: json!({"api_id": api, "api_name": api, "version": version, "spec_hash": hash}),
        ..GatewayDeployment::default()
    }
}

fn promo(api: &str, from: &str, to: &str, status: &str, by: &str) -> Promotion {
    Promotion {
        id: format!("{api}-{from}-{to}-{status}"),
        api_id: api.into(),
        source_environment: from.into(),
        target_environment: to.into(),
        status: status.into(),
        requested_by: by.into(),
        ..Promotion::default()
    }
}

fn deployments(list: Vec<GatewayDeployment>, stage: &str) -> StageSource {
    StageSource::Deployments(
        list.into_iter()
            .filter(|d| d.gateway_environment.as_deref() == Some(stage))
            .collect(),
    )
}

fn three(list: Vec<GatewayDeployment>) -> Vec<StageSource> {
    ["dev", "staging", "production"]
        .iter()
        .map(|s| deployments(list.clone(), s))
        .collect()
}

fn row<'a>(m: &'a Matrix, api: &str) -> &'a MatrixRow {
    m.rows.iter().find(|r| r.api == api).unwrap()
}

fn version(cell: &Cell) -> Option<&str> {
    match cell {
        Cell::Known {
            version: Some(v), ..
        } => Some(&v.version),
        _ => None,
    }
}

#[test]
fn cells_differences_and_the_out_of_date_order() {
    let list = vec![
        gd("payments", "dev", "2.2.0", "aaa", "synced"),
        gd("payments", "staging", "2.2.0", "aaa", "synced"),
        gd("payments", "production", "2.1.0", "bbb", "synced"),
        gd("orders", "dev", "1.5.0", "ccc", "synced"),
        gd("orders", "staging", "1.4.0", "ddd", "drifted"),
        gd("same", "dev", "1.0.0", "e1", "synced"),
        gd("same", "staging", "1.0.0", "e1", "error"),
        gd("same", "staging", "1.0.0", "e1", "synced"),
        gd("same", "production", "1.0.0", "e1", "synced"),
    ];
    let catalog = vec![api("same"), api("payments"), api("orders"), api("idle")];
    let promotions = vec![
        promo("payments", "staging", "production", "pending", "dave"),
        promo("orders", "dev", "staging", "promoted", "dora"),
    ];
    let m = build(
        &stages(&["dev", "staging", "production"]),
        &catalog,
        &three(list),
        &promotions,
    );
    // orders: 1.5 → 1.4 → nothing (2 boundaries); payments: 1 boundary and a waiting arrow.
    let order: Vec<&str> = m.rows.iter().map(|r| r.api.as_str()).collect();
    assert_eq!(order, ["orders", "payments", "same", "idle"]);
    let orders = row(&m, "orders");
    assert_eq!(
        orders.slots.iter().map(|s| s.differs).collect::<Vec<_>>(),
        [Some(false), Some(true), Some(true)]
    );
    assert_eq!(orders.slots[2].cell, Cell::Absent);
    let payments = row(&m, "payments");
    let arrow = payments.slots[2].arrow.as_ref().unwrap();
    assert_eq!(
        (arrow.status, arrow.requested_by.as_str(), arrow.reverse),
        (ArrowStatus::Pending, "dave", false)
    );
    assert!(payments.slots[1].arrow.is_none(), "promoted is not open");
    // Two gateways in staging: the worst sync wins.
    let same = row(&m, "same");
    assert!(matches!(
        same.slots[1].cell,
        Cell::Known {
            sync: Sync::Error,
            gateways: 2,
            ..
        }
    ));
    assert_eq!(same.out_of_date(), 0);
    let idle = row(&m, "idle");
    assert!(idle.slots.iter().all(|s| s.cell == Cell::Absent));
}

#[test]
fn equal_versions_with_other_specs_differ_and_show_their_hash() {
    let list = vec![
        gd("a", "dev", "1.0.0", "1111111111", "synced"),
        gd("a", "staging", "1.0.0", "2222222222", "synced"),
    ];
    let m = build(
        &stages(&["dev", "staging", "production"]),
        &[api("a")],
        &three(list),
        &[],
    );
    let a = row(&m, "a");
    assert!(a.show_hash);
    assert_eq!(a.slots[1].differs, Some(true));
    let Cell::Known {
        version: Some(v), ..
    } = &a.slots[1].cell
    else {
        panic!()
    };
    assert_eq!(v.short_hash(), Some("2222222"));
}

#[test]
fn without_gateway_deployments_presence_and_sync_come_from_the_catalog() {
    let mut a = api("a");
    a.runtime_deployments = vec![
        RuntimeDeployment {
            environment: "dev".into(),
            gateway_count: 1,
            synced_count: 1,
            ..RuntimeDeployment::default()
        },
        RuntimeDeployment {
            environment: "prod".into(),
            gateway_count: 2,
            drifted_count: 1,
            synced_count: 1,
            ..RuntimeDeployment::default()
        },
    ];
    let runtime = || StageSource::Runtime {
        why: "this role cannot list gateway deployments".into(),
    };
    let sources = vec![
        runtime(),
        runtime(),
        StageSource::Unknown {
            why: "sign in to production".into(),
        },
    ];
    let m = build(&stages(&["dev", "staging", "prod"]), &[a], &sources, &[]);
    let a = &m.rows[0];
    assert!(matches!(
        a.slots[0].cell,
        Cell::Known {
            version: None,
            sync: Sync::Synced,
            ..
        }
    ));
    assert_eq!(a.slots[1].cell, Cell::Absent);
    assert_eq!(a.slots[1].differs, Some(true), "deployed, then not");
    // An unknown stage is never absent, and nothing is said about its boundary.
    assert!(matches!(a.slots[2].cell, Cell::Unknown { .. }));
    assert_eq!(a.slots[2].differs, None);
    assert_eq!(
        m.notes,
        [
            "versions unknown in Development, Staging: this role cannot list gateway deployments",
            "cannot read Production: sign in to production"
        ]
    );
}

#[test]
fn deployed_apis_missing_from_the_catalog_still_get_a_row_and_reverse_arrows_sit_between() {
    let list = vec![gd("ghost", "staging", "0.1.0", "x", "pending")];
    let promotions = vec![
        promo("ghost", "staging", "dev", "promoting", "tess"),
        promo("ghost", "dev", "production", "pending", "skip"),
    ];
    let m = build(
        &stages(&["dev", "staging", "production"]),
        &[],
        &three(list),
        &promotions,
    );
    let ghost = row(&m, "ghost");
    let arrow = ghost.slots[1].arrow.as_ref().unwrap();
    assert!(arrow.reverse);
    assert_eq!(arrow.status, ArrowStatus::Promoting);
    assert!(ghost.slots[2].arrow.is_none(), "not adjacent: no arrow");
}

#[test]
fn the_filter_keeps_the_order_and_needs_every_word() {
    let list = vec![gd("orders", "dev", "1", "a", "synced")];
    let m = build(
        &stages(&["dev", "staging"]),
        &[api("payments"), api("orders"), api("order-history")],
        &three(list),
        &[],
    );
    let names = |q: &str| -> Vec<&str> {
        m.filter(q)
            .into_iter()
            .map(|i| m.rows[i].api.as_str())
            .collect()
    };
    assert_eq!(names(""), ["orders", "order-history", "payments"]);
    assert_eq!(names("ord"), ["orders", "order-history"]);
    assert_eq!(names("ord hist"), ["order-history"]);
    assert!(names("zzz").is_empty());
}

/// Random pipelines: invariants that must hold whatever the data.
#[test]
fn random_pipelines_keep_their_invariants() {
    let mut rng = StdRng::seed_from_u64(13);
    for round in 0..200 {
        let n = rng.gen_range(1..7);
        let names: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let st = stages(&refs);
        let apis: Vec<Api> = (0..rng.gen_range(0..12))
            .map(|i| api(&format!("api{i}")))
            .collect();
        let mut list = Vec::new();
        for a in &apis {
            for s in &names {
                if rng.gen_bool(0.6) {
                    let v = format!("1.{}.0", rng.gen_range(0..3));
                    let sync = ["synced", "drifted", "error", "pending"][rng.gen_range(0..4)];
                    list.push(gd(&a.id, s, &v, &v, sync));
                }
            }
        }
        let sources: Vec<StageSource> = names
            .iter()
            .map(|s| match rng.gen_range(0..5) {
                0 => StageSource::Unknown { why: "x".into() },
                _ => deployments(list.clone(), s),
            })
            .collect();
        let mut promotions = Vec::new();
        for a in &apis {
            if n > 1 && rng.gen_bool(0.3) {
                let k = rng.gen_range(1..n);
                promotions.push(promo(&a.id, &names[k - 1], &names[k], "pending", "dave"));
            }
        }
        let m = build(&st, &apis, &sources, &promotions);
        assert_eq!(m.rows.len(), apis.len(), "round {round}");
        for r in &m.rows {
            assert_eq!(r.slots.len(), n);
            assert_eq!(r.slots[0].differs, Some(false));
            assert!(r.slots[0].arrow.is_none());
            assert!(r.out_of_date() < n.max(1));
            for (k, slot) in r.slots.iter().enumerate() {
                if matches!(sources[k], StageSource::Unknown { .. }) {
                    assert!(matches!(slot.cell, Cell::Unknown { .. }));
                    assert_eq!(slot.differs, if k == 0 { Some(false) } else { None });
                }
                if k > 0 && slot.differs == Some(false) {
                    assert_eq!(version(&slot.cell), version(&r.slots[k - 1].cell));
                }
            }
        }
        let keys: Vec<_> = m
            .rows
            .iter()
            .map(|r| {
                (
                    std::cmp::Reverse(r.out_of_date()),
                    std::cmp::Reverse(r.open_promotions()),
                )
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "round {round}");
        assert_eq!(m.filter("  ").len(), m.rows.len());
    }
}

fn at(days_ago: i64, now: Timestamp) -> Option<Timestamp> {
    Some(Timestamp(now.0 - chrono::Duration::days(days_ago)))
}

fn done(mut p: Promotion, created: i64, hours: i64, now: Timestamp) -> Promotion {
    p.created_at = at(created, now);
    p.completed_at = p
        .created_at
        .map(|t| Timestamp(t.0 + chrono::Duration::hours(hours)));
    p
}

#[test]
fn health_counts_days_failures_and_the_lead_time_of_whole_chains() {
    let now = Timestamp::parse("2026-12-02T12:00:00Z").unwrap();
    let st = stages(&["dev", "staging", "production"]);
    let p = |api, from, to, status| promo(api, from, to, status, "dora");
    let history = vec![
        // payments: dev→staging 5 days ago (2 h), staging→production 3 days ago (1 h).
        done(p("payments", "dev", "staging", "promoted"), 5, 2, now),
        done(
            p("payments", "staging", "production", "promoted"),
            3,
            1,
            now,
        ),
        // orders: dev→staging 10 days ago (1 h), staging→production 2 days ago, rolled back.
        done(p("orders", "dev", "staging", "promoted"), 10, 1, now),
        done(
            p("orders", "staging", "production", "rolled_back"),
            2,
            1,
            now,
        ),
        // shipping failed into staging; inventory waits; one is too old to count.
        done(p("shipping", "dev", "staging", "failed"), 1, 1, now),
        done(p("inventory", "dev", "staging", "pending"), 0, 0, now),
        done(p("old", "dev", "staging", "promoted"), 40, 1, now),
        // a reverse promotion is not a change.
        done(p("orders", "production", "staging", "promoting"), 1, 0, now),
        // no chain: reached production without a staging promotion in the history.
        done(p("lonely", "staging", "production", "promoted"), 1, 1, now),
    ];
    let h = health::health(&st, &history, now);
    assert_eq!(h.stages.len(), 2);
    let staging = &h.stages[0];
    assert_eq!(staging.per_day.len(), DAYS);
    assert_eq!(staging.total(), 4);
    assert_eq!(staging.per_day[DAYS - 1], 1, "inventory today");
    assert_eq!(staging.per_day[DAYS - 11], 1, "orders 10 days ago");
    assert_eq!((staging.promoted, staging.failed), (2, 1));
    assert_eq!(staging.failure_rate(), Some(1.0 / 3.0));
    let production = &h.stages[1];
    assert_eq!((production.promoted, production.rolled_back), (2, 1));
    assert_eq!(h.failure_rate(), Some(2.0 / 6.0));
    // payments: 5 days − 3 days + 1 h = 49 h; orders: 8 days + 1 h = 193 h; median 121 h.
    assert_eq!(h.lead_samples, 2);
    assert_eq!(h.lead_time, Some(chrono::Duration::hours(121)));
    assert_eq!(health::human(chrono::Duration::hours(121)), "5d 1h");
}

#[test]
fn health_of_short_or_empty_pipelines() {
    let now = Timestamp::now();
    let h = health::health(&stages(&["only"]), &[], now);
    assert!(h.stages.is_empty());
    assert_eq!((h.lead_time, h.failure_rate()), (None, None));
    let two = stages(&["dev", "production"]);
    let history = vec![done(
        promo("a", "dev", "production", "promoted", "x"),
        1,
        3,
        now,
    )];
    let h = health::health(&two, &history, now);
    assert_eq!(h.lead_time, Some(chrono::Duration::hours(3)));
    assert_eq!(health::human(chrono::Duration::minutes(75)), "1h 15m");
}

#[test]
fn a_row_found_late_is_unknown_where_nothing_could_be_read() {
    let list = vec![gd("ghost", "staging", "0.1.0", "x", "synced")];
    let mut sources = three(list);
    sources[0] = StageSource::Unknown {
        why: "timed out".into(),
    };
    sources.truncate(2);
    let m = build(
        &stages(&["dev", "staging", "production"]),
        &[],
        &sources,
        &[],
    );
    let ghost = row(&m, "ghost");
    assert!(matches!(ghost.slots[0].cell, Cell::Unknown { .. }));
    assert!(
        matches!(ghost.slots[2].cell, Cell::Unknown { .. }),
        "no source: unknown"
    );
    assert_eq!(ghost.slots[1].differs, None);
}
