//! The token file: whatever bytes are on disk, loading never panics, and an error never
//! quotes a value from the file (it could be a token).
#![no_main]

use std::sync::OnceLock;

use envdeck::store::{FileTokenStore, TokenStore};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap_or_else(|e| panic!("no temp dir: {e}")))
}

/// Every string of at least 6 characters anywhere in the JSON: candidates for secrets.
fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) if s.chars().count() >= 6 => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
            if k.chars().count() >= 6 {
                out.push(k.clone());
            }
            strings(v, out)
        }),
        _ => {}
    }
}

fn generic_message(store: &FileTokenStore) -> String {
    static MESSAGE: OnceLock<String> = OnceLock::new();
    MESSAGE
        .get_or_init(|| {
            let probe = FileTokenStore::new(&dir().path().join("probe"));
            let _ = std::fs::create_dir_all(dir().path().join("probe"));
            let _ = std::fs::write(probe.path(), b"!");
            match probe.load("default") {
                Err(e) => e.to_string().replace("/probe", ""),
                Ok(_) => panic!("\"!\" is not a token file"),
            }
        })
        .clone()
        + &store.path().display().to_string()
}

fuzz_target!(|data: &[u8]| {
    let store = FileTokenStore::new(dir().path());
    if let Err(e) = std::fs::write(store.path(), data) {
        panic!("cannot write the token file: {e}");
    }
    for context in ["default", "prod"] {
        match store.load(context) {
            Ok(Some(tokens)) => {
                // Debug of the same shape with a placeholder token: what is always printed.
                let mut placeholder = tokens.clone();
                placeholder.access_token = envdeck::secret::Secret::new("x");
                let baseline = format!("{placeholder:?}");
                let shown = format!("{tokens:?}");
                let secret = tokens.access_token.expose();
                assert!(
                    baseline.contains(secret) || !shown.contains(secret),
                    "Debug shows the token"
                );
            }
            Ok(None) => {}
            Err(e) => {
                let message = e.to_string();
                let mut values = Vec::new();
                if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) {
                    strings(&json, &mut values);
                }
                // What any broken file's message says anyway (the path, the advice).
                let baseline = format!("{} line 1 column 1", generic_message(&store));
                for value in values {
                    assert!(
                        baseline.contains(&value) || !message.contains(&value),
                        "the error quotes a value from the file: {message}"
                    );
                }
            }
        }
    }
});
