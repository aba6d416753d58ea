//! Signing in against an OIDC provider shaped like Keycloak's realm `stoa`: discovery, the
//! device-code, password, client-credentials and refresh grants, token revocation for logout,
//! and [`Session`], which keeps one context's tokens fresh in the token store.

mod grants;
mod oauth;
mod revoke;
mod session;

pub use grants::{password_grant, refresh_grant, token_endpoint};
pub use oauth::{
    DeviceLogin, Provider, client_credentials_grant, device_login, discover, discover_issuer,
};
pub use revoke::{REVOKE_TIMEOUT, Revocation, issuer_of, revoke_session, revoke_token};
pub use session::{Credentials, IdentityConfig, Session};

use crate::secret::Secret;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("cannot reach the identity provider at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("sign-in refused: {0}")]
    Refused(String),
    #[error("unexpected answer from the identity provider: {0}")]
    Decode(String),
    #[error(
        "the identity provider at {0} offers no device login; use --username with --password-stdin"
    )]
    NoDeviceLogin(String),
    #[error("the sign-in code expired before it was approved; run `envdeck login` again")]
    Expired,
    #[error("not signed in{0}: run `envdeck login`")]
    LoginRequired(String),
    /// A revocation endpoint's refusal, in one line.
    #[error("{0}")]
    Revoke(String),
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
}

/// Tokens from a grant. `Debug` never shows them.
#[derive(Clone, Debug)]
pub struct TokenSet {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in: Option<u64>,
}
