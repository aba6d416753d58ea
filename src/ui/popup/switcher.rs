//! The stage switcher (`e`): every stage with dot, label, mode word and lock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::frame_box;
use crate::app::keymap::{Command, Scope};
use crate::app::state::State;
use crate::domain::Mode;

pub fn draw(frame: &mut Frame, state: &State, selected: usize, theme: &Theme) {
    let stages = state.pipeline.stages();
    let height = stages.len().min(u16::MAX as usize - 4) as u16 + 4;
    let inner = frame_box(frame, 52, height, "Switch stage", theme);
    let lines: Vec<Line> = stages
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
    // The list scrolls to keep the selection in view (servers may list many stages); the key
    // line stays at the bottom.
    let rows = inner.height.saturating_sub(2);
    let offset = (selected + 1).saturating_sub(usize::from(rows.max(1)));
    let list = Rect::new(inner.x, inner.y, inner.width, rows);
    frame.render_widget(
        Paragraph::new(lines).scroll((offset.min(u16::MAX as usize) as u16, 0)),
        list,
    );
    let keys = &state.keymap;
    let hint = format!(
        " {} switch · {} pick · {} cancel",
        keys.label(Scope::Switcher, Command::Submit),
        keys.label(Scope::Switcher, Command::PickStage),
        keys.label(Scope::Switcher, Command::Close),
    );
    if inner.height >= 2 {
        let at = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
        frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim())), at);
    }
}
