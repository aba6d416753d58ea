//! Named styles and symbols. With NO_COLOR no colour is used at all: stages are still told
//! apart by label, mode word, lock and the active marker. ASCII replaces every symbol.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::{Rgb, Stage};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub no_color: bool,
    pub ascii: bool,
}

const SPINNER_UTF8: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];
const SPINNER_ASCII: [&str; 4] = ["|", "/", "-", "\\"];

impl Theme {
    pub fn new(no_color: bool, ascii: bool) -> Theme {
        Theme { no_color, ascii }
    }

    fn color(&self, c: Color) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    pub fn stage_color(&self, stage: &Stage) -> Option<Color> {
        if self.no_color {
            return None;
        }
        stage.color.map(|Rgb(r, g, b)| Color::Rgb(r, g, b))
    }

    pub fn dot(&self) -> &'static str {
        if self.ascii { "*" } else { "●" }
    }

    pub fn lock(&self) -> &'static str {
        if self.ascii { "[RO]" } else { "🔒" }
    }

    pub fn active_marker(&self) -> &'static str {
        if self.ascii { ">" } else { "▶" }
    }

    pub fn separator(&self) -> &'static str {
        if self.ascii { "|" } else { "│" }
    }

    pub fn dash(&self) -> &'static str {
        if self.ascii { "-" } else { "—" }
    }

    pub fn ellipsis(&self) -> &'static str {
        if self.ascii { "..." } else { "…" }
    }

    pub fn spinner(&self, tick: u64) -> &'static str {
        if self.ascii {
            SPINNER_ASCII[(tick % SPINNER_ASCII.len() as u64) as usize]
        } else {
            SPINNER_UTF8[(tick % SPINNER_UTF8.len() as u64) as usize]
        }
    }

    pub fn dot_style(&self, stage: &Stage) -> Style {
        match self.stage_color(stage) {
            Some(c) => Style::default().fg(c),
            None => Style::default(),
        }
    }

    /// The active tab: its stage colour as background, or reverse video without colour.
    pub fn active_tab(&self, stage: &Stage) -> Style {
        let base = Style::default().add_modifier(Modifier::BOLD);
        match self.stage_color(stage) {
            Some(c) => base.bg(c).fg(Color::Black),
            None => base.add_modifier(Modifier::REVERSED),
        }
    }

    pub fn inactive_tab(&self) -> Style {
        Style::default()
    }

    pub fn banner(&self, stage: &Stage) -> Style {
        let base = Style::default().add_modifier(Modifier::BOLD);
        match self.stage_color(stage) {
            Some(c) => base.bg(c).fg(Color::Black),
            None => base.add_modifier(Modifier::REVERSED),
        }
    }

    pub fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        Style::default().add_modifier(Modifier::DIM)
    }

    pub fn key(&self) -> Style {
        self.color(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn error(&self) -> Style {
        self.color(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(&self) -> Style {
        self.color(Color::Yellow)
    }

    pub fn ok(&self) -> Style {
        self.color(Color::Green)
    }

    pub fn selected_row(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn table_header(&self) -> Style {
        Style::default()
            .add_modifier(Modifier::BOLD)
            .add_modifier(Modifier::UNDERLINED)
    }
}
