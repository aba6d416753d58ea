//! The embedded identity provider, shaped like Keycloak's realm `stoa`: OIDC discovery, JWKS,
//! the token endpoint (password, refresh_token, client_credentials, device_code), the device
//! authorization endpoint and its HTML verification page, token revocation (RFC 7009), and
//! bearer-token verification for every API route.

mod clients;
mod device;
mod device_page;
mod discovery;
mod error;
mod files;
mod keys;
mod password;
mod revoke;
mod throttle;
mod token_endpoint;
mod tokens;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

use crate::secret::Secret;
use crate::server::db::Db;

pub use clients::{ADMIN_CLIENT, PUBLIC_CLIENT};
pub use device::DeviceTiming;
pub use error::{AuthError, IdentityError};
pub use keys::KEY_FILE;
pub use tokens::{AUDIENCE, Lifetimes};
pub use users::{NewUser, Principal, SCHEMA_SQL, insert_user};

/// The realm's path under the server root.
pub const REALM_PATH: &str = "/realms/stoa";
/// The admin client's secret, created once per data dir (mode 0600).
pub const CLIENT_SECRET_FILE: &str = "stoactl-admin.secret";
/// Until `set_public_url` is called, URLs assume the default listen address.
const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8421";
/// Verified tokens kept in memory; each entry is small (a principal and a hash).
const VERIFY_CACHE_ENTRIES: usize = 8192;
/// Password checks running at once (one per core here).
const PASSWORD_CHECKS: usize = 2;

/// The identity provider: cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct Identity {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    keys: keys::SigningKeys,
    admin_secret: Secret,
    admin_secret_path: PathBuf,
    /// The service account of `stoactl-admin`, stable per data dir.
    service_account: Principal,
    public_url: RwLock<String>,
    lifetimes: RwLock<Lifetimes>,
    device_timing: RwLock<DeviceTiming>,
    devices: device::DeviceStore,
    cache: tokens::VerifyCache,
    /// Bounds concurrent password checks (each holds several MiB for tens of milliseconds).
    password_checks: tokio::sync::Semaphore,
    /// Password and device-code guessing, per user and per address.
    throttle: throttle::Throttle,
    /// Sessions ended by a revocation or logout: their tokens no longer verify.
    revoked: revoke::RevokedSessions,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("issuer", &self.issuer())
            .field("kid", &self.inner.keys.kid)
            .finish_non_exhaustive()
    }
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read().unwrap_or_else(|p| p.into_inner()).clone()
}

fn write<T>(lock: &RwLock<T>, value: T) {
    *lock.write().unwrap_or_else(|p| p.into_inner()) = value;
}

impl Identity {
    /// Loads the signing key and the admin client's secret from `data_dir`, creating them on
    /// first start (generating the RSA key takes a moment). Never replaces an existing file.
    pub fn load_or_create(data_dir: &Path, db: Db) -> Result<Identity, IdentityError> {
        let keys = keys::SigningKeys::load_or_create(data_dir)?;
        let admin_secret_path = data_dir.join(CLIENT_SECRET_FILE);
        let admin_secret = load_or_create_secret(&admin_secret_path)?;
        let service_account = service_account(&keys.kid);
        let revoked = revoke::RevokedSessions::load(db.path(), tokens::now_secs())?;
        Ok(Identity {
            inner: Arc::new(Inner {
                db,
                keys,
                admin_secret,
                admin_secret_path,
                service_account,
                public_url: RwLock::new(DEFAULT_PUBLIC_URL.to_string()),
                lifetimes: RwLock::new(Lifetimes::default()),
                device_timing: RwLock::new(DeviceTiming::default()),
                devices: device::DeviceStore::default(),
                cache: tokens::VerifyCache::new(VERIFY_CACHE_ENTRIES),
                password_checks: tokio::sync::Semaphore::new(PASSWORD_CHECKS),
                throttle: throttle::Throttle::default(),
                revoked,
            }),
        })
    }

    /// Sets the URL clients reach this server at ("http://HOST:PORT"); the issuer becomes
    /// `{base_url}/realms/stoa`. Tokens naming another issuer stop verifying.
    pub fn set_public_url(&self, base_url: &str) {
        write(
            &self.inner.public_url,
            base_url.trim_end_matches('/').to_string(),
        );
        self.inner.cache.clear();
    }

    /// Access and refresh token lifetimes (5 minutes and 8 hours by default).
    pub fn set_token_lifetimes(&self, access: Duration, refresh: Duration) {
        write(&self.inner.lifetimes, Lifetimes { access, refresh });
    }

    /// Device-code timing for codes issued from now on (tests shorten it).
    pub fn set_device_timing(&self, timing: DeviceTiming) {
        write(&self.inner.device_timing, timing);
    }

    /// Where the `stoactl-admin` client secret lives (a 0600 file, one line).
    pub fn client_secret_path(&self) -> &Path {
        &self.inner.admin_secret_path
    }

    pub fn issuer(&self) -> String {
        format!("{}{REALM_PATH}", read(&self.inner.public_url))
    }

    /// Validates an `Authorization` header value ("Bearer <jwt>"): signature, issuer,
    /// audience, expiry, token type and that its session was not revoked. Verified tokens are
    /// cached until they expire; the revocation check runs on every call (a map lookup).
    pub fn verify(&self, authorization_header: Option<&str>) -> Result<Principal, AuthError> {
        let token = bearer_token(authorization_header).ok_or(AuthError::Missing)?;
        let key = tokens::VerifyCache::key(token);
        let now = tokens::now_secs();
        if let Some((principal, sid)) = self.inner.cache.get(&key, now) {
            if self.inner.revoked.contains(&sid) {
                return Err(AuthError::Revoked);
            }
            return Ok(Principal::clone(&principal));
        }
        let claims = tokens::decode(
            &self.inner.keys,
            token,
            &self.issuer(),
            AUDIENCE,
            tokens::TYP_ACCESS,
        )?;
        if self.inner.revoked.contains(&claims.sid) {
            return Err(AuthError::Revoked);
        }
        let principal = Arc::new(claims.principal());
        let entry = (
            principal.clone(),
            claims.exp,
            Arc::from(claims.sid.as_str()),
        );
        self.inner.cache.insert(key, entry, now);
        Ok(Principal::clone(&principal))
    }

    /// All `/realms/stoa/**` routes, with their state applied.
    pub fn router(&self) -> Router {
        let oidc = |path: &str| format!("{REALM_PATH}/protocol/openid-connect{path}");
        Router::new()
            .route(REALM_PATH, get(discovery::realm_info))
            .route(
                &format!("{REALM_PATH}/.well-known/openid-configuration"),
                get(discovery::openid_configuration),
            )
            .route(&oidc("/certs"), get(discovery::jwks))
            .route(&oidc("/token"), post(token_endpoint::token))
            .route(
                &oidc("/auth/device"),
                post(token_endpoint::device_authorization),
            )
            .route(&oidc("/logout"), post(token_endpoint::logout))
            .route(&oidc("/revoke"), post(revoke::revoke))
            .route(
                &format!("{REALM_PATH}/device"),
                get(device_page::show).post(device_page::submit),
            )
            .with_state(self.clone())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }
}

/// The token of a `Bearer` header value; the scheme is case-insensitive (RFC 7235).
fn bearer_token(header: Option<&str>) -> Option<&str> {
    let (scheme, token) = header?.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn load_or_create_secret(path: &Path) -> Result<Secret, IdentityError> {
    use base64::Engine;
    use rand::RngCore;
    let created = files::read_or_create(path, || {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Ok(format!(
            "{}\n",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        ))
    })
    .map_err(|source| IdentityError::SecretFile {
        path: path.to_path_buf(),
        source,
    })?;
    let content = match created {
        files::Created::Existing(content) => content,
        files::Created::New => {
            std::fs::read_to_string(path).map_err(|source| IdentityError::SecretFile {
                path: path.to_path_buf(),
                source,
            })?
        }
    };
    let secret = content.trim();
    if secret.is_empty() || secret.contains(char::is_whitespace) {
        return Err(IdentityError::SecretCorrupt {
            path: path.to_path_buf(),
        });
    }
    Ok(Secret::new(secret))
}

/// Keycloak names a client's service account `service-account-<client>`; its `sub` is
/// derived from the signing key so it is the same after every restart.
fn service_account(kid: &str) -> Principal {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("service-account:{ADMIN_CLIENT}:{kid}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Principal {
        sub: uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string(),
        username: format!("service-account-{ADMIN_CLIENT}"),
        email: None,
        roles: vec![crate::domain::Role::CpiAdmin],
        tenant_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_headers_are_parsed_strictly() {
        assert_eq!(bearer_token(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer_token(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer_token(Some("Basic abc")), None);
        assert_eq!(bearer_token(Some("Bearer ")), None);
        assert_eq!(bearer_token(Some("abc")), None);
        assert_eq!(bearer_token(None), None);
    }

    #[test]
    fn service_account_is_stable_per_key() {
        assert_eq!(service_account("k1").sub, service_account("k1").sub);
        assert_ne!(service_account("k1").sub, service_account("k2").sub);
    }
}
