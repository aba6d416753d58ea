//! `update` without a terminal: policy guards, forms and confirmations, server refusals,
//! filter, sort and offline transitions.

use crossterm::event::KeyCode;
use envdeck::api::ApiError;
use envdeck::app::action::{Action, ListPayload};
use envdeck::app::list::LoadState;
use envdeck::app::state::{Connection, Popup, ViewKind};
use envdeck::app::write::Write;
use envdeck::app::write::reply::Sent;
use envdeck::app::{Effect, State, update};
use envdeck::domain::StageName;

use super::fixtures::*;

fn stage(name: &str) -> StageName {
    StageName::parse(name).expect("stage name")
}

fn fetches(effects: &[Effect]) -> Vec<(ViewKind, Option<String>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::FetchList { kind, stage, .. } => {
                Some((*kind, stage.as_ref().map(|s| s.to_string())))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn writes_to_a_read_only_stage_show_the_reason_and_send_nothing() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    for k in ['n', 'E', 'D'] {
        state.status = None;
        let effects = update(&mut state, key(k));
        assert!(effects.is_empty(), "{k} sent {effects:?}");
        assert!(state.popup.is_none(), "{k} opened a popup");
        let status = state.status.clone().expect("a reason");
        assert!(status.error);
        assert!(
            status.text.contains("Production is read-only"),
            "{k}: {}",
            status.text
        );
    }
    // The palette asks the same policy.
    update(&mut state, key(':'));
    typed(&mut state, "delete");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert!(effects.is_empty());
    assert!(
        state
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("read-only"))
    );
}

#[test]
fn session_readonly_and_missing_permissions_are_reasons_too() {
    let mut state = loaded(three_stages(), Some("dev"), me("vera", &["viewer"]));
    update(&mut state, key('n'));
    assert!(
        state
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("apis:create"))
    );

    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    state.session_readonly = true;
    let effects = update(&mut state, key('n'));
    assert!(effects.is_empty());
    assert!(
        state
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("--readonly"))
    );
}

#[test]
fn create_goes_through_a_validated_form_and_a_confirmation_naming_its_target() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    update(&mut state, key('n'));
    assert!(matches!(state.popup, Some(Popup::Form(_))));
    // Submitting an empty form sends nothing and says what is missing.
    let effects = update(&mut state, code(KeyCode::Enter));
    assert!(effects.is_empty());
    match &state.popup {
        Some(Popup::Form(form)) => assert_eq!(form.error.as_deref(), Some("a name is required")),
        other => panic!("expected the form, got {other:?}"),
    }
    typed(&mut state, "billing");
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "Billing");
    update(&mut state, code(KeyCode::Tab));
    update(&mut state, code(KeyCode::Tab));
    typed(&mut state, "https://billing.internal");
    assert!(update(&mut state, code(KeyCode::Enter)).is_empty());
    match &state.popup {
        Some(Popup::Confirm(c)) => {
            assert_eq!(
                c.lines,
                ["Create API billing", "Tenant: acme", "Stage: Development"]
            );
            assert!(c.typed.is_none());
        }
        other => panic!("expected a confirmation, got {other:?}"),
    }
    let effects = update(&mut state, key('y'));
    let pending = match effects.as_slice() {
        [Effect::Write(p)] => match &p.write {
            Write::CreateApi { body } => {
                assert_eq!(p.lands_in.as_str(), "dev");
                assert_eq!(body.name, "billing");
                assert_eq!(body.backend_url, "https://billing.internal");
                p.clone()
            }
            other => panic!("expected a create, got {other:?}"),
        },
        other => panic!("expected one write, got {other:?}"),
    };
    // The answer refreshes the list and says what happened, and how to script it.
    let effects = update(
        &mut state,
        Action::Written {
            pending,
            result: Ok(Sent::Api),
        },
    );
    assert_eq!(fetches(&effects), [(ViewKind::Apis, Some("dev".into()))]);
    assert_eq!(
        state.status.as_ref().map(|s| s.text.as_str()),
        Some(
            "created API billing in Development · envdeck api create billing --env dev \
             --display-name Billing --version 1.0.0 --backend-url https://billing.internal"
        )
    );
}

#[test]
fn deleting_in_a_writable_production_wants_the_stage_name_typed() {
    let mut envs = three_stages();
    envs.environments[0].mode = "full".into();
    let mut state = loaded(envs, Some("production"), me("tess", &["tenant-admin"]));
    deliver(&mut state, ListPayload::of(apis()));
    update(&mut state, key('D'));
    match &state.popup {
        Some(Popup::Confirm(c)) => {
            // payments runs in every stage: its shared catalog entry goes from all of them.
            assert_eq!(
                c.lines,
                [
                    "Delete API payments",
                    "Tenant: acme",
                    "Stage: Production",
                    "Its catalog entry is shared: this also reaches Development, Staging"
                ]
            );
            assert_eq!(c.typed.as_ref().map(|t| t.0.as_str()), Some("production"));
        }
        other => panic!("expected a typed confirmation, got {other:?}"),
    }
    assert!(
        update(&mut state, key('y')).is_empty(),
        "y is not enough here"
    );
    assert!(
        update(&mut state, code(KeyCode::Enter)).is_empty(),
        "'y' is not the name"
    );
    update(&mut state, code(KeyCode::Backspace));
    typed(&mut state, "production");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert!(matches!(
        effects.as_slice(),
        [Effect::Write(p)] if matches!(p.write, Write::DeleteApi { .. }) && p.api == "payments"
            && p.typed.as_deref() == Some("production")
    ));
}

#[test]
fn a_server_refusal_is_shown_in_the_servers_words() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let pending =
        envdeck::app::keys::api_pending(&state, Write::DeleteApi { id: "2".into() }, "orders", &[])
            .expect("an active stage");
    update(
        &mut state,
        Action::Written {
            pending: Box::new(pending),
            result: Err(ApiError::Http {
                status: 403,
                message: "Environment 'dev' is read-only. Only cpi-admin can perform writes."
                    .into(),
                retry_after: None,
            }
            .into()),
        },
    );
    let status = state.status.expect("status");
    assert!(status.error);
    assert!(
        status.text.contains("Only cpi-admin can perform writes."),
        "{}",
        status.text
    );
}

#[test]
fn filter_and_sort_work_on_the_raw_rows() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    update(&mut state, key('/'));
    assert!(state.filter_editing);
    typed(&mut state, "ledger");
    // Fuzzy: weaker matches may follow, but the best one comes first and is selected.
    assert!(
        state.lists[envdeck::app::state::ViewKind::Apis]
            .visible
            .len()
            < 5
    );
    let top = state.lists[envdeck::app::state::ViewKind::Apis]
        .selected_row()
        .map(|r| r.cell(0).to_string());
    assert_eq!(top.as_deref(), Some("ledger"));
    update(&mut state, code(KeyCode::Enter));
    assert!(!state.filter_editing);
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].filter,
        "ledger",
        "Enter keeps the filter"
    );
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis]
            .visible
            .len(),
        5,
        "Esc clears it"
    );

    update(&mut state, key('s'));
    update(&mut state, key('g'));
    let first = |s: &State| {
        s.lists[envdeck::app::state::ViewKind::Apis]
            .selected_row()
            .map(|r| r.cell(0).to_string())
    };
    assert_eq!(first(&state).as_deref(), Some("customers"));
    update(&mut state, key('S'));
    update(&mut state, key('g'));
    assert_eq!(first(&state).as_deref(), Some("shipping"));
}

#[test]
fn a_dead_server_turns_offline_keeps_the_rows_and_locks_writes() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    let generation = state.generation;
    update(
        &mut state,
        Action::List {
            kind: ViewKind::Apis,
            stage: Some(stage("dev")),
            generation,
            result: Err(offline_error()),
        },
    );
    assert!(matches!(state.connection, Connection::Offline { .. }));
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].load,
        LoadState::Stale { saved_at: now() }
    );
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].len(),
        5,
        "rows stay visible"
    );
    let effects = update(&mut state, key('n'));
    assert!(effects.is_empty());
    assert!(
        state
            .status
            .as_ref()
            .is_some_and(|s| s.text.starts_with("new API: offline"))
    );
    // Keys keep working, and r retries.
    let effects = update(&mut state, key('r'));
    assert!(effects.contains(&Effect::FetchEnvironments));
    assert_eq!(
        fetches(&effects),
        [
            (ViewKind::Promotions, Some("dev".into())),
            (ViewKind::Apis, Some("dev".into()))
        ],
        "the view's list and the promotion store"
    );
    deliver(&mut state, ListPayload::of(apis()));
    assert!(matches!(state.connection, Connection::Online { .. }));
}

#[test]
fn the_waiting_count_honours_four_eyes() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let mut mine = promotions();
    mine[0].requested_by = "dave".into();
    deliver(&mut state, ListPayload::of(promotions()));
    assert_eq!(
        state.waiting_for_me(),
        1,
        "dora's promotion: dave may approve it"
    );
    deliver(&mut state, ListPayload::of(mine));
    assert_eq!(
        state.waiting_for_me(),
        0,
        "his own into production: four-eyes"
    );
}

#[test]
fn quit_and_help_keys() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    update(&mut state, key('?'));
    assert!(matches!(state.popup, Some(Popup::Help { .. })));
    update(&mut state, key('q'));
    assert!(
        state.popup.is_none() && !state.should_quit,
        "q closes the overlay first"
    );
    update(&mut state, key('q'));
    assert!(state.should_quit);
}

#[test]
fn local_tightening_locks_a_stage_on_this_machine_only() {
    let mut state = loaded(three_stages(), Some("staging"), me("dave", &["devops"]));
    state.local_tightening.insert(
        StageName::parse("staging").expect("stage"),
        envdeck::domain::Mode::ReadOnly,
    );
    let effects = update(&mut state, key('n'));
    assert!(effects.is_empty());
    let status = state.status.clone().expect("reason");
    assert!(status.text.contains("on this machine"), "{}", status.text);
    let screen = format!("{}", render(&state, 110, 16).backend());
    assert!(
        screen.contains("Staging environment — read-only mode (on this machine: config.toml)"),
        "{screen}"
    );
}

#[test]
fn an_api_live_in_a_read_only_stage_cannot_be_edited_or_deleted_from_development() {
    let mut state = loaded(three_stages(), Some("dev"), me("tess", &["tenant-admin"]));
    deliver(&mut state, ListPayload::of(apis()));
    // payments runs in dev, staging and (spelt `prod`) in read-only production.
    for k in ['D', 'E'] {
        let effects = update(&mut state, key(k));
        assert!(effects.is_empty(), "{k}: nothing is sent");
        assert!(state.popup.is_none(), "{k}: no confirmation");
        let s = state.status.clone().expect("the reason");
        assert!(
            s.error
                && s.text
                    .ends_with("payments is live in Production (read-only)"),
            "{k}: {s:?}"
        );
    }
    // orders runs in dev and staging only: its delete names both stages.
    update(&mut state, code(KeyCode::Down));
    update(&mut state, key('D'));
    match &state.popup {
        Some(Popup::Confirm(c)) => {
            let prompt = c.lines.join("\n");
            assert!(prompt.contains("Staging"), "{prompt}");
            assert!(
                c.lines.contains(&"Stage: Development".to_string()),
                "{prompt}"
            );
            assert!(c.typed.is_none(), "no guarded stage is reached");
        }
        other => panic!("expected the confirmation, got {}", other.is_some()),
    }
}
