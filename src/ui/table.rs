//! Draws one list as a table. Only the rows in view are built, so a frame costs the same
//! for 100 or 100,000 rows.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};

use super::fit::ellipsize;
use super::header::age;
use super::theme::Theme;
use crate::app::list::{ListView, LoadState};
use crate::app::rows::Column;
use crate::app::state::State;

/// What the view says when it has no rows to show.
pub struct Empty<'a> {
    /// "APIs"
    pub what: &'a str,
    /// "in Production", or "" for tenant-wide lists.
    pub scope: String,
}

/// Column widths: every column gets its minimum, the rest is shared by `fill`. When even the
/// minimums do not fit, the widest filling columns give way first, then the others (to 3
/// cells at least), so columns never run into each other.
fn widths(columns: &[Column], total: u16, spacing: u16) -> Vec<u16> {
    let gaps = spacing * columns.len().saturating_sub(1) as u16;
    let min: u16 = columns.iter().map(|c| c.min).sum();
    let fill: u16 = columns.iter().map(|c| c.fill).sum();
    let spare = total.saturating_sub(gaps + min);
    let mut given = 0;
    let mut out: Vec<u16> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut extra = (spare * c.fill).checked_div(fill).unwrap_or(0);
            // The last filling column takes the rounding remainder.
            if c.fill > 0 && columns[i + 1..].iter().all(|n| n.fill == 0) {
                extra = spare - given;
            }
            given += extra;
            c.min + extra
        })
        .collect();
    // Free text (filling columns) gives way before fixed ones such as times.
    for fixed in [false, true] {
        while out.iter().sum::<u16>() + gaps > total {
            let widest = out
                .iter_mut()
                .zip(columns)
                .filter(|(w, c)| **w > 3 && (fixed || c.fill > 0))
                .max_by_key(|(w, _)| **w);
            match widest {
                Some((w, _)) => *w -= 1,
                None => break,
            }
        }
    }
    out
}

fn title(list: &ListView, empty: &Empty<'_>, state: &State, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!(" {} {}", empty.what, empty.scope)
            .trim_end()
            .to_string()
            + " ",
        theme.title(),
    )];
    let count = if list.filter.is_empty() {
        format!("{} ", list.rows.len())
    } else {
        format!("{}/{} ", list.visible.len(), list.rows.len())
    };
    spans.push(Span::raw(count));
    if let LoadState::Stale { saved_at } = list.load {
        spans.push(Span::styled(
            format!("stale {} ", age(state.now, saved_at)),
            theme.warning(),
        ));
    }
    if list.refreshing {
        spans.push(Span::styled(
            format!("{} ", theme.spinner(state.tick)),
            theme.warning(),
        ));
    }
    Line::from(spans)
}

fn message(list: &ListView, empty: &Empty<'_>, state: &State, theme: &Theme) -> Line<'static> {
    match &list.load {
        LoadState::Idle if state.is_offline() => Line::from(vec![
            Span::styled("the control plane is unreachable", theme.error()),
            Span::styled("  (r to retry)", theme.dim()),
        ]),
        LoadState::Idle | LoadState::Loading => Line::from(vec![
            Span::styled(theme.spinner(state.tick), theme.warning()),
            Span::raw(format!(" loading {}…", empty.what)),
        ]),
        LoadState::Failed { message } => Line::from(vec![
            Span::styled(format!("could not load {}: ", empty.what), theme.error()),
            Span::raw(message.clone()),
            Span::styled("  (r to retry)", theme.dim()),
        ]),
        _ if !list.rows.is_empty() => Line::from(format!(
            "nothing matches the filter {:?} (Esc clears it)",
            list.filter
        )),
        _ => Line::from(
            format!("no {} {}", empty.what.to_lowercase(), empty.scope)
                .trim_end()
                .to_string(),
        ),
    }
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    list: &ListView,
    empty: Empty<'_>,
    state: &State,
    theme: &Theme,
) {
    let block = Block::default()
        .borders(Borders::TOP | Borders::BOTTOM)
        .title(title(list, &empty, state, theme));
    if list.visible.is_empty() {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let msg = Paragraph::new(message(list, &empty, state, theme)).alignment(Alignment::Center);
        let y = inner.y + inner.height / 3;
        if inner.height > 0 {
            frame.render_widget(msg, Rect::new(inner.x, y, inner.width, 1));
        }
        return;
    }
    let body_height = block.inner(area).height.saturating_sub(1) as usize;
    // The state keeps the offset; clamp it here too so the selection is always drawn.
    let mut offset = list.offset.min(list.visible.len().saturating_sub(1));
    if list.selected >= offset + body_height.max(1) {
        offset = list.selected + 1 - body_height.max(1);
    }
    if list.selected < offset {
        offset = list.selected;
    }
    let end = (offset + body_height).min(list.visible.len());
    let columns = list.columns;
    let widths = widths(columns, area.width.saturating_sub(2), 1);
    // A cell too long for its column is cut with an ellipsis, so the cut shows.
    let cut = |text: &str, c: usize| ellipsize(text, usize::from(widths[c]), theme.ascii);
    let rows = list.visible[offset..end].iter().map(|&i| {
        let row = &list.rows[i as usize];
        Row::new((0..columns.len()).map(|c| Cell::from(cut(row.cell(c), c))))
    });
    let header = Row::new(columns.iter().enumerate().map(|(c, col)| {
        let arrow = match list.sort {
            Some(k) if k.column == c && k.descending => {
                if theme.ascii {
                    " v"
                } else {
                    " ▼"
                }
            }
            Some(k) if k.column == c => {
                if theme.ascii {
                    " ^"
                } else {
                    " ▲"
                }
            }
            _ => "",
        };
        Cell::from(cut(&format!("{}{arrow}", col.title), c))
    }))
    .style(theme.table_header());
    // The selection is marked by a symbol too, so it shows without colour or reverse video.
    let symbol = if theme.ascii { "> " } else { "▶ " };
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
        .header(header)
        .column_spacing(1)
        .block(block)
        .highlight_symbol(symbol)
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
        .row_highlight_style(theme.selected_row());
    let mut table_state = TableState::default().with_selected(Some(list.selected - offset));
    frame.render_stateful_widget(table, area, &mut table_state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_share_the_spare_room_and_fill_the_row() {
        let cols = [
            Column {
                title: "A",
                min: 4,
                fill: 1,
            },
            Column {
                title: "B",
                min: 4,
                fill: 2,
            },
            Column {
                title: "C",
                min: 16,
                fill: 0,
            },
        ];
        let w = widths(&cols, 50, 1);
        assert_eq!(w, [12, 20, 16]);
        // Too narrow for the minimums: the widest gives way, none below 3 cells.
        assert_eq!(widths(&cols, 20, 1), [3, 3, 12]);
        assert_eq!(widths(&cols, 5, 1), [3, 3, 3]);
    }
}
