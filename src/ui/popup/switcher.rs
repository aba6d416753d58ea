//! The stage switcher (`e`): every stage with dot, label, mode word and lock.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::frame_box;
use crate::app::state::State;
use crate::domain::Mode;

pub fn draw(frame: &mut Frame, state: &State, selected: usize, theme: &Theme) {
    let stages = state.pipeline.stages();
    let height = stages.len() as u16 + 4;
    let inner = frame_box(frame, 52, height, "Switch stage", theme);
    let mut lines: Vec<Line> = stages
        .iter()
        .enumerate()
        .map(|(i, stage)| {
            let mode = state.effective_mode(stage);
            let active = state.active.as_ref() == Some(&stage.name);
            let marker = if active { theme.active_marker() } else { " " };
            let lock = if mode == Mode::ReadOnly {
                theme.lock()
            } else {
                ""
            };
            let mut spans = vec![
                Span::raw(format!(" {} {marker} ", i + 1)),
                Span::styled(theme.dot(), theme.dot_style(stage)),
                Span::raw(format!(" {:<18} {:<12} {lock}", stage.label, mode.as_str())),
            ];
            if i == selected {
                spans = spans
                    .into_iter()
                    .map(|s| s.patch_style(theme.selected_row()))
                    .collect();
            }
            Line::from(spans)
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(
        " Enter switch · 1-9 pick · Esc cancel",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
