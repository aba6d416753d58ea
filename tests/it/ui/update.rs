//! `update` without a terminal: restore, stage switching (generations), views, the clock.

use crossterm::event::KeyCode;
use envdeck::app::action::{Action, ListPayload, SavedState};
use envdeck::app::list::LoadState;
use envdeck::app::state::{Popup, ViewKind};
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

fn saved_stage(effects: &[Effect]) -> Option<String> {
    effects.iter().find_map(|e| match e {
        Effect::SaveState { stage, .. } => stage.clone(),
        _ => None,
    })
}

#[test]
fn restore_found_activates_the_saved_stage_without_notice() {
    let state = loaded(three_stages(), Some("prod"), me("dave", &["devops"]));
    assert_eq!(state.active, Some(stage("production")));
    assert!(state.notices.is_empty());
    let names: Vec<&str> = state
        .pipeline
        .stages()
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["dev", "staging", "production"], "pipeline order");
}

#[test]
fn restore_missing_corrupt_or_unknown_falls_back_to_the_safe_default_with_a_notice() {
    let missing = loaded(three_stages(), None, me("dave", &["devops"]));
    assert_eq!(missing.active, Some(stage("dev")));
    assert_eq!(missing.notices.len(), 1);
    assert!(
        missing.notices[0].contains("using Development"),
        "{:?}",
        missing.notices
    );

    let unknown = loaded(three_stages(), Some("moon-base"), me("dave", &["devops"]));
    assert_eq!(unknown.active, Some(stage("dev")));
    assert!(unknown.notices[0].contains("\"moon-base\" is not listed"));

    let mut corrupt = State::new("demo", "acme", "cp", now());
    update(
        &mut corrupt,
        Action::SavedStateLoaded(SavedState::Corrupt("expected value at line 1".into())),
    );
    assert_eq!(
        corrupt.active, None,
        "nothing to activate before the stages are known"
    );
    let effects = update(
        &mut corrupt,
        Action::Environments {
            result: Ok(three_stages()),
            cached: false,
        },
    );
    assert_eq!(corrupt.active, Some(stage("dev")));
    assert!(corrupt.notices[0].contains("unreadable"));
    assert_eq!(
        fetches(&effects),
        [
            (ViewKind::Promotions, Some("dev".into())),
            (ViewKind::Apis, Some("dev".into()))
        ],
        "the view's list and the promotion store"
    );
    assert_eq!(
        saved_stage(&effects),
        None,
        "a fallback is not written over the file"
    );
}

#[test]
fn a_cached_pipeline_waits_for_the_server_before_refusing_a_saved_stage() {
    let mut state = State::new("demo", "acme", "cp", now());
    update(
        &mut state,
        Action::SavedStateLoaded(SavedState::Found {
            stage: Some("perf".into()),
            view: Some("deployments".into()),
        }),
    );
    assert_eq!(
        state.view,
        ViewKind::Deployments,
        "the saved view is restored"
    );
    update(
        &mut state,
        Action::Environments {
            result: Ok(three_stages()),
            cached: true,
        },
    );
    assert_eq!(state.active, None);
    assert!(state.notices.is_empty());
    update(
        &mut state,
        Action::Environments {
            result: Ok(seven_stages()),
            cached: false,
        },
    );
    assert_eq!(state.active, Some(stage("perf")));
    assert!(!state.pipeline_stale);
}

#[test]
fn switching_stage_bumps_the_generation_and_drops_late_replies() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let old_generation = state.generation;
    let effects = update(&mut state, key(']'));
    assert_eq!(state.active, Some(stage("staging")));
    assert!(state.generation > old_generation);
    assert_eq!(
        saved_stage(&effects).as_deref(),
        Some("staging"),
        "persisted"
    );
    assert_eq!(
        fetches(&effects),
        [
            (ViewKind::Promotions, Some("staging".into())),
            (ViewKind::Apis, Some("staging".into()))
        ]
    );

    // The reply to the dev request arrives late: it must not show under staging.
    update(
        &mut state,
        Action::List {
            kind: ViewKind::Apis,
            stage: Some(stage("dev")),
            generation: old_generation,
            result: Ok(ListPayload::of(apis())),
        },
    );
    assert!(state.lists[envdeck::app::state::ViewKind::Apis].is_empty());
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].load,
        LoadState::Loading
    );

    deliver(&mut state, ListPayload::of(apis()));
    assert_eq!(state.lists[envdeck::app::state::ViewKind::Apis].len(), 5);
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].load,
        LoadState::Loaded { at: now() }
    );

    // `[` steps back; at the ends nothing happens.
    update(&mut state, key('['));
    update(&mut state, key('['));
    assert_eq!(state.active, Some(stage("dev")));
    assert!(
        state.lists[envdeck::app::state::ViewKind::Apis].is_empty(),
        "stage-scoped lists are cleared on a switch"
    );
}

#[test]
fn the_switcher_popup_and_palette_switch_by_any_alias() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    update(&mut state, key('e'));
    assert!(matches!(state.popup, Some(Popup::Switcher { selected: 0 })));
    update(&mut state, code(KeyCode::Down));
    update(&mut state, code(KeyCode::Down));
    let effects = update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.active, Some(stage("production")));
    assert_eq!(saved_stage(&effects).as_deref(), Some("production"));
    assert!(state.popup.is_none());

    update(&mut state, key(':'));
    typed(&mut state, "env stg");
    update(&mut state, code(KeyCode::Enter));
    assert_eq!(state.active, Some(stage("staging")));

    update(&mut state, key(':'));
    typed(&mut state, "env moon");
    let effects = update(&mut state, code(KeyCode::Enter));
    assert!(effects.is_empty());
    assert_eq!(state.active, Some(stage("staging")));
    let status = state.status.clone().expect("a status");
    assert!(
        status.error && status.text.contains("no stage \"moon\""),
        "{status:?}"
    );
}

#[test]
fn cached_rows_show_stale_until_the_server_answers() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let generation = state.generation;
    let saved_at = at("2026-11-24T09:58:00Z");
    update(
        &mut state,
        Action::CachedList {
            stage: Some(stage("dev")),
            generation,
            payload: ListPayload::of(apis()),
            saved_at,
        },
    );
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].load,
        LoadState::Stale { saved_at }
    );
    assert_eq!(state.lists[envdeck::app::state::ViewKind::Apis].len(), 5);
    deliver(&mut state, ListPayload::of(apis()[..2].to_vec()));
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].load,
        LoadState::Loaded { at: now() }
    );
    assert_eq!(state.lists[envdeck::app::state::ViewKind::Apis].len(), 2);
    // A cache answer arriving after the server's is ignored.
    update(
        &mut state,
        Action::CachedList {
            stage: Some(stage("dev")),
            generation,
            payload: ListPayload::of(apis()),
            saved_at,
        },
    );
    assert_eq!(state.lists[envdeck::app::state::ViewKind::Apis].len(), 2);
}

#[test]
fn views_switch_with_tab_and_digits_fetching_what_they_lack() {
    let mut state = loaded(three_stages(), Some("staging"), me("dave", &["devops"]));
    let effects = update(&mut state, code(KeyCode::Tab));
    assert_eq!(state.view, ViewKind::Deployments);
    assert_eq!(
        fetches(&effects),
        [(ViewKind::Deployments, Some("staging".into()))]
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::SaveState { view: Some(v), .. } if v == "deployments"))
    );
    let effects = update(&mut state, key('6'));
    assert_eq!(state.view, ViewKind::Audit);
    // The audit trail of the active stage (its entries are filtered by the stages they touch).
    assert_eq!(
        fetches(&effects),
        [(ViewKind::Audit, Some("staging".into()))]
    );
    update(&mut state, code(KeyCode::BackTab));
    assert_eq!(state.view, ViewKind::Promotions);
}

#[test]
fn the_clock_refreshes_every_thirty_seconds() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    deliver(&mut state, ListPayload::of(apis()));
    assert!(update(&mut state, Action::Tick(at("2026-11-24T10:00:10Z"))).is_empty());
    let effects = update(&mut state, Action::Tick(at("2026-11-24T10:00:31Z")));
    assert_eq!(
        fetches(&effects),
        [
            (ViewKind::Promotions, Some("dev".into())),
            (ViewKind::Apis, Some("dev".into()))
        ],
        "the view's list and the promotion store"
    );
    assert!(update(&mut state, Action::Tick(at("2026-11-24T10:00:32Z"))).is_empty());
}

#[test]
fn cached_me_fills_the_header_until_the_server_answers() {
    let mut state = State::new("demo", "acme", "cp", now());
    update(&mut state, Action::CachedMe(me("dave", &["devops"])));
    assert!(state.me_stale);
    assert_eq!(state.actor.username, "dave");
    assert!(update(&mut state, key('r')).contains(&Effect::FetchMe));
    let effects = update(&mut state, Action::Me(Ok(me("dave", &["tenant-admin"]))));
    assert!(!state.me_stale);
    assert!(matches!(effects.as_slice(), [Effect::SaveMe(_)]));
    // A late cache answer never replaces the server's.
    update(&mut state, Action::CachedMe(me("dave", &["viewer"])));
    assert_eq!(
        state.me.as_ref().map(|m| m.roles.clone()),
        Some(vec!["tenant-admin".to_string()])
    );
}

#[test]
fn resizing_keeps_the_selection_in_view() {
    let mut state = loaded(three_stages(), Some("dev"), me("dave", &["devops"]));
    let rows: Vec<_> = (0..200).map(|i| api(i, &format!("svc-{i:03}"))).collect();
    deliver(&mut state, ListPayload::of(rows));
    update(&mut state, code(KeyCode::End));
    assert_eq!(
        state.lists[envdeck::app::state::ViewKind::Apis].selected,
        199
    );
    let tall_offset = state.lists[envdeck::app::state::ViewKind::Apis].offset;
    update(&mut state, Action::Resize(100, 15));
    let height = state.table_height();
    let list = &state.lists[envdeck::app::state::ViewKind::Apis];
    assert!(list.offset > tall_offset);
    assert!(list.selected >= list.offset && list.selected < list.offset + height);
    let screen = format!("{}", render(&state, 100, 15).backend());
    assert!(screen.contains("svc-199"), "{screen}");
}
