//! The pure domain model: stages, modes, roles, policy and promotion rules.
//! No I/O here; the client, the console and the embedded server all ask this module.

pub mod diff;
pub mod matrix;
pub mod policy;
pub mod promotion;
pub mod role;
pub mod stage;
pub mod text;

pub use policy::{Decision, Denial, Emergency, Operation, PolicyContext, PolicyInput, decide};
pub use promotion::{PromotionStatus, validate_chain, validate_message};
pub use role::{Role, permissions_for};
pub use stage::{Mode, Pipeline, Rgb, Stage, StageName, WireSpelling};
