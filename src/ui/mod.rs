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
    let keys: Vec<String> = ViewKind::ALL
        .into_iter()
        .enumerate()
        .map(|(i, kind)| {
            // The key that opens it, as the key map (config.toml included) has it.
            state
                .keymap
                .bindings(crate::app::keymap::Scope::Table)
                .iter()
                .find(|b| b.binding.command == crate::app::keymap::Command::View(kind))
                .map_or_else(|| i.to_string(), |b| b.label.clone())
        })
        .collect();
    let filter = crate::app::keys::current_filter(state);
    let filter = if filter.is_empty() || state.filter_editing {
        String::new()
    } else {
        format!(" filter: {filter}")
    };
    // Narrower forms until the tabs fit: padded, tight, short titles, keys only.
    let width = usize::from(area.width);
    let mut spans = Vec::new();
    for level in 0..4 {
        spans = tab_spans(state, &keys, level, theme);
        let used: usize = spans.iter().map(|s| s.width()).sum();
        if used <= width {
            break;
        }
    }
    if !filter.is_empty() {
        spans.push(Span::styled(filter, theme.warning()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn tab_spans(state: &State, keys: &[String], level: u8, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = vec![Span::raw(" ")];
    for (kind, key) in ViewKind::ALL.into_iter().zip(keys) {
        let active = kind == state.view;
        let title = match level {
            0 | 1 => kind.title(),
            2 => kind.short_title(),
            _ if active => kind.short_title(),
            _ => "",
        };
        let text = if title.is_empty() {
            key.clone()
        } else {
            format!("{key} {title}")
        };
        if active {
            spans.push(Span::styled(
                format!("[{text}]"),
                theme
                    .title()
                    .add_modifier(ratatui::style::Modifier::UNDERLINED),
            ));
        } else if level == 0 {
            spans.push(Span::styled(format!(" {text} "), theme.dim()));
        } else {
            spans.push(Span::styled(text, theme.dim()));
        }
        spans.push(Span::raw(" "));
    }
    spans
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
