//! The confirmation of a write: it names tenant, stage and API; guarded stages ask for the
//! stage name to be typed.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::theme::Theme;
use super::frame_box;
use crate::app::state::Confirm;

pub fn draw(frame: &mut Frame, confirm: &Confirm, theme: &Theme) {
    let height = if confirm.typed.is_some() { 8 } else { 6 };
    let inner = frame_box(frame, 64, height, "Confirm", theme);
    let mut lines = vec![
        Line::styled(format!(" {}", confirm.prompt), theme.title()),
        Line::default(),
    ];
    match &confirm.typed {
        Some((expected, input)) => {
            lines.push(Line::from(format!(" Type {expected} to confirm:")));
            lines.push(Line::from(vec![
                Span::styled(" > ", theme.key()),
                Span::raw(input.value().to_string()),
            ]));
            lines.push(Line::styled(" Enter confirm · Esc cancel", theme.dim()));
        }
        None => lines.push(Line::from(vec![
            Span::styled(" y", theme.key()),
            Span::raw(" confirm   "),
            Span::styled("n", theme.key()),
            Span::raw("/"),
            Span::styled("Esc", theme.key()),
            Span::raw(" cancel"),
        ])),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
