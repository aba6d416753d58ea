//! Lists as an operator reads them: stages by their labels (never a raw `prod` or
//! `development`), subscriptions without a stage marked "all stages", and the audit trail of
//! the active stage (promotion events belong to their source and target stages).

use super::action::ListPayload;
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

/// Applied to every list as it arrives (fresh or cached), before it is packed into rows.
pub fn for_display(payload: &mut ListPayload, pipeline: &Pipeline, active: Option<&StageName>) {
    match payload {
        ListPayload::Gateways(items) => {
            for g in items {
                g.environment = label(pipeline, &g.environment);
            }
        }
        ListPayload::Subscriptions(items) => {
            for s in items {
                s.environment = Some(match s.environment.as_deref() {
                    Some(raw) => label(pipeline, raw),
                    None => ALL_STAGES.to_string(),
                });
            }
        }
        ListPayload::Audit(items) => {
            items.retain(|e| touches(pipeline, &e.stage_names(), active));
            for e in items {
                let labels: Vec<String> = e
                    .stage_names()
                    .iter()
                    .map(|raw| label(pipeline, raw))
                    .collect();
                e.stage_labels = labels.join(" → ");
            }
        }
        ListPayload::Apis(items) => {
            for api in items {
                let names = api.stage_names();
                let stages = crate::domain::policy::stages_named(pipeline, &names);
                api.stage_labels = stages
                    .iter()
                    .map(|s| s.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
            }
        }
        ListPayload::Deployments(_) | ListPayload::Promotions(_) => {}
    }
}
