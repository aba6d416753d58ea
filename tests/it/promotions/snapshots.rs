//! Snapshots of the promotions UI: the strip (3 and 5 stages), the queue, the review with its
//! diff and pre-flight, the create form and each confirmation. Each is drawn at the size the
//! state has (the Promotions view's layout depends on it: the health takes spare rows only).

use crossterm::event::KeyCode;
use envdeck::app::action::{Action, ListPayload};
use envdeck::app::update;
use envdeck::wire::{EnvironmentList, Timestamp};
use insta::assert_snapshot;

use super::data::*;

#[test]
fn strip_and_queue_three_stages() {
    let mut state = promotions_view("staging", "dora", &["devops"], history());
    update(&mut state, Action::Resize(120, 30));
    assert_snapshot!(render(&state, 120, 30).backend());
}

fn five_stages() -> EnvironmentList {
    EnvironmentList {
        environments: vec![
            env("dev", "Development", "full", Some("#22c55e")),
            env("qa", "QA", "full", None),
            env("staging", "Staging", "promote-only", Some("#f59e0b")),
            env("canary", "Canary", "read-only", Some("#8b5cf6")),
            env("production", "Production", "read-only", Some("#ef4444")),
        ],
        current: None,
    }
}

#[test]
fn strip_five_stages_in_ascii_without_colour() {
    let all = vec![
        promotion("p-1", "payments", "dev", "qa", "promoted", "dave"),
        promotion("p-2", "payments", "qa", "staging", "pending", "dave"),
        promotion("p-3", "orders", "staging", "canary", "failed", "tess"),
        promotion("p-4", "ledger", "canary", "production", "promoting", "tess"),
    ];
    let mut state = loaded(five_stages(), Some("staging"), me("dora", &["devops"]));
    state.ascii = true;
    state.no_color = true;
    update(&mut state, key('5'));
    deliver(&mut state, ListPayload::of(all.clone()));
    deliver(&mut state, ListPayload::of(all));
    update(&mut state, Action::Resize(120, 24));
    assert_snapshot!(render(&state, 120, 24).backend());
}

#[test]
fn review_shows_who_when_why_the_diff_and_the_preflight() {
    let all = history();
    let mut state = promotions_view("production", "dora", &["devops"], all.clone());
    select(&mut state, "p-2");
    update(&mut state, code(KeyCode::Enter));
    review_arrives(&mut state, &all[1]);
    update(&mut state, Action::Resize(120, 32));
    assert_snapshot!(render(&state, 120, 32).backend());
}

#[test]
fn review_while_the_diff_loads_and_four_eyes_dims_approve() {
    let all = history();
    let mut state = promotions_view("production", "dave", &["devops"], all.clone());
    select(&mut state, "p-2");
    update(&mut state, code(KeyCode::Enter));
    update(&mut state, Action::Resize(120, 24));
    assert_snapshot!(render(&state, 120, 24).backend());
}

#[test]
fn create_form_with_counter_gateways_and_preflight() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    update(&mut state, key('p'));
    let rolled = vec![promotion(
        "p-0",
        "payments",
        "dev",
        "staging",
        "rolled_back",
        "tess",
    )];
    let mut d = draft("payments", "dev", "staging", rolled);
    d.history[0].updated_at = Some(Timestamp::parse("2026-11-20T09:30:00Z").expect("t"));
    draft_arrives(&mut state, d);
    typed(&mut state, "Refunds and partial captures");
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, code(KeyCode::Down));
    update(&mut state, key(' '));
    assert_snapshot!(render(&state, 110, 26).backend());
}

#[test]
fn approve_confirmation_into_production_asks_for_the_name() {
    let all = history();
    let mut state = promotions_view("production", "dora", &["devops"], all.clone());
    select(&mut state, "p-2");
    update(&mut state, code(KeyCode::Enter));
    review_arrives(&mut state, &all[1]);
    update(&mut state, key('a'));
    typed(&mut state, "prod");
    update(&mut state, code(KeyCode::Enter));
    update(&mut state, Action::Resize(100, 24));
    assert_snapshot!(render(&state, 100, 24).backend());
}

#[test]
fn rollback_confirmation_with_its_message() {
    let mut state = promotions_view("staging", "dora", &["devops"], history());
    select(&mut state, "p-4");
    update(&mut state, key('R'));
    typed(&mut state, "Error rate spike");
    update(&mut state, Action::Resize(100, 24));
    assert_snapshot!(render(&state, 100, 24).backend());
}

#[test]
fn complete_confirmation() {
    let mut state = promotions_view("production", "dora", &["devops"], history());
    select(&mut state, "p-6");
    update(&mut state, key('c'));
    update(&mut state, Action::Resize(100, 24));
    assert_snapshot!(render(&state, 100, 24).backend());
}
