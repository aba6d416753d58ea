//! The console's use of the store: its UI state (stage and view, per control plane) and the
//! last-seen lists. Called from blocking tasks only; failures are reported, never fatal.

use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::app::action::{ListPayload, SavedState};
use crate::app::state::ViewKind;
use crate::domain::StageName;
use crate::store::{Cache, Loaded, Paths, StateStore, UiState};
use crate::wire::{EnvironmentList, Me, Timestamp};

#[derive(Clone)]
pub struct Persist {
    inner: Arc<Inner>,
}

struct Inner {
    states: StateStore,
    cache: Cache,
    control_plane: String,
    tenant: String,
    /// The sequence number of the last UI state written: saves run on separate blocking
    /// tasks, and an older choice must never overwrite a newer one.
    last_saved: Mutex<u64>,
}

/// The cache key's stage part for tenant-wide lists and the environment list.
const NO_STAGE: &str = "-";

impl Persist {
    pub fn new(paths: &Paths, control_plane: &str, tenant: &str) -> Persist {
        Persist {
            inner: Arc::new(Inner {
                states: StateStore::new(&paths.state_dir),
                cache: Cache::new(&paths.cache_dir),
                control_plane: control_plane.to_string(),
                tenant: tenant.to_string(),
                last_saved: Mutex::new(0),
            }),
        }
    }

    pub fn load_state(&self) -> SavedState {
        match self.inner.states.load(&self.inner.control_plane) {
            Loaded::Found(ui) => SavedState::Found {
                stage: ui.stage,
                view: ui.view,
            },
            Loaded::Missing => SavedState::Missing,
            Loaded::Corrupt(reason) => SavedState::Corrupt(reason.to_string()),
        }
    }

    /// Saves the UI state numbered `seq` unless a later one was saved already.
    pub fn save_state(
        &self,
        seq: u64,
        stage: Option<String>,
        view: Option<String>,
    ) -> Result<(), String> {
        let mut last = match self.inner.last_saved.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if seq <= *last {
            return Ok(());
        }
        *last = seq;
        let ui = UiState { stage, view };
        self.inner
            .states
            .save(&self.inner.control_plane, &ui)
            .map_err(|e| format!("could not save the chosen stage: {e}"))
    }

    fn key(&self, stage: Option<&StageName>, kind: &str) -> String {
        let stage = stage.map(StageName::as_str).unwrap_or(NO_STAGE);
        Cache::key(&self.inner.control_plane, &self.inner.tenant, stage, kind)
    }

    fn load<T: DeserializeOwned>(&self, key: &str) -> Option<(T, Timestamp)> {
        self.inner
            .cache
            .load::<T>(key)
            .map(|cached| (cached.value, cached.saved_at))
    }

    fn save<T: Serialize>(&self, key: &str, value: &T) {
        if let Err(e) = self.inner.cache.save(key, value) {
            tracing::warn!("cache write failed for {key}: {e}");
        }
    }

    pub fn load_environments(&self) -> Option<EnvironmentList> {
        self.load(&self.key(None, "environments")).map(|(v, _)| v)
    }

    pub fn save_environments(&self, list: &EnvironmentList) {
        self.save(&self.key(None, "environments"), list);
    }

    /// Who the user was last time (no secret in it), so the header is complete at once.
    pub fn load_me(&self) -> Option<Me> {
        self.load(&self.key(None, "me")).map(|(v, _)| v)
    }

    pub fn save_me(&self, me: &Me) {
        self.save(&self.key(None, "me"), me);
    }

    /// The Pipeline view's inputs as last seen (tenant-wide).
    pub fn load_pipeline(&self) -> Option<(crate::domain::matrix::Inputs, Timestamp)> {
        self.load(&self.key(None, "pipeline"))
    }

    pub fn save_pipeline(&self, inputs: &crate::domain::matrix::Inputs) {
        self.save(&self.key(None, "pipeline"), inputs);
    }

    pub fn load_list(
        &self,
        kind: ViewKind,
        stage: Option<&StageName>,
    ) -> Option<(ListPayload, Timestamp)> {
        (kind.spec()?.cached)(&self.inner.cache, &self.key(stage, kind.key()))
    }

    pub fn save_list(&self, stage: Option<&StageName>, payload: &ListPayload) {
        let key = self.key(stage, payload.kind().key());
        if let Err(e) = payload.save(&self.inner.cache, &key) {
            tracing::warn!("cache write failed for {key}: {e}");
        }
    }
}
