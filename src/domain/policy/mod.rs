//! The one place that decides what is allowed, and says why when it is not.
//!
//! Stage mode (from the server) × local tightening × `--readonly` × emergency override
//! × the actor's permissions (from `/v1/me`) × promotion facts. Keys, footer hints, help,
//! CLI commands, the client's write guard and the embedded server all ask it through a
//! [`PolicyContext`], the one place that assembles the policy's input.

mod context;
mod denial;
mod emergency;

use std::collections::BTreeSet;

use super::promotion::PromotionStatus;
use super::role::{self, Role};
use super::stage::{Mode, Stage};

pub use context::PolicyContext;
pub use denial::{Decision, Denial};
pub use emergency::{Emergency, OVERRIDE_MAX, OverrideError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    CreateApi,
    EditApi,
    DeleteApi,
    CreatePromotion,
    ApprovePromotion,
    CompletePromotion,
    RollbackPromotion,
}

impl Operation {
    /// Every write the policy judges.
    pub const ALL: [Operation; 7] = [
        Operation::CreateApi,
        Operation::EditApi,
        Operation::DeleteApi,
        Operation::CreatePromotion,
        Operation::ApprovePromotion,
        Operation::CompletePromotion,
        Operation::RollbackPromotion,
    ];

    pub fn permission(self) -> &'static str {
        match self {
            Operation::CreateApi => role::APIS_CREATE,
            Operation::EditApi => role::APIS_UPDATE,
            Operation::DeleteApi => role::APIS_DELETE,
            Operation::CreatePromotion
            | Operation::ApprovePromotion
            | Operation::CompletePromotion
            | Operation::RollbackPromotion => role::APIS_PROMOTE,
        }
    }

    /// Promotions are how changes reach guarded stages, so modes do not block them.
    pub fn is_promotion(self) -> bool {
        !matches!(
            self,
            Operation::CreateApi | Operation::EditApi | Operation::DeleteApi
        )
    }

    /// The status the promotion must be in for this step (`None`: not a step on an existing
    /// promotion). The one place saying approve ← pending, complete ← promoting,
    /// rollback ← promoted.
    pub fn required_status(self) -> Option<PromotionStatus> {
        match self {
            Operation::ApprovePromotion => Some(PromotionStatus::Pending),
            Operation::CompletePromotion => Some(PromotionStatus::Promoting),
            Operation::RollbackPromotion => Some(PromotionStatus::Promoted),
            _ => None,
        }
    }

    /// Approving is tied to the reviewed diff: it is offered once the review was shown.
    pub fn needs_review(self) -> bool {
        self == Operation::ApprovePromotion
    }

    /// Whether landing in a guarded stage asks for its name to be typed. Creating a promotion
    /// does not: it only asks, and nothing changes in the target until it is approved (which
    /// asks then).
    pub fn confirms_guarded_stage(self) -> bool {
        self != Operation::CreatePromotion
    }

    pub fn verb(self) -> &'static str {
        match self {
            Operation::CreateApi => "create",
            Operation::EditApi => "edit",
            Operation::DeleteApi => "delete",
            Operation::CreatePromotion => "promote",
            Operation::ApprovePromotion => "approve",
            Operation::CompletePromotion => "complete",
            Operation::RollbackPromotion => "roll back",
        }
    }
}

/// Who acts: from `/v1/me` on the client, from the token on the server.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub username: String,
    pub roles: Vec<Role>,
    pub permissions: BTreeSet<String>,
}

impl Actor {
    pub fn is_cpi_admin(&self) -> bool {
        self.roles.contains(&Role::CpiAdmin)
    }

    pub fn may(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }
}

/// What is known of the promotion an operation acts on.
#[derive(Clone, Copy, Debug)]
pub struct PromotionFacts<'a> {
    pub status: PromotionStatus,
    pub requested_by: &'a str,
}

/// Everything the decision depends on. `stage` is where the change lands:
/// the active stage for API writes, the target stage for promotions.
#[derive(Clone, Copy, Debug)]
pub struct PolicyInput<'a> {
    pub actor: &'a Actor,
    pub stage: &'a Stage,
    pub local_mode: Option<Mode>,
    pub session_readonly: bool,
    /// An explicit, time-boxed emergency override of a read-only stage (cpi-admin only).
    /// The embedded server sets it for every cpi-admin write and audit-logs it as an override.
    pub override_active: bool,
    pub offline: bool,
    pub promotion: Option<PromotionFacts<'a>>,
}

/// Four-eyes applies to promotions into production and into any read-only stage.
pub fn needs_four_eyes(target: &Stage) -> bool {
    target.name.is_production() || target.mode == Mode::ReadOnly
}

/// The decision for one fully assembled input; callers build the input with
/// [`PolicyContext`] (or call its `decide`), never by hand.
pub fn decide(op: Operation, input: &PolicyInput<'_>) -> Decision {
    let stage = input.stage;
    if input.session_readonly {
        return Decision::Denied(Denial::SessionReadOnly);
    }
    if input.offline {
        return Decision::Denied(Denial::Offline);
    }
    let mut via_override = false;
    if !op.is_promotion() {
        let effective = stage
            .mode
            .tightened_by(input.local_mode.unwrap_or(Mode::Full));
        let locally = effective > stage.mode;
        let label = stage.label.clone();
        match effective {
            Mode::Full => {}
            _ if locally => {
                return Decision::Denied(Denial::LocallyTightened {
                    stage: label,
                    mode: effective,
                });
            }
            Mode::PromoteOnly => return Decision::Denied(Denial::PromoteOnly { stage: label }),
            Mode::ReadOnly if input.override_active && input.actor.is_cpi_admin() => {
                via_override = true;
            }
            Mode::ReadOnly => return Decision::Denied(Denial::ReadOnly { stage: label }),
        }
    }
    if !input.actor.may(op.permission()) {
        return Decision::Denied(Denial::MissingPermission(op.permission()));
    }
    if let Some(facts) = input.promotion {
        if let Some(needed) = op.required_status()
            && facts.status != needed
        {
            return Decision::Denied(Denial::WrongStatus {
                status: facts.status,
                needed,
            });
        }
        if op == Operation::ApprovePromotion
            && needs_four_eyes(stage)
            && facts
                .requested_by
                .eq_ignore_ascii_case(&input.actor.username)
        {
            return Decision::Denied(Denial::FourEyes {
                stage: stage.label.clone(),
            });
        }
    }
    Decision::Allowed { via_override }
}

/// A stage an API runs in, with this machine's tightening of it.
#[derive(Clone, Copy, Debug)]
pub struct Presence<'a> {
    pub stage: &'a Stage,
    pub local_mode: Option<Mode>,
}

/// An API's catalog entry is one per tenant, shared by every stage (as on the real platform):
/// an edit or a delete reaches every stage the API is present in, so the strictest of them
/// decides. `input.stage` is the stage the operator acts from.
pub fn decide_catalog_write(
    op: Operation,
    input: &PolicyInput<'_>,
    api: &str,
    present_in: &[Presence<'_>],
) -> Decision {
    let first = decide(op, input);
    let Decision::Allowed {
        mut via_override, ..
    } = first
    else {
        return first;
    };
    for presence in present_in {
        if presence.stage.name == input.stage.name {
            continue;
        }
        let there = PolicyInput {
            stage: presence.stage,
            local_mode: presence.local_mode,
            ..*input
        };
        match decide(op, &there) {
            Decision::Allowed { via_override: o } => via_override |= o,
            Decision::Denied(Denial::ReadOnly { .. }) => {
                return live_in(api, presence.stage, Mode::ReadOnly);
            }
            Decision::Denied(Denial::PromoteOnly { .. }) => {
                return live_in(api, presence.stage, Mode::PromoteOnly);
            }
            Decision::Denied(Denial::LocallyTightened { mode, .. }) => {
                return live_in(api, presence.stage, mode);
            }
            denied => return denied,
        }
    }
    Decision::Allowed { via_override }
}

fn live_in(api: &str, stage: &Stage, mode: Mode) -> Decision {
    Decision::Denied(Denial::LiveIn {
        api: api.to_string(),
        stage: stage.label.clone(),
        mode,
    })
}

/// The stages of `pipeline` named by raw wire spellings (unknown names are skipped, each stage
/// once, in pipeline order).
pub fn stages_named(
    pipeline: &super::stage::Pipeline,
    raw: impl IntoIterator<Item = impl AsRef<str>>,
) -> Vec<&Stage> {
    let mut found: Vec<&Stage> = raw
        .into_iter()
        .filter_map(|r| pipeline.find(r.as_ref()))
        .collect();
    found.sort_by_key(|s| pipeline.position(&s.name));
    found.dedup_by(|a, b| a.name == b.name);
    found
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod context_tests;
