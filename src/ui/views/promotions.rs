//! The Promotions view: the pipeline's health (computed in `update`, kept in
//! `state.promo.health`; how much of it shows is `app::promo::above`'s rule), the pipeline
//! strip (a box per stage in the server's order, in its colour, with counts and its latest
//! promotion's state), the queue of promotions this user may approve, the filter line, then
//! the list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::super::table::{self, Empty};
use super::super::theme::Theme;
use crate::app::promo::{HealthFit, QUEUE_ROWS, STRIP_ROWS, above};
use crate::app::state::State;
use crate::domain::diff::short_id;
use crate::domain::{PromotionStatus, Stage};
use crate::wire::Promotion;

/// Counts of one stage's incoming promotions, and the latest one's state.
#[derive(Default)]
struct Counts {
    pending: usize,
    promoting: usize,
    promoted: usize,
    failed: usize,
    latest: Option<String>,
}

fn counts(state: &State, stage: &Stage) -> Counts {
    let mut c = Counts::default();
    let mut latest: Option<&Promotion> = None;
    let into = state.promo.all.iter().filter(|p| {
        state.pipeline.find(&p.target_environment).map(|s| &s.name) == Some(&stage.name)
    });
    for p in into {
        match PromotionStatus::parse(&p.status) {
            Some(PromotionStatus::Pending) => c.pending += 1,
            Some(PromotionStatus::Promoting) => c.promoting += 1,
            Some(PromotionStatus::Promoted) => c.promoted += 1,
            Some(PromotionStatus::Failed) => c.failed += 1,
            _ => {}
        }
        if latest.is_none_or(|l| p.created_at.map(|t| t.0) > l.created_at.map(|t| t.0)) {
            latest = Some(p);
        }
    }
    c.latest = latest.map(|p| p.status.clone());
    c
}

fn status_style(status: &str, theme: &Theme) -> Style {
    match PromotionStatus::parse(status) {
        Some(PromotionStatus::Failed) => theme.error(),
        Some(PromotionStatus::Pending | PromotionStatus::Promoting) => theme.warning(),
        Some(PromotionStatus::Promoted) => theme.ok(),
        _ => theme.dim(),
    }
}

fn strip(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let stages = state.pipeline.stages();
    if stages.is_empty() {
        return;
    }
    let arrow = if theme.ascii { "->" } else { "→" };
    let mut constraints = Vec::new();
    for i in 0..stages.len() {
        if i > 0 {
            constraints.push(Constraint::Length(3));
        }
        constraints.push(Constraint::Fill(1));
    }
    let cells = Layout::horizontal(constraints).split(area);
    for (i, stage) in stages.iter().enumerate() {
        if i > 0 {
            let at = cells[2 * i - 1];
            let mid = Rect::new(at.x, at.y + at.height / 2, at.width, 1);
            frame.render_widget(Paragraph::new(format!(" {arrow}")).style(theme.dim()), mid);
        }
        let c = counts(state, stage);
        let active = state.active.as_ref() == Some(&stage.name);
        let border = theme.dot_style(stage);
        let title = if active {
            Span::styled(format!(" {} ", stage.label), theme.active_tab(stage))
        } else {
            Span::styled(format!(" {} ", stage.label), border.patch(theme.title()))
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(Line::from(title));
        let latest = match &c.latest {
            Some(s) => Span::styled(s.clone(), status_style(s, theme)),
            None => Span::styled("no promotion", theme.dim()),
        };
        let lines = vec![
            Line::from(vec![
                Span::styled("pend ", theme.dim()),
                Span::raw(c.pending.to_string()),
                Span::styled(" run ", theme.dim()),
                Span::raw(c.promoting.to_string()),
            ]),
            Line::from(vec![
                Span::styled("done ", theme.dim()),
                Span::raw(c.promoted.to_string()),
                Span::styled(" fail ", theme.dim()),
                Span::styled(
                    c.failed.to_string(),
                    if c.failed > 0 {
                        theme.error()
                    } else {
                        Style::default()
                    },
                ),
            ]),
            Line::from(vec![Span::styled("last ", theme.dim()), latest]),
        ];
        frame.render_widget(Paragraph::new(lines).block(block), cells[2 * i]);
    }
}

fn label(state: &State, raw: &str) -> String {
    crate::app::localize::label(&state.pipeline, raw)
}

fn queue(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let waiting: Vec<&Promotion> = state.approval_queue().collect();
    if waiting.is_empty() {
        return vec![Line::styled(
            " Nothing waits for your approval.",
            theme.dim(),
        )];
    }
    let mut lines = vec![Line::styled(
        format!(" Waiting for your approval ({}):", waiting.len()),
        theme.warning(),
    )];
    let arrow = if theme.ascii { "->" } else { "→" };
    for p in waiting.iter().take(QUEUE_ROWS) {
        lines.push(Line::from(vec![
            Span::styled(format!("   {} ", short_id(&p.id)), theme.key()),
            Span::raw(format!(
                "{} {}{arrow}{} by {}: {}",
                p.api_id,
                label(state, &p.source_environment),
                label(state, &p.target_environment),
                p.requested_by,
                p.message
            )),
        ]));
    }
    lines
}

fn filter_line(state: &State, theme: &Theme) -> Line<'static> {
    let f = &state.promo.filter;
    let status = f.status.map(|s| s.as_str()).unwrap_or("any status");
    let into = if f.any_target {
        "every stage".to_string()
    } else {
        state
            .active_stage()
            .map(|s| s.label.clone())
            .unwrap_or_default()
    };
    let (dot, arrow) = if theme.ascii {
        ("|", "->")
    } else {
        ("·", "→")
    };
    let mut spans = vec![
        Span::styled(" showing ", theme.dim()),
        Span::raw(format!("{status}, into {into}")),
        Span::styled(
            format!("  (f status {dot} t stage {dot} / API)"),
            theme.dim(),
        ),
    ];
    let live: Vec<String> = state
        .promo
        .polling
        .values()
        .map(|p| {
            let (api, target) = (&p.target.api, &p.target.target);
            match p.synced {
                Some((m, n)) => format!("{api} {arrow} {target} {m}/{n} synced"),
                None => format!("{api} {arrow} {target} promoting"),
            }
        })
        .collect();
    if !live.is_empty() {
        let mark = if theme.ascii { "~" } else { "⟳" };
        spans.push(Span::styled(
            format!("  {mark} {}", live.join(", ")),
            theme.warning(),
        ));
    }
    Line::from(spans)
}

/// The health in the rows `fit` gives it (nothing before the promotions are loaded).
fn health(frame: &mut Frame, area: Rect, state: &State, fit: HealthFit, theme: &Theme) {
    let Some(h) = &state.promo.health else {
        return;
    };
    match fit {
        HealthFit::Hidden => {}
        HealthFit::Line => frame.render_widget(
            Paragraph::new(crate::ui::pipeline::health_line(h, area.width, theme)),
            area,
        ),
        HealthFit::Full(_) => crate::ui::pipeline::draw_health(frame.buffer_mut(), area, h, theme),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    // The same rows `ui::layout` took off the table.
    let above = above(state);
    let queue_lines = queue(state, theme);
    let [health_area, strip_area, queue_area, filter_area, rest] = Layout::vertical([
        Constraint::Length(above.health.rows()),
        Constraint::Length(STRIP_ROWS as u16),
        Constraint::Length(1 + above.queue as u16),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    health(frame, health_area, state, above.health, theme);
    strip(frame, strip_area, state, theme);
    frame.render_widget(Paragraph::new(queue_lines), queue_area);
    frame.render_widget(Paragraph::new(filter_line(state, theme)), filter_area);
    let empty = Empty {
        what: "Promotions",
        scope: if state.promo.filter.any_target {
            String::new()
        } else {
            match state.active_stage() {
                Some(stage) => format!("into {}", stage.label),
                None => String::new(),
            }
        },
    };
    table::draw(
        frame,
        rest,
        &state.lists[crate::app::state::ViewKind::Promotions],
        empty,
        state,
        theme,
    );
}
