//! The OS keyring as token store (service `envdeck`, account = context), and the store envdeck
//! really uses: the keyring when it answers, else the 0600 file — chosen per call, so a
//! headless machine without a keyring falls back on its own.

use std::path::Path;
use std::sync::Arc;

use super::error::StoreError;
use super::tokens::{FileTokenStore, StoredTokens, TokenStore};

/// The keyring's service name.
pub const SERVICE: &str = "envdeck";
/// `ENVDECK_KEYRING=off` keeps tokens in the file only (tests, machines whose keyring is shared).
pub const KEYRING_VAR: &str = "ENVDECK_KEYRING";

/// Keyring first, file as fallback. Reads look in both (a token saved while the keyring was
/// away is still found); a logout removes from both.
#[derive(Clone)]
pub struct AutoTokenStore {
    keyring: Option<Arc<dyn TokenStore>>,
    file: FileTokenStore,
}

impl std::fmt::Debug for AutoTokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoTokenStore")
            .field("keyring", &self.keyring.is_some())
            .field("file", &self.file.path())
            .finish()
    }
}

impl AutoTokenStore {
    /// The OS keyring (when built with the `os-keyring` feature and not switched off) with the
    /// file in `state_dir` as fallback.
    pub fn discover(state_dir: &Path) -> AutoTokenStore {
        let off = std::env::var(KEYRING_VAR)
            .map(|v| matches!(v.trim(), "off" | "0" | "false" | "no"))
            .unwrap_or(false);
        let keyring = if off { None } else { os_keyring() };
        AutoTokenStore::with_keyring(keyring, FileTokenStore::new(state_dir))
    }

    pub fn with_keyring(
        keyring: Option<Arc<dyn TokenStore>>,
        file: FileTokenStore,
    ) -> AutoTokenStore {
        AutoTokenStore { keyring, file }
    }

    pub fn file(&self) -> &FileTokenStore {
        &self.file
    }
}

impl TokenStore for AutoTokenStore {
    fn load(&self, context: &str) -> Result<Option<StoredTokens>, StoreError> {
        if let Some(keyring) = &self.keyring {
            match keyring.load(context) {
                Ok(Some(tokens)) => return Ok(Some(tokens)),
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "keyring unavailable; reading the token file")
                }
            }
        }
        self.file.load(context)
    }

    fn save(&self, context: &str, tokens: &StoredTokens) -> Result<(), StoreError> {
        if let Some(keyring) = &self.keyring {
            match keyring.save(context, tokens) {
                Ok(()) => {
                    // An older copy in the file would be found after a keyring outage.
                    if let Err(e) = self.file.remove(context) {
                        tracing::warn!(error = %e, "cannot remove the older copy in the token file");
                    }
                    return Ok(());
                }
                Err(e) => {
                    tracing::info!(error = %e, "keyring unavailable; keeping tokens in the 0600 file")
                }
            }
        }
        self.file.save(context, tokens)
    }

    fn remove(&self, context: &str) -> Result<(), StoreError> {
        if let Some(keyring) = &self.keyring
            && let Err(e) = keyring.remove(context)
        {
            tracing::debug!(error = %e, "keyring unavailable while forgetting tokens");
        }
        self.file.remove(context)
    }

    fn accounts(&self) -> Result<Vec<String>, StoreError> {
        self.file.accounts()
    }
}

#[cfg(feature = "os-keyring")]
fn os_keyring() -> Option<Arc<dyn TokenStore>> {
    Some(Arc::new(OsKeyring))
}

#[cfg(not(feature = "os-keyring"))]
fn os_keyring() -> Option<Arc<dyn TokenStore>> {
    None
}

/// One keyring entry per context holding the tokens as JSON.
#[cfg(feature = "os-keyring")]
struct OsKeyring;

#[cfg(feature = "os-keyring")]
impl OsKeyring {
    fn entry(context: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(SERVICE, context).map_err(keyring_error)
    }
}

/// Keyring errors name the platform's failure, never the secret.
#[cfg(feature = "os-keyring")]
fn keyring_error(e: keyring::Error) -> StoreError {
    StoreError::Invalid {
        path: std::path::PathBuf::from("<os keyring>"),
        reason: e.to_string(),
    }
}

#[cfg(feature = "os-keyring")]
impl TokenStore for OsKeyring {
    fn load(&self, context: &str) -> Result<Option<StoredTokens>, StoreError> {
        let entry = OsKeyring::entry(context)?;
        match entry.get_password() {
            Ok(json) => serde_json::from_str::<super::tokens::TokenEntry>(&json)
                .map(|e| Some(e.into_tokens()))
                .map_err(|_| StoreError::Invalid {
                    path: std::path::PathBuf::from("<os keyring>"),
                    reason: "the stored tokens are unreadable; sign in again".to_string(),
                }),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn save(&self, context: &str, tokens: &StoredTokens) -> Result<(), StoreError> {
        let json = serde_json::to_string(&super::tokens::TokenEntry::from_tokens(tokens)).map_err(
            |_| StoreError::Encode {
                path: std::path::PathBuf::from("<os keyring>"),
                reason: "cannot encode the tokens".to_string(),
            },
        )?;
        OsKeyring::entry(context)?
            .set_password(&json)
            .map_err(keyring_error)
    }

    fn remove(&self, context: &str) -> Result<(), StoreError> {
        match OsKeyring::entry(context)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    /// A keyring that is never there, as on a headless machine.
    struct Unavailable;

    impl TokenStore for Unavailable {
        fn load(&self, _: &str) -> Result<Option<StoredTokens>, StoreError> {
            Err(StoreError::Invalid {
                path: "<os keyring>".into(),
                reason: "no secret service".into(),
            })
        }
        fn save(&self, context: &str, _: &StoredTokens) -> Result<(), StoreError> {
            self.load(context).map(|_| ())
        }
        fn remove(&self, context: &str) -> Result<(), StoreError> {
            self.load(context).map(|_| ())
        }
    }

    #[test]
    fn without_a_keyring_tokens_fall_back_to_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = AutoTokenStore::with_keyring(
            Some(Arc::new(Unavailable)),
            FileTokenStore::new(dir.path()),
        );
        let tokens = StoredTokens {
            access_token: Secret::new("tok-fallback"),
            refresh_token: None,
            expires_at: None,
        };
        store.save("team", &tokens).unwrap();
        assert!(store.file().path().is_file());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.file().path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(store.load("team").unwrap(), Some(tokens));
        store.remove("team").unwrap();
        assert_eq!(store.load("team").unwrap(), None);
        assert!(!format!("{store:?}").contains("tok-"));
    }
}
