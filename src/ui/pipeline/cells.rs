//! A cell, an arrow and the symbols as text; bounded writes into a buffer.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthStr;

use super::GAP;
use crate::domain::matrix::{ArrowStatus, Cell, Slot, Sync};
use crate::ui::theme::Theme;

pub struct Symbols {
    pub synced: &'static str,
    pub drifted: &'static str,
    pub error: &'static str,
    pub pending: &'static str,
    pub unknown: &'static str,
    pub absent: &'static str,
    pub differs: &'static str,
    pub waiting: &'static str,
    pub promoting: &'static str,
    pub reverse: &'static str,
    pub more_left: &'static str,
    pub more_right: &'static str,
}

pub fn symbols(theme: &Theme) -> Symbols {
    if theme.ascii {
        Symbols {
            synced: "+",
            drifted: "~",
            error: "x",
            pending: ".",
            unknown: "?",
            absent: "-",
            differs: "*",
            waiting: ">",
            promoting: ">>",
            reverse: "<<",
            more_left: "<",
            more_right: ">",
        }
    } else {
        Symbols {
            synced: "✓",
            drifted: "~",
            error: "✗",
            pending: "…",
            unknown: "?",
            absent: "·",
            differs: "Δ",
            waiting: "▸",
            promoting: "▸▸",
            reverse: "◂◂",
            more_left: "◀",
            more_right: "▶",
        }
    }
}

fn sync_marker(sync: Sync, sym: &Symbols) -> &'static str {
    match sync {
        Sync::Synced => sym.synced,
        Sync::Drifted => sym.drifted,
        Sync::Error => sym.error,
        Sync::Pending => sym.pending,
    }
}

fn sync_style(sync: Sync, theme: &Theme) -> Style {
    match sync {
        Sync::Synced => theme.ok(),
        Sync::Drifted => theme.warning(),
        Sync::Error => theme.error(),
        Sync::Pending => theme.key(),
    }
}

/// A cell as text in `width` columns: its sync marker, what it runs (its sync word when the
/// version cannot be read; cut with an ellipsis when too long, never the marks), and the
/// difference mark; with the style of its sync.
pub fn cell_text(slot: &Slot, show_hash: bool, width: usize, theme: &Theme) -> (String, Style) {
    let sym = symbols(theme);
    let mark = if slot.differs == Some(true) {
        sym.differs
    } else {
        ""
    };
    let (marker, body, style) = match &slot.cell {
        Cell::Known {
            version: Some(v),
            sync,
            ..
        } => {
            let body = match v.short_hash() {
                Some(h) if show_hash => format!("{}@{h}", v.version),
                _ => v.version.clone(),
            };
            (sync_marker(*sync, &sym), body, sync_style(*sync, theme))
        }
        Cell::Known { sync, .. } => (
            sync_marker(*sync, &sym),
            sync.as_str().to_string(),
            sync_style(*sync, theme),
        ),
        Cell::Absent => (sym.absent, String::new(), theme.dim()),
        Cell::Unknown { .. } => (sym.unknown, "unknown".to_string(), theme.dim()),
    };
    let fixed = marker.width() + 1 + if mark.is_empty() { 0 } else { 1 + mark.width() };
    let body = truncate(&body, width.saturating_sub(fixed), theme);
    let text = match (body.is_empty(), mark.is_empty()) {
        (true, true) => marker.to_string(),
        (true, false) => format!("{marker} {mark}"),
        (false, true) => format!("{marker} {body}"),
        (false, false) => format!("{marker} {body} {mark}"),
    };
    (text, style)
}

/// The boundary before a cell: the open promotion's arrow and who asked.
pub fn arrow_text(slot: &Slot, theme: &Theme) -> Option<(String, Style)> {
    let arrow = slot.arrow.as_ref()?;
    let sym = symbols(theme);
    let head = match (arrow.reverse, arrow.status) {
        (true, _) => sym.reverse,
        (false, ArrowStatus::Pending) => sym.waiting,
        (false, ArrowStatus::Promoting) => sym.promoting,
    };
    let room = usize::from(GAP - 2).saturating_sub(head.width() + 1);
    let who = truncate(&arrow.requested_by, room, theme);
    Some((format!("{head} {who}"), theme.warning()))
}

/// Writes `text` at (x, y) if that is inside `area`, in at most `width` columns and never
/// beyond the area's right edge.
pub fn put(
    buf: &mut Buffer,
    area: Rect,
    x: u16,
    y: u16,
    text: impl AsRef<str>,
    width: usize,
    style: Style,
) {
    if y < area.y || y >= area.bottom() || x < area.x || x >= area.right() {
        return;
    }
    let width = width.min(usize::from(area.right() - x));
    buf.set_stringn(x, y, text, width, style);
}

/// At most `max` columns of `text`, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize, theme: &Theme) -> String {
    if text.width() <= max {
        return text.to_string();
    }
    let ellipsis = theme.ellipsis();
    let room = max.saturating_sub(ellipsis.width());
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + unicode_width::UnicodeWidthChar::width(c).unwrap_or(0) > room {
            break;
        }
        out.push(c);
    }
    out.push_str(ellipsis);
    out
}
