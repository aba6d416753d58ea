//! From the wire's environment list to the domain's pipeline.

use crate::domain::{Mode, Pipeline, Stage, StageName, stage::StageEndpoints};

use super::types::{Environment, EnvironmentList};

impl Environment {
    /// The domain stage, or why this entry cannot be one. An unknown mode is read as
    /// read-only: when in doubt, the console must not offer writes.
    pub fn to_stage(&self) -> Result<(Stage, Option<String>), String> {
        let name = StageName::parse(&self.name)
            .map_err(|e| format!("ignored a stage the server listed: {e}"))?;
        let (mode, warning) = match Mode::parse(&self.mode) {
            Ok(mode) => (mode, None),
            Err(e) => (
                Mode::ReadOnly,
                Some(format!("stage {name}: {e}; treated as read-only")),
            ),
        };
        let label = crate::domain::text::sanitize(&self.label);
        let mut stage = Stage::new(name, Some(&label), mode, self.color.as_deref());
        stage.endpoints = self.endpoints.as_ref().map(|e| StageEndpoints {
            api_url: e.api_url.clone(),
            keycloak_url: e.keycloak_url.clone(),
            keycloak_realm: e.keycloak_realm.clone(),
        });
        Ok((stage, warning))
    }
}

impl EnvironmentList {
    /// The stages in promotion order, with a warning for every entry that was odd or dropped.
    pub fn pipeline(&self) -> (Pipeline, Vec<String>) {
        let mut warnings = Vec::new();
        let mut stages = Vec::with_capacity(self.environments.len());
        for env in &self.environments {
            match env.to_stage() {
                Ok((stage, warning)) => {
                    stages.push(stage);
                    warnings.extend(warning);
                }
                Err(warning) => warnings.push(warning),
            }
        }
        (Pipeline::from_server_order(stages), warnings)
    }
}

impl super::types::Me {
    /// Who acts, as the policy sees it: roles and permissions exactly as the server computed them.
    pub fn actor(&self) -> crate::domain::policy::Actor {
        crate::domain::policy::Actor {
            username: self.username.clone(),
            roles: self
                .roles
                .iter()
                .map(|r| crate::domain::Role::parse(r))
                .collect(),
            permissions: self.permissions.iter().cloned().collect(),
        }
    }
}

impl super::types::Promotion {
    /// What the policy needs of this promotion. A status envdeck does not know is taken as
    /// `failed`: no step may act on it.
    pub fn facts(&self) -> crate::domain::policy::PromotionFacts<'_> {
        crate::domain::policy::PromotionFacts {
            status: crate::domain::PromotionStatus::parse(&self.status)
                .unwrap_or(crate::domain::PromotionStatus::Failed),
            requested_by: &self.requested_by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Me;

    #[test]
    fn me_becomes_an_actor_with_server_permissions() {
        let me = Me {
            username: "dave".into(),
            roles: vec!["devops".into(), "auditor".into()],
            permissions: vec!["apis:promote".into()],
            ..Me::default()
        };
        let actor = me.actor();
        assert_eq!(actor.username, "dave");
        assert!(actor.may("apis:promote") && !actor.may("apis:create"));
        assert_eq!(actor.roles[0], crate::domain::Role::Devops);
    }

    fn env(name: &str, mode: &str) -> Environment {
        Environment {
            name: name.into(),
            label: String::new(),
            mode: mode.into(),
            ..Environment::default()
        }
    }

    #[test]
    fn odd_entries_become_warnings_not_failures() {
        let list = EnvironmentList {
            environments: vec![
                env("production", "read-only"),
                env("staging", "sometimes"),
                env("bad name!", "full"),
                env("dev", "full"),
            ],
            current: None,
        };
        let (pipeline, warnings) = list.pipeline();
        let names: Vec<_> = pipeline.stages().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["dev", "staging", "production"]);
        assert_eq!(pipeline.stages()[1].mode, Mode::ReadOnly);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }
}
