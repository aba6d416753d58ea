//! The `?` overlay, generated from the key map and grouped by scope: key, what it does, the
//! views it works in and why it is disabled. Columns are sized from the longest key label and
//! description and cut with an ellipsis, so they never run into each other; it scrolls.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::super::fit::ellipsize;
use super::super::theme::Theme;
use super::frame_box;
use crate::app::keymap::{Bound, Command, Scope};
use crate::app::state::State;

/// The widest the overlay grows (wider terminals leave the list readable around it).
const MAX_WIDTH: u16 = 100;
/// Descriptions are cut here at the latest, so notes keep a column of their own.
const MAX_DESCRIPTION: usize = 26;

/// Every scope: a heading, its bindings, a blank line.
fn line_count(state: &State) -> usize {
    Scope::ALL
        .iter()
        .map(|s| state.keymap.bindings(*s).len() + 2)
        .sum()
}

/// The overlay's outer size on a `width`×`height` terminal (as `frame_box` clamps it).
fn box_size(state: &State, width: u16, height: u16) -> (u16, u16) {
    let wanted = line_count(state).min(u16::MAX as usize - 3) as u16 + 3;
    (
        MAX_WIDTH.min(width.saturating_sub(2)),
        wanted.min(height.saturating_sub(2)),
    )
}

/// Rows of bindings in view (below the fixed first line), for paging.
pub fn page_rows(state: &State) -> usize {
    let (_, h) = box_size(state, state.size.0, state.size.1);
    usize::from(h.saturating_sub(3)).max(1)
}

/// The scroll that shows the last line at the bottom.
pub fn max_scroll(state: &State) -> usize {
    line_count(state).saturating_sub(page_rows(state))
}

fn note(state: &State, b: &Bound) -> String {
    let mut parts = Vec::new();
    if !b.views.is_empty() {
        let views: Vec<&str> = b.views.iter().map(|v| v.title()).collect();
        parts.push(views.join(", "));
    }
    let check = crate::app::promo::keys::availability(state, b.command)
        .or_else(|| b.guard.map(|op| state.guard(op)));
    if let Some(Err(reason)) = check {
        parts.push(format!("disabled: {reason}"));
    }
    parts.join(" · ")
}

fn lines(state: &State, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let all = || Scope::ALL.iter().flat_map(|s| state.keymap.bindings(*s));
    let key_w = all()
        .map(|b| b.label.width())
        .max()
        .unwrap_or(0)
        .min(width / 4);
    let desc_w = all()
        .map(|b| b.description.width())
        .max()
        .unwrap_or(0)
        .min(MAX_DESCRIPTION);
    // One space before the key, two between the columns.
    let note_w = width.saturating_sub(1 + key_w + 2 + desc_w + 2);
    let pad = |text: String, w: usize| format!("{text:<w$}", w = w + text.len() - text.width());
    let mut out = Vec::new();
    for scope in Scope::ALL {
        out.push(Line::styled(format!(" {}", scope.title()), theme.title()));
        for b in state.keymap.bindings(scope) {
            let key = pad(ellipsize(&b.label, key_w, theme.ascii), key_w);
            let desc = pad(ellipsize(b.description, desc_w, theme.ascii), desc_w);
            let mut spans = vec![
                Span::styled(format!(" {key}  "), theme.key()),
                Span::raw(desc),
            ];
            let note = note(state, b);
            if !note.is_empty() && note_w > 0 {
                let style = if note.contains("disabled:") {
                    theme.warning()
                } else {
                    theme.dim()
                };
                spans.push(Span::styled(
                    format!("  {}", ellipsize(&note, note_w, theme.ascii)),
                    style,
                ));
            }
            out.push(Line::from(spans));
        }
        out.push(Line::default());
    }
    out
}

pub fn draw(frame: &mut Frame, state: &State, scroll: usize, theme: &Theme) {
    let area = frame.area();
    let (w, h) = box_size(state, area.width, area.height);
    let total = line_count(state);
    let page = usize::from(h.saturating_sub(3)).max(1);
    let scroll = scroll.min(total.saturating_sub(page));
    let title = if total > page {
        format!(
            "Keys {}-{} of {total}",
            scroll + 1,
            (scroll + page).min(total)
        )
    } else {
        "Keys".to_string()
    };
    let inner = frame_box(frame, w, h, &title, theme);
    if inner.height == 0 {
        return;
    }
    let keys = &state.keymap;
    let scrolling = [
        Command::Down,
        Command::Up,
        Command::PageDown,
        Command::PageUp,
    ]
    .map(|c| keys.label(Scope::Help, c).to_string())
    .join(" ");
    // First and fixed, so it shows however short the terminal is.
    let first = format!(
        " Ctrl-C quits from anywhere · {} closes · {scrolling} scroll",
        keys.label(Scope::Help, Command::Close)
    );
    let width = usize::from(inner.width);
    frame.render_widget(
        Paragraph::new(Line::styled(
            ellipsize(&first, width, theme.ascii),
            theme.dim(),
        )),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height - 1);
    let shown: Vec<Line> = lines(state, width, theme)
        .into_iter()
        .skip(scroll)
        .take(usize::from(body.height))
        .collect();
    frame.render_widget(Paragraph::new(shown), body);
}
