//! The views: a resource view draws its list through the shared table (what it shows is the
//! row type's columns); Promotions has a file of its own (strip, queue, filters).
//! - Pipeline: the tenant's APIs × the stages (`ui::pipeline`), with the open promotions;
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
        ViewKind::Pipeline => pipeline(frame, area, state, theme),
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

/// The Pipeline view: the matrix once its inputs arrived, else what it is waiting for.
fn pipeline(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    use crate::app::list::LoadState;
    let board = &state.board;
    if board.inputs.is_none() {
        let text = match &board.load {
            LoadState::Failed { message } => {
                format!(" cannot load the pipeline: {message} (r retries)")
            }
            _ if state.pipeline.is_empty() => " waiting for the control plane's stages".into(),
            _ => format!(" {} loading the pipeline…", theme.spinner(state.tick)),
        };
        let text = crate::domain::text::sanitize(&text).into_owned();
        let style = if matches!(board.load, LoadState::Failed { .. }) {
            theme.error()
        } else {
            theme.dim()
        };
        frame.render_widget(ratatui::widgets::Paragraph::new(text).style(style), area);
        return;
    }
    let view = crate::ui::pipeline::PipelineView {
        matrix: &board.matrix,
        rows: &board.rows,
        filter: &state.lists[ViewKind::Pipeline].filter,
        selected_row: board.selected_row,
        selected_stage: board.selected_stage,
        row_offset: board.row_offset,
        stage_offset: board.stage_offset,
    };
    crate::ui::pipeline::draw(frame, area, &view, theme);
}
