//! Keys in the confirmation: `y`/`n` when nothing has to be typed; otherwise the stage's name
//! (and a rollback's reason) typed, then Enter. The policy is asked again before sending.

use crossterm::event::{KeyCode, KeyEvent};

use super::{Confirm, Write, decide};
use crate::app::effect::Effect;
use crate::app::form::text_request;
use crate::app::state::{Popup, State};

pub fn on_key(state: &mut State, mut c: Box<Confirm>, key: &KeyEvent) -> Vec<Effect> {
    let needs_typing = c.typed.is_some() || c.message.is_some();
    match key.code {
        KeyCode::Esc => return Vec::new(),
        KeyCode::Enter => return submit(state, c),
        KeyCode::Char('y') if !needs_typing => return submit(state, c),
        KeyCode::Char('n') if !needs_typing => return Vec::new(),
        _ => {}
    }
    if key.code == KeyCode::Tab && c.typed.is_some() && c.message.is_some() {
        c.on_message = !c.on_message;
    } else if let Some(request) = text_request(key) {
        let input = match (&mut c.typed, &mut c.message) {
            (Some((_, typed)), _) if !c.on_message => Some(typed),
            (_, Some(message)) => Some(message),
            (Some((_, typed)), None) => Some(typed),
            (None, None) => None,
        };
        if let Some(input) = input {
            input.handle(request);
            c.error = None;
        }
        // The name typed right moves on to the reason.
        if let (Some((expected, typed)), Some(_)) = (&c.typed, &c.message)
            && typed.value().trim() == expected.as_str()
        {
            c.on_message = true;
        }
    }
    state.popup = Some(Popup::Confirm(c));
    Vec::new()
}

/// Enter: the typed name and the reason checked, the policy asked again, then the effect.
fn submit(state: &mut State, mut c: Box<Confirm>) -> Vec<Effect> {
    if let Some((expected, input)) = &c.typed
        && input.value().trim() != expected.as_str()
    {
        c.error = Some(format!("type {expected} to confirm"));
        state.popup = Some(Popup::Confirm(c));
        return Vec::new();
    }
    if let Some(input) = &c.message {
        let message = input.value().to_string();
        if let Err(e) = crate::domain::validate_message(&message) {
            c.error = Some(e.to_string());
            state.popup = Some(Popup::Confirm(c));
            return Vec::new();
        }
        if let Write::Rollback { message: m, .. } = &mut c.pending.write {
            *m = message;
        }
    }
    // The stage, the connection or the promotion may have changed meanwhile.
    if let Err(reason) = decide(state, &c.pending) {
        state.set_status(format!("nothing was sent: {reason}"), true);
        return Vec::new();
    }
    state.set_status("sending…", false);
    let mut pending = c.pending;
    pending.typed = c.typed.map(|(expected, _)| expected);
    vec![Effect::Write(Box::new(pending))]
}
