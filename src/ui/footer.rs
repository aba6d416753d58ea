//! The footer: a status line (messages, notices, the filter being typed) and the key hints
//! generated from the key map; disabled actions are dimmed and their reason shown. When the
//! line is too narrow the least useful hints go first (the `?` overlay lists every key).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::app::keymap::{BINDINGS, Binding};
use crate::app::state::State;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let lines = vec![
        status_line(state, theme),
        hints_line(state, theme, area.width as usize),
    ];
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

/// One footer item: a key hint, or the reason the guarded keys before it are disabled.
struct Item {
    spans: Vec<Span<'static>>,
    drop_order: u8,
}

impl Item {
    fn width(&self) -> usize {
        self.spans.iter().map(|s| s.content.width()).sum::<usize>() + 2
    }
}

fn items(state: &State, theme: &Theme) -> Vec<Item> {
    let shown: Vec<&Binding> = BINDINGS
        .iter()
        .filter(|b| b.hint.is_some() && b.applies_to(state.view))
        .collect();
    let mut items = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for (i, binding) in shown.iter().enumerate() {
        let hint = binding.hint.unwrap_or(binding.description);
        let check = crate::app::promo_keys::availability(state, binding.command)
            .or_else(|| binding.guard.map(|op| state.guard(op)));
        match check {
            Some(Err(reason)) => {
                items.push(Item {
                    spans: vec![Span::styled(
                        format!("{} {hint}", binding.key_label),
                        theme.dim(),
                    )],
                    drop_order: 0,
                });
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            _ => items.push(Item {
                spans: vec![
                    Span::styled(binding.key_label, theme.key()),
                    Span::raw(format!(" {hint}")),
                ],
                drop_order: binding.drop_order,
            }),
        }
        let checked =
            |b: &Binding| b.guard.is_some() || crate::app::promo_keys::is_promo_command(b.command);
        let last_guarded = checked(binding) && shown.get(i + 1).is_none_or(|next| !checked(next));
        if last_guarded && !reasons.is_empty() {
            let mark = if theme.ascii { "!" } else { "⊘" };
            items.push(Item {
                spans: vec![Span::styled(
                    format!("{mark} {}", reasons.join("; ")),
                    theme.warning(),
                )],
                drop_order: 0,
            });
            reasons.clear();
        }
    }
    items
}

fn hints_line(state: &State, theme: &Theme, width: usize) -> Line<'static> {
    let mut items = items(state, theme);
    let total = |items: &[Item]| 1 + items.iter().map(Item::width).sum::<usize>();
    while total(&items) > width {
        let worst = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.drop_order > 0)
            .max_by_key(|(_, item)| item.drop_order)
            .map(|(i, _)| i);
        match worst {
            Some(i) => {
                items.remove(i);
            }
            None => break,
        }
    }
    let mut spans = vec![Span::raw(" ")];
    for item in items {
        spans.extend(item.spans);
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}
