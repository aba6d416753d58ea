//! The screen's layout, computed in one place: `ui::view` draws into these areas and
//! `State::table_height` pages by `table_rows`, so paging always matches what is drawn.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::state::{State, ViewKind};

/// What the layout depends on besides the terminal size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// The read-only or emergency banner takes a line.
    pub banner: bool,
    /// Rows drawn above the table inside the view (the Promotions health, strip, queue and
    /// filter: `app::promo::header_rows`).
    pub above_table: u16,
}

impl Facts {
    pub fn of(state: &State) -> Facts {
        Facts {
            banner: super::banner::shown(state),
            above_table: if state.view == ViewKind::Promotions {
                crate::app::promo::header_rows(state).min(u16::MAX as usize) as u16
            } else {
                0
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub banner: Rect,
    pub tabs: Rect,
    /// The view: what is above the table, then the table.
    pub body: Rect,
    /// The status line and the key hints.
    pub footer: Rect,
    /// Table rows that fit in the body (its borders, title and column header removed).
    pub table_rows: u16,
}

/// The table's chrome inside the body: the top border with the title, the column header and
/// the bottom border (`ui::table`).
const TABLE_CHROME: u16 = 3;

pub fn layout(size: Rect, facts: Facts) -> Areas {
    let [header, banner, tabs, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(u16::from(facts.banner)),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(2),
    ])
    .areas(size);
    Areas {
        header,
        banner,
        tabs,
        body,
        footer,
        table_rows: body.height.saturating_sub(facts.above_table + TABLE_CHROME),
    }
}

/// The layout of `state` at its terminal size (what `State::table_height` asks).
pub fn of(state: &State) -> Areas {
    let (width, height) = state.size;
    layout(Rect::new(0, 0, width, height), Facts::of(state))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_gets_what_the_chrome_leaves() {
        let plain = layout(Rect::new(0, 0, 100, 30), Facts::default());
        assert_eq!((plain.body.y, plain.body.height), (3, 25));
        assert_eq!(plain.table_rows, 22);
        assert_eq!(plain.footer, Rect::new(0, 28, 100, 2));
        let facts = Facts {
            banner: true,
            above_table: 8,
        };
        let busy = layout(Rect::new(0, 0, 100, 30), facts);
        assert_eq!(busy.banner.height, 1);
        assert_eq!(busy.table_rows, 22 - 1 - 8);
        let tiny = layout(Rect::new(0, 0, 60, 6), facts);
        assert_eq!(tiny.table_rows, 0);
    }
}
