//! The health strip: per stage after the first, a sparkline of promotions into it per day over
//! the window and its change failure rate; then the pipeline's median lead time and overall
//! failure rate (definitions in `domain::matrix::health`). [`health_line`] is the same in one
//! line, for the Promotions view on a small terminal.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

use super::truncate;
use crate::domain::matrix::health::{DAYS, Health, StageHealth, human};
use crate::ui::theme::Theme;

const LEVELS_UTF8: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const LEVELS_ASCII: [&str; 8] = ["_", ",", ":", "-", "=", "+", "*", "#"];
const LABEL_MAX: usize = 16;

/// One character per day, scaled to the busiest day; a dot for a day without any.
pub fn sparkline(per_day: &[u64], theme: &Theme) -> String {
    let (levels, zero) = if theme.ascii {
        (LEVELS_ASCII, ".")
    } else {
        (LEVELS_UTF8, "·")
    };
    let max = per_day.iter().copied().max().unwrap_or(0).max(1);
    per_day
        .iter()
        .map(|&n| match n {
            0 => zero,
            n => levels[((n * 8).div_ceil(max) as usize).clamp(1, 8) - 1],
        })
        .collect()
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.0}%", r * 100.0))
        .unwrap_or_else(|| "n/a".to_string())
}

/// What follows a stage's label: sparkline, count, failure rate and (with `fraction`) what
/// the rate is of.
fn stage_tail(h: &StageHealth, fraction: bool, theme: &Theme) -> String {
    let finished = h.promoted + h.failed + h.rolled_back;
    let failed = h.failed + h.rolled_back;
    let total = h.total();
    let noun = if total == 1 {
        "promotion"
    } else {
        "promotions"
    };
    let of = if fraction {
        format!(" ({failed}/{finished})")
    } else {
        String::new()
    };
    format!(
        " {} {total:>3} {noun}, {} failed{of}",
        sparkline(&h.per_day, theme),
        percent(h.failure_rate()),
    )
}

fn arrow(theme: &Theme) -> &'static str {
    if theme.ascii { "->" } else { "→" }
}

fn stage_line(h: &StageHealth, label_width: usize, fraction: bool, theme: &Theme) -> String {
    let label = truncate(&h.label, label_width, theme);
    let pad = label_width.saturating_sub(label.width());
    format!(
        " {} {label}{}{}",
        arrow(theme),
        " ".repeat(pad),
        stage_tail(h, fraction, theme)
    )
}

/// Labels shrink to this many columns before the stage lines drop their fractions.
const LABEL_FAIR: usize = 10;

/// The stage lines' label width and whether they show the fractions, in `width` columns:
/// large counts shorten the labels, then lose the fractions, rather than their rates.
fn stage_columns(health: &Health, width: usize, theme: &Theme) -> (usize, bool) {
    let wanted = health
        .stages
        .iter()
        .map(|s| s.label.width())
        .max()
        .unwrap_or(0)
        .min(LABEL_MAX);
    // What the widest line needs beside the label: arrow, sparkline, counts.
    let room = |fraction: bool| {
        let tail = health
            .stages
            .iter()
            .map(|s| stage_tail(s, fraction, theme).width())
            .max()
            .unwrap_or(0);
        width.saturating_sub(arrow(theme).width() + 2 + tail)
    };
    let fraction = room(true) >= wanted.min(LABEL_FAIR);
    (wanted.min(room(fraction)).max(4), fraction)
}

/// The summary's items, packed into lines of `width` columns.
fn summary_lines(health: &Health, width: u16, theme: &Theme) -> Vec<String> {
    let separator = if theme.ascii { " | " } else { " · " };
    let last = health.stages.last().map(|s| s.label.as_str());
    let lead = match (health.lead_time, last) {
        (Some(t), Some(last)) => format!(
            "lead time to {last}: {} (median of {})",
            human(t),
            health.lead_samples
        ),
        (None, Some(last)) => format!("lead time to {last}: no change went all the way"),
        _ => "one stage: no lead time".to_string(),
    };
    let items = [
        format!("Health, last {DAYS} days: promotions per day"),
        lead,
        format!("change failure rate {}", percent(health.failure_rate())),
    ];
    let mut lines = vec![String::new()];
    for item in items {
        let Some(line) = lines.last_mut() else {
            continue;
        };
        if line.is_empty() {
            line.push(' ');
            line.push_str(&item);
        } else if line.width() + 3 + item.width() > width as usize {
            lines.push(format!(" {item}"));
        } else {
            line.push_str(separator);
            line.push_str(&item);
        }
    }
    lines
}

/// Rows the strip takes in `width` columns.
pub fn health_height(health: &Health, width: u16, theme: &Theme) -> u16 {
    (summary_lines(health, width, theme).len() + health.stages.len()) as u16
}

pub fn draw_health(buf: &mut Buffer, area: Rect, health: &Health, theme: &Theme) {
    let area = area.intersection(buf.area);
    let mut y = area.y;
    let width = area.width as usize;
    for (i, line) in summary_lines(health, area.width, theme)
        .into_iter()
        .enumerate()
    {
        if y >= area.bottom() {
            return;
        }
        let style = if i == 0 { theme.title() } else { theme.dim() };
        super::put(buf, area, area.x, y, line, width, style);
        y += 1;
    }
    let (label_width, fraction) = stage_columns(health, width, theme);
    for stage in &health.stages {
        if y >= area.bottom() {
            return;
        }
        let style = if stage.failed + stage.rolled_back > 0 {
            theme.warning()
        } else {
            theme.ok()
        };
        super::put(
            buf,
            area,
            area.x,
            y,
            stage_line(stage, label_width, fraction, theme),
            width,
            style,
        );
        y += 1;
    }
}

/// The health in one line of at most `width` columns: the promotions per day into every
/// stage after the first together, the change failure rate and the median lead time. What does
/// not fit goes: the count, then what the rate is of, the lead time, the sparkline. With
/// nothing in the window it says so (never a 0%).
pub fn health_line(health: &Health, width: u16, theme: &Theme) -> Line<'static> {
    let head = format!(" Health, {DAYS} days:");
    let total: u64 = health.stages.iter().map(StageHealth::total).sum();
    if total == 0 && health.lead_samples == 0 {
        return Line::from(vec![
            Span::styled(head, theme.title()),
            Span::styled(" no promotions", theme.dim()),
        ]);
    }
    let mut per_day = vec![0; DAYS];
    for stage in &health.stages {
        for (sum, n) in per_day.iter_mut().zip(&stage.per_day) {
            *sum += n;
        }
    }
    let sum = |f: fn(&StageHealth) -> u32| health.stages.iter().map(f).sum::<u32>();
    let failed = sum(|s| s.failed) + sum(|s| s.rolled_back);
    let finished = failed + sum(|s| s.promoted);
    let separator = if theme.ascii { " | " } else { " · " };
    let (rate, of) = match health.failure_rate() {
        Some(r) => (
            format!("{separator}{} failed", percent(Some(r))),
            format!(" ({failed}/{finished})"),
        ),
        None => (format!("{separator}failure rate n/a"), String::new()),
    };
    let rate_style = if failed > 0 {
        theme.warning()
    } else {
        theme.ok()
    };
    let lead = match health.lead_time {
        Some(t) => format!("{separator}lead time {}", human(t)),
        None => format!("{separator}lead time n/a"),
    };
    let noun = if total == 1 {
        "promotion"
    } else {
        "promotions"
    };
    // (text, style, rank: the lowest rank goes first when the line is too wide)
    let mut items: Vec<(String, Style, u8)> = vec![
        (
            format!(" {}", sparkline(&per_day, theme)),
            Style::default(),
            3,
        ),
        (format!(" {total} {noun}"), Style::default(), 0),
        (rate, rate_style, 4),
        (of, rate_style, 1),
        (lead, theme.dim(), 2),
    ];
    let wide = |items: &[(String, Style, u8)]| {
        head.width() + items.iter().map(|(t, _, _)| t.width()).sum::<usize>() > width as usize
    };
    while wide(&items) && items.len() > 1 {
        if let Some(lowest) = (0..items.len()).min_by_key(|&i| items[i].2) {
            items.remove(lowest);
        }
    }
    // The rate leads once the sparkline and the count went: no separator before it then.
    if let Some((text, _, _)) = items.first_mut()
        && let Some(rest) = text.strip_prefix(separator)
    {
        *text = format!(" {rest}");
    }
    let mut spans = vec![Span::styled(head, theme.title())];
    spans.extend(items.into_iter().map(|(t, s, _)| Span::styled(t, s)));
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StageName;

    fn stage(name: &str, label: &str, promoted: u32, failed: u32, per_day: u64) -> StageHealth {
        StageHealth {
            stage: StageName::parse(name).expect("stage"),
            label: label.into(),
            per_day: vec![per_day; DAYS],
            promoted,
            failed,
            rolled_back: 0,
        }
    }

    fn busy() -> Health {
        Health {
            stages: vec![
                stage("staging", "Staging", 15_000, 3_000, 600),
                stage("production", "Production", 900, 100, 30),
            ],
            lead_time: Some(chrono::Duration::minutes(12 * 60 + 30)),
            lead_samples: 900,
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("day"),
        }
    }

    fn text(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_line_fits_and_drops_the_least_useful_first() {
        let theme = Theme::new(false, false);
        let h = busy();
        for width in 40..=200 {
            let line = text(&health_line(&h, width, &theme));
            assert!(line.width() <= width as usize, "{width}: {line}");
            assert!(line.contains("16% failed"), "{width}: {line}");
        }
        let wide = text(&health_line(&h, 200, &theme));
        assert!(wide.contains("18900 promotions") && wide.contains("(3100/19000)"));
        assert!(wide.contains("lead time 12h 30m"), "{wide}");
        // 80 columns: the sparkline and the rate; the count, the fraction and the lead go.
        let narrow = text(&health_line(&h, 80, &theme));
        assert!(narrow.contains("█"), "{narrow}");
        assert!(
            !narrow.contains("promotions") && !narrow.contains('('),
            "{narrow}"
        );
        // Nothing in the window: said in words, no rate.
        let mut empty = busy();
        for s in &mut empty.stages {
            s.per_day = vec![0; DAYS];
        }
        empty.lead_samples = 0;
        let line = text(&health_line(&empty, 80, &theme));
        assert_eq!(line, " Health, 30 days: no promotions");
    }

    fn stage_lines(h: &Health, width: u16) -> Vec<String> {
        let theme = Theme::new(true, true);
        let rows = health_height(h, width, &theme);
        let area = Rect::new(0, 0, width, rows);
        let mut buf = Buffer::empty(area);
        draw_health(&mut buf, area, h, &theme);
        let line = |y: u16| (0..width).map(|x| buf[(x, y)].symbol()).collect::<String>();
        (rows - h.stages.len() as u16..rows).map(line).collect()
    }

    #[test]
    fn large_counts_lose_their_fractions_rather_than_their_rates() {
        let h = busy();
        // 80 columns: the labels whole, the rates, no fractions.
        let lines = stage_lines(&h, 80);
        assert!(
            lines[0]
                .trim_end()
                .ends_with("18000 promotions, 17% failed"),
            "{lines:?}"
        );
        assert!(lines[1].starts_with(" -> Production "), "{lines:?}");
        assert!(
            lines[1].trim_end().ends_with("900 promotions, 10% failed"),
            "{lines:?}"
        );
        // Wide enough: the fractions too.
        let lines = stage_lines(&h, 100);
        assert!(
            lines[0].trim_end().ends_with("17% failed (3000/18000)"),
            "{lines:?}"
        );
    }
}
