//! The promotion effects and their replies, as data: what the runner fetches for the review,
//! the create form and the live polling (`runtime::promo` does it).

use crate::app::action::Stamp;
use crate::app::failure::Failure;
use crate::app::promo::{Draft, ReviewData};
use crate::domain::{StageName, WireSpelling};
use crate::wire::{GatewayDeployment, Promotion};

#[derive(Clone, Debug, PartialEq)]
pub enum PromoEffect {
    /// Everything the create form needs for an API from `source` into `target`.
    Prepare {
        api_id: String,
        api_name: String,
        source: StageName,
        target: StageName,
        stamp: Stamp,
    },
    /// The promotion, its diff and the pre-flight facts.
    Review { id: String, stamp: Stamp },
    /// The promotion's status and the target's gateway deployments.
    Poll { id: String },
}

#[derive(Debug)]
// It travels boxed (`Action::Promo`), so its variants' sizes cost nothing.
#[allow(clippy::large_enum_variant)]
pub enum PromoReply {
    Draft {
        stamp: Stamp,
        result: Result<Box<Draft>, Failure>,
    },
    Review {
        id: String,
        stamp: Stamp,
        result: Result<Box<ReviewData>, Failure>,
    },
    Polled {
        id: String,
        result: Result<Polled, Failure>,
    },
}

/// A promoting promotion as last seen, with its target's gateway deployments when this role
/// may read them.
#[derive(Debug)]
pub struct Polled {
    pub promotion: Promotion,
    pub deployments: Option<Vec<GatewayDeployment>>,
}

/// The wire spelling of a stage in a create body.
pub fn wire_name(stage: &StageName) -> String {
    stage.wire(WireSpelling::Long).to_string()
}
