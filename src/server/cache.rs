//! Serialized responses of hot reads, valid for one database generation: any committed
//! write bumps the generation (see `Db::generation`), so a stale body is never served.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

/// Bounded: when full, the cache starts over (entries are cheap to rebuild).
const MAX_ENTRIES: usize = 512;

#[derive(Default)]
pub struct ResponseCache {
    entries: Mutex<HashMap<String, (u64, Bytes)>>,
}

impl ResponseCache {
    pub fn get(&self, key: &str, generation: u64) -> Option<Bytes> {
        let entries = self.entries.lock().ok()?;
        match entries.get(key) {
            Some((g, body)) if *g == generation => Some(body.clone()),
            _ => None,
        }
    }

    /// `generation` must be the one read before the data was read.
    pub fn put(&self, key: String, generation: u64, body: Bytes) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (generation, body));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_generation_misses() {
        let cache = ResponseCache::default();
        cache.put("k".into(), 3, Bytes::from_static(b"x"));
        assert_eq!(cache.get("k", 3).as_deref(), Some(&b"x"[..]));
        assert!(cache.get("k", 4).is_none());
        assert!(cache.get("other", 3).is_none());
    }
}
