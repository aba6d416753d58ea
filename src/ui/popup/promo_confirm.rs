//! The confirmation of a promotion write: tenant, API, source → target; typed stage name for
//! read-only targets; the mandatory message of a rollback.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::theme::Theme;
use super::frame_box;
use crate::app::promo::PromoConfirm;
use crate::domain::promotion::MESSAGE_MAX_CHARS;

pub fn draw(frame: &mut Frame, c: &PromoConfirm, theme: &Theme) {
    let height = if c.typed.is_some() || c.message.is_some() {
        9
    } else {
        7
    };
    let inner = frame_box(frame, 72, height, "Confirm", theme);
    let mut lines = vec![
        Line::styled(format!(" {}", c.prompt), theme.title()),
        Line::default(),
    ];
    let field = |label: String, value: &str| {
        vec![
            Line::from(label),
            Line::from(vec![
                Span::styled(" > ", theme.key()),
                Span::raw(value.to_string()),
            ]),
        ]
    };
    if let Some((expected, input)) = &c.typed {
        lines.extend(field(
            format!(" Type {expected} to confirm:"),
            input.value(),
        ));
    }
    if let Some(input) = &c.message {
        let n = input.value().chars().count();
        lines.extend(field(
            format!(" Why roll back? (required, {n}/{MESSAGE_MAX_CHARS})"),
            input.value(),
        ));
    }
    lines.push(match &c.error {
        Some(e) => Line::styled(format!(" {e}"), theme.error()),
        None => Line::default(),
    });
    if c.typed.is_some() || c.message.is_some() {
        lines.push(Line::styled(" Enter confirm · Esc cancel", theme.dim()));
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
