//! The create-promotion form: source deployment, target gateways, message with its counter,
//! and the pre-flight beside it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::theme::Theme;
use super::frame_box;
use super::review::preflight_lines;
use crate::app::promo::{FormFocus, PromoteForm};
use crate::app::state::State;
use crate::domain::promotion::MESSAGE_MAX_CHARS;

pub fn draw(frame: &mut Frame, state: &State, form: &PromoteForm, theme: &Theme) {
    let d = &form.draft;
    let label = |name| {
        state
            .pipeline
            .get(name)
            .map(|s| s.label.clone())
            .unwrap_or_else(|| name.to_string())
    };
    let title = format!(
        "Promote {} · {} → {} · tenant {}",
        d.api_name,
        label(&d.source),
        label(&d.target),
        state.tenant
    );
    let targets = d.targets(form.source);
    let height = (8 + d.lanes.len() + targets.len().max(1)).min(30) as u16;
    let inner = frame_box(frame, 96, height, &title, theme);
    let [left, right] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(38)]).areas(inner);
    let marker = |focus: FormFocus| {
        if form.focus == focus {
            Span::styled(theme.active_marker(), theme.key())
        } else {
            Span::raw(" ")
        }
    };
    let mut lines = vec![Line::from(vec![
        marker(FormFocus::Source),
        Span::styled(
            format!(" Source (synced in {})", label(&d.source)),
            theme.title(),
        ),
    ])];
    for (i, s) in d.lanes.iter().map(|l| &l.source).enumerate() {
        let pick = if i == form.source { "(o)" } else { "( )" };
        lines.push(Line::raw(format!(
            "   {pick} {} v{} on {}",
            s.api_name(),
            s.version(),
            s.gateway_label()
        )));
    }
    lines.push(Line::from(vec![
        marker(FormFocus::Gateways),
        Span::styled(
            format!(" Target gateways in {}", label(&d.target)),
            theme.title(),
        ),
        Span::styled("  (space toggles)", theme.dim()),
    ]));
    if targets.is_empty() {
        let why = d
            .lanes
            .get(form.source)
            .and_then(|l| crate::api::plan::lane_problem(l, &label(&d.target)))
            .unwrap_or_default();
        lines.push(Line::styled(format!("   {why}"), theme.warning()));
    }
    for (i, g) in targets.iter().enumerate() {
        let on = if form.chosen.get(i).copied().unwrap_or(false) {
            "[x]"
        } else {
            "[ ]"
        };
        let cursor = form.focus == FormFocus::Gateways && i == form.cursor;
        let owner = if g.tenant_id.is_none() {
            ", platform"
        } else {
            ""
        };
        let text = format!("   {on} {} ({}{owner})", g.name, g.status);
        lines.push(if cursor {
            Line::styled(text, theme.selected_row())
        } else {
            Line::raw(text)
        });
    }
    let count = form.message.value().chars().count();
    let counter_style = if count > MESSAGE_MAX_CHARS || count == 0 {
        theme.warning()
    } else {
        theme.dim()
    };
    lines.push(Line::from(vec![
        marker(FormFocus::Message),
        Span::styled(" Message ", theme.title()),
        Span::styled(format!("{count}/{MESSAGE_MAX_CHARS}"), counter_style),
    ]));
    let width = left.width.saturating_sub(6) as usize;
    let scroll = form.message.visual_scroll(width.saturating_sub(1));
    let visible: String = form
        .message
        .value()
        .chars()
        .skip(scroll)
        .take(width)
        .collect();
    let mut msg = vec![Span::styled("   > ", theme.key()), Span::raw(visible)];
    if form.focus == FormFocus::Message {
        msg.push(Span::styled(
            if theme.ascii { "_" } else { "▏" },
            theme.key(),
        ));
    }
    lines.push(Line::from(msg));
    lines.push(match &form.error {
        Some(e) => Line::styled(format!(" {e}"), theme.error()),
        None => Line::default(),
    });
    lines.push(Line::styled(
        " Tab next · Up/Down choose · Enter request · Esc cancel",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), left);
    frame.render_widget(
        Paragraph::new(preflight_lines(&form.preflight, theme))
            .block(
                Block::default()
                    .borders(Borders::LEFT)
                    .title(" pre-flight "),
            )
            .wrap(Wrap { trim: false }),
        right,
    );
}
