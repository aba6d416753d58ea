//! The Pipeline view's drawing: the matrix of APIs × stages (`domain::matrix`) and the health
//! strip (`domain::matrix::health`). Pure: it reads what it is given and draws into a buffer;
//! only the visible rows and stage columns are formatted, so a frame costs the same for 20 or
//! 2,000 APIs. Every cell has a text marker beside its colour (legend at the bottom).
//!
//! For the console (the view component keeps the state; nothing here mutates it):
//! - data: `Client::pipeline_matrix(pipeline.stages(), GatewayAccess::from_roles(&me.roles))`
//!   gives [`PipelineData`](crate::api::matrix::PipelineData) (matrix + promotions, stages + 2
//!   requests); the health is `domain::matrix::health::health(stages, &data.promotions, now)`.
//! - rows: `matrix.filter(query)` gives the rows to show (indices into `matrix.rows`, most
//!   out-of-date first, `/` narrows); keep them and the selection as a position in them.
//! - scrolling: [`widths`]`(matrix, width, theme).stages` is how many stage columns fit beside
//!   the fixed API column; [`scroll`] gives the offsets that keep the selection in view (the
//!   drawing clamps them again, so a stale offset never hides the selection).
//! - keys: [`PipelineView::selected_slot`] is the selected cell (Enter opens it); its `arrow`
//!   is the open promotion on its left boundary (`a` opens its review when pending and not
//!   `reverse`); `p` promotes the row's `api` from the selected stage into the next one.
//! - drawing: [`draw`] the matrix into the view's area; above the Promotions view's strip,
//!   [`draw_health`] in [`health_height`] rows.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::domain::Mode;
use crate::domain::matrix::{Matrix, MatrixRow, Slot};

mod cells;
mod columns;
mod health;
pub use cells::{Symbols, arrow_text, cell_text, put, symbols, truncate};
use columns::GAP;
pub use columns::{Widths, widths};
pub use health::{draw_health, health_height, health_line, sparkline};

/// What to draw and where the selection and scroll stand.
#[derive(Clone, Copy, Debug)]
pub struct PipelineView<'a> {
    pub matrix: &'a Matrix,
    /// The rows to show, in order: indices into `matrix.rows` (see [`Matrix::filter`]).
    pub rows: &'a [usize],
    /// The filter in use, shown in the title ("" for none).
    pub filter: &'a str,
    /// Position of the selected row in `rows`, and the selected stage.
    pub selected_row: usize,
    pub selected_stage: usize,
    /// First row and first stage column drawn.
    pub row_offset: usize,
    pub stage_offset: usize,
}

impl PipelineView<'_> {
    pub fn selected(&self) -> Option<&MatrixRow> {
        self.matrix.rows.get(*self.rows.get(self.selected_row)?)
    }

    pub fn selected_slot(&self) -> Option<&Slot> {
        self.selected()?.slots.get(self.selected_stage)
    }
}

/// Offsets that keep the selection in view for a body of `height` rows and `stages` visible
/// stage columns (from [`widths`]).
pub fn scroll(view: &PipelineView<'_>, height: usize, stages: usize) -> (usize, usize) {
    let keep = keep_in_view;
    (
        keep(view.row_offset, view.selected_row, height),
        keep(view.stage_offset, view.selected_stage, stages),
    )
}

/// API rows that fit in `area` (title, header, notes and legend removed), and the notes shown.
pub fn body_rows(m: &Matrix, area: Rect, theme: &Theme) -> (usize, usize) {
    let chrome = 2 + legend_lines(area.width, theme).len() as u16;
    let notes = m
        .notes
        .len()
        .min(usize::from(area.height.saturating_sub(chrome + 1) / 2));
    let body = area.height.saturating_sub(chrome + notes as u16) as usize;
    (body, notes)
}

/// The first of `span` positions shown, moved as little as keeps `selected` among them.
pub fn keep_in_view(offset: usize, selected: usize, span: usize) -> usize {
    let span = span.max(1);
    if selected < offset {
        selected
    } else if selected >= offset + span {
        selected + 1 - span
    } else {
        offset
    }
}

/// Draws the matrix into `area` of the frame.
pub fn draw(frame: &mut Frame, area: Rect, view: &PipelineView<'_>, theme: &Theme) {
    draw_buffer(frame.buffer_mut(), area, view, theme);
}

pub fn draw_buffer(buf: &mut Buffer, area: Rect, view: &PipelineView<'_>, theme: &Theme) {
    let area = area.intersection(buf.area);
    if area.height == 0 || area.width == 0 {
        return;
    }
    let m = view.matrix;
    let w = widths(m, area.width, theme);
    let legend_lines = legend_lines(area.width, theme);
    let chrome = 2 + legend_lines.len() as u16;
    let (body, notes) = body_rows(m, area, theme);
    let (row_offset, stage_offset) = scroll(view, body, w.stages);
    let stage_offset = stage_offset.min(m.stages.len().saturating_sub(w.stages));
    let stage_end = (stage_offset + w.stages).min(m.stages.len());
    title(buf, area, view, theme);
    header(buf, area, view, w, stage_offset, stage_end, theme);
    if view.rows.is_empty() {
        let text = if m.rows.is_empty() {
            "no APIs in this tenant".to_string()
        } else {
            format!(
                "nothing matches the filter {:?} (Esc clears it)",
                view.filter
            )
        };
        put(
            buf,
            area,
            area.x + 2,
            area.y + 3.min(area.height - 1),
            text,
            (area.width as usize).saturating_sub(2),
            theme.dim(),
        );
    }
    let end = (row_offset + body).min(view.rows.len());
    for (line, pos) in (row_offset..end).enumerate() {
        let Some(row) = view.rows.get(pos).and_then(|&i| m.rows.get(i)) else {
            continue;
        };
        let y = area.y + 2 + line as u16;
        let selected = pos == view.selected_row;
        draw_row(
            buf,
            area,
            y,
            row,
            selected,
            view.selected_stage,
            w,
            stage_offset,
            stage_end,
            theme,
        );
    }
    let top = area.y + 2 + body as u16;
    for (y, note) in (top..).zip(m.notes.iter().take(notes)) {
        let width = usize::from(area.width).saturating_sub(1);
        let text = truncate(&crate::domain::text::sanitize(note), width, theme);
        put(buf, area, area.x + 1, y, text, width, theme.warning());
    }
    if area.height > chrome {
        legend(buf, area, &legend_lines, theme);
    }
}

fn title(buf: &mut Buffer, area: Rect, view: &PipelineView<'_>, theme: &Theme) {
    let m = view.matrix;
    let count = if view.filter.trim().is_empty() {
        format!("{} APIs", m.rows.len())
    } else {
        format!(
            "{}/{} APIs, filter {:?}",
            view.rows.len(),
            m.rows.len(),
            view.filter
        )
    };
    let text = format!(" Pipeline  {count}, most out of date first ");
    put(
        buf,
        area,
        area.x,
        area.y,
        text,
        area.width as usize,
        theme.title(),
    );
}

#[allow(clippy::too_many_arguments)]
fn header(
    buf: &mut Buffer,
    area: Rect,
    view: &PipelineView<'_>,
    w: Widths,
    first: usize,
    end: usize,
    theme: &Theme,
) {
    let y = area.y + 1;
    let style = theme.table_header();
    put(buf, area, area.x + 2, y, "API", w.api as usize, style);
    let sym = symbols(theme);
    let mut x = area.x + 2 + w.api;
    if first > 0 {
        put(
            buf,
            area,
            x.saturating_sub(2),
            y,
            sym.more_left,
            1,
            theme.key(),
        );
    }
    for (k, stage) in view.matrix.stages.iter().enumerate().take(end).skip(first) {
        if k > first {
            x += GAP;
        }
        let lock = if stage.mode == Mode::ReadOnly {
            format!(" {}", theme.lock())
        } else {
            String::new()
        };
        // A label may use the gap after its column (empty on this line); the last one what
        // is left, short of the "more" mark.
        let room = if k + 1 < end {
            w.cell + GAP - 1
        } else {
            let more = if end < view.matrix.stages.len() { 2 } else { 0 };
            area.right().saturating_sub(x + more).max(w.cell)
        };
        let room = usize::from(room);
        let label = truncate(&stage.label, room.saturating_sub(2 + lock.width()), theme);
        let dot_style = theme.dot_style(stage);
        put(buf, area, x, y, theme.dot(), 1, dot_style);
        put(
            buf,
            area,
            x + 2,
            y,
            format!("{label}{lock}"),
            room.saturating_sub(2),
            style,
        );
        x += w.cell;
    }
    if end < view.matrix.stages.len() {
        let at = area.right().saturating_sub(1).min(x + 1);
        put(buf, area, at, y, sym.more_right, 1, theme.key());
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_row(
    buf: &mut Buffer,
    area: Rect,
    y: u16,
    row: &MatrixRow,
    selected: bool,
    selected_stage: usize,
    w: Widths,
    first: usize,
    end: usize,
    theme: &Theme,
) {
    if selected {
        put(
            buf,
            area,
            area.x,
            y,
            theme.active_marker(),
            1,
            theme.title(),
        );
    }
    let name = truncate(&row.api, (w.api as usize).saturating_sub(1), theme);
    let name_style = if selected {
        theme.title()
    } else {
        Style::default()
    };
    put(buf, area, area.x + 2, y, name, w.api as usize, name_style);
    let mut x = area.x + 2 + w.api;
    let limit = area.right();
    for (k, slot) in row.slots.iter().enumerate().take(end).skip(first) {
        if k > first {
            if let Some((text, style)) = arrow_text(slot, theme) {
                put(buf, area, x + 1, y, text, (GAP - 2) as usize, style);
            }
            x += GAP;
        }
        if x >= limit {
            break;
        }
        let width = (w.cell as usize).min((limit - x) as usize);
        let (text, mut style) = cell_text(slot, row.show_hash, width, theme);
        if selected && k == selected_stage {
            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
            // The whole cell, so that the selection shows on an absent one too.
            let pad = width.saturating_sub(text.width());
            put(
                buf,
                area,
                x,
                y,
                format!("{text}{}", " ".repeat(pad)),
                width,
                style,
            );
        } else {
            put(buf, area, x, y, text, width, style);
        }
        x += w.cell;
    }
}

/// The legend's items packed into lines of `width` columns.
pub fn legend_lines(width: u16, theme: &Theme) -> Vec<String> {
    let s = symbols(theme);
    let items = [
        (s.synced, "synced"),
        (s.drifted, "drifted"),
        (s.error, "error"),
        (s.pending, "pending"),
        (s.unknown, "unknown"),
        (s.absent, "absent"),
        (s.differs, "differs from the stage before"),
        (s.waiting, "waiting"),
        (s.promoting, "promoting"),
    ];
    let mut lines = vec![String::new()];
    for (marker, word) in items {
        let item = format!("{marker} {word}");
        let Some(line) = lines.last_mut() else {
            continue;
        };
        if !line.is_empty() && line.width() + 2 + item.width() > width as usize {
            lines.push(format!(" {item}"));
        } else if line.is_empty() {
            line.push(' ');
            line.push_str(&item);
        } else {
            line.push_str("  ");
            line.push_str(&item);
        }
    }
    lines
}

fn legend(buf: &mut Buffer, area: Rect, lines: &[String], theme: &Theme) {
    let top = area.bottom().saturating_sub(lines.len() as u16);
    for (i, line) in lines.iter().enumerate() {
        put(
            buf,
            area,
            area.x,
            top + i as u16,
            line,
            area.width as usize,
            theme.dim(),
        );
    }
}
