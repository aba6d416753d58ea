//! Pipeline health from the promotion history alone (pure; `now` is given).
//!
//! Definitions (also in README, `envdeck status --health`). Only forward promotions count
//! (from a stage into the next one); a rollback's reverse promotion is not a change. The window
//! is the last [`DAYS`] UTC days, today included.
//! - **promotions per day**, per stage after the first: promotions into that stage, by the UTC
//!   day they were requested, whatever became of them.
//! - **change failure rate**, per stage and overall: (failed + rolled back) / (promoted + failed
//!   + rolled back), over finished promotions requested in the window. None with none finished.
//! - **lead time**, first stage to last: for each promotion into the last stage that got there
//!   (promoted, or rolled back later) and finished in the window, walk back one stage at a
//!   time to the latest promoted promotion of the same API into the stage before that had
//!   finished by the time the later one was requested; the lead time runs from the creation of
//!   the first-stage promotion to the finish of the last one. Changes whose chain is not in the
//!   history are left out. The median of those; None without any (or with fewer than two
//!   stages).

use chrono::{Duration, NaiveDate};

use super::super::promotion::PromotionStatus;
use super::super::stage::{Stage, StageName};
use crate::wire::{Promotion, Timestamp};

pub const DAYS: usize = 30;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageHealth {
    pub stage: StageName,
    pub label: String,
    /// Promotions into the stage per UTC day, oldest first; the last is today.
    pub per_day: Vec<u64>,
    pub promoted: u32,
    pub failed: u32,
    pub rolled_back: u32,
}

impl StageHealth {
    pub fn failure_rate(&self) -> Option<f64> {
        rate(self.promoted, self.failed, self.rolled_back)
    }

    pub fn total(&self) -> u64 {
        self.per_day.iter().sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Health {
    /// Every stage but the first, in pipeline order.
    pub stages: Vec<StageHealth>,
    /// Median lead time from the first stage to the last.
    pub lead_time: Option<Duration>,
    /// How many changes the median is of.
    pub lead_samples: usize,
    /// The last day of the window (UTC).
    pub today: NaiveDate,
}

impl Health {
    pub fn failure_rate(&self) -> Option<f64> {
        let sum = |f: fn(&StageHealth) -> u32| self.stages.iter().map(f).sum::<u32>();
        rate(
            sum(|s| s.promoted),
            sum(|s| s.failed),
            sum(|s| s.rolled_back),
        )
    }
}

fn rate(promoted: u32, failed: u32, rolled_back: u32) -> Option<f64> {
    let finished = promoted + failed + rolled_back;
    (finished > 0).then(|| f64::from(failed + rolled_back) / f64::from(finished))
}

/// A forward promotion: its boundary (index of the target stage) and times.
struct Step<'a> {
    p: &'a Promotion,
    into: usize,
    status: PromotionStatus,
}

impl Step<'_> {
    fn created(&self) -> Option<Timestamp> {
        self.p.created_at
    }

    fn finished(&self) -> Option<Timestamp> {
        self.p.completed_at.or(self.p.updated_at)
    }
}

fn steps<'a>(stages: &[Stage], promotions: &'a [Promotion]) -> Vec<Step<'a>> {
    let position = |raw: &str| {
        let name = StageName::parse(raw).ok()?;
        stages.iter().position(|s| s.name == name)
    };
    promotions
        .iter()
        .filter_map(|p| {
            let from = position(&p.source_environment)?;
            let into = position(&p.target_environment)?;
            let status = PromotionStatus::parse(&p.status)?;
            (into == from + 1).then_some(Step { p, into, status })
        })
        .collect()
}

pub fn health(stages: &[Stage], promotions: &[Promotion], now: Timestamp) -> Health {
    let today = now.0.date_naive();
    let first_day = today - Duration::days(DAYS as i64 - 1);
    let in_window = |t: Option<Timestamp>| {
        t.map(|t| t.0.date_naive())
            .is_some_and(|d| d >= first_day && d <= today)
    };
    let steps = steps(stages, promotions);
    let mut out: Vec<StageHealth> = stages
        .iter()
        .skip(1)
        .map(|s| StageHealth {
            stage: s.name.clone(),
            label: s.label.clone(),
            per_day: vec![0; DAYS],
            promoted: 0,
            failed: 0,
            rolled_back: 0,
        })
        .collect();
    for step in &steps {
        let Some(h) = out.get_mut(step.into - 1) else {
            continue;
        };
        let Some(day) = step.created().map(|t| t.0.date_naive()) else {
            continue;
        };
        if !in_window(step.created()) {
            continue;
        }
        let slot = (day - first_day).num_days() as usize;
        if let Some(n) = h.per_day.get_mut(slot) {
            *n += 1;
        }
        match step.status {
            PromotionStatus::Promoted => h.promoted += 1,
            PromotionStatus::Failed => h.failed += 1,
            PromotionStatus::RolledBack => h.rolled_back += 1,
            _ => {}
        }
    }
    let mut leads = lead_times(stages.len(), &steps, &in_window);
    leads.sort();
    Health {
        stages: out,
        lead_time: median(&leads),
        lead_samples: leads.len(),
        today,
    }
}

fn lead_times(
    stage_count: usize,
    steps: &[Step<'_>],
    in_window: &dyn Fn(Option<Timestamp>) -> bool,
) -> Vec<Duration> {
    if stage_count < 2 {
        return Vec::new();
    }
    let last = stage_count - 1;
    let reached = |s: &Step<'_>| {
        matches!(
            s.status,
            PromotionStatus::Promoted | PromotionStatus::RolledBack
        )
    };
    // Each API's steps, so that a chain is looked for among its own (linear in the history).
    let mut by_api: std::collections::HashMap<&str, Vec<&Step<'_>>> =
        std::collections::HashMap::new();
    for s in steps {
        by_api.entry(s.p.api_id.as_str()).or_default().push(s);
    }
    let mut leads = Vec::new();
    for end in steps.iter().filter(|s| s.into == last && reached(s)) {
        let own = by_api
            .get(end.p.api_id.as_str())
            .map_or(&[][..], Vec::as_slice);
        let (Some(done), Some(mut started)) = (end.finished(), end.created()) else {
            continue;
        };
        if !in_window(Some(done)) {
            continue;
        }
        let mut complete = true;
        for into in (1..last).rev() {
            let before = own
                .iter()
                .filter(|s| s.into == into)
                .filter(|s| s.status == PromotionStatus::Promoted)
                .filter(|s| s.finished().is_some_and(|f| f <= started))
                .max_by_key(|s| s.finished());
            match before.and_then(|s| s.created()) {
                Some(t) => started = t,
                None => {
                    complete = false;
                    break;
                }
            }
        }
        if complete && done >= started {
            leads.push(done.0 - started.0);
        }
    }
    leads
}

fn median(sorted: &[Duration]) -> Option<Duration> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

/// "3d 4h", "5h 10m", "12m": the two largest units.
pub fn human(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else {
        format!("{mins}m")
    }
}
