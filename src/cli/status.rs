//! `envdeck status`: the pipeline matrix for scripts and CI gates (README, "envdeck status").
//!
//! JSON (`-o json`): an array with one object per API and stage, in pipeline order, rows most
//! out of date first: `{api, stage, version, sync, differs_from_previous, open_promotion}`.
//! `sync` is synced, pending, drifted, error, absent (not deployed there) or unknown (this
//! role or this run could not read the stage); `version` is null when absent or unreadable;
//! `differs_from_previous` is null when it cannot be told; `open_promotion` is null or
//! `{id, status (pending|promoting), requested_by, from, to}` for the open promotion into the
//! stage. With `--health` the output is `{"health": {...}, "cells": [...]}`.
//! `--fail-on drift|waiting` exits with [`FOUND`] after printing when any shown API has a
//! drifted or failed gateway (drift) or an open promotion (waiting).

use serde::Serialize;

use super::args::{FailOn, OutputFormat, StatusArgs};
use super::connect::Connection;
use super::error::CliError;
use super::output;
use crate::api::matrix::GatewayAccess;
use crate::domain::matrix::health::{self, Health, human};
use crate::domain::matrix::{ArrowStatus, Cell, Matrix, MatrixRow, Slot, Sync};
use crate::domain::text::sanitize;
use crate::wire::Timestamp;

/// Exit code when `--fail-on` finds what it looks for (0–6 are taken, README).
pub const FOUND: u8 = 7;

#[derive(Serialize)]
struct Record<'a> {
    api: &'a str,
    stage: &'a str,
    version: Option<&'a str>,
    sync: &'static str,
    differs_from_previous: Option<bool>,
    open_promotion: Option<Open<'a>>,
}

#[derive(Serialize)]
struct Open<'a> {
    id: &'a str,
    status: ArrowStatus,
    requested_by: &'a str,
    from: &'a str,
    to: &'a str,
}

#[derive(Serialize)]
struct HealthJson<'a> {
    window_days: usize,
    today: String,
    /// From the first stage to the last, in seconds; null without a complete change.
    lead_time_seconds: Option<i64>,
    lead_samples: usize,
    change_failure_rate: Option<f64>,
    stages: Vec<StageJson<'a>>,
}

#[derive(Serialize)]
struct StageJson<'a> {
    stage: &'a str,
    promotions_per_day: &'a [u64],
    promoted: u32,
    failed: u32,
    rolled_back: u32,
    change_failure_rate: Option<f64>,
}

#[derive(Serialize)]
struct WithHealth<'a> {
    health: HealthJson<'a>,
    cells: Vec<Record<'a>>,
}

/// What was printed, and the failure to report after it (`--fail-on`).
pub async fn run(
    conn: &Connection,
    args: &StatusArgs,
    ascii: bool,
) -> Result<(String, Option<CliError>), CliError> {
    let pipeline = super::stages::pipeline(conn).await?;
    if let Err(e) = conn.route_stages().await {
        tracing::warn!(error = %e.message, "stage endpoints unavailable; one control plane serves every stage");
    }
    let data = conn
        .client
        .pipeline_matrix(pipeline.stages(), GatewayAccess::Probe)
        .await?;
    let matrix = &data.matrix;
    for note in &matrix.notes {
        eprintln!("envdeck: note: {}", sanitize(note));
    }
    let rows: Vec<&MatrixRow> = matrix
        .rows
        .iter()
        .filter(|r| !args.only_drift || drifts(r))
        .filter(|r| !args.only_waiting || r.open_promotions() > 0)
        .collect();
    let health = args
        .health
        .then(|| health::health(pipeline.stages(), &data.promotions, Timestamp::now()));
    let out = match output::resolve(args.output) {
        OutputFormat::Json => {
            let cells = records(matrix, &rows);
            match &health {
                Some(h) => output::json(&WithHealth {
                    health: health_json(h),
                    cells,
                })?,
                None => output::json(&cells)?,
            }
        }
        OutputFormat::Table => {
            let mut text = health
                .as_ref()
                .map(|h| health_table(h, ascii))
                .unwrap_or_default();
            text.push_str(&table(matrix, &rows));
            text
        }
    };
    let failure = failure(args, &rows);
    Ok((out, failure))
}

/// A gateway of the API is not in its desired state somewhere.
fn drifts(row: &MatrixRow) -> bool {
    row.slots.iter().any(|s| {
        matches!(
            s.cell,
            Cell::Known {
                sync: Sync::Drifted | Sync::Error,
                ..
            }
        )
    })
}

fn failure(args: &StatusArgs, rows: &[&MatrixRow]) -> Option<CliError> {
    let mut found = Vec::new();
    for check in &args.fail_on {
        let (count, what) = match check {
            FailOn::Drift => (rows.iter().filter(|r| drifts(r)).count(), "drift"),
            FailOn::Waiting => (
                rows.iter().filter(|r| r.open_promotions() > 0).count(),
                "wait for a promotion",
            ),
        };
        if count > 0 {
            let apis = if count == 1 { "API" } else { "APIs" };
            found.push(format!("{count} {apis} {what}"));
        }
    }
    (!found.is_empty()).then(|| CliError::new(FOUND, format!("{} (--fail-on)", found.join(", "))))
}

fn sync_word(cell: &Cell) -> &'static str {
    match cell {
        Cell::Known { sync, .. } => sync.as_str(),
        Cell::Absent => "absent",
        Cell::Unknown { .. } => "unknown",
    }
}

fn records<'a>(matrix: &'a Matrix, rows: &[&'a MatrixRow]) -> Vec<Record<'a>> {
    let mut out = Vec::with_capacity(rows.len() * matrix.stages.len());
    for row in rows {
        for (k, (slot, stage)) in row.slots.iter().zip(&matrix.stages).enumerate() {
            let version = match &slot.cell {
                Cell::Known {
                    version: Some(v), ..
                } => Some(v.version.as_str()),
                _ => None,
            };
            out.push(Record {
                api: &row.api,
                stage: stage.name.as_str(),
                version,
                sync: sync_word(&slot.cell),
                differs_from_previous: slot.differs,
                open_promotion: open_into(matrix, row, k),
            });
        }
    }
    out
}

/// The open promotion into stage `k`: a forward one on its left boundary, or a rollback's
/// reverse one on its right boundary.
fn open_into<'a>(matrix: &'a Matrix, row: &'a MatrixRow, k: usize) -> Option<Open<'a>> {
    let name = |i: usize| matrix.stages.get(i).map_or("", |s| s.name.as_str());
    let forward = row.slots[k].arrow.as_ref().filter(|a| !a.reverse);
    let reverse = row
        .slots
        .get(k + 1)
        .and_then(|s| s.arrow.as_ref())
        .filter(|a| a.reverse);
    match (forward, reverse) {
        (Some(a), _) => Some((a, name(k.wrapping_sub(1)), name(k))),
        (None, Some(a)) => Some((a, name(k + 1), name(k))),
        _ => None,
    }
    .map(|(a, from, to)| Open {
        id: &a.id,
        status: a.status,
        requested_by: &a.requested_by,
        from,
        to,
    })
}

fn cell_words(slot: &Slot, row: &MatrixRow) -> String {
    let mut text = match &slot.cell {
        Cell::Known {
            version: Some(v),
            sync,
            ..
        } => match v.short_hash() {
            Some(h) if row.show_hash => format!("{}@{h} {}", v.version, sync.as_str()),
            _ => format!("{} {}", v.version, sync.as_str()),
        },
        Cell::Known { sync, .. } => format!("? {}", sync.as_str()),
        Cell::Absent => "-".to_string(),
        Cell::Unknown { .. } => "unknown".to_string(),
    };
    if slot.differs == Some(true) {
        text.push_str(" (differs)");
    }
    if let Some(a) = slot.arrow.as_ref() {
        let status = match a.status {
            ArrowStatus::Pending => "pending",
            ArrowStatus::Promoting => "promoting",
        };
        let dir = if a.reverse { "rollback " } else { "" };
        text.push_str(&format!(" [{dir}{status}, {}]", a.requested_by));
    }
    text
}

fn table(matrix: &Matrix, rows: &[&MatrixRow]) -> String {
    let mut headers = vec!["API".to_string()];
    headers.extend(matrix.stages.iter().map(|s| s.label.to_uppercase()));
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            std::iter::once(r.api.clone())
                .chain(r.slots.iter().map(|s| cell_words(s, r)))
                .collect()
        })
        .collect();
    output::table(&headers, &body)
}

fn health_json(h: &Health) -> HealthJson<'_> {
    HealthJson {
        window_days: health::DAYS,
        today: h.today.to_string(),
        lead_time_seconds: h.lead_time.map(|d| d.num_seconds()),
        lead_samples: h.lead_samples,
        change_failure_rate: h.failure_rate(),
        stages: h
            .stages
            .iter()
            .map(|s| StageJson {
                stage: s.stage.as_str(),
                promotions_per_day: &s.per_day,
                promoted: s.promoted,
                failed: s.failed,
                rolled_back: s.rolled_back,
                change_failure_rate: s.failure_rate(),
            })
            .collect(),
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.0}%", r * 100.0))
        .unwrap_or_else(|| "n/a".to_string())
}

fn health_table(h: &Health, ascii: bool) -> String {
    let theme = crate::ui::theme::Theme::new(true, ascii);
    let lead = match h.lead_time {
        Some(t) => format!("{} (median of {})", human(t), h.lead_samples),
        None => "n/a".to_string(),
    };
    let mut out = format!(
        "Health, last {} days: lead time first to last stage {lead}, change failure rate {}\n",
        health::DAYS,
        percent(h.failure_rate())
    );
    let rows: Vec<Vec<String>> = h
        .stages
        .iter()
        .map(|s| {
            vec![
                s.label.clone(),
                crate::ui::pipeline::sparkline(&s.per_day, &theme),
                s.total().to_string(),
                format!(
                    "{} ({}/{})",
                    percent(s.failure_rate()),
                    s.failed + s.rolled_back,
                    s.promoted + s.failed + s.rolled_back
                ),
            ]
        })
        .collect();
    out.push_str(&output::table(
        &["INTO", "PER DAY, OLDEST FIRST", "TOTAL", "FAILED"],
        &rows,
    ));
    out.push('\n');
    out
}
