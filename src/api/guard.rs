//! The client's write guard: asked before every write is sent (API create, edit and delete;
//! promotion create, approve, complete and rollback), so that a guarded stage is protected
//! even if a caller forgets to check. It follows what the client learns: the stages each time
//! `environments()` answers, the actor each time `me()` answers; until it knows both it
//! refuses every write. It asks `domain::policy` through a [`PolicyContext`] and re-derives
//! no rule.

use std::collections::BTreeMap;

use crate::domain::policy::{Actor, Decision, PolicyContext, PromotionFacts};
use crate::domain::{Mode, Operation, Pipeline, StageName};

/// Why a write is refused while the guard cannot judge it.
pub const NOT_KNOWN_YET: &str = "envdeck does not know yet what you may do here (the control plane's stages and your /v1/me were not fetched); nothing was sent";

/// What the guard knows: this machine's settings, and what the server said last.
#[derive(Clone, Debug, Default)]
pub struct PolicyGuard {
    pipeline: Option<Pipeline>,
    actor: Option<Actor>,
    local_tightening: BTreeMap<StageName, Mode>,
    session_readonly: bool,
}

impl PolicyGuard {
    /// A guard that knows this machine's tightening and `--readonly`, and nothing yet of
    /// the server.
    pub fn new(local_tightening: BTreeMap<StageName, Mode>, session_readonly: bool) -> Self {
        PolicyGuard {
            local_tightening,
            session_readonly,
            ..PolicyGuard::default()
        }
    }

    pub fn learn_pipeline(&mut self, pipeline: Pipeline) {
        self.pipeline = Some(pipeline);
    }

    pub fn learn_actor(&mut self, actor: Actor) {
        self.actor = Some(actor);
    }

    /// Whether the guard may judge writes at all (both the stages and the actor are known).
    pub fn knows(&self) -> bool {
        self.pipeline.is_some() && self.actor.is_some()
    }

    /// The policy's context; `Err` while the stages or the actor are unknown.
    fn context(&self, override_active: bool) -> Result<PolicyContext<'_>, String> {
        match (&self.pipeline, &self.actor) {
            (Some(pipeline), Some(actor)) => Ok(PolicyContext::new(pipeline, actor)
                .tightened(&self.local_tightening)
                .session_readonly(self.session_readonly)
                .with_override(override_active)),
            _ => Err(NOT_KNOWN_YET.to_string()),
        }
    }

    /// `op` landing in `stage` (a promotion's target), with the promotion's facts for a step
    /// on an existing promotion.
    pub fn check(
        &self,
        op: Operation,
        stage: &StageName,
        promotion: Option<PromotionFacts<'_>>,
        override_active: bool,
    ) -> Result<(), String> {
        verdict(self.context(override_active)?.decide(op, stage, promotion))
    }

    /// An edit or delete of `api`'s catalog entry, shared by every stage in `present_in`.
    pub fn check_catalog(
        &self,
        op: Operation,
        stage: &StageName,
        api: &str,
        present_in: &[StageName],
        override_active: bool,
    ) -> Result<(), String> {
        let ctx = self.context(override_active)?;
        verdict(ctx.decide_catalog(op, stage, api, present_in))
    }
}

fn verdict(decision: Decision) -> Result<(), String> {
    match decision.denial() {
        None => Ok(()),
        Some(denial) => Err(format!("{denial}; nothing was sent")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Role, Stage, permissions_for};

    fn name(n: &str) -> StageName {
        StageName::parse(n).expect("a stage name")
    }

    fn guard(session_readonly: bool) -> PolicyGuard {
        let stage = |n: &str, mode| Stage::new(name(n), None, mode, None);
        let roles = vec![Role::Devops];
        let mut g = PolicyGuard::new(
            BTreeMap::from([(name("staging"), Mode::ReadOnly)]),
            session_readonly,
        );
        g.learn_pipeline(Pipeline::in_order(vec![
            stage("dev", Mode::Full),
            stage("staging", Mode::Full),
            stage("production", Mode::ReadOnly),
        ]));
        g.learn_actor(Actor {
            username: "dave".into(),
            permissions: permissions_for(&roles)
                .into_iter()
                .map(str::to_string)
                .collect(),
            roles,
        });
        g
    }

    #[test]
    fn asks_the_policy_for_every_write() {
        let g = guard(false);
        let check = |op, n: &str| g.check(op, &name(n), None, false);
        assert_eq!(check(Operation::CreateApi, "dev"), Ok(()));
        let prod = check(Operation::EditApi, "prod").unwrap_err();
        assert!(prod.contains("read-only"), "{prod}");
        let local = check(Operation::CreateApi, "staging").unwrap_err();
        assert!(local.contains("config.toml"), "{local}");
        assert!(check(Operation::CreatePromotion, "production").is_ok());
        let unknown = check(Operation::CreateApi, "qa").unwrap_err();
        assert!(unknown.contains("not a stage"), "{unknown}");
        let ro = guard(true)
            .check(Operation::CreateApi, &name("dev"), None, false)
            .unwrap_err();
        assert!(ro.contains("--readonly"), "{ro}");
    }

    #[test]
    fn refuses_every_write_until_it_knows_the_stages_and_the_actor() {
        let mut g = PolicyGuard::default();
        let dev = name("dev");
        assert_eq!(
            g.check(Operation::CreateApi, &dev, None, false),
            Err(NOT_KNOWN_YET.to_string())
        );
        let known = guard(false);
        g.learn_pipeline(known.pipeline.clone().unwrap_or_default());
        assert!(!g.knows());
        assert!(g.check(Operation::CreateApi, &dev, None, false).is_err());
        g.learn_actor(known.actor.clone().unwrap_or_default());
        assert_eq!(g.check(Operation::CreateApi, &dev, None, false), Ok(()));
    }
}
