//! The read-only banner: "Production environment — read-only mode", with the stage's label.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::state::State;
use crate::domain::{Mode, Stage};

/// Whether the active stage shows the banner (the layout reserves its line).
pub fn shown(state: &State) -> bool {
    state.emergency.is_some()
        || state
            .active_stage()
            .is_some_and(|s| state.effective_mode(s) == Mode::ReadOnly)
}

pub fn text(state: &State, stage: &Stage, theme: &Theme) -> String {
    let mut text = format!(
        "{} environment {} read-only mode",
        stage.label,
        theme.dash()
    );
    if stage.mode != Mode::ReadOnly {
        // Read-only here, not on the server: say where it comes from.
        text.push_str(if state.session_readonly {
            " (this session: --readonly)"
        } else {
            " (on this machine: config.toml)"
        });
    }
    text
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(emergency) = &state.emergency {
        // Loud: nothing else may be mistaken for it.
        let text = crate::app::emergency::banner_text(emergency, state.now);
        let style = theme
            .error()
            .add_modifier(ratatui::style::Modifier::REVERSED);
        frame.render_widget(
            Paragraph::new(Line::from(text))
                .alignment(Alignment::Center)
                .style(style),
            area,
        );
        return;
    }
    let Some(stage) = state.active_stage() else {
        return;
    };
    let line = Line::from(text(state, stage, theme)).style(theme.banner(stage));
    frame.render_widget(
        Paragraph::new(line)
            .alignment(Alignment::Center)
            .style(theme.banner(stage)),
        area,
    );
}
