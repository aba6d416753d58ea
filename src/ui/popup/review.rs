//! The review of a promotion: who asked, when and why, the diff summary, the pre-flight, and
//! the source vs target spec as a coloured, scrollable diff.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::theme::Theme;
use super::frame_box;
use crate::app::keymap::{Command, Scope};
use crate::app::promo::{Preflight, Review};
use crate::app::state::State;
use crate::domain::Operation;
use crate::domain::diff::DiffTag;

fn field(label: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!(" {label:<13}"), theme.dim()),
        Span::raw(if value.is_empty() { "-".into() } else { value }),
    ])
}

/// The pre-flight checks as lines (shared with the create form).
pub fn preflight_lines(pre: &Preflight, theme: &Theme) -> Vec<Line<'static>> {
    let (ok, bad, warn) = if theme.ascii {
        ("ok ", "NO ", "!  ")
    } else {
        ("✓ ", "✗ ", "! ")
    };
    let mut lines = vec![match &pre.chain {
        Ok(()) => Line::styled(format!(" {ok}chain valid"), theme.ok()),
        Err(e) => Line::styled(format!(" {bad}{e}"), theme.error()),
    }];
    lines.push(match &pre.open {
        None => Line::styled(format!(" {ok}no other open promotion"), theme.ok()),
        Some(o) => Line::styled(format!(" {bad}open already: {o}"), theme.error()),
    });
    if let Some(why) = &pre.health_unknown {
        let unknown = if theme.ascii { "?  " } else { "? " };
        lines.push(Line::styled(
            format!(" {unknown}target health unknown: {why}"),
            theme.dim(),
        ));
    } else if pre.unhealthy.is_empty() {
        lines.push(Line::styled(
            format!(" {ok}target gateways healthy"),
            theme.ok(),
        ));
    }
    for g in &pre.unhealthy {
        lines.push(Line::styled(format!(" {warn}{g}"), theme.warning()));
    }
    lines.push(match &pre.last_rollback {
        None => Line::styled(format!(" {ok}never rolled back"), theme.ok()),
        Some(r) => Line::styled(format!(" {warn}last rollback: {r}"), theme.warning()),
    });
    lines
}

/// Counted from the same fields the diff shows (not the server's own summary, which counts
/// the envelope too).
fn summary(review: &Review) -> String {
    match &review.data {
        Some(d) => {
            crate::domain::diff::summary(d.diff.target_spec.as_ref(), d.diff.source_spec.as_ref())
                .to_string()
        }
        None => String::new(),
    }
}

/// The review's keys as the key map has them.
fn keys_line(state: &State, review: &Review, theme: &Theme) -> Line<'static> {
    let keys = &state.keymap;
    let label = |c| keys.label(Scope::Review, c).to_string();
    let p = &review.promotion;
    let approve = label(Command::Approve);
    let approve = match crate::app::promo::decide_on(state, Operation::ApprovePromotion, p) {
        Ok(()) if review.data.is_some() => Span::styled(format!("{approve} approve"), theme.key()),
        Ok(()) => Span::styled(format!("{approve} approve (after the diff)"), theme.dim()),
        Err(reason) => Span::styled(format!("{approve} approve: {reason}"), theme.dim()),
    };
    let rest = format!(
        " · {} complete · {} rollback · {} {} scroll · {} close",
        label(Command::Complete),
        label(Command::Rollback),
        label(Command::Down),
        label(Command::Up),
        label(Command::Close),
    );
    Line::from(vec![
        Span::raw(" "),
        approve,
        Span::styled(rest, theme.dim()),
    ])
}

pub fn draw(frame: &mut Frame, state: &State, review: &Review, theme: &Theme) {
    let area = frame.area();
    let p = &review.promotion;
    let title = format!(
        "Review {} · {} {} → {} · tenant {}",
        crate::domain::diff::short_id(&p.id),
        p.api_id,
        crate::app::localize::label(&state.pipeline, &p.source_environment),
        crate::app::localize::label(&state.pipeline, &p.target_environment),
        state.tenant
    );
    let inner = frame_box(
        frame,
        area.width.saturating_sub(4),
        // Centred with two rows free below: the status line and the footer stay visible.
        area.height.saturating_sub(4),
        &title,
        theme,
    );
    let [top, body, keys] = Layout::vertical([
        Constraint::Length(7),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let when = p
        .created_at
        .map(|t| t.0.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    let facts = vec![
        // The title has the short id; the whole one is here, to copy into the CLI.
        field("id", p.id.clone(), theme),
        field("status", p.status.clone(), theme),
        field("asked by", p.requested_by.clone(), theme),
        field("when", when, theme),
        field("why", p.message.clone(), theme),
        field(
            "approved by",
            p.approved_by.clone().unwrap_or_default(),
            theme,
        ),
        field("summary", summary(review), theme),
    ];
    frame.render_widget(Paragraph::new(facts).wrap(Wrap { trim: false }), top);

    let [diff_area, side] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(40)]).areas(body);
    let diff: Vec<Line> = if let Some(error) = &review.error {
        vec![Line::styled(
            format!(" cannot load the diff: {error}"),
            theme.error(),
        )]
    } else if review.data.is_none() {
        vec![Line::styled(" loading the diff…", theme.dim())]
    } else if review.lines.is_empty() {
        vec![Line::styled(
            " no difference: the target already runs this spec",
            theme.dim(),
        )]
    } else {
        review
            .lines
            .iter()
            .map(|l| {
                let style = match l.tag {
                    DiffTag::Header => theme.key(),
                    DiffTag::Removed => theme.error(),
                    DiffTag::Added => theme.ok(),
                    DiffTag::Same => ratatui::style::Style::default(),
                };
                Line::styled(l.text.clone(), style)
            })
            .collect()
    };
    let scroll = review.scroll.min(u16::MAX as usize) as u16;
    frame.render_widget(
        Paragraph::new(diff)
            .block(
                Block::default()
                    .borders(Borders::TOP)
                    .title(" diff (target now → after) "),
            )
            .scroll((scroll, 0)),
        diff_area,
    );
    let pre = match &review.preflight {
        Some(pre) => preflight_lines(pre, theme),
        None => vec![Line::styled(" …", theme.dim())],
    };
    frame.render_widget(
        Paragraph::new(pre)
            .block(
                Block::default()
                    .borders(Borders::TOP | Borders::LEFT)
                    .title(" pre-flight "),
            )
            .wrap(Wrap { trim: false }),
        side,
    );
    frame.render_widget(Paragraph::new(keys_line(state, review, theme)), keys);
}
