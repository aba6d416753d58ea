//! The audit entries view: the tenant's audit log (per tenant; each entry names its stage).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::super::table::{self, Empty};
use super::super::theme::Theme;
use crate::app::state::State;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let empty = Empty {
        what: "audit entries",
        scope: format!("for tenant {}", state.tenant),
    };
    table::draw(frame, area, &state.lists.audit, empty, state, theme);
}
