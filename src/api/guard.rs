//! The client's write guard: asked before every write is sent, so that a read-only stage is
//! protected even if a caller forgets to check. [`PolicyGuard`] asks `domain::policy::decide`,
//! the one place deciding what is allowed; nothing here re-derives a rule.

use std::collections::BTreeMap;

use crate::domain::policy::{Actor, Presence, decide_catalog_write};
use crate::domain::{Mode, Operation, Pipeline, PolicyInput, StageName, decide};
use crate::wire::{EnvironmentList, Me};

/// Refuses a write with the reason to show; nothing is sent when it refuses.
pub trait WriteGuard: Send + Sync {
    fn check(&self, operation: Operation, stage: &StageName) -> Result<(), String>;

    /// The same check while an emergency override is (or is not) under way.
    fn check_with_override(
        &self,
        operation: Operation,
        stage: &StageName,
        override_active: bool,
    ) -> Result<(), String> {
        let _ = override_active;
        self.check(operation, stage)
    }

    /// An edit or delete of a catalog entry shared by every stage `api` runs in: each of them
    /// must allow it.
    fn check_catalog(
        &self,
        operation: Operation,
        stage: &StageName,
        api: &str,
        present_in: &[StageName],
        override_active: bool,
    ) -> Result<(), String> {
        let _ = api;
        self.check_with_override(operation, stage, override_active)?;
        present_in
            .iter()
            .try_for_each(|s| self.check_with_override(operation, s, override_active))
    }
}

/// The policy as the console or CLI knows it: the server's stages, the actor from `/v1/me`,
/// local tightening and `--readonly`. Replace the guard when any of these changes.
#[derive(Clone, Debug, Default)]
pub struct PolicyGuard {
    pub pipeline: Pipeline,
    pub actor: Actor,
    pub local_tightening: BTreeMap<StageName, Mode>,
    pub session_readonly: bool,
    /// An active emergency override (cpi-admin, explicit, time-boxed).
    pub override_active: bool,
}

impl PolicyGuard {
    /// The policy's input for a write landing in `stage` (the client is online when it sends).
    fn input<'a>(&'a self, stage: &'a crate::domain::Stage) -> PolicyInput<'a> {
        PolicyInput {
            actor: &self.actor,
            stage,
            local_mode: self.local_tightening.get(&stage.name).copied(),
            session_readonly: self.session_readonly,
            override_active: self.override_active,
            offline: false,
            promotion: None,
        }
    }

    /// The guard for what the server says: its stages and the caller's `/v1/me`.
    pub fn from_server(environments: &EnvironmentList, me: &Me) -> PolicyGuard {
        PolicyGuard {
            pipeline: environments.pipeline().0,
            actor: me.actor(),
            ..PolicyGuard::default()
        }
    }
}

impl WriteGuard for PolicyGuard {
    fn check_catalog(
        &self,
        operation: Operation,
        stage: &StageName,
        api: &str,
        present_in: &[StageName],
        override_active: bool,
    ) -> Result<(), String> {
        let Some(known) = self.pipeline.get(stage) else {
            return self.check(operation, stage);
        };
        let presence: Vec<Presence<'_>> = present_in
            .iter()
            .filter_map(|name| self.pipeline.get(name))
            .map(|s| Presence {
                stage: s,
                local_mode: self.local_tightening.get(&s.name).copied(),
            })
            .collect();
        let input = PolicyInput {
            override_active: self.override_active || override_active,
            ..self.input(known)
        };
        match decide_catalog_write(operation, &input, api, &presence).denial() {
            None => Ok(()),
            Some(denial) => Err(denial.to_string()),
        }
    }

    fn check_with_override(
        &self,
        operation: Operation,
        stage: &StageName,
        override_active: bool,
    ) -> Result<(), String> {
        if override_active && !self.override_active {
            let with = PolicyGuard {
                override_active: true,
                ..self.clone()
            };
            return with.check(operation, stage);
        }
        self.check(operation, stage)
    }

    fn check(&self, operation: Operation, stage: &StageName) -> Result<(), String> {
        let Some(known) = self.pipeline.get(stage) else {
            return Err(format!(
                "{stage} is not a stage this control plane lists; nothing was sent"
            ));
        };
        let input = self.input(known);
        match decide(operation, &input).denial() {
            None => Ok(()),
            Some(denial) => Err(denial.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Role, Stage, permissions_for};

    fn guard(session_readonly: bool) -> PolicyGuard {
        let stage =
            |name: &str, mode| Stage::new(StageName::parse(name).unwrap(), None, mode, None);
        let roles = vec![Role::Devops];
        PolicyGuard {
            pipeline: Pipeline::in_order(vec![
                stage("dev", Mode::Full),
                stage("staging", Mode::Full),
                stage("production", Mode::ReadOnly),
            ]),
            actor: Actor {
                username: "dave".into(),
                permissions: permissions_for(&roles)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                roles,
            },
            local_tightening: BTreeMap::from([(
                StageName::parse("staging").unwrap(),
                Mode::ReadOnly,
            )]),
            session_readonly,
            override_active: false,
        }
    }

    #[test]
    fn asks_the_policy_for_every_write() {
        let g = guard(false);
        let name = |n: &str| StageName::parse(n).unwrap();
        assert_eq!(g.check(Operation::CreateApi, &name("dev")), Ok(()));
        let prod = g.check(Operation::EditApi, &name("prod")).unwrap_err();
        assert!(prod.contains("read-only"), "{prod}");
        let local = g.check(Operation::CreateApi, &name("staging")).unwrap_err();
        assert!(local.contains("config.toml"), "{local}");
        assert!(
            g.check(Operation::CreatePromotion, &name("production"))
                .is_ok()
        );
        let unknown = g.check(Operation::CreateApi, &name("qa")).unwrap_err();
        assert!(unknown.contains("not a stage"), "{unknown}");
        let ro = guard(true)
            .check(Operation::CreateApi, &name("dev"))
            .unwrap_err();
        assert!(ro.contains("--readonly"), "{ro}");
    }
}
