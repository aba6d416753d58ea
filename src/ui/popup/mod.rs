//! Popups drawn over the view: one file each.

pub mod confirm;
pub mod detail;
pub mod form;
pub mod help;
pub mod login;
pub mod palette;
pub mod promote;
pub mod review;
pub mod switcher;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};

use super::theme::Theme;
use crate::app::state::{Popup, State};

/// A centred box of at most `width`×`height`, cleared, with a titled border; returns the inside.
pub fn frame_box(frame: &mut Frame, width: u16, height: u16, title: &str, theme: &Theme) -> Rect {
    let area = frame.area();
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height.min(area.height.saturating_sub(2)).max(1);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {title} "))
        .title_style(theme.title());
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    match &state.popup {
        None => {}
        Some(Popup::Switcher { selected }) => switcher::draw(frame, state, *selected, theme),
        Some(Popup::Help { scroll }) => help::draw(frame, state, *scroll, theme),
        Some(Popup::Palette(p)) => palette::draw(frame, state, p, theme),
        Some(Popup::Form(f)) => form::draw(frame, state, f, theme),
        Some(Popup::Confirm(c)) => confirm::draw(frame, c, theme),
        Some(Popup::Detail(d)) => detail::draw(frame, d, theme),
        Some(Popup::Review(r)) => review::draw(frame, state, r, theme),
        Some(Popup::Promote(f)) => promote::draw(frame, state, f, theme),
    }
    // Over any other popup: nothing works until the session is back.
    login::draw(frame, &state.sign_in, theme);
}
