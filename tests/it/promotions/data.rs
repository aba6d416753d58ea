//! Promotions, drafts and reviews with fixed values for the console tests.

use envdeck::api::plan::Lane;
use envdeck::app::action::{Action, ListPayload};
use envdeck::app::promo::io::PromoReply;
use envdeck::app::promo::{Draft, ReviewData};
use envdeck::app::{Effect, State, update};
use envdeck::domain::StageName;
use envdeck::wire::{Gateway, GatewayDeployment, Promotion, PromotionDiff};

pub use crate::ui::fixtures::*;

pub fn promotion(id: &str, api: &str, from: &str, to: &str, status: &str, by: &str) -> Promotion {
    Promotion {
        id: id.into(),
        tenant_id: "acme".into(),
        api_id: api.into(),
        source_environment: from.into(),
        target_environment: to.into(),
        status: status.into(),
        message: format!("Release of {api}"),
        requested_by: by.into(),
        created_at: Some(at("2026-11-23T16:00:00Z")),
        ..Promotion::default()
    }
}

/// A varied history: something in every state, into every stage.
pub fn history() -> Vec<Promotion> {
    vec![
        promotion("p-1", "payments", "dev", "staging", "pending", "dave"),
        promotion("p-2", "orders", "staging", "production", "pending", "dave"),
        promotion("p-3", "ledger", "staging", "production", "pending", "tess"),
        promotion("p-4", "customers", "dev", "staging", "promoted", "dora"),
        promotion("p-5", "shipping", "dev", "staging", "failed", "dora"),
        promotion(
            "p-6",
            "billing",
            "staging",
            "production",
            "promoting",
            "tess",
        ),
        promotion("p-7", "cards", "dev", "staging", "rolled_back", "dora"),
    ]
}

/// The writes the effects would send.
pub fn writes(effects: &[Effect]) -> Vec<&envdeck::app::write::Write> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Write(p) => Some(&p.write),
            _ => None,
        })
        .collect()
}

/// `user` with `roles` on `stage`, the Promotions view showing every promotion of `all`.
pub fn promotions_view(stage: &str, user: &str, roles: &[&str], all: Vec<Promotion>) -> State {
    let mut state = loaded(three_stages(), Some(stage), me(user, roles));
    update(&mut state, key('5'));
    deliver(&mut state, ListPayload::of(all));
    state
}

/// Selects the row of promotion `id` (filtering the list by it).
pub fn select(state: &mut State, id: &str) {
    let list = &state.lists[envdeck::app::state::ViewKind::Promotions];
    let at = list
        .visible
        .iter()
        .position(|i| list.rows[*i as usize].id() == id)
        .unwrap_or_else(|| panic!("{id} is not listed"));
    state.lists[envdeck::app::state::ViewKind::Promotions].selected = at;
}

pub fn diff(id: &str, from: &str, to: &str) -> PromotionDiff {
    PromotionDiff {
        promotion_id: id.into(),
        source_environment: from.into(),
        target_environment: to.into(),
        source_spec: Some(serde_json::json!({
            "openapi": "3.0.0",
            "info": {"title": "Payments", "version": "1.4.0"},
            "paths": {"/payments": {}, "/refunds": {}}
        })),
        target_spec: Some(serde_json::json!({
            "openapi": "3.0.0",
            "info": {"title": "Payments", "version": "1.3.2"},
            "paths": {"/payments": {}}
        })),
        diff_summary: Some(serde_json::json!({"paths_added": 1, "version": "1.3.2 → 1.4.0"})),
        reviewed_spec_hash: Some("sha256:abc123".into()),
    }
}

pub fn gd(api: &str, gateway: &str, stage: &str, status: &str) -> GatewayDeployment {
    GatewayDeployment {
        id: format!("gd-{api}-{gateway}"),
        api_catalog_id: format!("cat-{api}"),
        desired_state: serde_json::json!({
            "api_id": api, "api_name": api, "tenant_id": "acme", "version": "1.4.0",
        }),
        gateway_instance_id: format!("gw-{gateway}"),
        gateway_name: Some(gateway.into()),
        gateway_environment: Some(stage.into()),
        sync_status: status.into(),
        ..GatewayDeployment::default()
    }
}

/// Delivers the review's data for `p` (as the runner would once fetched).
pub fn review_arrives(state: &mut State, p: &Promotion) -> Vec<Effect> {
    let data = ReviewData {
        promotion: p.clone(),
        diff: diff(&p.id, &p.source_environment, &p.target_environment),
        target_deployments: vec![
            gd(&p.api_id, "edge-1", &p.target_environment, "synced"),
            gd("orders", "edge-2", &p.target_environment, "drifted"),
        ],
        target_unknown: None,
        history: vec![promotion(
            "p-0",
            &p.api_id,
            "dev",
            "staging",
            "rolled_back",
            "tess",
        )],
    };
    update(
        state,
        Action::Promo(Box::new(PromoReply::Review {
            id: p.id.clone(),
            stamp: state.stamp(),
            result: Ok(Box::new(data)),
        })),
    )
}

pub fn stage(name: &str) -> StageName {
    StageName::parse(name).expect("stage")
}

pub fn draft(api: &str, from: &str, to: &str, history: Vec<Promotion>) -> Draft {
    Draft {
        api_id: api.into(),
        api_name: api.into(),
        source: stage(from),
        target: stage(to),
        lanes: vec![Lane {
            source: gd(api, "edge-dev-1", from, "synced"),
            source_gateway: None,
            targets: vec![
                Gateway {
                    id: "gw-stg-1".into(),
                    name: "edge-stg-1".into(),
                    environment: to.into(),
                    status: "online".into(),
                    ..Gateway::default()
                },
                Gateway {
                    id: "gw-stg-2".into(),
                    name: "edge-stg-2".into(),
                    environment: to.into(),
                    status: "degraded".into(),
                    ..Gateway::default()
                },
            ],
        }],
        // The API's own error counts; another API's drift in the stage does not.
        target_deployments: vec![
            gd(api, "edge-stg-2", to, "error"),
            gd("orders", "edge-stg-1", to, "drifted"),
        ],
        history,
    }
}

pub fn draft_arrives(state: &mut State, d: Draft) -> Vec<Effect> {
    let stamp = state.stamp();
    update(
        state,
        Action::Promo(Box::new(PromoReply::Draft {
            stamp,
            result: Ok(Box::new(d)),
        })),
    )
}
