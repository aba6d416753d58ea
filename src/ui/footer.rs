//! The footer: a status line (messages, notices, the filter being typed) and the key hints
//! generated from the key map; disabled actions are dimmed and their reason shown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::keymap::BINDINGS;
use crate::app::state::State;
use crate::domain::Decision;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lines = vec![status_line(state, theme), hints_line(state, theme)];
    frame.render_widget(Paragraph::new(lines), area);
}

fn status_line(state: &State, theme: &Theme) -> Line<'static> {
    if state.filter_editing {
        let list_filter = crate::app::keys::current_filter(state);
        return Line::from(vec![
            Span::styled(" /", theme.key()),
            Span::raw(list_filter),
            Span::styled(if theme.ascii { "_" } else { "▏" }, theme.key()),
            Span::styled("   Enter keep · Esc clear", theme.dim()),
        ]);
    }
    if let Some(status) = &state.status {
        let style = if status.error {
            theme.error()
        } else {
            theme.ok()
        };
        return Line::from(Span::styled(format!(" {}", status.text), style));
    }
    if !state.notices.is_empty() {
        return Line::from(Span::styled(
            format!(" notice: {}", state.notices.join(" · ")),
            theme.warning(),
        ));
    }
    Line::default()
}

fn hints_line(state: &State, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    let mut reasons: Vec<String> = Vec::new();
    for binding in BINDINGS
        .iter()
        .filter(|b| b.footer && b.applies_to(state.view))
    {
        let denial = binding.guard.and_then(|op| match state.decide(op) {
            Decision::Denied(reason) => Some(reason.to_string()),
            Decision::Allowed { .. } => None,
        });
        match denial {
            Some(reason) => {
                spans.push(Span::styled(
                    format!("{} {}", binding.key_label, binding.description),
                    theme.dim(),
                ));
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            None => {
                spans.push(Span::styled(binding.key_label, theme.key()));
                spans.push(Span::raw(format!(" {}", binding.description)));
            }
        }
        spans.push(Span::raw("  "));
        // The reasons follow the guarded keys they explain.
        if binding.guard.is_some() && !reasons.is_empty() && next_is_unguarded(binding) {
            spans.push(Span::styled(
                format!("({})", reasons.join("; ")),
                theme.warning(),
            ));
            spans.push(Span::raw("  "));
        }
    }
    Line::from(spans)
}

fn next_is_unguarded(binding: &crate::app::keymap::Binding) -> bool {
    let pos = BINDINGS.iter().position(|b| b == binding);
    match pos.and_then(|p| BINDINGS.get(p + 1)) {
        Some(next) => next.guard.is_none(),
        None => true,
    }
}
