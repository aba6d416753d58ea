//! The console's Pipeline view (`0`): what it asks for, what its keys do, and how it looks in
//! the whole console. Snapshots were opened and read as an operator would.

use crossterm::event::KeyCode;
use envdeck::app::action::Action;
use envdeck::app::effect::Effect;
use envdeck::app::promo::io::PromoEffect;
use envdeck::app::state::{Popup, State, ViewKind};
use envdeck::app::update::update;
use envdeck::domain::matrix::Inputs;
use envdeck::wire::Promotion;
use insta::assert_snapshot;

use super::fixtures::{code, key, loaded, me, render, three_stages, typed};
use super::pipeline_fixtures::{by_stage, promotion, small};

fn screen(state: &State, width: u16, height: u16) -> String {
    format!("{}", render(state, width, height).backend())
}

/// The console in the Pipeline view with the small pipeline delivered, as `user` with `roles`.
fn pipeline_as(user: &str, roles: &[&str]) -> (State, Vec<Promotion>) {
    let mut state = loaded(three_stages(), Some("dev"), me(user, roles));
    state.size = (120, 30);
    let effects = update(&mut state, key('0'));
    assert_eq!(state.view, ViewKind::Pipeline);
    let asked = effects.iter().find_map(|e| match e {
        Effect::FetchPipeline { stages, roles } => Some((stages.len(), roles.clone())),
        _ => None,
    });
    let wanted: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
    assert_eq!(asked, Some((3, wanted)), "{effects:?}");
    let stages = state.pipeline.stages().to_vec();
    let (catalog, deployments, promotions) = small(&stages);
    let inputs = Inputs {
        stages: stages.iter().map(|s| s.name.clone()).collect(),
        catalog,
        sources: by_stage(&stages, &deployments),
    };
    update(
        &mut state,
        Action::Pipeline(Ok((inputs, promotions.clone()))),
    );
    (state, promotions)
}

fn pipeline() -> State {
    pipeline_as("tess", &["tenant-admin"]).0
}

/// Moves the selection to `api`'s row (by the filter, as an operator would) and `stage`.
fn select(state: &mut State, api: &str, stage: usize) {
    update(state, key('/'));
    typed(state, api);
    update(state, code(KeyCode::Enter));
    for _ in 0..5 {
        update(state, key('h'));
    }
    for _ in 0..stage {
        update(state, key('l'));
    }
}

#[test]
fn the_pipeline_is_view_0_and_its_promotions_fill_the_one_store() {
    let (state, promotions) = pipeline_as("tess", &["tenant-admin"]);
    assert_eq!(state.promo.all.len(), promotions.len());
    assert_eq!(state.board.matrix.rows.len(), 8);
    assert_eq!(state.board.rows.len(), 8);
    let s = screen(&state, 120, 30);
    assert!(s.contains("[0 Pipeline]"), "{s}");
    assert!(
        s.contains("▸ dave"),
        "the waiting promotions are arrows:\n{s}"
    );
    assert!(s.contains("? help") && s.contains("q quit"), "{s}");
}

#[test]
fn the_pipeline_in_the_console_at_120_and_80_columns() {
    let mut state = pipeline();
    assert_snapshot!("console_pipeline_120x30", render(&state, 120, 30).backend());
    update(&mut state, Action::Resize(80, 24));
    assert_snapshot!("console_pipeline_80x24", render(&state, 80, 24).backend());
}

#[test]
fn before_the_matrix_arrives_the_view_says_so_and_a_failure_keeps_the_reason() {
    let mut state = loaded(three_stages(), Some("dev"), me("tess", &["tenant-admin"]));
    update(&mut state, key('0'));
    assert!(screen(&state, 100, 24).contains("loading the pipeline"));
    let failure: envdeck::app::failure::Failure =
        envdeck::api::ApiError::Invalid("catalog \u{1b}[31mrefused".into()).into();
    update(&mut state, Action::Pipeline(Err(failure)));
    let s = screen(&state, 100, 24);
    assert!(s.contains("cannot load the pipeline"), "{s}");
    assert!(!s.contains('\u{1b}'), "server text is sanitised");
    // `r` asks again.
    let effects = update(&mut state, key('r'));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPipeline { .. }))
    );
}

#[test]
fn p_on_a_cell_prepares_a_promotion_from_its_stage_into_the_next() {
    let mut state = pipeline();
    select(&mut state, "orders", 0);
    assert_eq!(state.board.selected_api(), Some("orders"));
    let effects = update(&mut state, key('p'));
    let prepared = effects.iter().find_map(|e| match e {
        Effect::Promo(PromoEffect::Prepare {
            api_id,
            source,
            target,
            ..
        }) => Some((api_id.clone(), source.to_string(), target.to_string())),
        _ => None,
    });
    assert_eq!(
        prepared,
        Some(("orders".into(), "dev".into(), "staging".into()))
    );
    // From Staging, into Production.
    update(&mut state, key('l'));
    let effects = update(&mut state, key('p'));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Promo(PromoEffect::Prepare { target, .. }) if target.as_str() == "production"
    )));
}

#[test]
fn p_refuses_with_a_reason_and_sends_nothing() {
    let mut state = pipeline();
    // The last stage has no next one.
    select(&mut state, "ledger", 2);
    assert!(update(&mut state, key('p')).is_empty());
    let status = state.status.clone().map(|s| s.text).unwrap_or_default();
    assert!(status.contains("Production is the last stage"), "{status}");
    // Nothing of shipping runs in Development.
    update(&mut state, code(KeyCode::Esc));
    select(&mut state, "shipping", 0);
    assert!(update(&mut state, key('p')).is_empty());
    let status = state.status.clone().map(|s| s.text).unwrap_or_default();
    assert!(status.contains("does not run in Development"), "{status}");
    // A viewer may not ask for promotions at all.
    let (mut viewer, _) = pipeline_as("vic", &["viewer"]);
    select(&mut viewer, "orders", 0);
    assert!(update(&mut viewer, key('p')).is_empty());
    let status = viewer.status.clone().map(|s| s.text).unwrap_or_default();
    assert!(status.starts_with("promote: "), "{status}");
    let s = screen(&viewer, 120, 30);
    assert!(s.contains("⊘"), "the footer dims p with its reason:\n{s}");
}

#[test]
fn a_on_a_waiting_arrow_opens_its_review_and_elsewhere_says_why_not() {
    let mut state = pipeline();
    select(&mut state, "orders", 0);
    assert!(update(&mut state, key('a')).is_empty());
    let status = state.status.clone().map(|s| s.text).unwrap_or_default();
    assert!(status.contains("nothing to approve here"), "{status}");
    // The arrow into Staging sits on the Staging cell.
    update(&mut state, key('l'));
    let effects = update(&mut state, key('a'));
    let reviewed = effects.iter().find_map(|e| match e {
        Effect::Promo(PromoEffect::Review { id, .. }) => Some(id.clone()),
        _ => None,
    });
    assert_eq!(reviewed.as_deref(), Some("orders-dev-staging-pending-2"));
    assert!(matches!(state.popup, Some(Popup::Review(_))));
    // A promoting arrow is not approvable.
    update(&mut state, code(KeyCode::Esc));
    update(&mut state, code(KeyCode::Esc));
    select(&mut state, "shipping", 1);
    assert!(update(&mut state, key('a')).is_empty());
}

#[test]
fn enter_opens_the_cell_with_its_gateways_and_last_promotion() {
    let mut state = pipeline();
    select(&mut state, "orders", 1);
    update(&mut state, code(KeyCode::Enter));
    let Some(Popup::Detail(detail)) = &state.popup else {
        panic!("no detail: {:?}", state.popup.is_some());
    };
    assert_eq!(detail.title, "orders in Staging");
    let get = |label: &str| {
        detail
            .lines
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("sync").as_deref(), Some("drifted"));
    assert!(get("version").is_some_and(|v| v.starts_with("1.4.0")));
    assert!(get("deployment").is_some_and(|v| v.contains("1.4.0 drifted")));
    assert!(get("latest").is_some_and(|v| v.contains("pending") && v.contains("dave")));
}

#[test]
fn a_new_promotion_in_the_store_shows_as_an_arrow_without_asking_the_stages_again() {
    let mut state = pipeline();
    select(&mut state, "pricing", 1);
    assert!(
        state
            .board
            .selected_slot()
            .is_some_and(|s| s.arrow.is_none())
    );
    let mut all = state.promo.all.clone();
    all.push(promotion("pricing", "dev", "staging", "pending", "tess", 0));
    // What the write's reply path does: fetch every promotion again.
    let (generation, stage) = (state.generation, state.active.clone());
    let effects = update(
        &mut state,
        Action::List {
            kind: ViewKind::Promotions,
            stage,
            generation,
            result: Ok(envdeck::app::action::ListPayload::of(all)),
        },
    );
    assert!(effects.is_empty());
    assert_eq!(state.board.selected_api(), Some("pricing"), "kept");
    let arrow = state.board.selected_slot().and_then(|s| s.arrow.clone());
    assert_eq!(arrow.map(|a| a.requested_by).as_deref(), Some("tess"));
}

#[test]
fn the_filter_narrows_rows_and_esc_brings_them_back() {
    let mut state = pipeline();
    update(&mut state, key('/'));
    typed(&mut state, "pay");
    assert_eq!(state.board.rows.len(), 1);
    let s = screen(&state, 120, 30);
    assert!(s.contains("payments") && !s.contains("ledger"), "{s}");
    update(&mut state, code(KeyCode::Enter));
    update(&mut state, code(KeyCode::Esc));
    assert_eq!(state.board.rows.len(), 8);
}

#[test]
fn selection_stays_inside_the_matrix_and_a_stage_switch_asks_nothing_of_it() {
    let mut state = pipeline();
    for _ in 0..10 {
        update(&mut state, key('l'));
        update(&mut state, key('j'));
    }
    assert_eq!(state.board.selected_stage, 2);
    assert_eq!(state.board.selected_row, 7);
    update(&mut state, key('G'));
    update(&mut state, key('g'));
    assert_eq!(state.board.selected_row, 0);
    let effects = update(&mut state, key(']'));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPipeline { .. })),
        "the matrix shows every stage: {effects:?}"
    );
}

#[test]
fn a_console_that_left_off_in_the_pipeline_opens_in_it_and_loads_it() {
    use envdeck::app::action::SavedState;
    let mut state = State::new(
        "demo",
        "acme",
        "http://127.0.0.1:1#acme",
        super::fixtures::now(),
    );
    update(
        &mut state,
        Action::SavedStateLoaded(SavedState::Found {
            stage: Some("dev".into()),
            view: Some("pipeline".into()),
        }),
    );
    assert_eq!(state.view, ViewKind::Pipeline);
    let effects = update(
        &mut state,
        Action::Environments {
            result: Ok(three_stages()),
            cached: false,
        },
    );
    let asked = effects
        .iter()
        .filter(|e| matches!(e, Effect::FetchPipeline { .. }))
        .count();
    assert_eq!(asked, 1, "{effects:?}");
    // Its promotions come with it: no second fetch of the promotion list.
    assert!(
        !effects.iter().any(|e| matches!(
            e,
            Effect::FetchList {
                kind: ViewKind::Promotions,
                ..
            }
        )),
        "{effects:?}"
    );
}

#[test]
fn a_promotion_settling_in_the_pipeline_view_reads_the_cells_again() {
    use envdeck::app::promo::io::{Polled, PromoReply};
    let mut state = pipeline();
    let mut p = state
        .promo
        .all
        .iter()
        .find(|p| p.status == "promoting")
        .cloned()
        .expect("the small pipeline has a promoting promotion");
    let target = envdeck::app::promo::target_of(&state, &p, &p.api_id);
    envdeck::app::promo::replies::watch(&mut state, p.id.clone(), target);
    p.status = "promoted".into();
    let effects = update(
        &mut state,
        Action::Promo(Box::new(PromoReply::Polled {
            id: p.id.clone(),
            result: Ok(Polled {
                promotion: p,
                deployments: None,
            }),
        })),
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPipeline { .. })),
        "what runs where changed: {effects:?}"
    );
}

/// The real runner with nothing listening: the cache alone must draw the Pipeline.
#[tokio::test]
async fn a_warm_start_in_the_pipeline_draws_the_cached_matrix_before_any_server_answers() {
    use super::harness::{CONTROL_PLANE, Console};
    use envdeck::app::list::LoadState;
    use envdeck::runtime::persist::Persist;
    use envdeck::store::Paths;

    let dir = tempfile::tempdir().expect("dir");
    let paths = Paths::under(dir.path());
    paths.ensure().expect("dirs");
    let persist = Persist::new(&paths, CONTROL_PLANE, "acme");
    persist.save_environments(&three_stages());
    persist
        .save_state(1, Some("dev".into()), Some("pipeline".into()))
        .expect("state");
    // What the last fetch read, for these stages.
    let (state, _) = pipeline_as("tess", &["tenant-admin"]);
    let inputs = state.board.inputs.clone().expect("inputs");
    persist.save_pipeline(&inputs);

    let secret = Some(envdeck::secret::Secret::new("t"));
    let dead = envdeck::api::Client::new("http://127.0.0.1:9", "acme", secret).expect("client");
    let mut console = Console::start(dead, &paths);
    console
        .until("the cached matrix", |s| {
            s.view == ViewKind::Pipeline
                && s.board.matrix.rows.len() == 8
                && matches!(s.board.load, LoadState::Stale { .. })
        })
        .await;
    let s = screen(&console.state, 120, 30);
    assert!(s.contains("[0 Pipeline]") && s.contains("ledger"), "{s}");
    // Marked as not fresh: stale while connecting, offline once the dead address refused.
    assert!(s.contains("stale") || s.contains("offline"), "{s}");
}

#[test]
fn cached_inputs_read_for_other_stages_are_dropped_and_read_again() {
    let (fresh, _) = pipeline_as("tess", &["tenant-admin"]);
    let mut inputs = fresh.board.inputs.clone().expect("inputs");
    inputs.stages.pop();
    let mut state = loaded(three_stages(), Some("dev"), me("tess", &["tenant-admin"]));
    update(&mut state, key('0'));
    let effects = update(
        &mut state,
        Action::CachedPipeline(inputs, super::fixtures::now()),
    );
    assert!(state.board.inputs.is_none());
    assert!(state.board.matrix.rows.is_empty());
    // The fetch `0` asked for is still under way: not asked twice.
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::FetchPipeline { .. })),
        "{effects:?}"
    );
}
