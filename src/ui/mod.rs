//! Drawing: `view(frame, state)` reads the state and draws it; no I/O, no mutation.

pub mod banner;
pub mod fit;
pub mod footer;
pub mod header;
pub mod layout;
pub mod pipeline;
pub mod popup;
pub mod table;
pub mod theme;
pub mod views;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::state::{State, ViewKind};
use theme::Theme;

/// Below this the layout cannot show the header, a few rows and the footer.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

pub fn view(frame: &mut Frame, state: &State) {
    let theme = Theme::new(state.no_color, state.ascii);
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, &theme);
        return;
    }
    let areas = layout::layout(area, layout::Facts::of(state));
    let [header_area, banner_area, tabs_area, body, footer_area] = [
        areas.header,
        areas.banner,
        areas.tabs,
        areas.body,
        areas.footer,
    ];
    header::draw(frame, header_area, state, &theme);
    if banner_area.height > 0 {
        banner::draw(frame, banner_area, state, &theme);
    }
    view_tabs(frame, tabs_area, state, &theme);
    views::draw(frame, body, state, &theme);
    footer::draw(frame, footer_area, state, &theme);
    popup::draw(frame, state, &theme);
}

fn view_tabs(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut spans = vec![Span::raw(" ")];
    for (i, kind) in ViewKind::ALL.into_iter().enumerate() {
        let text = format!("{} {}", i + 1, kind.title());
        if kind == state.view {
            spans.push(Span::styled(
                format!("[{text}]"),
                theme
                    .title()
                    .add_modifier(ratatui::style::Modifier::UNDERLINED),
            ));
        } else {
            spans.push(Span::styled(format!(" {text} "), theme.dim()));
        }
        spans.push(Span::raw(" "));
    }
    let filter = crate::app::keys::current_filter(state);
    if !filter.is_empty() && !state.filter_editing {
        spans.push(Span::styled(format!(" filter: {filter}"), theme.warning()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "Terminal too small: {}x{} (envdeck needs {MIN_WIDTH}x{MIN_HEIGHT}). Enlarge it, or q to quit.",
        area.width, area.height
    );
    let y = area.height / 2;
    let rect = Rect::new(
        area.x,
        area.y + y.saturating_sub(1),
        area.width,
        area.height - y.saturating_sub(1),
    );
    frame.render_widget(
        Paragraph::new(Line::styled(text, theme.warning()))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}
