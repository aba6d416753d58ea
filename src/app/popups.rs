//! Keys while a popup is open: stage switcher, help, palette, form, confirmation, detail.

use crossterm::event::{KeyCode, KeyEvent};

use super::effect::Effect;
use super::form::{FormKey, FormOutcome, text_request};
use super::keymap::{Command, Scope};
use super::keys::{api_pending, guarded_command};
use super::state::{Detail, Palette, Popup, State};
use super::update::activate;
use super::write::Write;
use crate::domain::StageName;

pub fn handle(state: &mut State, popup: Popup, key: &KeyEvent) -> Vec<Effect> {
    match popup {
        Popup::Help { scroll } => {
            let page = crate::ui::popup::help::page_rows(state);
            let last = crate::ui::popup::help::max_scroll(state);
            let scroll = match state.keymap.lookup(Scope::Help, key) {
                Some(Command::Close) => return Vec::new(),
                Some(Command::Down) => scroll + 1,
                Some(Command::Up) => scroll.saturating_sub(1),
                Some(Command::PageDown) => scroll + page,
                Some(Command::PageUp) => scroll.saturating_sub(page),
                _ => scroll,
            };
            state.popup = Some(Popup::Help {
                scroll: scroll.min(last),
            });
            Vec::new()
        }
        Popup::Switcher { selected } => switcher_key(state, selected, key),
        Popup::Palette(palette) => palette_key(state, palette, key),
        Popup::Form(mut form) => match form.handle_key(key) {
            FormKey::Cancel => Vec::new(),
            FormKey::Handled => {
                state.popup = Some(Popup::Form(form));
                Vec::new()
            }
            FormKey::Submit => {
                if Some(&form.stage) != state.active.as_ref() {
                    state.set_status("the stage changed: nothing was sent", true);
                    return Vec::new();
                }
                match form.validate() {
                    Ok(outcome) => {
                        let name = form.value(super::form::Field::Name).to_string();
                        let (write, runs_in) = match outcome {
                            FormOutcome::Create(body) => (Write::CreateApi { body }, Vec::new()),
                            FormOutcome::Update { id, body } => {
                                let runs_in = super::keys::selected_api(state)
                                    .filter(|a| a.id == id)
                                    .map(|a| a.stage_names())
                                    .unwrap_or_default();
                                (Write::EditApi { id, body }, runs_in)
                            }
                        };
                        if let Some(pending) = api_pending(state, write, &name, &runs_in) {
                            super::write::ask(state, pending);
                        }
                    }
                    Err(_) => state.popup = Some(Popup::Form(form)),
                }
                Vec::new()
            }
        },
        Popup::Confirm(confirm) => super::write::confirm::on_key(state, confirm, key),
        Popup::Review(review) => super::promo::popups::review_key(state, review, key),
        Popup::Promote(form) => super::promo::popups::form_key(state, form, key),
        Popup::Detail(detail) => {
            let Detail {
                title,
                lines,
                scroll,
            } = detail;
            let scroll = match state.keymap.lookup(Scope::Detail, key) {
                Some(Command::Close) => return Vec::new(),
                Some(Command::Down) => (scroll + 1).min(lines.len()),
                Some(Command::Up) => scroll.saturating_sub(1),
                _ => scroll,
            };
            state.popup = Some(Popup::Detail(Detail {
                title,
                lines,
                scroll,
            }));
            Vec::new()
        }
    }
}

fn switcher_key(state: &mut State, selected: usize, key: &KeyEvent) -> Vec<Effect> {
    let n = state.pipeline.len();
    let pick = |state: &mut State, index: usize| -> Vec<Effect> {
        match state.pipeline.stages().get(index).map(|s| s.name.clone()) {
            Some(name) => activate(state, name, true),
            None => Vec::new(),
        }
    };
    match state.keymap.lookup(Scope::Switcher, key) {
        Some(Command::Close) => Vec::new(),
        Some(Command::Submit) => pick(state, selected),
        Some(Command::PickStage) => match key.code {
            KeyCode::Char(c @ '1'..='9') => pick(state, (c as usize) - ('1' as usize)),
            _ => Vec::new(),
        },
        Some(Command::Down) => {
            state.popup = Some(Popup::Switcher {
                selected: (selected + 1).min(n.saturating_sub(1)),
            });
            Vec::new()
        }
        Some(Command::Up) => {
            state.popup = Some(Popup::Switcher {
                selected: selected.saturating_sub(1),
            });
            Vec::new()
        }
        _ => {
            state.popup = Some(Popup::Switcher { selected });
            Vec::new()
        }
    }
}

/// What a palette entry does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaletteAction {
    Command(Command),
    Stage(StageName),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaletteEntry {
    pub name: String,
    pub description: String,
    pub action: PaletteAction,
}

/// The palette's entries, generated from the key map and the pipeline, narrowed by `query`.
pub fn palette_entries(state: &State, query: &str) -> Vec<PaletteEntry> {
    let query = query.trim().to_lowercase();
    let stages = state.pipeline.stages().iter().map(|s| PaletteEntry {
        name: format!("env {}", s.name),
        description: format!("switch to {}", s.label),
        action: PaletteAction::Stage(s.name.clone()),
    });
    let commands = state.keymap.bindings(Scope::Table).iter().filter_map(|b| {
        b.palette.map(|name| PaletteEntry {
            name: name.to_string(),
            description: b.description.to_string(),
            action: PaletteAction::Command(b.command),
        })
    });
    stages
        .chain(commands)
        .filter(|e| query.is_empty() || e.name.contains(&query) || query.starts_with(&e.name))
        .collect()
}

fn palette_key(state: &mut State, mut palette: Palette, key: &KeyEvent) -> Vec<Effect> {
    // Every key that types a character is text here (config.toml cannot bind one).
    match state.keymap.lookup_text(Scope::Palette, key) {
        Some(Command::Close) => Vec::new(),
        Some(Command::Submit) => run_palette(state, palette.input.value(), palette.selected),
        Some(Command::Down) => {
            let n = palette_entries(state, palette.input.value()).len();
            palette.selected = (palette.selected + 1).min(n.saturating_sub(1));
            state.popup = Some(Popup::Palette(palette));
            Vec::new()
        }
        Some(Command::Up) => {
            palette.selected = palette.selected.saturating_sub(1);
            state.popup = Some(Popup::Palette(palette));
            Vec::new()
        }
        _ => {
            if let Some(request) = text_request(key) {
                palette.input.handle(request);
                palette.selected = 0;
            }
            state.popup = Some(Popup::Palette(palette));
            Vec::new()
        }
    }
}

/// `:env NAME` accepts any alias or label; other entries run the selected match.
fn run_palette(state: &mut State, typed: &str, selected: usize) -> Vec<Effect> {
    let typed = typed.trim();
    if let Some(args) = typed.strip_prefix("override") {
        return super::emergency::command(state, args);
    }
    if let Some(raw) = typed.strip_prefix("env ").map(str::trim) {
        return match state.pipeline.find(raw).map(|s| s.name.clone()) {
            Some(name) => activate(state, name, true),
            None => {
                let known: Vec<&str> = state
                    .pipeline
                    .stages()
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect();
                let raw = crate::domain::text::sanitize(raw).into_owned();
                state.set_status(
                    format!("no stage {raw:?} (known: {})", known.join(", ")),
                    true,
                );
                Vec::new()
            }
        };
    }
    let entries = palette_entries(state, typed);
    let exact = entries.iter().find(|e| e.name == typed);
    match exact.or_else(|| entries.get(selected)).cloned() {
        Some(PaletteEntry {
            action: PaletteAction::Stage(name),
            ..
        }) => activate(state, name, true),
        Some(PaletteEntry {
            action: PaletteAction::Command(command),
            ..
        }) => guarded_command(state, command),
        None => {
            if !typed.is_empty() {
                let typed = crate::domain::text::sanitize(typed).into_owned();
                state.set_status(format!("unknown command {typed:?}"), true);
            }
            Vec::new()
        }
    }
}
