//! The one place that decides what is allowed, and says why when it is not.
//!
//! Stage mode (from the server) × local tightening × `--readonly` × emergency override
//! × the actor's permissions (from `/v1/me`) × promotion facts. Keys, footer hints, help,
//! CLI commands, the client's write guard and the embedded server all ask [`decide`].

use std::collections::BTreeSet;
use std::fmt;

use super::promotion::PromotionStatus;
use super::role::{self, Role};
use super::stage::{Mode, Stage};

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denial {
    SessionReadOnly,
    Offline,
    ReadOnly {
        stage: String,
    },
    PromoteOnly {
        stage: String,
    },
    LocallyTightened {
        stage: String,
        mode: Mode,
    },
    MissingPermission(&'static str),
    FourEyes {
        stage: String,
    },
    WrongStatus {
        status: PromotionStatus,
        needed: PromotionStatus,
    },
    /// The catalog entry is shared: the API runs in a stage that forbids the write.
    LiveIn {
        api: String,
        stage: String,
        mode: Mode,
    },
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::SessionReadOnly => f.write_str("this session is read-only (--readonly)"),
            Denial::Offline => {
                f.write_str("offline: writes are locked until the control plane answers")
            }
            Denial::ReadOnly { stage } => write!(f, "{stage} is read-only"),
            Denial::PromoteOnly { stage } => {
                write!(
                    f,
                    "{stage} is promote-only: changes arrive through promotions"
                )
            }
            Denial::LocallyTightened { stage, mode } => {
                write!(f, "{stage} is {mode} on this machine (config.toml)")
            }
            Denial::MissingPermission(p) => write!(f, "you lack the {p} permission"),
            Denial::FourEyes { stage } => write!(
                f,
                "you requested this: four-eyes, someone else must approve it into {stage}"
            ),
            Denial::WrongStatus { status, needed } => {
                write!(f, "the promotion is {status}; this needs {needed}")
            }
            Denial::LiveIn { api, stage, mode } => write!(f, "{api} is live in {stage} ({mode})"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed {
        /// The write lands in a read-only stage through the emergency override.
        via_override: bool,
    },
    Denied(Denial),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }

    pub fn denial(&self) -> Option<&Denial> {
        match self {
            Decision::Denied(d) => Some(d),
            Decision::Allowed { .. } => None,
        }
    }
}

/// Four-eyes applies to promotions into production and into any read-only stage.
pub fn needs_four_eyes(target: &Stage) -> bool {
    target.name.is_production() || target.mode == Mode::ReadOnly
}

/// Typing the stage's name is asked before any write that lands in it (an API write, an
/// approval, a completion, a rollback) when it is production or guarded: read-only or
/// promote-only as this console enforces it (`effective`).
pub fn needs_typed_confirmation(stage: &Stage, effective: Mode) -> bool {
    stage.name.is_production() || effective != Mode::Full || stage.mode != Mode::Full
}

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
        let needed = match op {
            Operation::ApprovePromotion => Some(PromotionStatus::Pending),
            Operation::CompletePromotion => Some(PromotionStatus::Promoting),
            Operation::RollbackPromotion => Some(PromotionStatus::Promoted),
            _ => None,
        };
        if let Some(needed) = needed
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
mod tests {
    use super::*;
    use crate::domain::role::permissions_for;
    use crate::domain::stage::StageName;

    fn actor(name: &str, role: Role) -> Actor {
        let roles = vec![role];
        let permissions = permissions_for(&roles)
            .into_iter()
            .map(String::from)
            .collect();
        Actor {
            username: name.to_string(),
            roles,
            permissions,
        }
    }

    fn stage(name: &str, mode: Mode) -> Stage {
        Stage::new(StageName::parse(name).unwrap(), None, mode, None)
    }

    struct Case {
        op: Operation,
        role: Role,
        mode: Mode,
        stage: &'static str,
        local: Option<Mode>,
        session_ro: bool,
        override_on: bool,
        promo: Option<(PromotionStatus, &'static str)>,
        want: Result<bool, Denial>,
    }

    fn case(op: Operation, role: Role, stage: &'static str, mode: Mode) -> Case {
        Case {
            op,
            role,
            mode,
            stage,
            local: None,
            session_ro: false,
            override_on: false,
            promo: None,
            want: Ok(false),
        }
    }

    #[test]
    fn policy_table() {
        use Operation::*;
        use PromotionStatus::*;
        let ro = |s: &str| Denial::ReadOnly { stage: s.into() };
        let cases = vec![
            Case {
                want: Ok(false),
                ..case(CreateApi, Role::Devops, "dev", Mode::Full)
            },
            Case {
                want: Err(ro("Production")),
                ..case(CreateApi, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                want: Err(ro("Production")),
                ..case(EditApi, Role::TenantAdmin, "prod", Mode::ReadOnly)
            },
            Case {
                want: Err(ro("Production")),
                ..case(DeleteApi, Role::CpiAdmin, "prod", Mode::ReadOnly)
            },
            Case {
                override_on: true,
                want: Ok(true),
                ..case(DeleteApi, Role::CpiAdmin, "prod", Mode::ReadOnly)
            },
            Case {
                override_on: true,
                want: Err(ro("Production")),
                ..case(EditApi, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                want: Err(Denial::PromoteOnly {
                    stage: "Staging".into(),
                }),
                ..case(EditApi, Role::CpiAdmin, "staging", Mode::PromoteOnly)
            },
            Case {
                local: Some(Mode::ReadOnly),
                want: Err(Denial::LocallyTightened {
                    stage: "Staging".into(),
                    mode: Mode::ReadOnly,
                }),
                ..case(CreateApi, Role::Devops, "staging", Mode::Full)
            },
            Case {
                local: Some(Mode::Full),
                want: Err(ro("Production")),
                ..case(CreateApi, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                session_ro: true,
                want: Err(Denial::SessionReadOnly),
                ..case(CreateApi, Role::CpiAdmin, "dev", Mode::Full)
            },
            Case {
                session_ro: true,
                want: Err(Denial::SessionReadOnly),
                ..case(ApprovePromotion, Role::CpiAdmin, "staging", Mode::Full)
            },
            Case {
                want: Err(Denial::MissingPermission("apis:create")),
                ..case(CreateApi, Role::Viewer, "dev", Mode::Full)
            },
            Case {
                want: Err(Denial::MissingPermission("apis:delete")),
                ..case(DeleteApi, Role::Devops, "dev", Mode::Full)
            },
            Case {
                want: Ok(false),
                ..case(CreatePromotion, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                want: Ok(false),
                ..case(CreatePromotion, Role::Devops, "staging", Mode::PromoteOnly)
            },
            Case {
                want: Err(Denial::MissingPermission("apis:promote")),
                ..case(CreatePromotion, Role::Viewer, "staging", Mode::Full)
            },
            Case {
                promo: Some((Pending, "dave")),
                want: Err(Denial::FourEyes {
                    stage: "Production".into(),
                }),
                ..case(ApprovePromotion, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                promo: Some((Pending, "dave")),
                want: Ok(false),
                ..case(ApprovePromotion, Role::Devops, "staging", Mode::Full)
            },
            Case {
                promo: Some((Pending, "dave")),
                want: Err(Denial::FourEyes {
                    stage: "Edge".into(),
                }),
                ..case(ApprovePromotion, Role::Devops, "edge", Mode::ReadOnly)
            },
            Case {
                promo: Some((Pending, "dora")),
                want: Ok(false),
                ..case(ApprovePromotion, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                promo: Some((Promoting, "dora")),
                want: Err(Denial::WrongStatus {
                    status: Promoting,
                    needed: Pending,
                }),
                ..case(ApprovePromotion, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                promo: Some((Promoting, "dave")),
                want: Ok(false),
                ..case(CompletePromotion, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                promo: Some((Promoted, "dave")),
                want: Ok(false),
                ..case(RollbackPromotion, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                promo: Some((RolledBack, "dave")),
                want: Err(Denial::WrongStatus {
                    status: RolledBack,
                    needed: Promoted,
                }),
                ..case(RollbackPromotion, Role::Devops, "prod", Mode::ReadOnly)
            },
            Case {
                promo: Some((Pending, "dave")),
                want: Err(Denial::MissingPermission("apis:promote")),
                ..case(ApprovePromotion, Role::Viewer, "staging", Mode::Full)
            },
        ];
        for (i, c) in cases.iter().enumerate() {
            let a = actor("dave", c.role.clone());
            let s = stage(c.stage, c.mode);
            let input = PolicyInput {
                actor: &a,
                stage: &s,
                local_mode: c.local,
                session_readonly: c.session_ro,
                override_active: c.override_on,
                offline: false,
                promotion: c.promo.map(|(status, requested_by)| PromotionFacts {
                    status,
                    requested_by,
                }),
            };
            let got = decide(c.op, &input);
            let want = match &c.want {
                Ok(via_override) => Decision::Allowed {
                    via_override: *via_override,
                },
                Err(d) => Decision::Denied(d.clone()),
            };
            assert_eq!(
                got, want,
                "case {i}: {:?} as {:?} in {}",
                c.op, c.role, c.stage
            );
        }
    }

    #[test]
    fn offline_locks_writes_and_reasons_read_well() {
        let a = actor("dave", Role::Devops);
        let s = stage("dev", Mode::Full);
        let input = PolicyInput {
            actor: &a,
            stage: &s,
            local_mode: None,
            session_readonly: false,
            override_active: false,
            offline: true,
            promotion: None,
        };
        let d = decide(Operation::CreateApi, &input);
        assert_eq!(d, Decision::Denied(Denial::Offline));
        assert_eq!(
            Denial::ReadOnly {
                stage: "Production".into()
            }
            .to_string(),
            "Production is read-only"
        );
    }

    #[test]
    fn a_catalog_write_is_judged_by_the_strictest_stage_the_api_runs_in() {
        let dev = stage("dev", Mode::Full);
        let staging = stage("staging", Mode::Full);
        let prod = Stage::new(
            StageName::parse("production").unwrap(),
            Some("Production"),
            Mode::ReadOnly,
            None,
        );
        let tess = actor("tess", Role::TenantAdmin);
        let input = PolicyInput {
            actor: &tess,
            stage: &dev,
            local_mode: None,
            session_readonly: false,
            override_active: false,
            offline: false,
            promotion: None,
        };
        let at = |s| Presence {
            stage: s,
            local_mode: None,
        };
        let everywhere = [at(&dev), at(&staging), at(&prod)];
        let denied = decide_catalog_write(Operation::DeleteApi, &input, "payments", &everywhere);
        assert_eq!(
            denied.denial().map(|d| d.to_string()).as_deref(),
            Some("payments is live in Production (read-only)")
        );
        let dev_only = [at(&dev), at(&staging)];
        assert!(
            decide_catalog_write(Operation::EditApi, &input, "shipping", &dev_only).is_allowed()
        );
        let tightened = [Presence {
            stage: &staging,
            local_mode: Some(Mode::ReadOnly),
        }];
        assert_eq!(
            decide_catalog_write(Operation::DeleteApi, &input, "orders", &tightened)
                .denial()
                .map(|d| d.to_string())
                .as_deref(),
            Some("orders is live in Staging (read-only)")
        );
        let ada = actor("ada", Role::CpiAdmin);
        let overriding = PolicyInput {
            actor: &ada,
            override_active: true,
            ..input
        };
        assert_eq!(
            decide_catalog_write(Operation::DeleteApi, &overriding, "payments", &everywhere),
            Decision::Allowed { via_override: true }
        );
        let no_override = PolicyInput {
            actor: &ada,
            ..input
        };
        assert!(
            !decide_catalog_write(Operation::DeleteApi, &no_override, "payments", &everywhere)
                .is_allowed()
        );
    }
}
