//! Effects: the work `update` asks for, as data. `runtime::Runner` carries them out.

use super::state::ViewKind;
use crate::domain::StageName;
use crate::wire::{EnvironmentList, Me};

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    LoadSavedState,
    SaveState {
        stage: Option<String>,
        view: Option<String>,
    },
    FetchEnvironments,
    LoadCachedEnvironments,
    SaveEnvironments(EnvironmentList),
    FetchMe,
    SaveMe(Me),
    FetchList {
        kind: ViewKind,
        stage: Option<StageName>,
        generation: u64,
    },
    LoadCachedList {
        kind: ViewKind,
        stage: Option<StageName>,
        generation: u64,
    },
    /// A confirmed write.
    Write(Box<super::write::Pending>),
    /// Start (with its reason) or end the emergency override on the client.
    Override(Option<String>),
    Promo(super::promo::io::PromoEffect),
    /// What the Pipeline view's matrix is built from, for these stages; `roles` (from
    /// `/v1/me`) say whether the gateway lists are worth asking.
    FetchPipeline {
        stages: Vec<crate::domain::Stage>,
        roles: Vec<String>,
    },
    /// The Pipeline's inputs as last seen (the cache).
    LoadCachedPipeline,
}

impl Effect {
    /// Whether it talks to the control plane (and so waits for the client).
    pub fn needs_client(&self) -> bool {
        matches!(
            self,
            Effect::FetchEnvironments
                | Effect::FetchMe
                | Effect::FetchList { .. }
                | Effect::FetchPipeline { .. }
                | Effect::Write(_)
                | Effect::Override(_)
                | Effect::Promo(_)
        )
    }
}
