//! The `:` command palette: what is typed, then the matching entries (from the key map and
//! the pipeline).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::frame_box;
use crate::app::popups::palette_entries;
use crate::app::state::{Palette, State};

pub fn draw(frame: &mut Frame, state: &State, palette: &Palette, theme: &Theme) {
    let entries = palette_entries(state, palette.input.value());
    let shown = entries.len().min(12);
    let inner = frame_box(frame, 60, shown as u16 + 4, "Command", theme);
    let cursor = if theme.ascii { "_" } else { "▏" };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(" :", theme.key()),
            Span::raw(palette.input.value().to_string()),
            Span::styled(cursor, theme.key()),
        ]),
        Line::default(),
    ];
    let start = palette.selected.saturating_sub(shown.saturating_sub(1));
    for (i, entry) in entries.iter().enumerate().skip(start).take(shown) {
        let mut line = Line::from(vec![
            Span::styled(format!(" {:<18}", entry.name), theme.key()),
            Span::raw(entry.description.clone()),
        ]);
        if i == palette.selected {
            line = line.style(theme.selected_row());
        }
        lines.push(line);
    }
    if entries.is_empty() {
        lines.push(Line::styled(" no matching command", theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
