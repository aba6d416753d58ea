//! Oversized local files: a state file, a cache entry, a token file or a config.toml over its
//! limit is valid JSON or TOML padded with blanks, so only its size is wrong. Each is refused
//! by its size before it is read, and treated as the code treats a corrupt one.

use std::io::Write;
use std::path::Path;

use envdeck::secret::Secret;
use envdeck::store::limits::FileKind;
use envdeck::store::{
    Cache, Config, ConfigEdit, FileTokenStore, Loaded, StateStore, StoredTokens, TokenStore,
    UiState,
};

/// Pads `path` with blanks to one byte over `kind`'s limit.
fn pad_over_the_limit(path: &Path, kind: FileKind) {
    let len = std::fs::metadata(path).expect("meta").len();
    let over = kind.max_bytes() + 1 - len;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open");
    let blanks = vec![b' '; 1024 * 1024];
    let mut left = over;
    while left > 0 {
        let n = left.min(blanks.len() as u64) as usize;
        file.write_all(&blanks[..n]).expect("pad");
        left -= n as u64;
    }
}

#[test]
fn an_oversized_state_file_is_corrupt() {
    let dir = tempfile::tempdir().expect("dir");
    let store = StateStore::new(dir.path());
    let chosen = UiState {
        stage: Some("dev".into()),
        view: Some("apis".into()),
    };
    store.save("x", &chosen).expect("saved");
    pad_over_the_limit(store.path(), FileKind::State);
    let Loaded::Corrupt(reason) = store.load("x") else {
        panic!("an oversized state file was read");
    };
    assert!(
        reason.contains("state.json") && reason.contains("larger than"),
        "{reason}"
    );
    // Saving replaces it, as it replaces any corrupt state file.
    store.save("x", &chosen).expect("saved again");
    assert_eq!(store.load("x"), Loaded::Found(chosen));
}

#[test]
fn an_oversized_cache_entry_is_a_miss() {
    let dir = tempfile::tempdir().expect("dir");
    let cache = Cache::new(dir.path());
    let key = Cache::key("http://cp", "acme", "dev", "apis");
    cache.save(&key, &vec!["payments"]).expect("saved");
    pad_over_the_limit(
        &dir.path().join(format!("{key}.json")),
        FileKind::CacheEntry,
    );
    assert!(cache.load::<Vec<String>>(&key).is_none());
}

#[test]
fn an_oversized_token_file_is_invalid_and_replaced_on_sign_in() {
    let dir = tempfile::tempdir().expect("dir");
    let store = FileTokenStore::new(dir.path());
    let tokens = StoredTokens {
        access_token: Secret::new("big-file-token"),
        refresh_token: None,
        expires_at: None,
    };
    store.save("demo", &tokens).expect("saved");
    pad_over_the_limit(store.path(), FileKind::Tokens);
    let error = store
        .load("demo")
        .expect_err("an oversized token file was read");
    let text = error.to_string();
    assert!(
        text.contains("tokens.json") && text.contains("larger than"),
        "{text}"
    );
    store.save("demo", &tokens).expect("signing in replaces it");
    assert_eq!(store.load("demo").expect("read"), Some(tokens));
}

#[test]
fn an_oversized_config_is_reported_and_left_alone() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[tighten]\nstaging = \"read-only\"\n").expect("config");
    pad_over_the_limit(&path, FileKind::Config);
    let len = std::fs::metadata(&path).expect("meta").len();
    let error = Config::load(&path).expect_err("an oversized config was read");
    let text = error.to_string();
    assert!(
        text.contains("config.toml") && text.contains("larger than"),
        "{text}"
    );
    let error = ConfigEdit::open(&path).err().expect("opened for editing");
    assert!(error.to_string().contains("larger than"), "{error}");
    assert_eq!(std::fs::metadata(&path).expect("meta").len(), len);
}
