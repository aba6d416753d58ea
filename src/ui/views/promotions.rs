//! The Promotions view: promotions into the active stage, with counts per state above the
//! table (approve, complete and rollback come with the promotions issue).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::table::{self, Empty};
use super::super::theme::Theme;
use crate::app::state::State;
use crate::domain::PromotionStatus;

const STATES: [PromotionStatus; 5] = [
    PromotionStatus::Pending,
    PromotionStatus::Promoting,
    PromotionStatus::Promoted,
    PromotionStatus::Failed,
    PromotionStatus::RolledBack,
];

fn summary(state: &State, theme: &Theme) -> Line<'static> {
    let arrow = if theme.ascii { " -> " } else { " → " };
    let chain: Vec<&str> = state
        .pipeline
        .stages()
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let mut spans = vec![Span::styled(
        format!(" {}", chain.join(arrow)),
        theme.title(),
    )];
    let list = &state.lists.promotions;
    for status in STATES {
        // Column 3 is the status.
        let n = list
            .rows
            .iter()
            .filter(|p| PromotionStatus::parse(p.cell(3)) == Some(status))
            .count();
        spans.push(Span::styled(format!("  {} ", status.as_str()), theme.dim()));
        spans.push(Span::raw(n.to_string()));
    }
    Line::from(spans)
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(Paragraph::new(summary(state, theme)), top);
    let empty = Empty {
        what: "Promotions",
        scope: match state.active_stage() {
            Some(stage) => format!("into {}", stage.label),
            None => String::new(),
        },
    };
    table::draw(frame, rest, &state.lists.promotions, empty, state, theme);
}
