//! The footer: a status line (messages, notices, the filter being typed) and the key hints
//! generated from the key map; disabled actions are dimmed and their reason shown. When the
//! line is too narrow the least useful hints go first (the `?` overlay lists every key).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::app::keymap::{Bound, KEEP, Scope};
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
    /// The reason item: cut with an ellipsis to fit rather than dropped whole.
    reason: bool,
}

impl Item {
    fn width(&self) -> usize {
        self.spans.iter().map(|s| s.content.width()).sum::<usize>() + 2
    }
}

/// Drop orders of items the key map does not list (higher goes first; `KEEP` never goes).
/// Disabled hints go before the reason, which is cut before the enabled actions go.
const DISABLED: u8 = 6;
const REASON: u8 = 4;
/// The reason is dropped rather than cut shorter than this.
const REASON_MIN: usize = 12;

fn items(state: &State, theme: &Theme) -> Vec<Item> {
    let shown: Vec<&Bound> = state
        .keymap
        .bindings(Scope::Table)
        .iter()
        .filter(|b| b.hint.is_some() && b.applies_to(state.view))
        .collect();
    let mut items = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for (i, binding) in shown.iter().enumerate() {
        let hint = binding.hint.unwrap_or(binding.description);
        let check = crate::app::promo::keys::availability(state, binding.command)
            .or_else(|| binding.guard.map(|op| state.guard(op)));
        match check {
            Some(Err(reason)) => {
                items.push(Item {
                    spans: vec![Span::styled(
                        format!("{} {hint}", binding.label),
                        theme.dim(),
                    )],
                    drop_order: DISABLED,
                    reason: false,
                });
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            _ => items.push(Item {
                spans: vec![
                    Span::styled(binding.label.clone(), theme.key()),
                    Span::raw(format!(" {hint}")),
                ],
                drop_order: binding.drop_order,
                reason: false,
            }),
        }
        let checked =
            |b: &Bound| b.guard.is_some() || crate::app::promo::keys::is_promo_command(b.command);
        let last_guarded = checked(binding) && shown.get(i + 1).is_none_or(|next| !checked(next));
        if last_guarded && !reasons.is_empty() {
            let mark = if theme.ascii { "!" } else { "⊘" };
            items.push(Item {
                spans: vec![Span::styled(
                    format!("{mark} {}", reasons.join("; ")),
                    theme.warning(),
                )],
                drop_order: REASON,
                reason: true,
            });
            reasons.clear();
        }
    }
    items
}

/// The line's width: a leading space, each item and a two-cell gap between items.
fn total(items: &[Item]) -> usize {
    items
        .iter()
        .map(Item::width)
        .sum::<usize>()
        .saturating_sub(1)
}

/// Drops the least useful items until the line fits; the reason is cut with an ellipsis
/// instead when its turn comes; `? help` and `q quit` always stay.
fn fit(mut items: Vec<Item>, width: usize, ascii: bool) -> Vec<Item> {
    while total(&items) > width {
        let worst = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.drop_order != KEEP)
            .max_by_key(|(_, item)| item.drop_order)
            .map(|(i, _)| i);
        let Some(i) = worst else { break };
        let over = total(&items) - width;
        let item = &mut items[i];
        let text_width = item.width() - 2;
        if item.reason && text_width >= over + REASON_MIN {
            let style = item.spans.first().map(|s| s.style).unwrap_or_default();
            let text: String = item.spans.iter().map(|s| s.content.as_ref()).collect();
            let cut = super::fit::ellipsize(&text, text_width - over, ascii);
            item.spans = vec![Span::styled(cut, style)];
        } else {
            items.remove(i);
        }
    }
    items
}

fn hints_line(state: &State, theme: &Theme, width: usize) -> Line<'static> {
    let items = fit(items(state, theme), width, theme.ascii);
    let mut spans = vec![Span::raw(" ")];
    for item in items {
        spans.extend(item.spans);
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}
