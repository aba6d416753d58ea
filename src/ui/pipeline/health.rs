//! The health strip: per stage after the first, a sparkline of promotions into it per day over
//! the window and its change failure rate; then the pipeline's median lead time and overall
//! failure rate (definitions in `domain::matrix::health`).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
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

fn stage_line(h: &StageHealth, label_width: usize, theme: &Theme) -> String {
    let arrow = if theme.ascii { "->" } else { "→" };
    let label = truncate(&h.label, label_width, theme);
    let pad = label_width.saturating_sub(label.width());
    let finished = h.promoted + h.failed + h.rolled_back;
    let failed = h.failed + h.rolled_back;
    let total = h.total();
    let noun = if total == 1 {
        "promotion"
    } else {
        "promotions"
    };
    format!(
        " {arrow} {label}{} {} {total:>3} {noun}, {} failed ({failed}/{finished})",
        " ".repeat(pad),
        sparkline(&h.per_day, theme),
        percent(h.failure_rate()),
    )
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
    let label_width = health
        .stages
        .iter()
        .map(|s| s.label.width())
        .max()
        .unwrap_or(0)
        .min(LABEL_MAX)
        // What the line needs beside the label: arrow, sparkline, counts.
        .min(width.saturating_sub(DAYS + 36))
        .max(4);
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
            stage_line(stage, label_width, theme),
            width,
            style,
        );
        y += 1;
    }
}
