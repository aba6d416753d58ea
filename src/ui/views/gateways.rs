//! The Gateways view: the gateways serving the active stage (global resources: nothing here is stage-guarded).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::super::table::{self, Empty};
use super::super::theme::Theme;
use crate::app::state::State;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let empty = Empty {
        what: "Gateways",
        scope: super::stage_scope(state),
    };
    table::draw(
        frame,
        area,
        &state.lists[crate::app::state::ViewKind::Gateways],
        empty,
        state,
        theme,
    );
}
