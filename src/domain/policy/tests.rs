use super::*;
use crate::domain::role::permissions_for;
use crate::domain::stage::StageName;

pub(super) fn actor(name: &str, role: Role) -> Actor {
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
    assert!(decide_catalog_write(Operation::EditApi, &input, "shipping", &dev_only).is_allowed());
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
