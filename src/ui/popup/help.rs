//! The `?` overlay, generated from the key map: key, what it does, and why it is disabled.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::theme::Theme;
use super::frame_box;
use crate::app::keymap::BINDINGS;
use crate::app::state::State;

pub fn draw(frame: &mut Frame, state: &State, scroll: usize, theme: &Theme) {
    let height = BINDINGS.len() as u16 + 3;
    let inner = frame_box(frame, 76, height, "Keys", theme);
    let mut lines: Vec<Line> = BINDINGS
        .iter()
        .map(|b| {
            let mut spans = vec![
                Span::styled(format!(" {:<8}", b.key_label), theme.key()),
                Span::raw(format!("{:<22}", b.description)),
            ];
            if !b.views.is_empty() {
                let views: Vec<&str> = b.views.iter().map(|v| v.title()).collect();
                spans.push(Span::styled(format!("{} ", views.join(", ")), theme.dim()));
            }
            let check = crate::app::promo_keys::availability(state, b.command)
                .or_else(|| b.guard.map(|op| state.guard(op)));
            if let Some(Err(reason)) = check {
                spans.push(Span::styled(format!("disabled: {reason}"), theme.warning()));
            }
            Line::from(spans)
        })
        .collect();
    // First, so it shows however short the terminal is.
    lines.insert(
        0,
        Line::styled(
            " Ctrl-C quits from anywhere · Esc or ? closes · Up/Down scroll",
            theme.dim(),
        ),
    );
    let scroll = scroll.min(u16::MAX as usize) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), inner);
}
