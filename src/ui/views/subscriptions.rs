//! The Subscriptions view: the subscriptions to the active stage's APIs.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::super::table::{self, Empty};
use super::super::theme::Theme;
use crate::app::state::State;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let empty = Empty {
        what: "Subscriptions",
        scope: super::stage_scope(state),
    };
    table::draw(
        frame,
        area,
        &state.lists[crate::app::state::ViewKind::Subscriptions],
        empty,
        state,
        theme,
    );
}
