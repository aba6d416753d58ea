//! Replies from effect tasks: lists (dropped when stamped for a stage the user left), cached
//! lists, and writes. Part of `update`: pure, no I/O.

use super::action::ListPayload;
use super::effect::Effect;
use super::failure::Failure;
use super::list::LoadState;
use super::state::{Connection, State, ViewKind};
use crate::domain::StageName;
use crate::domain::text::sanitize;
use crate::wire::Timestamp;

fn is_current(state: &State, kind: ViewKind, stage: &Option<StageName>, generation: u64) -> bool {
    !kind.is_stage_scoped() || (generation == state.generation && *stage == state.active)
}

pub(super) fn on_list(
    state: &mut State,
    kind: ViewKind,
    stage: Option<StageName>,
    generation: u64,
    result: Result<ListPayload, Failure>,
) -> Vec<Effect> {
    if !is_current(state, kind, &stage, generation) {
        tracing::debug!("dropping a {kind:?} reply for a stage no longer active");
        return Vec::new();
    }
    let now = state.now;
    match result {
        Ok(payload) => {
            mark_online(state);
            set_payload(state, payload, LoadState::Loaded { at: now });
        }
        Err(e) => {
            let message = e.to_string();
            with_list!(state, kind, |list, _f| {
                list.refreshing = false;
                list.load = list.load.after_failure(&message);
            });
            note_failure(state, &e, &format!("cannot load {}", kind.title()));
        }
    }
    Vec::new()
}

pub(super) fn on_cached_list(
    state: &mut State,
    stage: Option<StageName>,
    generation: u64,
    payload: ListPayload,
    saved_at: Timestamp,
) -> Vec<Effect> {
    let kind = payload.kind();
    if !is_current(state, kind, &stage, generation) {
        return Vec::new();
    }
    let (load, _, _) = state.lists.load_state(kind);
    if matches!(load, LoadState::Loaded { .. }) {
        return Vec::new(); // the server answered first
    }
    set_payload(state, payload, LoadState::Stale { saved_at });
    Vec::new()
}

fn set_payload(state: &mut State, mut payload: ListPayload, load: LoadState) {
    payload.localize(&state.pipeline, state.active.as_ref());
    let loaded = matches!(load, LoadState::Loaded { .. });
    let kind = payload.kind();
    payload.store(state);
    let list = &mut state.lists[kind];
    list.load = load;
    if loaded {
        list.refreshing = false;
    }
    let height = state.table_height();
    with_list!(state, state.view, |list, _f| list.scroll_into_view(height));
}

pub(crate) fn mark_online(state: &mut State) {
    state.connection = Connection::Online { last_ok: state.now };
}

/// A failed request: offline errors flip the connection marker; others are shown.
pub(crate) fn note_failure(state: &mut State, error: &Failure, context: &str) {
    if error.is_offline() {
        if !state.is_offline() {
            state.connection = Connection::Offline {
                since: state.now,
                message: sanitize(&error.to_string()).into_owned(),
            };
        }
        state.set_status(format!("offline: {error} (r to retry)"), true);
    } else {
        state.set_status(format!("{context}: {error}"), true);
    }
}
