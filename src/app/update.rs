//! `update`: the only place the state changes. Pure: it returns the effects to run.

use super::action::{Action, SavedState};
use super::effect::Effect;
use super::failure::Failure;
use super::list::LoadState;
use super::replies::{mark_online, note_failure, on_cached_list, on_list};
use super::state::{Saved, State, ViewKind};
use crate::domain::text::sanitize;
use crate::domain::{Mode, Pipeline, Stage, StageName};
use crate::wire::{EnvironmentList, Timestamp};

/// Lists refresh on their own this often (and a dead server is retried as often).
pub const AUTO_REFRESH_SECS: i64 = 30;

/// The effects that start the console: saved state and cache first (shown at once), then
/// the server.
pub fn init(state: &mut State) -> Vec<Effect> {
    state.last_refresh = Some(state.now);
    vec![
        Effect::LoadSavedState,
        Effect::LoadCachedEnvironments,
        Effect::FetchEnvironments,
        Effect::FetchMe,
    ]
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => {
            super::emergency::on_key(state);
            super::keys::handle_key(state, &key)
        }
        Action::Resize(w, h) => {
            state.size = (w, h);
            let height = state.table_height();
            with_list!(state, state.view, |list, _f| list.scroll_into_view(height));
            super::pipeline_view::clamp(state);
            Vec::new()
        }
        Action::Quit => {
            state.should_quit = true;
            Vec::new()
        }
        Action::Connected(Ok(())) => Vec::new(),
        Action::Connected(Err(message)) => {
            let message = sanitize(&message).into_owned();
            state.connection = super::state::Connection::Offline {
                since: state.now,
                message: message.clone(),
            };
            state.set_status(format!("cannot connect: {message} (q quits)"), true);
            Vec::new()
        }
        Action::SignIn(sign_in) => {
            state.sign_in = sign_in;
            Vec::new()
        }
        Action::Tick(now) => on_tick(state, now),
        Action::SavedStateLoaded(saved) => on_saved_state(state, saved),
        Action::Environments { result, cached } => on_environments(state, result, cached),
        Action::Me(result) => match result {
            Ok(me) => {
                let save = Effect::SaveMe(me.clone());
                set_me(state, me);
                state.me_stale = false;
                mark_online(state);
                vec![save]
            }
            Err(e) => {
                note_failure(state, &e, "cannot read who you are");
                Vec::new()
            }
        },
        Action::CachedMe(me) => {
            if state.me.is_none() {
                set_me(state, me);
                state.me_stale = true;
            }
            Vec::new()
        }
        Action::List {
            kind,
            stage,
            generation,
            result,
        } => on_list(state, kind, stage, generation, result),
        Action::CachedList {
            stage,
            generation,
            payload,
            saved_at,
        } => on_cached_list(state, stage, generation, payload, saved_at),
        Action::Promo(reply) => super::promo::replies::on_reply(state, *reply),
        Action::Pipeline(result) => super::pipeline_view::on_reply(state, result),
        Action::CachedPipeline(inputs, saved_at) => {
            super::pipeline_view::on_cached(state, inputs, saved_at)
        }
        Action::Written { pending, result } => {
            super::write::reply::on_written(state, *pending, result)
        }
        Action::StoreFailed(message) => {
            state.set_status(message, true);
            Vec::new()
        }
    }
}

fn set_me(state: &mut State, mut me: crate::wire::Me) {
    me.username = sanitize(&me.username).into_owned();
    me.roles = me.roles.iter().map(|r| sanitize(r).into_owned()).collect();
    state.actor = me.actor();
    state.me = Some(me);
}

fn on_tick(state: &mut State, now: Timestamp) -> Vec<Effect> {
    state.now = now;
    state.tick = state.tick.wrapping_add(1);
    super::promo::on_tick(state);
    let mut effects = super::promo::replies::on_tick(state);
    effects.extend(super::emergency::on_tick(state));
    let due = state
        .last_refresh
        .is_none_or(|at| (now.0 - at.0).num_seconds() >= AUTO_REFRESH_SECS);
    if due && state.saved != Saved::Pending {
        effects.extend(refresh(state));
    }
    effects
}

/// Refreshes again about a second from now: the real service may commit a write after it
/// answered, so a list fetched at once can miss it.
pub fn refresh_soon(state: &mut State) {
    let back = chrono::Duration::seconds(AUTO_REFRESH_SECS - 1);
    state.last_refresh = Some(Timestamp(state.now.0 - back));
}

/// `r` and the auto-refresh: the active list, plus whatever start-up data is missing.
pub fn refresh(state: &mut State) -> Vec<Effect> {
    state.last_refresh = Some(state.now);
    let mut effects = Vec::new();
    if state.pipeline.is_empty() || state.pipeline_stale || state.is_offline() {
        effects.push(Effect::FetchEnvironments);
    }
    if state.me.is_none() || state.me_stale {
        effects.push(Effect::FetchMe);
    }
    // The Promotions view's list and the Pipeline's inputs are the promotions already.
    if !matches!(state.view, ViewKind::Promotions | ViewKind::Pipeline) {
        effects.extend(fetch_promotions(state));
    }
    effects.extend(fetch_current(state));
    effects
}

/// Fetches the current view's list (when there is a stage to fetch it for).
pub fn fetch_current(state: &mut State) -> Vec<Effect> {
    fetch_kind(state, state.view)
}

/// After a promotion moved: every promotion again, and in the Pipeline view its cells too
/// (what runs where changes when a promotion settles; the inputs bring the promotions).
pub fn fetch_after_promotion(state: &mut State) -> Vec<Effect> {
    if state.view == ViewKind::Pipeline {
        fetch_current(state)
    } else {
        fetch_promotions(state)
    }
}

/// Fetches every promotion of the tenant: the one store behind the Promotions list, the
/// strip, the approval queue and the header's "waiting for me".
pub fn fetch_promotions(state: &mut State) -> Vec<Effect> {
    fetch_kind(state, ViewKind::Promotions)
}

fn fetch_kind(state: &mut State, kind: ViewKind) -> Vec<Effect> {
    if kind == ViewKind::Pipeline {
        return super::pipeline_view::fetch(state);
    }
    let stage = if kind.is_stage_scoped() {
        match &state.active {
            Some(s) => Some(s.clone()),
            None => return Vec::new(),
        }
    } else {
        None
    };
    let generation = state.generation;
    with_list!(state, kind, |list, _f| {
        list.stage = stage.clone();
        list.refreshing = true;
        if matches!(list.load, LoadState::Idle | LoadState::Failed { .. }) {
            list.load = LoadState::Loading;
        }
    });
    vec![Effect::FetchList {
        kind,
        stage,
        generation,
    }]
}

fn on_saved_state(state: &mut State, saved: SavedState) -> Vec<Effect> {
    let mut effects = Vec::new();
    state.saved = match saved {
        SavedState::Found { stage, view } => {
            if let Some(v) = view.as_deref().and_then(ViewKind::parse) {
                state.view = v;
            }
            Saved::Found { stage, view }
        }
        SavedState::Missing => Saved::Missing,
        SavedState::Corrupt(reason) => Saved::Corrupt(reason),
    };
    if state.view == ViewKind::Pipeline {
        effects.push(Effect::LoadCachedPipeline);
    }
    effects.extend(resolve_stage(state));
    effects
}

fn load_cached_lists(state: &State, stage: Option<&StageName>) -> Vec<Effect> {
    ViewKind::ALL
        .into_iter()
        .filter(|k| k.is_stage_scoped())
        .map(|kind| Effect::LoadCachedList {
            kind,
            stage: stage.cloned(),
            generation: state.generation,
        })
        .collect()
}

fn pipeline_from(list: &EnvironmentList) -> Pipeline {
    let stages = list
        .environments
        .iter()
        .filter_map(|env| {
            let name = StageName::parse(&env.name)
                .map_err(|e| tracing::warn!("ignoring a stage: {e}"))
                .ok()?;
            // An unknown mode is treated as the strictest one.
            let mode = Mode::parse(&env.mode).unwrap_or(Mode::ReadOnly);
            let label = sanitize(&env.label);
            Some(Stage::new(name, Some(&label), mode, env.color.as_deref()))
        })
        .collect();
    Pipeline::from_server_order(stages)
}

fn on_environments(
    state: &mut State,
    result: Result<EnvironmentList, Failure>,
    cached: bool,
) -> Vec<Effect> {
    let list = match result {
        Ok(list) => list,
        Err(e) => {
            note_failure(state, &e, "cannot list the stages");
            return Vec::new();
        }
    };
    if cached && !state.pipeline.is_empty() {
        return Vec::new(); // the server answered first
    }
    let pipeline = pipeline_from(&list);
    let mut effects = Vec::new();
    if !cached {
        mark_online(state);
        if pipeline.is_empty() {
            state.set_status("the control plane lists no stages", true);
        }
        effects.push(Effect::SaveEnvironments(list));
    }
    state.pipeline = pipeline;
    state.pipeline_stale = cached;
    super::promo::on_pipeline_changed(state);
    effects.extend(super::pipeline_view::on_stages_changed(state));
    effects.extend(resolve_stage(state));
    effects
}

/// Picks the active stage once both the pipeline and the saved state are known, or again
/// when the active stage has disappeared from the server's list.
fn resolve_stage(state: &mut State) -> Vec<Effect> {
    if state.pipeline.is_empty() || state.saved == Saved::Pending {
        return Vec::new();
    }
    if let Some(active) = &state.active {
        if state.pipeline.get(active).is_some() {
            return Vec::new();
        }
        if state.pipeline_stale {
            return Vec::new();
        }
        let gone = active.to_string();
        return fall_back(state, &format!("stage {gone:?} is no longer listed"));
    }
    match state.saved.clone() {
        Saved::Found {
            stage: Some(saved), ..
        } => match state.pipeline.find(&saved).map(|s| s.name.clone()) {
            Some(name) => activate(state, name, false),
            // The cached pipeline may be out of date: wait for the server's.
            None if state.pipeline_stale => Vec::new(),
            None => {
                let clean = sanitize(&saved).into_owned();
                fall_back(state, &format!("the saved stage {clean:?} is not listed"))
            }
        },
        Saved::Found { stage: None, .. } | Saved::Missing => {
            fall_back(state, "no stage saved for this control plane")
        }
        Saved::Corrupt(reason) => {
            let reason = sanitize(&reason).into_owned();
            fall_back(state, &format!("the saved state is unreadable ({reason})"))
        }
        Saved::Pending => Vec::new(),
    }
}

fn fall_back(state: &mut State, why: &str) -> Vec<Effect> {
    let Some(stage) = state.pipeline.safe_default() else {
        return Vec::new();
    };
    let (name, label) = (stage.name.clone(), stage.label.clone());
    state.notices.push(format!("{why}: using {label}"));
    activate(state, name, false)
}

/// Switching stage is one transaction: bump the generation (late replies are dropped),
/// clear the stage's lists, activate, persist (when the user chose it) and refetch.
pub fn activate(state: &mut State, name: StageName, persist: bool) -> Vec<Effect> {
    if state.active.as_ref() == Some(&name) {
        return Vec::new();
    }
    state.generation += 1;
    tracing::info!(stage = %name, generation = state.generation, "stage activated");
    state.active = Some(name.clone());
    for kind in ViewKind::ALL.into_iter().filter(|k| k.is_stage_scoped()) {
        with_list!(state, kind, |list, _f| {
            list.clear();
            list.stage = Some(name.clone());
        });
    }
    // A form or confirmation names the stage it was opened on: it cannot follow the switch.
    if matches!(
        state.popup,
        Some(
            super::state::Popup::Form(_)
                | super::state::Popup::Confirm(_)
                | super::state::Popup::Promote(_)
        )
    ) {
        state.popup = None;
    }
    let mut effects = load_cached_lists(state, Some(&name));
    if persist {
        effects.push(save_state(state));
    }
    state.last_refresh = Some(state.now);
    match state.view {
        // The pipeline shows every stage: a switch changes nothing in it (its first load, at
        // start-up, brings the promotions too).
        ViewKind::Pipeline if state.board.inputs.is_none() && !state.board.refreshing => {
            effects.extend(fetch_current(state))
        }
        ViewKind::Pipeline => effects.extend(fetch_promotions(state)),
        ViewKind::Promotions => effects.extend(fetch_current(state)),
        _ => {
            effects.extend(fetch_promotions(state));
            effects.extend(fetch_current(state));
        }
    }
    effects
}

pub fn save_state(state: &State) -> Effect {
    Effect::SaveState {
        stage: state.active.as_ref().map(|s| s.to_string()),
        view: Some(state.view.key().to_string()),
    }
}
