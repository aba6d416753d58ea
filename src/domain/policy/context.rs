//! The one place that assembles the policy's input: stage mode × local tightening ×
//! `--readonly` × emergency override × `/v1/me` permissions × promotion facts × offline.
//! The console builds it per frame from its state (it only borrows), the client's guard from
//! what it holds behind its lock, the CLI from its connection, the embedded server per request.

use std::collections::BTreeMap;

use super::{
    Actor, Decision, Denial, Emergency, Operation, PolicyInput, Presence, PromotionFacts,
    decide_catalog_write,
};
use crate::domain::stage::{Mode, Pipeline, Stage, StageName};
use crate::wire::Timestamp;

/// No local tightening (the embedded server, or a machine without rules).
static NO_TIGHTENING: BTreeMap<StageName, Mode> = BTreeMap::new();

/// What the policy knows of this session. Cheap to build and `Copy`: it only borrows.
#[derive(Clone, Copy, Debug)]
pub struct PolicyContext<'a> {
    /// The control plane's stages (from `/v1/environments`, or the server's stages file).
    pub pipeline: &'a Pipeline,
    /// Who acts (from `/v1/me` on the client, from the token on the server).
    pub actor: &'a Actor,
    /// This machine's tightening per stage (config.toml); a loosening entry changes nothing.
    pub local_tightening: &'a BTreeMap<StageName, Mode>,
    /// `--readonly`: every stage is read-only for the session.
    pub session_readonly: bool,
    /// An emergency override is active (the policy still lets only a cpi-admin use it).
    pub override_active: bool,
    /// Writes are locked while the control plane does not answer.
    pub offline: bool,
}

impl<'a> PolicyContext<'a> {
    /// Online, no tightening, no `--readonly`, no override.
    pub fn new(pipeline: &'a Pipeline, actor: &'a Actor) -> PolicyContext<'a> {
        PolicyContext {
            pipeline,
            actor,
            local_tightening: &NO_TIGHTENING,
            session_readonly: false,
            override_active: false,
            offline: false,
        }
    }

    pub fn tightened(self, local_tightening: &'a BTreeMap<StageName, Mode>) -> Self {
        PolicyContext {
            local_tightening,
            ..self
        }
    }

    pub fn session_readonly(self, session_readonly: bool) -> Self {
        PolicyContext {
            session_readonly,
            ..self
        }
    }

    pub fn offline(self, offline: bool) -> Self {
        PolicyContext { offline, ..self }
    }

    pub fn with_override(self, override_active: bool) -> Self {
        PolicyContext {
            override_active,
            ..self
        }
    }

    /// The override counts while `emergency` lasts at `now`.
    pub fn emergency(self, emergency: Option<&Emergency>, now: Timestamp) -> Self {
        self.with_override(emergency.is_some_and(|e| e.is_active(now)))
    }

    /// THE builder of the policy's input: `stage` is where the write lands (the active stage
    /// for API writes, the target for promotions).
    pub fn input<'b>(
        &self,
        stage: &'b Stage,
        promotion: Option<PromotionFacts<'b>>,
    ) -> PolicyInput<'b>
    where
        'a: 'b,
    {
        PolicyInput {
            actor: self.actor,
            stage,
            local_mode: self.local_tightening.get(&stage.name).copied(),
            session_readonly: self.session_readonly,
            override_active: self.override_active,
            offline: self.offline,
            promotion,
        }
    }

    /// May `op` land in `stage`? A stage the control plane does not list is refused.
    pub fn decide(
        &self,
        op: Operation,
        stage: &StageName,
        promotion: Option<PromotionFacts<'_>>,
    ) -> Decision {
        match self.pipeline.get(stage) {
            Some(known) => super::decide(op, &self.input(known, promotion)),
            None => unknown(stage),
        }
    }

    /// An edit or delete of `api`'s catalog entry, acted on from `stage`: every stage it is
    /// present in must allow it (stages the control plane does not list are skipped).
    pub fn decide_catalog(
        &self,
        op: Operation,
        stage: &StageName,
        api: &str,
        present_in: &[StageName],
    ) -> Decision {
        let Some(known) = self.pipeline.get(stage) else {
            return unknown(stage);
        };
        let presence: Vec<Presence<'_>> = present_in
            .iter()
            .filter_map(|name| self.pipeline.get(name))
            .map(|s| Presence {
                stage: s,
                local_mode: self.local_tightening.get(&s.name).copied(),
            })
            .collect();
        decide_catalog_write(op, &self.input(known, None), api, &presence)
    }

    /// The mode this session enforces in `stage`: the server's, tightened locally and by
    /// `--readonly`. `None` for a stage the control plane does not list.
    pub fn effective_mode(&self, stage: &StageName) -> Option<Mode> {
        let known = self.pipeline.get(stage)?;
        if self.session_readonly {
            return Some(Mode::ReadOnly);
        }
        let local = self.local_tightening.get(stage).copied();
        Some(known.mode.tightened_by(local.unwrap_or(Mode::Full)))
    }

    /// The stage name to type before `op` lands in `landing` (for a catalog edit or delete:
    /// the acting stage and every stage the API runs in). Asked when a landing stage is
    /// read-only or promote-only in effect, or is production; judged by stage identity,
    /// never by label. Of several, the strictest (then the latest in the pipeline) is named.
    /// A stage the control plane does not list counts as read-only. Creating a promotion
    /// asks nothing ([`Operation::confirms_guarded_stage`]).
    pub fn typed_confirmation(&self, op: Operation, landing: &[StageName]) -> Option<StageName> {
        if !op.confirms_guarded_stage() {
            return None;
        }
        landing
            .iter()
            .filter_map(|name| {
                let mode = self.effective_mode(name).unwrap_or(Mode::ReadOnly);
                let guarded = mode != Mode::Full || name.is_production();
                guarded.then(|| ((mode, self.pipeline.position(name)), name))
            })
            .max_by_key(|(rank, _)| *rank)
            .map(|(_, name)| name.clone())
    }

    /// Whether `op` is offered only once the review (the diff) has been shown.
    pub fn needs_review(&self, op: Operation) -> bool {
        op.needs_review()
    }
}

fn unknown(stage: &StageName) -> Decision {
    Decision::Denied(Denial::UnknownStage {
        stage: stage.to_string(),
    })
}
