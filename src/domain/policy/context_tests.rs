use std::collections::BTreeMap;

use super::tests::actor;
use super::*;
use crate::domain::stage::{Pipeline, StageName};
use crate::wire::Timestamp;

fn name(raw: &str) -> StageName {
    StageName::parse(raw).expect("a stage name")
}

/// dev (full), staging (promote-only), "Prod EU" (prod-eu, read-only, not production), a
/// full stage whose label says "Production" but whose identity is `qa`.
fn pipeline() -> Pipeline {
    let stage = |n: &str, label: Option<&str>, mode| Stage::new(name(n), label, mode, None);
    Pipeline::in_order(vec![
        stage("dev", None, Mode::Full),
        stage("qa", Some("Production"), Mode::Full),
        stage("staging", None, Mode::PromoteOnly),
        stage("prod-eu", Some("Prod EU"), Mode::ReadOnly),
    ])
}

const WRITES_THAT_CONFIRM: [Operation; 6] = [
    Operation::CreateApi,
    Operation::EditApi,
    Operation::DeleteApi,
    Operation::ApprovePromotion,
    Operation::CompletePromotion,
    Operation::RollbackPromotion,
];

#[test]
fn a_read_only_stage_is_confirmed_by_its_name_whatever_its_label() {
    let (p, a) = (pipeline(), actor("dave", Role::Devops));
    let ctx = PolicyContext::new(&p, &a);
    assert!(!name("prod-eu").is_production());
    for op in WRITES_THAT_CONFIRM {
        assert_eq!(
            ctx.typed_confirmation(op, &[name("prod-eu")]),
            Some(name("prod-eu")),
            "{op:?}"
        );
        // A label saying "Production" on a full stage asks nothing: identity, not label.
        assert_eq!(ctx.typed_confirmation(op, &[name("qa")]), None, "{op:?}");
        assert_eq!(ctx.typed_confirmation(op, &[name("dev")]), None, "{op:?}");
        assert_eq!(
            ctx.typed_confirmation(op, &[name("staging")]),
            Some(name("staging")),
            "{op:?}: promote-only is guarded too"
        );
    }
    // Creating a promotion only asks; the approval confirms.
    let create = ctx.typed_confirmation(Operation::CreatePromotion, &[name("prod-eu")]);
    assert_eq!(create, None);
}

#[test]
fn confirmation_follows_the_effective_mode_and_names_the_strictest_stage() {
    let (p, a) = (pipeline(), actor("tess", Role::TenantAdmin));
    let tighten = BTreeMap::from([(name("dev"), Mode::ReadOnly)]);
    let ctx = PolicyContext::new(&p, &a).tightened(&tighten);
    assert_eq!(ctx.effective_mode(&name("dev")), Some(Mode::ReadOnly));
    assert_eq!(
        ctx.typed_confirmation(Operation::CreateApi, &[name("dev")]),
        Some(name("dev"))
    );
    let everywhere = [name("dev"), name("staging"), name("prod-eu"), name("qa")];
    assert_eq!(
        ctx.typed_confirmation(Operation::DeleteApi, &everywhere),
        Some(name("prod-eu"))
    );
    assert_eq!(
        ctx.typed_confirmation(Operation::EditApi, &[name("atlantis")]),
        Some(name("atlantis")),
        "an unknown stage counts as read-only"
    );
    let ro = PolicyContext::new(&p, &a).session_readonly(true);
    assert_eq!(ro.effective_mode(&name("qa")), Some(Mode::ReadOnly));
    assert_eq!(ro.effective_mode(&name("atlantis")), None);
}

#[test]
fn decisions_are_by_stage_identity_and_unknown_stages_are_refused() {
    let (p, a) = (pipeline(), actor("dave", Role::Devops));
    let ctx = PolicyContext::new(&p, &a);
    assert!(
        ctx.decide(Operation::CreateApi, &name("dev"), None)
            .is_allowed()
    );
    assert_eq!(
        ctx.decide(Operation::CreateApi, &name("prod-eu"), None),
        Decision::Denied(Denial::ReadOnly {
            stage: "Prod EU".into()
        })
    );
    let unknown = ctx.decide(Operation::CreatePromotion, &name("qa2"), None);
    assert_eq!(
        unknown.denial().map(ToString::to_string).as_deref(),
        Some("qa2 is not a stage this control plane lists")
    );
    let own = PromotionFacts {
        status: PromotionStatus::Pending,
        requested_by: "DAVE",
    };
    assert_eq!(
        ctx.decide(Operation::ApprovePromotion, &name("prod-eu"), Some(own)),
        Decision::Denied(Denial::FourEyes {
            stage: "Prod EU".into()
        })
    );
    let offline = ctx.offline(true);
    assert_eq!(
        offline.decide(Operation::CreateApi, &name("dev"), None),
        Decision::Denied(Denial::Offline)
    );
}

#[test]
fn the_override_counts_only_while_it_lasts_and_only_for_a_cpi_admin() {
    let (p, ada) = (pipeline(), actor("ada", Role::CpiAdmin));
    let now = Timestamp::now();
    let on = Emergency::starting_at("INC-1", OVERRIDE_MAX, now).expect("reason");
    let over = Emergency::starting_at("INC-1", std::time::Duration::ZERO, now).expect("reason");
    let delete = |ctx: PolicyContext<'_>| ctx.decide(Operation::DeleteApi, &name("prod-eu"), None);
    let base = PolicyContext::new(&p, &ada);
    assert_eq!(
        delete(base.emergency(Some(&on), now)),
        Decision::Allowed { via_override: true }
    );
    assert!(!delete(base.emergency(Some(&over), now)).is_allowed());
    assert!(!delete(base.emergency(None, now)).is_allowed());
    let dave = actor("dave", Role::Devops);
    let not_admin = PolicyContext::new(&p, &dave).emergency(Some(&on), now);
    assert!(!delete(not_admin).is_allowed());
}

#[test]
fn a_catalog_write_is_judged_in_every_stage_it_reaches() {
    let (p, a) = (pipeline(), actor("tess", Role::TenantAdmin));
    let ctx = PolicyContext::new(&p, &a);
    let reached = [name("dev"), name("prod-eu"), name("nowhere")];
    assert_eq!(
        ctx.decide_catalog(Operation::DeleteApi, &name("dev"), "payments", &reached)
            .denial()
            .map(ToString::to_string)
            .as_deref(),
        Some("payments is live in Prod EU (read-only)")
    );
    assert!(
        ctx.decide_catalog(Operation::EditApi, &name("dev"), "payments", &[name("qa")])
            .is_allowed()
    );
    assert!(matches!(
        ctx.decide_catalog(Operation::EditApi, &name("mars"), "payments", &[]),
        Decision::Denied(Denial::UnknownStage { .. })
    ));
}

#[test]
fn each_step_names_the_status_it_needs_and_approve_needs_the_review() {
    use PromotionStatus::*;
    let wanted = [
        (Operation::ApprovePromotion, Some(Pending)),
        (Operation::CompletePromotion, Some(Promoting)),
        (Operation::RollbackPromotion, Some(Promoted)),
        (Operation::CreatePromotion, None),
        (Operation::CreateApi, None),
    ];
    for (op, status) in wanted {
        assert_eq!(op.required_status(), status, "{op:?}");
    }
    let (p, a) = (pipeline(), actor("dave", Role::Devops));
    let ctx = PolicyContext::new(&p, &a);
    let reviewed: Vec<Operation> = Operation::ALL
        .into_iter()
        .filter(|op| ctx.needs_review(*op))
        .collect();
    assert_eq!(reviewed, vec![Operation::ApprovePromotion]);
}
