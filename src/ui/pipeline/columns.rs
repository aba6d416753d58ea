//! How wide the pipeline's columns are: the API column and the stage cells, narrowed until
//! every stage fits, else fair widths and sideways scrolling.

use unicode_width::UnicodeWidthStr;

use crate::domain::Mode;
use crate::domain::matrix::{Cell, Matrix, Slot};
use crate::ui::theme::Theme;

const API_MIN: u16 = 10;
/// What the API column shrinks to before the cells do.
const API_FAIR: u16 = 16;
const API_MAX: u16 = 28;
const CELL_MIN: u16 = 11;
const CELL_MAX: u16 = 24;
/// Cell width when the stages do not all fit and the matrix scrolls sideways.
const CELL_FAIR: u16 = 14;
/// Between two cells: " ▸▸ who ".
pub(super) const GAP: u16 = 9;

/// Column widths for this matrix in `width` columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Widths {
    pub api: u16,
    pub cell: u16,
    /// Stage columns that fit beside the fixed API column.
    pub stages: usize,
}

/// Columns a stage's header takes: dot, label and, on a read-only stage, the lock.
pub(super) fn header_width(stage: &crate::domain::Stage, theme: &Theme) -> usize {
    let lock = if stage.mode == Mode::ReadOnly {
        1 + theme.lock().width()
    } else {
        0
    };
    2 + stage.label.width() + lock
}

pub fn widths(matrix: &Matrix, width: u16, theme: &Theme) -> Widths {
    let longest_api = matrix.rows.iter().map(|r| r.api.width()).max().unwrap_or(0);
    let api = (longest_api as u16 + 1)
        .clamp(API_MIN, API_MAX)
        .min(width / 3);
    let longest_cell = matrix
        .rows
        .iter()
        .flat_map(|r| r.slots.iter().map(move |s| cell_width(s, r.show_hash)))
        .max()
        .unwrap_or(0);
    let labels = matrix
        .stages
        .iter()
        .map(|s| header_width(s, theme))
        .max()
        .unwrap_or(0);
    let cell = (longest_cell.max(labels) as u16).clamp(CELL_MIN, CELL_MAX);
    let n = matrix.stages.len().max(1);
    let fit = |api: u16, cell: u16| {
        // 2 for the selection marker; the first stage has no gap before it.
        let room = width.saturating_sub(2 + api);
        if room < cell {
            1
        } else {
            1 + usize::from((room - cell) / (GAP + cell))
        }
    };
    // The last stage's header may run past its column up to the edge; no further.
    let last_header = matrix.stages.last().map_or(0, |s| header_width(s, theme));
    let last_header_fits = |api: u16, cell: u16| {
        let before = 2 + api + (n as u16 - 1) * (cell + GAP);
        usize::from(width.saturating_sub(before)) >= last_header
    };
    // Every stage in view if narrower columns allow it: the API column gives way to
    // API_FAIR first, then the cells to CELL_MIN, then the API column to API_MIN.
    let mut tries = vec![(api, cell)];
    tries.extend((API_FAIR.min(api)..api).rev().map(|a| (a, cell)));
    let a = API_FAIR.min(api);
    tries.extend((CELL_MIN..cell).rev().map(|c| (a, c)));
    tries.extend((API_MIN..a).rev().map(|a| (a, CELL_MIN)));
    let (api, cell) = tries
        .into_iter()
        .find(|&(a, c)| fit(a, c) >= n && last_header_fits(a, c))
        // Scrolling anyway: fair widths show more stages at once.
        .unwrap_or((API_FAIR.min(api), CELL_FAIR.min(cell)));
    Widths {
        api,
        cell,
        stages: fit(api, cell).min(n),
    }
}

/// The widest text of a cell, counted without formatting it.
fn cell_width(slot: &Slot, show_hash: bool) -> usize {
    let text = match &slot.cell {
        Cell::Known {
            version: Some(v), ..
        } => {
            v.version.width()
                + if show_hash {
                    1 + v.short_hash().map_or(0, str::len)
                } else {
                    0
                }
        }
        Cell::Known { sync, .. } => sync.as_str().len(),
        Cell::Absent => 1,
        Cell::Unknown { .. } => "unknown".len(),
    };
    // marker, space, text, space, difference mark
    text + 4
}
