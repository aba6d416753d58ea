//! The detail pane (Enter): every field of the selected row.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::theme::Theme;
use super::frame_box;
use crate::app::state::Detail;

pub fn draw(frame: &mut Frame, detail: &Detail, theme: &Theme) {
    let area = frame.area();
    let inner = frame_box(
        frame,
        area.width.saturating_sub(8).max(40),
        detail.lines.len() as u16 + 4,
        &detail.title,
        theme,
    );
    let mut lines: Vec<Line> = detail
        .lines
        .iter()
        .map(|(label, value)| {
            Line::from(vec![
                Span::styled(format!(" {label:<14}"), theme.dim()),
                Span::raw(if value.is_empty() {
                    "-".to_string()
                } else {
                    value.clone()
                }),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(" Esc close · Up/Down scroll", theme.dim()));
    let scroll = detail.scroll.min(u16::MAX as usize) as u16;
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}
