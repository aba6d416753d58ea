//! One file per view; each draws the active list through the shared table.

pub mod apis;
pub mod audit;
pub mod deployments;
pub mod gateways;
pub mod promotions;
pub mod subscriptions;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::theme::Theme;
use crate::app::state::{State, ViewKind};

/// "in Production" for stage-scoped lists.
pub fn stage_scope(state: &State) -> String {
    match state.active_stage() {
        Some(stage) => format!("in {}", stage.label),
        None => String::new(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    match state.view {
        ViewKind::Apis => apis::draw(frame, area, state, theme),
        ViewKind::Deployments => deployments::draw(frame, area, state, theme),
        ViewKind::Gateways => gateways::draw(frame, area, state, theme),
        ViewKind::Subscriptions => subscriptions::draw(frame, area, state, theme),
        ViewKind::Promotions => promotions::draw(frame, area, state, theme),
        ViewKind::Audit => audit::draw(frame, area, state, theme),
    }
}
