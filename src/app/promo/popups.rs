//! Keys inside the promotion popups: the review, the create form and the confirmation.

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::effect::Effect;
use crate::app::form::text_request;
use crate::app::promo::keys::submit_form;
use crate::app::promo::{FormFocus, PromoteForm, Review};
use crate::app::state::{Popup, State};
use crate::app::write::Write;
use crate::domain::Operation;

pub fn review_key(state: &mut State, mut review: Box<Review>, key: &KeyEvent) -> Vec<Effect> {
    let page = state.table_height().max(1);
    let last = review.lines.len();
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => return Vec::new(),
        KeyCode::Down | KeyCode::Char('j') => review.scroll = (review.scroll + 1).min(last),
        KeyCode::Up | KeyCode::Char('k') => review.scroll = review.scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => review.scroll = (review.scroll + page).min(last),
        KeyCode::PageUp => review.scroll = review.scroll.saturating_sub(page),
        KeyCode::Char(c @ ('a' | 'c' | 'R')) => return act_from_review(state, review, c),
        _ => {}
    }
    state.popup = Some(Popup::Review(review));
    Vec::new()
}

fn act_from_review(state: &mut State, review: Box<Review>, key: char) -> Vec<Effect> {
    let p = review.promotion.clone();
    let op = match key {
        'a' => Operation::ApprovePromotion,
        'c' => Operation::CompletePromotion,
        _ => Operation::RollbackPromotion,
    };
    let reviewed = state.promo.reviewed.get(&p.id).cloned();
    let shown = review.data.is_some();
    state.popup = Some(Popup::Review(review));
    if op == Operation::ApprovePromotion && (!shown || reviewed.is_none()) {
        state.set_status("approve: wait for the diff to be shown", true);
        return Vec::new();
    }
    if let Err(reason) = crate::app::promo::decide_on(state, op, &p) {
        state.set_status(reason, true);
        return Vec::new();
    }
    let write = match op {
        Operation::ApprovePromotion => Write::Approve {
            id: p.id.clone(),
            reviewed_spec_hash: reviewed.flatten(),
        },
        Operation::CompletePromotion => Write::Complete { id: p.id.clone() },
        _ => Write::Rollback {
            id: p.id.clone(),
            message: String::new(),
        },
    };
    crate::app::promo::keys::ask_step(state, &p, write);
    Vec::new()
}

pub fn form_key(state: &mut State, mut form: Box<PromoteForm>, key: &KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => return Vec::new(),
        KeyCode::Enter => {
            submit_form(state, form);
            return Vec::new();
        }
        KeyCode::Tab => {
            form.focus = match form.focus {
                FormFocus::Source => FormFocus::Gateways,
                FormFocus::Gateways => FormFocus::Message,
                FormFocus::Message => FormFocus::Source,
            }
        }
        KeyCode::BackTab => {
            form.focus = match form.focus {
                FormFocus::Source => FormFocus::Message,
                FormFocus::Gateways => FormFocus::Source,
                FormFocus::Message => FormFocus::Gateways,
            }
        }
        code => match form.focus {
            FormFocus::Source => {
                let n = form.draft.lanes.len();
                let before = form.source;
                match code {
                    KeyCode::Down | KeyCode::Char('j') => {
                        form.source = (form.source + 1).min(n.saturating_sub(1))
                    }
                    KeyCode::Up | KeyCode::Char('k') => form.source = form.source.saturating_sub(1),
                    _ => {}
                }
                if form.source != before {
                    // Another source may go to other gateways.
                    form.chosen = crate::api::prepare::default_choice(
                        form.draft.targets(form.source),
                        &state.tenant,
                    );
                    form.cursor = 0;
                }
            }
            FormFocus::Gateways => {
                let n = form.chosen.len();
                match code {
                    KeyCode::Down | KeyCode::Char('j') => {
                        form.cursor = (form.cursor + 1).min(n.saturating_sub(1))
                    }
                    KeyCode::Up | KeyCode::Char('k') => form.cursor = form.cursor.saturating_sub(1),
                    KeyCode::Char(' ') => {
                        if let Some(c) = form.chosen.get_mut(form.cursor) {
                            *c = !*c;
                            form.error = None;
                        }
                    }
                    _ => {}
                }
            }
            FormFocus::Message => {
                if let Some(request) = text_request(key) {
                    form.message.handle(request);
                    form.error = None;
                }
            }
        },
    }
    state.popup = Some(Popup::Promote(form));
    Vec::new()
}
