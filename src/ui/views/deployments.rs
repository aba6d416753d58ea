//! The Deployments view: the deployment history of the active stage.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::super::table::{self, Empty};
use super::super::theme::Theme;
use crate::app::state::State;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let empty = Empty {
        what: "Deployments",
        scope: super::stage_scope(state),
    };
    table::draw(
        frame,
        area,
        &state.lists[crate::app::state::ViewKind::Deployments],
        empty,
        state,
        theme,
    );
}
