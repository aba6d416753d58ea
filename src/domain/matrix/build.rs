//! Building the matrix from what the client read: the catalog, each stage's gateway
//! deployments (or only the catalog's presence where the role cannot list them) and the
//! promotions, which become the arrows between cells.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Arrow, ArrowStatus, Cell, Matrix, MatrixRow, Slot, Sync, Version};
use crate::domain::promotion::PromotionStatus;
use crate::domain::stage::{Stage, StageName};
use crate::domain::text;
use crate::wire::{Api, GatewayDeployment, Promotion};

/// What the client could read about one stage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StageSource {
    /// Every gateway deployment of the tenant in the stage: complete.
    Deployments(Vec<GatewayDeployment>),
    /// Only the catalog's `runtime_deployments` (presence and sync); versions are unknown.
    Runtime { why: String },
    /// Nothing is known about the stage.
    Unknown { why: String },
}

/// What the matrix is built from besides the stages and the promotions: kept by the console
/// so that a new promotion list redraws the arrows without asking the stages again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    /// The stages they were read for, in pipeline order (a cached copy read for other stages
    /// is not used).
    pub stages: Vec<StageName>,
    pub catalog: Vec<Api>,
    /// One per stage, in pipeline order.
    pub sources: Vec<StageSource>,
}

impl Inputs {
    /// Whether they were read for exactly these stages.
    pub fn read_for(&self, stages: &[Stage]) -> bool {
        self.stages.iter().eq(stages.iter().map(|s| &s.name))
    }

    pub fn build(&self, stages: &[Stage], promotions: &[Promotion]) -> Matrix {
        build(stages, &self.catalog, &self.sources, promotions)
    }

    /// The gateway deployments of row `api` (as [`MatrixRow::api`]) in the stage at `index`, when the
    /// stage's list was readable.
    pub fn deployments_of<'a>(
        &'a self,
        index: usize,
        api: &'a str,
    ) -> Option<impl Iterator<Item = &'a GatewayDeployment> + 'a> {
        match self.sources.get(index)? {
            StageSource::Deployments(list) => Some(list.iter().filter(move |d| {
                d.api_id() == api || d.api_catalog_id == api || d.api_name() == api
            })),
            _ => None,
        }
    }
}

/// Builds the matrix. `sources` holds one entry per stage (missing ones are unknown).
pub fn build<'a>(
    stages: &'a [Stage],
    catalog: &[Api],
    sources: &[StageSource],
    promotions: &[Promotion],
) -> Matrix {
    let mut rows: Vec<MatrixRow> = Vec::with_capacity(catalog.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(catalog.len() * 2);
    for api in catalog {
        if index.contains_key(&api.id) {
            continue;
        }
        index.insert(api.id.clone(), rows.len());
        if !api.name.is_empty() {
            index.entry(api.name.clone()).or_insert(rows.len());
        }
        let name = if api.display_name.trim().is_empty() {
            &api.name
        } else {
            &api.display_name
        };
        rows.push(new_row(&api.id, name, stages.len()));
    }
    // (what, why) → the stages it applies to, in pipeline order.
    let mut gaps: Vec<(&str, String, Vec<&str>)> = Vec::new();
    let mut note = |what: &'static str, why: &str, label: &'a str| match gaps
        .iter_mut()
        .find(|(w, y, _)| *w == what && y == why)
    {
        Some((_, _, labels)) => labels.push(label),
        None => gaps.push((what, why.to_string(), vec![label])),
    };
    for (k, stage) in stages.iter().enumerate() {
        let unknown = StageSource::Unknown {
            why: "not read".to_string(),
        };
        match sources.get(k).unwrap_or(&unknown) {
            StageSource::Deployments(list) => {
                fill_from_deployments(&mut rows, &mut index, k, list, stages.len())
            }
            StageSource::Runtime { why } => {
                note("versions unknown in", why, &stage.label);
                fill_from_runtime(&mut rows, catalog, &index, k, &stage.name);
            }
            StageSource::Unknown { why } => note("cannot read", why, &stage.label),
        }
    }
    // After every stage: rows found in a later stage's list are unknown here too.
    for (k, source) in sources.iter().enumerate().take(stages.len()) {
        if let StageSource::Unknown { why } = source {
            for row in &mut rows {
                row.slots[k].cell = Cell::Unknown { why: why.clone() };
            }
        }
    }
    for row in &mut rows {
        for slot in row.slots.iter_mut().skip(sources.len()) {
            slot.cell = Cell::Unknown {
                why: "not read".to_string(),
            };
        }
    }
    let notes = gaps
        .into_iter()
        .map(|(what, why, labels)| format!("{what} {}: {why}", labels.join(", ")))
        .collect();
    for row in &mut rows {
        finish_row(row);
    }
    place_arrows(&mut rows, &index, stages, promotions);
    let mut matrix = Matrix {
        stages: stages.to_vec(),
        rows,
        notes,
    };
    sort_out_of_date_first(&mut matrix.rows);
    matrix
}

fn new_row(api: &str, name: &str, stages: usize) -> MatrixRow {
    MatrixRow {
        api: text::sanitize(api).into_owned(),
        display_name: text::sanitize(name).into_owned(),
        slots: vec![
            Slot {
                cell: Cell::Absent,
                differs: None,
                arrow: None,
            };
            stages
        ],
        show_hash: false,
    }
}

fn fill_from_deployments(
    rows: &mut Vec<MatrixRow>,
    index: &mut HashMap<String, usize>,
    k: usize,
    list: &[GatewayDeployment],
    stages: usize,
) {
    // Each API's deployments in this stage, grouped by row.
    let mut by_row: HashMap<usize, Vec<&GatewayDeployment>> = HashMap::new();
    for d in list {
        let id = d.api_id();
        let key = if id.is_empty() { d.api_name() } else { id };
        if key.is_empty() {
            continue;
        }
        let at = match index.get(key).or_else(|| index.get(d.api_name())).copied() {
            Some(at) => at,
            // Deployed but not in the catalog list: still a row of the pipeline.
            None => {
                index.insert(key.to_string(), rows.len());
                rows.push(new_row(key, d.api_name(), stages));
                rows.len() - 1
            }
        };
        by_row.entry(at).or_default().push(d);
    }
    for (at, found) in by_row {
        rows[at].slots[k].cell = cell_of(&found);
    }
}

/// The cell of an API from its gateway deployments in one stage: the worst sync; the version
/// a synced gateway runs, else the latest desired one (as the embedded server's lists do).
fn cell_of(found: &[&GatewayDeployment]) -> Cell {
    let live: Vec<&&GatewayDeployment> = found
        .iter()
        .filter(|d| !d.sync_status.eq_ignore_ascii_case("deleting"))
        .collect();
    let pool: Vec<&&GatewayDeployment> = if live.is_empty() {
        found.iter().collect()
    } else {
        live
    };
    // Only `deleting` rows left: on its way out, which reads as pending.
    let sync = pool
        .iter()
        .map(|d| Sync::from_gateway(&d.sync_status))
        .max()
        .unwrap_or(Sync::Pending);
    let chosen = pool.iter().max_by(|a, b| {
        (a.sync_status == "synced", a.desired_at).cmp(&(b.sync_status == "synced", b.desired_at))
    });
    let version = chosen.map(|d| Version {
        version: text::sanitize(d.version()).into_owned(),
        spec_hash: d.spec_hash().map(|h| text::sanitize(h).into_owned()),
    });
    Cell::Known {
        version,
        sync,
        gateways: pool.len() as u32,
    }
}

fn fill_from_runtime(
    rows: &mut [MatrixRow],
    catalog: &[Api],
    index: &HashMap<String, usize>,
    k: usize,
    stage: &StageName,
) {
    for api in catalog {
        let Some(&at) = index.get(&api.id) else {
            continue;
        };
        let mut counts = (0u32, 0u32, 0u32, 0u32, 0u32);
        let mut status = None;
        for r in api
            .runtime_deployments
            .iter()
            .filter(|r| StageName::parse(&r.environment).is_ok_and(|n| &n == stage))
        {
            counts.0 += r.gateway_count;
            counts.1 += r.error_count;
            counts.2 += r.drifted_count;
            counts.3 += r.pending_count;
            counts.4 += r.synced_count;
            status = status.or(Some(r.status.as_str()));
        }
        let (gateways, error, drifted, pending, synced) = counts;
        if gateways == 0 && error + drifted + pending + synced == 0 {
            continue;
        }
        let sync = if error > 0 {
            Sync::Error
        } else if drifted > 0 {
            Sync::Drifted
        } else if pending > 0 {
            Sync::Pending
        } else if synced > 0 {
            Sync::Synced
        } else {
            Sync::from_gateway(status.unwrap_or_default())
        };
        rows[at].slots[k].cell = Cell::Known {
            version: None,
            sync,
            gateways: gateways.max(error + drifted + pending + synced),
        };
    }
}

/// What a cell holds, for comparing neighbours: None when it cannot be told.
enum Content<'a> {
    Nothing,
    Runs(&'a Version),
    RunsUnknown,
}

fn content(cell: &Cell) -> Option<Content<'_>> {
    match cell {
        Cell::Absent => Some(Content::Nothing),
        Cell::Known {
            version: Some(v), ..
        } => Some(Content::Runs(v)),
        Cell::Known { version: None, .. } => Some(Content::RunsUnknown),
        Cell::Unknown { .. } => None,
    }
}

fn differs(before: &Cell, here: &Cell) -> Option<bool> {
    match (content(before)?, content(here)?) {
        (Content::Nothing, Content::Nothing) => Some(false),
        (Content::Nothing, _) | (_, Content::Nothing) => Some(true),
        (Content::Runs(a), Content::Runs(b)) => Some(!a.same_as(b)),
        _ => None,
    }
}

fn finish_row(row: &mut MatrixRow) {
    for k in 0..row.slots.len() {
        row.slots[k].differs = match k {
            0 => Some(false),
            _ => differs(&row.slots[k - 1].cell, &row.slots[k].cell),
        };
    }
    let versions: Vec<&Version> = row
        .slots
        .iter()
        .filter_map(|s| match &s.cell {
            Cell::Known {
                version: Some(v), ..
            } => Some(v),
            _ => None,
        })
        .collect();
    row.show_hash = versions.iter().enumerate().any(|(i, a)| {
        versions[i + 1..]
            .iter()
            .any(|b| a.version == b.version && !a.same_as(b))
    });
}

fn place_arrows(
    rows: &mut [MatrixRow],
    index: &HashMap<String, usize>,
    stages: &[Stage],
    promotions: &[Promotion],
) {
    let position = |raw: &str| {
        let name = StageName::parse(raw).ok()?;
        stages.iter().position(|s| s.name == name)
    };
    for p in promotions {
        let status = match PromotionStatus::parse(&p.status) {
            Some(PromotionStatus::Pending) => ArrowStatus::Pending,
            Some(PromotionStatus::Promoting) => ArrowStatus::Promoting,
            _ => continue,
        };
        let Some(&at) = index.get(&p.api_id) else {
            continue;
        };
        let (Some(from), Some(to)) = (
            position(&p.source_environment),
            position(&p.target_environment),
        ) else {
            continue;
        };
        let (slot, reverse) = if to == from + 1 {
            (to, false)
        } else if from == to + 1 {
            (from, true)
        } else {
            continue;
        };
        let arrow = Arrow {
            id: text::sanitize(&p.id).into_owned(),
            status,
            requested_by: text::sanitize(&p.requested_by).into_owned(),
            reverse,
            created_at: p.created_at,
        };
        let here = &mut rows[at].slots[slot].arrow;
        // One open promotion per API and target; a forward one wins over a reverse one.
        let key = |a: &Arrow| (!a.reverse, a.created_at);
        if here.as_ref().is_none_or(|old| key(&arrow) > key(old)) {
            *here = Some(arrow);
        }
    }
}

/// The default order: most out-of-date first (see the module docs).
pub fn sort_out_of_date_first(rows: &mut [MatrixRow]) {
    rows.sort_by_cached_key(|r| {
        (
            std::cmp::Reverse(r.out_of_date()),
            std::cmp::Reverse(r.open_promotions()),
            std::cmp::Reverse(r.unhealthy()),
            r.display_name.to_lowercase(),
            r.api.clone(),
        )
    });
}
