//! The views: a resource view draws its list through the shared table (what it shows is the
//! row type's columns); Promotions has a file of its own (strip, queue, filters).
//! - APIs: the active stage's APIs (create, edit and delete through forms);
//! - Deployments: the deployment history of the active stage;
//! - Gateways: the gateways serving the active stage (global: nothing here is stage-guarded);
//! - Subscriptions: the subscriptions to the active stage's APIs;
//! - Audit: the tenant's audit log as it concerns the active stage (promotion events belong to
//!   their source and target; tenant-wide ones to every stage).

pub mod promotions;

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
        ViewKind::Promotions => promotions::draw(frame, area, state, theme),
        kind => {
            let empty = super::table::Empty {
                what: kind.plural(),
                scope: stage_scope(state),
            };
            super::table::draw(frame, area, &state.lists[kind], empty, state, theme);
        }
    }
}
