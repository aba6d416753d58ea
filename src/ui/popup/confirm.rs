//! The one confirmation of every write: what it does, tenant, API, source → target and every
//! stage it reaches; the stage's name typed where the policy asks for it; a rollback's reason.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::theme::Theme;
use super::frame_box;
use crate::app::write::Confirm;
use crate::domain::promotion::MESSAGE_MAX_CHARS;

pub fn draw(frame: &mut Frame, c: &Confirm, theme: &Theme) {
    let fields = usize::from(c.typed.is_some()) + usize::from(c.message.is_some());
    let height = (c.lines.len() + 3 * fields + 4) as u16;
    let inner = frame_box(frame, 76, height, "Confirm", theme);
    let mut lines: Vec<Line> = Vec::new();
    for (i, text) in c.lines.iter().enumerate() {
        let style = if i == 0 {
            theme.title()
        } else {
            Default::default()
        };
        lines.push(Line::styled(format!(" {text}"), style));
    }
    lines.push(Line::default());
    let field = |label: String, value: &str, focused: bool| {
        let cursor = if focused { theme.key() } else { theme.dim() };
        vec![
            Line::from(label),
            Line::from(vec![
                Span::styled(" > ", cursor),
                Span::raw(value.to_string()),
            ]),
        ]
    };
    if let Some((expected, input)) = &c.typed {
        lines.extend(field(
            format!(" Type {expected} to confirm:"),
            input.value(),
            !c.on_message,
        ));
    }
    if let Some(input) = &c.message {
        let n = input.value().chars().count();
        lines.extend(field(
            format!(" Why roll back? (required, {n}/{MESSAGE_MAX_CHARS})"),
            input.value(),
            c.on_message,
        ));
    }
    if fields > 0 {
        lines.push(match &c.error {
            Some(e) => Line::styled(format!(" {e}"), theme.error()),
            None => Line::default(),
        });
        let tab = if fields > 1 { " · Tab next field" } else { "" };
        lines.push(Line::styled(
            format!(" Enter confirm · Esc cancel{tab}"),
            theme.dim(),
        ));
    } else {
        lines.push(Line::from(vec![
            Span::styled(" y", theme.key()),
            Span::raw(" confirm   "),
            Span::styled("n", theme.key()),
            Span::raw("/"),
            Span::styled("Esc", theme.key()),
            Span::raw(" cancel"),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
