//! Last-seen lists, one JSON file per (control plane, tenant, stage, kind): shown at once on
//! start and marked stale until refreshed. A cache is disposable: anything unreadable is a miss.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::atomic::write_atomic;
use super::error::StoreError;
use super::limits::{FileKind, read_limited};
use crate::wire::Timestamp;

#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

/// A cached value and when it was saved (to show "stale 2m").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cached<T> {
    pub value: T,
    pub saved_at: Timestamp,
}

/// Longest readable part of a key; a hash of the whole tuple keeps keys distinct.
const READABLE_KEY_CHARS: usize = 80;

impl Cache {
    pub fn new(cache_dir: &Path) -> Cache {
        Cache {
            dir: cache_dir.to_path_buf(),
        }
    }

    /// `None` when missing or unreadable (a corrupt entry is logged, never an error).
    pub fn load<T: DeserializeOwned>(&self, key: &str) -> Option<Cached<T>> {
        let path = self.path_for(key)?;
        let bytes = match read_limited(&path, FileKind::CacheEntry) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(error = %e, "cache entry unreadable or too large; ignored");
                return None;
            }
        };
        match serde_json::from_slice::<Cached<T>>(&bytes) {
            Ok(cached) => Some(cached),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cache entry corrupt or outdated; ignored");
                None
            }
        }
    }

    pub fn save<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let path = self.path_for(key).ok_or_else(|| StoreError::Invalid {
            path: self.dir.join(key),
            reason: "not a cache key (use Cache::key)".to_string(),
        })?;
        let entry = Cached {
            value,
            saved_at: Timestamp::now(),
        };
        let bytes = serde_json::to_vec(&entry).map_err(|e| StoreError::Encode {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        write_atomic(&path, &bytes, None).map_err(|e| StoreError::write(&path, e))
    }

    /// A filesystem-safe file stem: a readable prefix plus a hash of the exact tuple, so that
    /// `http://a:1` and `http_a_1` never share an entry.
    pub fn key(control_plane: &str, tenant: &str, stage: &str, kind: &str) -> String {
        let mut hasher = Sha256::new();
        for part in [control_plane, tenant, stage, kind] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let readable: String = format!("{tenant}-{stage}-{kind}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(READABLE_KEY_CHARS)
            .collect();
        format!("{readable}-{hash}")
    }

    /// Keys come from [`Cache::key`]; anything that could escape the directory is refused.
    fn path_for(&self, key: &str) -> Option<PathBuf> {
        let safe = !key.is_empty()
            && key.len() <= 200
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        safe.then(|| self.dir.join(format!("{key}.json")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_the_time_it_was_saved() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(&dir.path().join("cache"));
        let key = Cache::key("http://127.0.0.1:8421", "acme", "production", "apis");
        assert!(cache.load::<Vec<String>>(&key).is_none());
        let before = Timestamp::now();
        cache.save(&key, &vec!["payments".to_string()]).unwrap();
        let cached: Cached<Vec<String>> = cache.load(&key).unwrap();
        assert_eq!(cached.value, vec!["payments".to_string()]);
        assert!(cached.saved_at >= before);
    }

    #[test]
    fn corrupt_or_outdated_entries_are_misses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let key = Cache::key("u", "t", "dev", "apis");
        std::fs::write(dir.path().join(format!("{key}.json")), b"{\"value\": [1, 2").unwrap();
        assert!(cache.load::<Vec<u32>>(&key).is_none());
        cache.save(&key, &vec!["a"]).unwrap();
        // The shape changed between versions: also a miss, not a crash.
        assert!(cache.load::<Vec<u32>>(&key).is_none());
    }

    #[test]
    fn keys_are_safe_distinct_and_stable() {
        let a = Cache::key("http://a:1", "acme", "dev", "apis");
        let b = Cache::key("http_a_1", "acme", "dev", "apis");
        let c = Cache::key("http://a:1", "acme/../..", "dev", "apis");
        assert_ne!(a, b);
        assert_eq!(a, Cache::key("http://a:1", "acme", "dev", "apis"));
        assert!(a.starts_with("acme-dev-apis-"), "{a}");
        assert!(!c.contains('/') && !c.contains(".."), "{c}");
        let long = Cache::key(&"x".repeat(500), &"y".repeat(500), "dev", "apis");
        assert!(long.len() < 120);
        let cache = Cache::new(Path::new("/tmp/nowhere"));
        assert!(cache.path_for("../etc/passwd").is_none());
    }
}
