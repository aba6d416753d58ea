//! Keys in the table mode: the key map's commands, the `/` filter, and the policy guard.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::effect::Effect;
use super::form::ApiForm;
use super::keymap::{self, Command};
use super::state::{Detail, Palette, Popup, State, ViewKind};
use super::update::{activate, fetch_current, refresh, save_state};
use super::write::{Pending, Write};
use crate::domain::StageName;
use crate::wire::Api;
use tui_input::Input;

pub fn handle_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    if keymap::is_force_quit(key) {
        state.should_quit = true;
        return Vec::new();
    }
    if let Some(popup) = state.popup.take() {
        return super::popups::handle(state, popup, key);
    }
    if state.filter_editing {
        return filter_key(state, key);
    }
    let Some(binding) = state
        .keymap
        .binding(keymap::Scope::Table, key)
        .map(|b| b.binding)
    else {
        return Vec::new();
    };
    if !binding.applies_to(state.view) {
        return Vec::new();
    }
    state.status = None;
    if state.view == ViewKind::Pipeline
        && let Some(effects) = super::pipeline_view::on_command(state, binding.command)
    {
        return effects;
    }
    if super::promo::keys::is_promo_command(binding.command) {
        return super::promo::keys::command(state, binding.command, binding.description);
    }
    if let Some(op) = binding.guard
        && let Err(reason) = state.guard(op)
    {
        // Disabled: say why, send nothing.
        state.set_status(format!("{}: {reason}", binding.description), true);
        return Vec::new();
    }
    run_command(state, binding.command)
}

pub fn run_command(state: &mut State, command: Command) -> Vec<Effect> {
    if state.view == ViewKind::Pipeline
        && let Some(effects) = super::pipeline_view::on_command(state, command)
    {
        return effects;
    }
    let height = state.table_height();
    match command {
        Command::Quit => state.should_quit = true,
        Command::Back => {
            let had_filter = with_list!(state, state.view, |list, f| {
                let had = !list.filter.is_empty();
                list.set_filter("", f);
                had
            });
            super::pipeline_view::refilter(state);
            if !had_filter {
                // Esc with nothing to clear dismisses the start-up notices too.
                state.status = None;
                state.notices.clear();
            }
        }
        Command::Help => state.popup = Some(Popup::Help { scroll: 0 }),
        Command::Palette => {
            state.popup = Some(Popup::Palette(Palette {
                input: Input::default(),
                selected: 0,
            }))
        }
        Command::NextView => return switch_view(state, state.view.step(true)),
        Command::PrevView => return switch_view(state, state.view.step(false)),
        Command::View(v) => return switch_view(state, v),
        Command::Switcher => {
            let selected = state
                .active
                .as_ref()
                .and_then(|a| state.pipeline.position(a))
                .unwrap_or(0);
            state.popup = Some(Popup::Switcher { selected });
        }
        Command::NextStage | Command::PrevStage => {
            return step_stage(state, command == Command::NextStage);
        }
        Command::Filter => state.filter_editing = true,
        Command::SortColumn => {
            with_list!(state, state.view, |list, f| list.cycle_sort_column(f))
        }
        Command::SortDirection => {
            with_list!(state, state.view, |list, f| list.flip_sort_direction(f))
        }
        Command::Detail if state.view == ViewKind::Promotions => {
            return super::promo::keys::open_review(state);
        }
        Command::Detail => open_detail(state),
        Command::Refresh => return refresh(state),
        Command::Up => with_list!(state, state.view, |l, _f| l.move_selection(-1, height)),
        Command::Down => with_list!(state, state.view, |l, _f| l.move_selection(1, height)),
        Command::PageUp => with_list!(state, state.view, |l, _f| {
            l.move_selection(-(height as isize), height)
        }),
        Command::PageDown => with_list!(state, state.view, |l, _f| {
            l.move_selection(height as isize, height)
        }),
        Command::Top => with_list!(state, state.view, |l, _f| {
            l.move_selection(isize::MIN / 2, height)
        }),
        Command::Bottom => with_list!(state, state.view, |l, _f| {
            l.move_selection(isize::MAX / 2, height)
        }),
        // Only the Pipeline view moves sideways.
        Command::Left | Command::Right => {}
        Command::NewApi => open_form(state, None),
        Command::EditApi => match selected_api(state) {
            Some(api) => open_form(state, Some(&api)),
            None => state.set_status("select an API to edit first", true),
        },
        c @ (Command::Promote
        | Command::Approve
        | Command::Complete
        | Command::Rollback
        | Command::StatusFilter
        | Command::TargetFilter) => {
            let label = super::keymap::binding_for(c).map_or("", |b| b.description);
            return super::promo::keys::command(state, c, label);
        }
        Command::DeleteApi => match selected_api(state) {
            Some(api) => ask_delete(state, &api),
            None => state.set_status("select an API to delete first", true),
        },
        // Popup scopes' commands: never bound in the table.
        Command::Close
        | Command::Submit
        | Command::Yes
        | Command::No
        | Command::NextField
        | Command::PrevField
        | Command::Toggle
        | Command::PickStage => {}
    }
    Vec::new()
}

/// The guard for commands reached without their key (palette): same policy, same reason.
pub fn guarded_command(state: &mut State, command: Command) -> Vec<Effect> {
    if let Some(binding) = keymap::binding_for(command) {
        if !binding.applies_to(state.view) {
            state.set_status(
                format!("{} works in the APIs view", binding.description),
                true,
            );
            return Vec::new();
        }
        if let Some(op) = binding.guard
            && let Err(reason) = state.guard(op)
        {
            state.set_status(format!("{}: {reason}", binding.description), true);
            return Vec::new();
        }
    }
    run_command(state, command)
}

fn filter_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    with_list!(state, state.view, |list, f| {
        let mut query = list.filter.clone();
        match key.code {
            KeyCode::Esc => query.clear(),
            KeyCode::Backspace => {
                query.pop();
            }
            KeyCode::Char('u') if ctrl => query.clear(),
            KeyCode::Char(c) if !ctrl => query.push(c),
            _ => {}
        }
        if query != list.filter {
            list.set_filter(&query, f);
        }
    });
    if matches!(key.code, KeyCode::Esc | KeyCode::Enter) {
        state.filter_editing = false;
    }
    super::pipeline_view::refilter(state);
    let height = state.table_height();
    with_list!(state, state.view, |list, _f| list.scroll_into_view(height));
    Vec::new()
}

pub fn switch_view(state: &mut State, view: ViewKind) -> Vec<Effect> {
    if view == state.view {
        return Vec::new();
    }
    state.view = view;
    state.filter_editing = false;
    let mut effects = vec![save_state(state)];
    if view == ViewKind::Pipeline && state.board.inputs.is_none() {
        effects.push(Effect::LoadCachedPipeline);
    }
    let stage = state.lists[view].stage.as_ref();
    let (load, refreshing) = state.view_load(view);
    let wrong_stage = view.is_stage_scoped() && stage != state.active.as_ref();
    let needs_fetch =
        !refreshing && (wrong_stage || !matches!(load, super::list::LoadState::Loaded { .. }));
    if needs_fetch {
        effects.extend(fetch_current(state));
    }
    effects
}

fn step_stage(state: &mut State, forward: bool) -> Vec<Effect> {
    let Some(active) = state.active.clone() else {
        return Vec::new();
    };
    let next = if forward {
        state.pipeline.next(&active)
    } else {
        state.pipeline.previous(&active)
    };
    match next.map(|s| s.name.clone()) {
        Some(name) => activate(state, name, true),
        None => Vec::new(),
    }
}

fn open_detail(state: &mut State) {
    let list = &state.lists[state.view];
    let detail = list.selected_row().map(|row| Detail {
        title: format!("{} {}", state.view.noun(), row.id()),
        lines: list
            .detail(row)
            .into_iter()
            .filter(|(label, _)| !label.starts_with('_'))
            .map(|(label, value)| (label, value.to_string()))
            .collect(),
        scroll: 0,
    });
    match detail {
        Some(d) => state.popup = Some(Popup::Detail(d)),
        None => state.set_status("nothing selected", false),
    }
}

/// The selected API's fields, as the edit form and the delete confirmation need them.
pub(crate) fn selected_api(state: &State) -> Option<Api> {
    let list = &state.lists[ViewKind::Apis];
    let row = list.selected_row()?;
    let value = |label: &str| list.value(row, label).to_string();
    let optional = |label: &str| Some(value(label)).filter(|v| !v.is_empty());
    Some(Api {
        id: row.id().to_string(),
        name: value("name"),
        display_name: value("display name"),
        version: value("version"),
        status: value("status"),
        backend_url: optional("backend"),
        description: optional("description"),
        runtime_deployments: value(super::resource::INTERNAL_STAGES)
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| crate::wire::RuntimeDeployment {
                environment: s.to_string(),
                ..Default::default()
            })
            .collect(),
        ..Api::default()
    })
}

fn open_form(state: &mut State, api: Option<&Api>) {
    let Some(stage) = state.active.clone() else {
        return;
    };
    let form = match api {
        Some(api) => ApiForm::edit(stage, api),
        None => ApiForm::create(stage),
    };
    state.popup = Some(Popup::Form(Box::new(form)));
}

fn ask_delete(state: &mut State, api: &Api) {
    let write = Write::DeleteApi { id: api.id.clone() };
    if let Some(pending) = api_pending(state, write, &api.name, &api.stage_names()) {
        super::write::ask(state, pending);
    }
}

/// An API write from the active stage; an edit or a delete also reaches every stage the
/// shared catalog entry runs in (`runs_in`, raw wire names).
pub fn api_pending(state: &State, write: Write, api: &str, runs_in: &[String]) -> Option<Pending> {
    let stage = state.active.clone()?;
    let mut reaches: Vec<StageName> = match write {
        Write::CreateApi { .. } => Vec::new(),
        _ => crate::domain::policy::stages_named(&state.pipeline, runs_in)
            .into_iter()
            .map(|s| s.name.clone())
            .collect(),
    };
    if !reaches.contains(&stage) {
        reaches.push(stage.clone());
    }
    Some(Pending {
        write,
        api: api.to_string(),
        lands_in: stage.clone(),
        source: None,
        reaches,
        stamp: state.stamp(),
        typed: None,
    })
}

/// The filter text of the current view (for the footer while typing).
pub fn current_filter(state: &State) -> String {
    state.lists[state.view].filter.clone()
}
