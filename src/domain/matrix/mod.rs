//! The pipeline matrix: the tenant's APIs × the stages in pipeline order. Each cell says what
//! runs there (version, spec hash), how its gateways are synced, and whether it differs from
//! the stage before; open promotions sit on the boundary between two cells. Pure: the client
//! fetched the lists (`api::matrix`), the console and `envdeck status` read the result.
//!
//! Definitions (also in README, `envdeck status`):
//! - **differs from the previous stage**: this stage runs something other than the stage
//!   before, "nothing" included (a deployed API after an absent one differs, and so does an
//!   absent one after a deployed one). Versions compare by spec hash when both cells have one,
//!   else by version string. `Some(false)` for the first stage; `None` when either side cannot
//!   be known (an unknown cell, or two deployed cells whose versions this role cannot read).
//! - **out of date**: the number of boundaries that differ. Rows sort by it (most first), then
//!   by open promotions (most first), then by unhealthy cells (error, drifted), then by name.

use serde::Serialize;

use super::stage::Stage;
use crate::wire::Timestamp;

/// How an API's gateways in one stage are synced, the worst of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sync {
    Synced,
    Pending,
    Drifted,
    Error,
}

impl Sync {
    pub fn as_str(self) -> &'static str {
        match self {
            Sync::Synced => "synced",
            Sync::Pending => "pending",
            Sync::Drifted => "drifted",
            Sync::Error => "error",
        }
    }

    /// A gateway deployment's `sync_status`; anything unfamiliar (syncing, deleting) waits.
    pub fn from_gateway(raw: &str) -> Sync {
        match raw.trim().to_ascii_lowercase().as_str() {
            "synced" => Sync::Synced,
            "drifted" => Sync::Drifted,
            "error" | "failed" => Sync::Error,
            _ => Sync::Pending,
        }
    }
}

/// What runs in a stage: the version string and, where readable, the spec hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    pub version: String,
    pub spec_hash: Option<String>,
}

/// Characters of the spec hash shown where two stages run the same version string.
pub const SHORT_HASH: usize = 7;

impl Version {
    pub fn short_hash(&self) -> Option<&str> {
        let hash = self.spec_hash.as_deref()?;
        Some(hash.get(..SHORT_HASH).unwrap_or(hash))
    }

    fn same_as(&self, other: &Version) -> bool {
        match (&self.spec_hash, &other.spec_hash) {
            (Some(a), Some(b)) => a == b,
            _ => self.version == other.version,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// Deployed here. `version` is None when this role cannot read it.
    Known {
        version: Option<Version>,
        sync: Sync,
        gateways: u32,
    },
    /// Known not to be deployed here.
    Absent,
    /// This stage could not be read (never shown as absent).
    Unknown { why: String },
}

/// The status of an open promotion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrowStatus {
    Pending,
    Promoting,
}

/// An open promotion across the boundary before a cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrow {
    pub id: String,
    pub status: ArrowStatus,
    pub requested_by: String,
    /// A rollback's reverse promotion: from this cell back to the one before.
    pub reverse: bool,
    pub created_at: Option<Timestamp>,
}

/// One stage of one API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub cell: Cell,
    pub differs: Option<bool>,
    /// The open promotion across the boundary between the stage before and this one.
    pub arrow: Option<Arrow>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixRow {
    /// The API's id as promotions name it (the catalog id).
    pub api: String,
    /// Sanitised display name.
    pub display_name: String,
    /// One per stage, in pipeline order.
    pub slots: Vec<Slot>,
    /// Two stages run the same version string with different specs: show short hashes.
    pub show_hash: bool,
}

impl MatrixRow {
    /// Boundaries where the stage differs from the one before.
    pub fn out_of_date(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.differs == Some(true))
            .count()
    }

    pub fn open_promotions(&self) -> usize {
        self.slots.iter().filter(|s| s.arrow.is_some()).count()
    }

    pub fn unhealthy(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| {
                matches!(
                    s.cell,
                    Cell::Known {
                        sync: Sync::Error | Sync::Drifted,
                        ..
                    }
                )
            })
            .count()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matrix {
    pub stages: Vec<Stage>,
    pub rows: Vec<MatrixRow>,
    /// What the matrix could not know and why, for a line under it.
    pub notes: Vec<String>,
}

impl Matrix {
    pub fn slot(&self, row: usize, stage: usize) -> Option<&Slot> {
        self.rows.get(row)?.slots.get(stage)
    }

    /// Rows (indices into `rows`, in their order) whose API id or name matches every word of
    /// `query`, fuzzily as the console's `/` filter does; all rows when it is blank.
    pub fn filter(&self, query: &str) -> Vec<usize> {
        filter::matching(&self.rows, query)
    }
}

mod build;
mod filter;
pub mod health;

pub use build::{Inputs, StageSource, build, sort_out_of_date_first};
#[cfg(test)]
mod tests;
