//! The API create/edit form.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::frame_box;
use crate::app::form::{ApiForm, Field, FormMode};
use crate::app::state::State;

pub fn draw(frame: &mut Frame, state: &State, form: &ApiForm, theme: &Theme) {
    let label = state
        .pipeline
        .get(&form.stage)
        .map(|s| s.label.clone())
        .unwrap_or_else(|| form.stage.to_string());
    let title = match &form.mode {
        FormMode::Create => format!("New API in {label} (tenant {})", state.tenant),
        FormMode::Edit { .. } => format!("Edit API in {label} (tenant {})", state.tenant),
    };
    let inner = frame_box(frame, 70, 11, &title, theme);
    let value_width = inner.width.saturating_sub(18) as usize;
    let mut lines = Vec::new();
    for (i, field) in Field::ALL.iter().enumerate() {
        let input = &form.inputs[i];
        let focused = i == form.focus;
        let scroll = input.visual_scroll(value_width.saturating_sub(1));
        let visible: String = input
            .value()
            .chars()
            .skip(scroll)
            .take(value_width)
            .collect();
        let marker = if focused { theme.active_marker() } else { " " };
        let mut spans = vec![
            Span::styled(format!(" {marker} {:<13}", field.label()), theme.title()),
            Span::raw(visible),
        ];
        if focused {
            spans.push(Span::styled(
                if theme.ascii { "_" } else { "▏" },
                theme.key(),
            ));
        }
        if !form.is_editable(*field) {
            spans.push(Span::styled("  (fixed)", theme.dim()));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    match &form.error {
        Some(error) => lines.push(Line::styled(format!(" {error}"), theme.error())),
        None => lines.push(Line::default()),
    }
    lines.push(Line::styled(
        " Tab next field · Enter save · Esc cancel",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
