//! insta snapshots of `TestBackend` frames with fixed data and a fixed clock.
//! Each snapshot file was opened and checked against what a user should see.

use crossterm::event::KeyCode;
use envdeck::app::action::{Action, ListPayload};
use envdeck::app::state::Connection;
use envdeck::app::update;
use insta::assert_snapshot;

use super::fixtures::*;

fn dev_with_apis() -> envdeck::app::State {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    state
}

#[test]
fn header_three_stages_apis_view() {
    let state = dev_with_apis();
    assert_snapshot!(render(&state, 100, 20).backend());
}

#[test]
fn header_one_stage_without_label_or_colour() {
    let mut state = loaded(one_stage(), None, me("vera", &["viewer"]));
    deliver(&mut state, ListPayload::of(apis()));
    assert_snapshot!(render(&state, 80, 16).backend());
}

#[test]
fn header_seven_stages_with_unknown_names() {
    let mut state = loaded(seven_stages(), Some("perf"), me("dora", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    assert_snapshot!(render(&state, 120, 16).backend());
}

#[test]
fn header_seven_stages_squeezed_into_80_columns() {
    let mut state = loaded(seven_stages(), Some("canary"), me("dora", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    assert_snapshot!(render(&state, 80, 16).backend());
}

#[test]
fn no_color_ascii_production_banner_and_disabled_footer() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    state.no_color = true;
    state.ascii = true;
    deliver(&mut state, ListPayload::of(apis()));
    let terminal = render(&state, 110, 16);
    // No colour at all: every cell keeps the terminal's default colours.
    for cell in terminal.backend().buffer().content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "{cell:?}");
    }
    assert_snapshot!(terminal.backend());
}

#[test]
fn read_only_banner_and_reason_after_pressing_n() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    update(&mut state, key('n'));
    let terminal = render(&state, 110, 16);
    // The active tab is drawn in production's red.
    let red = ratatui::style::Color::Rgb(0xef, 0x44, 0x44);
    assert!(
        terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .any(|c| c.bg == red)
    );
    assert_snapshot!(terminal.backend());
}

#[test]
fn session_readonly_banner_names_its_source() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    state.session_readonly = true;
    deliver(&mut state, ListPayload::of(apis()));
    assert_snapshot!(render(&state, 110, 16).backend());
}

#[test]
fn deployments_view() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    update(&mut state, key('2'));
    deliver(&mut state, ListPayload::of(deployments()));
    assert_snapshot!(render(&state, 110, 16).backend());
}

#[test]
fn gateways_view() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    update(&mut state, key('3'));
    deliver(&mut state, ListPayload::of(gateways()));
    assert_snapshot!(render(&state, 110, 16).backend());
}

#[test]
fn subscriptions_view() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    update(&mut state, key('4'));
    deliver(&mut state, ListPayload::of(subscriptions()));
    assert_snapshot!(render(&state, 110, 16).backend());
}

#[test]
fn promotions_view_with_waiting_count() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    update(&mut state, key('5'));
    deliver(&mut state, ListPayload::of(promotions()));
    deliver(&mut state, ListPayload::of(promotions()));
    update(&mut state, Action::Resize(110, 24));
    assert_snapshot!(render(&state, 110, 24).backend());
}

#[test]
fn audit_view_and_empty_audit() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    update(&mut state, key('6'));
    deliver(
        &mut state,
        ListPayload::of(Vec::<envdeck::wire::AuditEntry>::new()),
    );
    assert_snapshot!("audit_empty", render(&state, 100, 15).backend());
    deliver(&mut state, ListPayload::of(audit()));
    assert_snapshot!("audit_with_entries", render(&state, 100, 15).backend());
}

#[test]
fn switcher_popup() {
    let mut state = dev_with_apis();
    update(&mut state, key('e'));
    update(&mut state, code(KeyCode::Down));
    assert_snapshot!(render(&state, 100, 20).backend());
}

#[test]
fn help_overlay_lists_the_key_map_with_reasons() {
    let mut state = loaded(three_stages(), Some("production"), me("dave", &["devops"]));
    update(&mut state, key('?'));
    state.size = (80, 24);
    assert_snapshot!("help_overlay_80x24", render(&state, 80, 24).backend());
    state.size = (120, 40);
    assert_snapshot!("help_overlay_120x40", render(&state, 120, 40).backend());
    // Scrolled to the popups' keys.
    for _ in 0..3 {
        update(&mut state, code(KeyCode::PageDown));
    }
    assert_snapshot!(
        "help_overlay_120x40_scrolled",
        render(&state, 120, 40).backend()
    );
}

#[test]
fn palette_lists_stages_and_commands() {
    let mut state = dev_with_apis();
    update(&mut state, key(':'));
    typed(&mut state, "env");
    assert_snapshot!(render(&state, 100, 20).backend());
}

#[test]
fn api_form_with_a_validation_error() {
    let mut state = dev_with_apis();
    update(&mut state, key('n'));
    typed(&mut state, "Bad Name");
    update(&mut state, code(KeyCode::Enter));
    assert_snapshot!(render(&state, 100, 20).backend());
}

#[test]
fn confirmation_names_tenant_stage_and_api() {
    let mut state = dev_with_apis();
    update(&mut state, key('D'));
    // dave (devops) may not delete: the reason, no popup. tess (tenant-admin) may.
    assert!(state.popup.is_none());
    let mut state = loaded(three_stages(), Some("dev"), me("tess", &["tenant-admin"]));
    deliver(&mut state, ListPayload::of(apis()));
    update(&mut state, code(KeyCode::Down));
    update(&mut state, key('D'));
    assert_snapshot!(render(&state, 100, 20).backend());
}

#[test]
fn detail_pane() {
    let mut state = dev_with_apis();
    update(&mut state, code(KeyCode::Enter));
    assert_snapshot!(render(&state, 100, 20).backend());
}

#[test]
fn filter_being_typed() {
    let mut state = dev_with_apis();
    update(&mut state, key('/'));
    typed(&mut state, "pay");
    assert_snapshot!(render(&state, 100, 15).backend());
}

#[test]
fn too_small_terminal_shows_a_message() {
    let state = dev_with_apis();
    assert_snapshot!(render(&state, 50, 10).backend());
}

#[test]
fn offline_with_stale_rows_and_a_failed_list() {
    let mut state = dev_with_apis();
    let generation = state.generation;
    update(&mut state, Action::Tick(at("2026-11-24T10:02:05Z")));
    let stage = state.active.clone();
    update(
        &mut state,
        Action::List {
            kind: envdeck::app::state::ViewKind::Apis,
            stage,
            generation,
            result: Err(offline_error()),
        },
    );
    assert!(matches!(state.connection, Connection::Offline { .. }));
    assert_snapshot!("offline_stale_rows", render(&state, 100, 15).backend());
    // Another view never loaded: the error and the retry hint.
    update(&mut state, key('2'));
    let (generation, stage) = (state.generation, state.active.clone());
    update(
        &mut state,
        Action::List {
            kind: envdeck::app::state::ViewKind::Deployments,
            stage,
            generation,
            result: Err(offline_error()),
        },
    );
    assert_snapshot!("offline_failed_list", render(&state, 100, 15).backend());
}

#[test]
fn loading_before_the_server_answers() {
    let state = envdeck::app::State::new("demo", "acme", "cp", now());
    assert_snapshot!(render(&state, 80, 15).backend());
}

#[test]
fn server_text_is_drawn_without_escapes() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let mut evil = apis();
    evil[0].name = "pay\u{1b}]0;pwned\u{7}ments\u{1b}[2J".into();
    evil[0].display_name = "line\nbreak".into();
    deliver(&mut state, ListPayload::of(evil));
    let terminal = render(&state, 100, 15);
    let text: String = terminal
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol().to_string())
        .collect();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'));
    assert!(text.contains("payments") && text.contains("line break"));
}

#[test]
fn warm_start_from_the_cache_before_the_server_answers() {
    let mut state = envdeck::app::State::new("prod-eu", "acme", "cp", now());
    update(
        &mut state,
        Action::SavedStateLoaded(envdeck::app::action::SavedState::Found {
            stage: Some("staging".into()),
            view: Some("apis".into()),
        }),
    );
    update(
        &mut state,
        Action::Environments {
            result: Ok(three_stages()),
            cached: true,
        },
    );
    update(&mut state, Action::CachedMe(me("dave", &["devops"])));
    let (generation, stage) = (state.generation, state.active.clone());
    update(
        &mut state,
        Action::CachedList {
            stage,
            generation,
            payload: ListPayload::of(apis()),
            saved_at: at("2026-11-24T09:57:30Z"),
        },
    );
    assert_snapshot!(render(&state, 100, 15).backend());
}

#[test]
fn typed_confirmation_for_a_guarded_stage() {
    let mut envs = three_stages();
    envs.environments[0].mode = "full".into();
    let mut state = loaded(envs, Some("production"), me("tess", &["tenant-admin"]));
    deliver(&mut state, ListPayload::of(apis()));
    update(&mut state, key('D'));
    typed(&mut state, "produ");
    assert_snapshot!(render(&state, 100, 20).backend());
}

#[test]
fn unreachable_at_first_start_without_a_cache() {
    let mut state = envdeck::app::State::new("demo", "acme", "cp", now());
    update(
        &mut state,
        Action::SavedStateLoaded(envdeck::app::action::SavedState::Missing),
    );
    update(
        &mut state,
        Action::Environments {
            result: Err(offline_error()),
            cached: false,
        },
    );
    assert_snapshot!(render(&state, 80, 15).backend());
}
