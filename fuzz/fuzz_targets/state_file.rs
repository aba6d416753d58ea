//! The persisted state file: whatever bytes are on disk, loading reports Found, Missing or
//! Corrupt without panicking, and a save afterwards always leaves a file that loads back.
#![no_main]

use std::sync::OnceLock;

use envdeck::store::{Loaded, StateStore, UiState};
use libfuzzer_sys::fuzz_target;

const CONTROL_PLANE: &str = "http://127.0.0.1:8000/acme";

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}")))
}

fuzz_target!(|data: &[u8]| {
    let store = StateStore::new(dir().path());
    if let Err(e) = std::fs::write(store.path(), data) {
        panic!("cannot write the state file: {e}");
    }
    let _ = store.load(CONTROL_PLANE);
    let _ = store.load("");
    let state = UiState {
        stage: Some("staging".to_string()),
        view: Some("apis".to_string()),
    };
    if let Err(e) = store.save(CONTROL_PLANE, &state) {
        panic!("saving over any file must work: {e}");
    }
    assert_eq!(store.load(CONTROL_PLANE), Loaded::Found(state));
});
