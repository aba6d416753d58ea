//! Lists as an operator reads them: stages by their labels (never a raw `prod` or
//! `development`), subscriptions without a stage marked "all stages", and the audit trail of
//! the active stage (promotion events belong to their source and target stages).

use crate::domain::{Pipeline, StageName};

/// What a subscription the server stored without a stage applies to.
pub const ALL_STAGES: &str = "all stages";

/// A raw stage spelling as its label (unknown names stay as they are).
pub fn label(pipeline: &Pipeline, raw: &str) -> String {
    pipeline
        .find(raw)
        .map(|s| s.label.clone())
        .unwrap_or_else(|| raw.to_string())
}

/// Whether an audit entry about `names` belongs in `active`'s trail: entries about no stage
/// (tenant-wide) belong to every stage.
pub fn touches(pipeline: &Pipeline, names: &[&str], active: Option<&StageName>) -> bool {
    let Some(active) = active else {
        return true;
    };
    names.is_empty()
        || names.iter().any(|raw| {
            pipeline.find(raw).map(|s| &s.name) == Some(active)
                || StageName::parse(raw).is_ok_and(|n| &n == active)
        })
}
