//! The token store: access and refresh tokens per context, in a file of mode 0600 in the state
//! dir, written atomically; the OS keyring (`keyring.rs`) is tried first when available.
//! Token text never reaches an error message or a log line from here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::write_atomic;
use super::error::StoreError;
use super::limits::{FileKind, read_limited};
use crate::secret::Secret;
use crate::wire::Timestamp;

const FILE_NAME: &str = "tokens.json";
const FILE_MODE: u32 = 0o600;
const FORMAT_VERSION: u32 = 1;

/// What a sign-in leaves behind for one context. `Debug` shows no token.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredTokens {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// When the access token expires (refresh before it).
    pub expires_at: Option<Timestamp>,
}

/// Where tokens are kept: the OS keyring, or the 0600 file.
pub trait TokenStore: Send + Sync {
    fn load(&self, context: &str) -> Result<Option<StoredTokens>, StoreError>;
    fn save(&self, context: &str, tokens: &StoredTokens) -> Result<(), StoreError>;
    /// Forgets every stored secret of `context` (logout). Absent is not an error.
    fn remove(&self, context: &str) -> Result<(), StoreError>;
    /// The accounts holding tokens, where the store can list them (a keyring cannot).
    fn accounts(&self) -> Result<Vec<String>, StoreError> {
        Ok(Vec::new())
    }
}

#[derive(Clone, Debug)]
pub struct FileTokenStore {
    path: PathBuf,
}

#[derive(Default, Serialize, Deserialize)]
struct TokenFile {
    version: u32,
    #[serde(default)]
    contexts: BTreeMap<String, TokenEntry>,
}

/// One context's tokens as stored (the file's entries, the keyring's secret).
#[derive(Serialize, Deserialize)]
pub(crate) struct TokenEntry {
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<Timestamp>,
}

impl TokenEntry {
    pub(crate) fn from_tokens(tokens: &StoredTokens) -> TokenEntry {
        TokenEntry {
            access_token: tokens.access_token.expose().to_string(),
            refresh_token: tokens
                .refresh_token
                .as_ref()
                .map(|t| t.expose().to_string()),
            expires_at: tokens.expires_at,
        }
    }

    pub(crate) fn into_tokens(self) -> StoredTokens {
        StoredTokens {
            access_token: Secret::new(self.access_token),
            refresh_token: self.refresh_token.map(Secret::new),
            expires_at: self.expires_at,
        }
    }
}

impl FileTokenStore {
    pub fn new(state_dir: &Path) -> FileTokenStore {
        FileTokenStore {
            path: state_dir.join(FILE_NAME),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<Option<TokenFile>, StoreError> {
        // Too large is `Invalid`, like a corrupt file: signing in again replaces it.
        let Some(bytes) = read_limited(&self.path, FileKind::Tokens)? else {
            return Ok(None);
        };
        self.tighten_mode();
        // serde's messages may quote values (tokens): report the position only.
        serde_json::from_slice::<TokenFile>(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Invalid {
                path: self.path.clone(),
                reason: format!(
                    "not a valid token file (line {}, column {}); sign in again to replace it",
                    e.line(),
                    e.column()
                ),
            })
    }

    fn write(&self, file: &TokenFile) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(file).map_err(|_| StoreError::Encode {
            path: self.path.clone(),
            reason: "cannot encode the tokens".to_string(),
        })?;
        write_atomic(&self.path, &bytes, Some(FILE_MODE))
            .map_err(|e| StoreError::write(&self.path, e))
    }

    /// A token file others can read is made private again (someone chmod-ed or copied it).
    fn tighten_mode(&self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Not through a symbolic link: chmod would change whatever it points to.
            let Ok(meta) = std::fs::symlink_metadata(&self.path) else {
                return;
            };
            if meta.file_type().is_symlink() {
                tracing::warn!(path = %self.path.display(), "token file is a symbolic link; its mode is left alone");
                return;
            }
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(path = %self.path.display(), "token file was readable by others; restoring mode 0600");
                let _ = std::fs::set_permissions(
                    &self.path,
                    std::fs::Permissions::from_mode(FILE_MODE),
                );
            }
        }
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self, context: &str) -> Result<Option<StoredTokens>, StoreError> {
        let Some(mut file) = self.read()? else {
            return Ok(None);
        };
        Ok(file.contexts.remove(context).map(TokenEntry::into_tokens))
    }

    fn save(&self, context: &str, tokens: &StoredTokens) -> Result<(), StoreError> {
        let mut file = match self.read() {
            Ok(file) => file.unwrap_or_default(),
            Err(StoreError::Invalid { reason, .. }) => {
                // Tokens can always be had again by signing in: replace the broken file.
                tracing::warn!(%reason, "replacing the unreadable token file");
                TokenFile::default()
            }
            Err(e) => return Err(e),
        };
        file.version = FORMAT_VERSION;
        file.contexts
            .insert(context.to_string(), TokenEntry::from_tokens(tokens));
        self.write(&file)
    }

    fn accounts(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .read()?
            .map(|f| f.contexts.into_keys().collect())
            .unwrap_or_default())
    }

    fn remove(&self, context: &str) -> Result<(), StoreError> {
        let Some(mut file) = self.read()? else {
            return Ok(());
        };
        if file.contexts.remove(context).is_some() {
            self.write(&file)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(access: &str) -> StoredTokens {
        StoredTokens {
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new(format!("{access}-refresh"))),
            expires_at: Timestamp::parse("2026-11-24T10:00:00Z"),
        }
    }

    #[test]
    fn round_trip_per_context_and_logout() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path());
        assert_eq!(store.load("demo").unwrap(), None);
        store.save("demo", &tokens("aaa")).unwrap();
        store.save("prod", &tokens("bbb")).unwrap();
        assert_eq!(store.load("demo").unwrap(), Some(tokens("aaa")));
        store.remove("demo").unwrap();
        assert_eq!(store.load("demo").unwrap(), None);
        assert_eq!(store.load("prod").unwrap(), Some(tokens("bbb")));
        store.remove("never-there").unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_stays_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path());
        store.save("demo", &tokens("aaa")).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(store.path()), 0o600);
        std::fs::set_permissions(store.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        store.load("demo").unwrap();
        assert_eq!(mode(store.path()), 0o600);
    }

    #[test]
    fn a_broken_file_is_reported_without_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path());
        std::fs::write(
            store.path(),
            br#"{"version":1,"contexts":{"demo":{"access_token":"s3cr3t-token","expires_at":"s3cr3t-token"}}}"#,
        )
        .unwrap();
        let err = store.load("demo").unwrap_err().to_string();
        assert!(
            err.contains("tokens.json") && err.contains("line 1"),
            "{err}"
        );
        assert!(!err.contains("s3cr3t"), "{err}");
        // Signing in again replaces it.
        store.save("demo", &tokens("new")).unwrap();
        assert_eq!(store.load("demo").unwrap(), Some(tokens("new")));
    }

    #[test]
    fn debug_output_shows_no_token() {
        let text = format!("{:?}", tokens("very-secret"));
        assert!(!text.contains("very-secret"), "{text}");
    }
}
