//! The chosen stage and view per control plane, in one small JSON file in the state dir.
//! A corrupt file is reported (never silently "fixed") and only replaced by an explicit save.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::{copy_atomic, write_atomic};
use super::error::StoreError;
use super::limits::{FileKind, read_limited};

const FILE_NAME: &str = "state.json";
const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UiState {
    pub stage: Option<String>,
    pub view: Option<String>,
}

/// The outcome of reading persisted data.
#[derive(Clone, Debug, PartialEq)]
pub enum Loaded<T> {
    Found(T),
    Missing,
    /// The file exists but cannot be used; the text says which file and why.
    Corrupt(String),
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    version: u32,
    #[serde(default)]
    control_planes: BTreeMap<String, UiState>,
}

#[derive(Clone, Debug)]
pub struct StateStore {
    path: PathBuf,
}

impl StateStore {
    pub fn new(state_dir: &Path) -> StateStore {
        StateStore {
            path: state_dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state of `control_plane` (a normalised server URL + tenant).
    pub fn load(&self, control_plane: &str) -> Loaded<UiState> {
        match self.read_file() {
            Loaded::Found(mut file) => match file.control_planes.remove(control_plane) {
                Some(state) => Loaded::Found(state),
                None => Loaded::Missing,
            },
            Loaded::Missing => Loaded::Missing,
            Loaded::Corrupt(reason) => Loaded::Corrupt(reason),
        }
    }

    /// Atomically records `state` for `control_plane`, keeping every other control plane's
    /// entry. A corrupt file is replaced (its content kept beside it as `state.json.corrupt`).
    pub fn save(&self, control_plane: &str, state: &UiState) -> Result<(), StoreError> {
        let mut file = match self.read_file() {
            Loaded::Found(file) => file,
            Loaded::Missing => StateFile::default(),
            Loaded::Corrupt(reason) => {
                tracing::warn!(%reason, "replacing the corrupt state file");
                let backup = self.path.with_extension("json.corrupt");
                // Replaced, never written through (`std::fs::copy` follows a link there).
                if let Err(e) = copy_atomic(&self.path, &backup) {
                    tracing::warn!(path = %backup.display(), error = %e, "could not keep a copy of the corrupt state file");
                }
                StateFile::default()
            }
        };
        file.version = FORMAT_VERSION;
        file.control_planes
            .insert(control_plane.to_string(), state.clone());
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| StoreError::Encode {
            path: self.path.clone(),
            reason: e.to_string(),
        })?;
        write_atomic(&self.path, &bytes, None).map_err(|e| StoreError::write(&self.path, e))
    }

    fn read_file(&self) -> Loaded<StateFile> {
        let bytes = match read_limited(&self.path, FileKind::State) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Loaded::Missing,
            // Unreadable or too large to read: corrupt, and replaced by the next save.
            Err(e) => return Loaded::Corrupt(e.to_string()),
        };
        match serde_json::from_slice::<StateFile>(&bytes) {
            Ok(file) if file.version <= FORMAT_VERSION => Loaded::Found(file),
            Ok(file) => Loaded::Corrupt(format!(
                "{}: written by a newer envdeck (format {}, this one reads up to {FORMAT_VERSION})",
                self.path.display(),
                file.version
            )),
            Err(e) => Loaded::Corrupt(format!(
                "{}: not a valid state file ({e})",
                self.path.display()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(stage: &str, view: &str) -> UiState {
        UiState {
            stage: Some(stage.to_string()),
            view: Some(view.to_string()),
        }
    }

    #[test]
    fn round_trip_per_control_plane() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path());
        assert_eq!(store.load("http://a#acme"), Loaded::Missing);
        store
            .save("http://a#acme", &state("production", "apis"))
            .unwrap();
        store.save("http://b#acme", &state("dev", "audit")).unwrap();
        store
            .save("http://a#acme", &state("staging", "apis"))
            .unwrap();
        assert_eq!(
            store.load("http://a#acme"),
            Loaded::Found(state("staging", "apis"))
        );
        assert_eq!(
            store.load("http://b#acme"),
            Loaded::Found(state("dev", "audit"))
        );
        assert_eq!(store.load("http://c#acme"), Loaded::Missing);
    }

    #[test]
    fn a_corrupt_file_is_reported_and_left_untouched_until_saved() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path());
        std::fs::write(store.path(), b"{\"version\":1,\"control_planes\":{\"x\":").unwrap();
        let before = std::fs::read(store.path()).unwrap();
        let Loaded::Corrupt(reason) = store.load("x") else {
            panic!("expected Corrupt");
        };
        assert!(reason.contains("state.json"), "{reason}");
        assert!(reason.contains("not a valid state file"), "{reason}");
        assert_eq!(std::fs::read(store.path()).unwrap(), before);

        store.save("x", &state("dev", "apis")).unwrap();
        assert_eq!(store.load("x"), Loaded::Found(state("dev", "apis")));
        let backup = dir.path().join("state.json.corrupt");
        assert_eq!(std::fs::read(backup).unwrap(), before);
    }

    #[test]
    fn a_newer_format_is_not_misread() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path());
        std::fs::write(store.path(), br#"{"version":99,"control_planes":{}}"#).unwrap();
        assert!(matches!(store.load("x"), Loaded::Corrupt(r) if r.contains("newer envdeck")));
    }
}
