//! The audit view: the tenant's audit log as it concerns the active stage (an entry names its
//! stages; promotion events belong to their source and target; tenant-wide ones to every stage).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::super::table::{self, Empty};
use super::super::theme::Theme;
use crate::app::state::State;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let empty = Empty {
        what: "audit entries",
        scope: super::stage_scope(state),
    };
    table::draw(
        frame,
        area,
        &state.lists[crate::app::state::ViewKind::Audit],
        empty,
        state,
        theme,
    );
}
