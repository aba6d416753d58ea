//! The header: every stage as a tab (dot, label, mode word, lock), the active one marked and
//! highlighted in its colour; then tenant, user and roles, context and connection state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::app::list::LoadState;
use crate::app::state::{Connection, State};
use crate::domain::{Mode, Stage};
use crate::wire::Timestamp;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let tabs = stage_tabs(state, theme, area.width as usize);
    let status = status_line(state, theme, area.width as usize);
    frame.render_widget(Paragraph::new(vec![tabs, status]), area);
}

/// How much an inactive tab may be shortened to fit: label length, mode word form, padding.
#[derive(Clone, Copy)]
struct Fit {
    max_label: usize,
    short_mode: bool,
    padded: bool,
    /// The last resort: the active tab's mode word is shortened too (the banner and the
    /// lock still say read-only) and inactive dots touch their labels.
    tight: bool,
}

const fn fit(max_label: usize, short_mode: bool, padded: bool) -> Fit {
    Fit {
        max_label,
        short_mode,
        padded,
        tight: false,
    }
}

const fn tight(max_label: usize) -> Fit {
    Fit {
        max_label,
        short_mode: true,
        padded: false,
        tight: true,
    }
}

/// Tried in order until the tabs fit; the active tab is always shown in full.
const FITS: [Fit; 8] = [
    fit(usize::MAX, false, true),
    fit(12, false, true),
    fit(8, true, true),
    fit(5, true, false),
    fit(3, true, false),
    fit(2, true, false),
    tight(2),
    tight(1),
];

fn mode_word(mode: Mode, short: bool) -> &'static str {
    match (mode, short) {
        (m, false) => m.as_str(),
        (Mode::Full, true) => "rw",
        (Mode::PromoteOnly, true) => "promo",
        (Mode::ReadOnly, true) => "ro",
    }
}

fn truncate(text: &str, max: usize, theme: &Theme) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    // Very short cuts read better without an ellipsis eating half of them.
    if max <= 3 {
        return text.chars().take(max).collect();
    }
    let ellipsis = theme.ellipsis();
    let keep = max.saturating_sub(ellipsis.chars().count()).max(1);
    let mut out: String = text.chars().take(keep).collect();
    out.push_str(ellipsis);
    out
}

fn tab_spans(
    state: &State,
    stage: &Stage,
    active: bool,
    fit: Fit,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let mode = state.effective_mode(stage);
    let (label, word) = if active {
        (stage.label.clone(), mode_word(mode, fit.tight))
    } else {
        (
            truncate(&stage.label, fit.max_label, theme),
            mode_word(mode, fit.short_mode),
        )
    };
    let mut text = format!("{label} {word}");
    if mode == Mode::ReadOnly {
        text.push(' ');
        text.push_str(theme.lock());
    }
    if active {
        let style = theme.active_tab(stage);
        vec![
            Span::styled(format!("{} ", theme.active_marker()), style),
            Span::styled(theme.dot(), style),
            Span::styled(format!(" {text} "), style),
        ]
    } else {
        let (before, after) = if fit.padded { ("  ", " ") } else { ("", "") };
        vec![
            Span::raw(before),
            Span::styled(theme.dot(), theme.dot_style(stage)),
            Span::styled(
                format!("{}{text}{after}", if fit.tight { "" } else { " " }),
                theme.inactive_tab(),
            ),
        ]
    }
}

fn width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(|s| s.content.width()).sum()
}

fn stage_tabs(state: &State, theme: &Theme, available: usize) -> Line<'static> {
    if state.pipeline.is_empty() {
        let (mark, text) = match state.connection {
            Connection::Offline { .. } => (
                Span::styled(if theme.ascii { "x" } else { "✗" }, theme.error()),
                "no stages: the control plane is unreachable",
            ),
            _ => (
                Span::styled(theme.spinner(state.tick), theme.warning()),
                "loading stages…",
            ),
        };
        return Line::from(vec![Span::raw(" "), mark, Span::raw(format!(" {text}"))]);
    }
    let build = |fit: Fit| -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        for (i, stage) in state.pipeline.stages().iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(theme.separator(), theme.dim()));
            }
            let active = state.active.as_ref() == Some(&stage.name);
            spans.extend(tab_spans(state, stage, active, fit, theme));
        }
        spans
    };
    let mut spans = build(FITS[0]);
    for fit in &FITS[1..] {
        if width(&spans) <= available {
            break;
        }
        spans = build(*fit);
    }
    Line::from(spans)
}

/// `12s`, `2m`, `3h`, `2d`.
pub fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = (now.0 - then.0).num_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn connection_spans(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let (load, refreshing) = state.view_load(state.view);
    let mut spans = Vec::new();
    if refreshing || state.connection == Connection::Connecting {
        spans.push(Span::styled(
            format!("{} loading", theme.spinner(state.tick)),
            theme.warning(),
        ));
        spans.push(Span::raw(" "));
    }
    match &state.connection {
        Connection::Offline { since, .. } => spans.push(Span::styled(
            format!("offline {} (r retry)", age(state.now, *since)),
            theme.error(),
        )),
        Connection::Online { last_ok } => match load {
            LoadState::Stale { saved_at } => spans.push(Span::styled(
                format!("stale {}", age(state.now, *saved_at)),
                theme.warning(),
            )),
            _ => spans.push(Span::styled(
                format!("updated {} ago", age(state.now, *last_ok)),
                theme.ok(),
            )),
        },
        Connection::Connecting => {
            if let LoadState::Stale { saved_at } = load {
                spans.push(Span::styled(
                    format!("stale {}", age(state.now, *saved_at)),
                    theme.warning(),
                ));
            }
        }
    }
    spans
}

fn status_line(state: &State, theme: &Theme, available: usize) -> Line<'static> {
    let sep = || Span::styled(format!(" {} ", theme.separator()), theme.dim());
    let mut left = vec![
        Span::raw(" tenant "),
        Span::styled(state.tenant.clone(), theme.title()),
        sep(),
    ];
    match &state.me {
        Some(me) => {
            left.push(Span::styled(me.username.clone(), theme.title()));
            if !me.roles.is_empty() {
                left.push(Span::raw(format!(" ({})", me.roles.join(", "))));
            }
        }
        None => left.push(Span::styled("signing in…", theme.dim())),
    }
    left.push(sep());
    left.push(Span::raw(format!("context {}", state.context_name)));
    let mut right = connection_spans(state, theme);
    let waiting = state.waiting_for_me();
    if waiting > 0 {
        right.push(sep());
        right.push(Span::styled(
            format!("{waiting} waiting for me"),
            theme.warning(),
        ));
    }
    right.push(Span::raw(" "));
    // Too narrow: the context goes first, then the roles; the waiting count stays.
    if width(&left) + width(&right) > available {
        left.truncate(left.len() - 2);
    }
    if width(&left) + width(&right) > available
        && let Some(me) = &state.me
        && !me.roles.is_empty()
    {
        left.pop();
    }
    let used = width(&left) + width(&right);
    if used < available {
        left.push(Span::raw(" ".repeat(available - used)));
    } else {
        left.push(Span::raw(" "));
    }
    left.extend(right);
    Line::from(left)
}
