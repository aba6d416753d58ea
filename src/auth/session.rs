//! One context's sign-in: where its tokens come from (a ready token, client credentials, or
//! the token store filled by `envdeck login`), refreshing them before they expire and once on
//! a 401, and persisting what the provider hands back.

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use super::oauth::{Provider, client_credentials_grant, discover};
use super::{AuthError, TokenSet, refresh_grant};
use crate::api::{Client, TokenRefresher};
use crate::secret::Secret;
use crate::store::{StoredTokens, TokenStore};
use crate::wire::Timestamp;

/// Refresh when the access token has less than this left.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Where the identity provider is: `{base}/realms/{realm}`, and the public client to use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityConfig {
    pub base: String,
    pub realm: String,
    pub client_id: String,
}

/// How this process signs in.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// `ENVDECK_TOKEN`: used as is; never stored, cannot be refreshed.
    Ready(Secret),
    /// `ENVDECK_CLIENT_ID` + `ENVDECK_CLIENT_SECRET`: a grant whenever a token is needed.
    Client { id: String, secret: Secret },
    /// Tokens left in the token store by `envdeck login`.
    Stored,
}

impl Credentials {
    /// From the environment, in that order: a ready token, client credentials, the store.
    pub fn from_env() -> Credentials {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(token) = var("ENVDECK_TOKEN") {
            return Credentials::Ready(Secret::new(token));
        }
        match (var("ENVDECK_CLIENT_ID"), var("ENVDECK_CLIENT_SECRET")) {
            (Some(id), Some(secret)) => Credentials::Client {
                id,
                secret: Secret::new(secret),
            },
            _ => Credentials::Stored,
        }
    }
}

pub struct Session {
    /// The token store's account: the context's name (`context@stage` for a stage with its
    /// own identity provider).
    pub account: String,
    pub identity: IdentityConfig,
    credentials: Credentials,
    store: Arc<dyn TokenStore>,
    http: reqwest::Client,
    provider: tokio::sync::OnceCell<Provider>,
    /// Raised when a refresh after a 401 failed: someone must sign in again.
    login_needed: tokio::sync::Notify,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("account", &self.account)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

fn expires_at(expires_in: Option<u64>) -> Option<Timestamp> {
    let secs = i64::try_from(expires_in?).ok()?;
    Some(Timestamp(
        chrono::Utc::now() + chrono::Duration::seconds(secs),
    ))
}

fn expiring(tokens: &StoredTokens) -> bool {
    let margin = chrono::Duration::from_std(REFRESH_MARGIN).unwrap_or_default();
    tokens
        .expires_at
        .is_some_and(|at| at.0 - chrono::Utc::now() < margin)
}

impl Session {
    pub fn new(
        account: &str,
        identity: IdentityConfig,
        credentials: Credentials,
        store: Arc<dyn TokenStore>,
        http: reqwest::Client,
    ) -> Session {
        Session {
            account: account.to_string(),
            identity,
            credentials,
            store,
            http,
            provider: tokio::sync::OnceCell::new(),
            login_needed: tokio::sync::Notify::new(),
        }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The provider's endpoints, discovered once.
    pub async fn provider(&self) -> Result<&Provider, AuthError> {
        self.provider
            .get_or_try_init(|| discover(&self.http, &self.identity.base, &self.identity.realm))
            .await
    }

    /// The token to start with; a stored one about to expire is refreshed first.
    /// `None`: not signed in.
    pub async fn access_token(&self) -> Result<Option<Secret>, AuthError> {
        match &self.credentials {
            Credentials::Ready(token) => Ok(Some(token.clone())),
            Credentials::Client { .. } => self.refresh().await.map(Some),
            Credentials::Stored => {
                let Some(tokens) = self.store.load(&self.account)? else {
                    return Ok(None);
                };
                if !expiring(&tokens) {
                    return Ok(Some(tokens.access_token));
                }
                match self.refresh().await {
                    Ok(token) => Ok(Some(token)),
                    Err(e) => {
                        tracing::info!(error = %e, "refreshing an expiring token failed");
                        let expired = tokens.expires_at.is_some_and(|at| at <= Timestamp::now());
                        Ok((!expired).then_some(tokens.access_token))
                    }
                }
            }
        }
    }

    /// A fresh access token: the refresh grant (persisting the new tokens), or a new client
    /// grant. A refusal means the person must sign in again.
    pub async fn refresh(&self) -> Result<Secret, AuthError> {
        match &self.credentials {
            Credentials::Ready(_) => Err(AuthError::LoginRequired(
                ": ENVDECK_TOKEN was refused or expired".to_string(),
            )),
            Credentials::Client { id, secret } => {
                let provider = self.provider().await?;
                let tokens =
                    client_credentials_grant(&self.http, &provider.token_endpoint, id, secret)
                        .await?;
                Ok(tokens.access_token)
            }
            Credentials::Stored => {
                let refresh_token = self
                    .store
                    .load(&self.account)?
                    .and_then(|t| t.refresh_token)
                    .ok_or_else(|| self.login_required())?;
                let provider = self.provider().await?;
                let fresh = refresh_grant(
                    &self.http,
                    &provider.token_endpoint,
                    &self.identity.client_id,
                    &refresh_token,
                )
                .await
                .map_err(|e| match e {
                    AuthError::Refused(reason) => {
                        tracing::info!(%reason, "the refresh token was refused");
                        self.login_required()
                    }
                    other => other,
                })?;
                let access = fresh.access_token.clone();
                self.save(TokenSet {
                    refresh_token: fresh.refresh_token.or(Some(refresh_token)),
                    ..fresh
                })?;
                tracing::info!(account = %self.account, "tokens refreshed");
                Ok(access)
            }
        }
    }

    fn login_required(&self) -> AuthError {
        AuthError::LoginRequired(format!(" to {:?}", self.account))
    }

    /// Keeps a grant's tokens in the store.
    pub fn save(&self, tokens: TokenSet) -> Result<(), AuthError> {
        let stored = StoredTokens {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            expires_at: expires_at(tokens.expires_in),
        };
        Ok(self.store.save(&self.account, &stored)?)
    }

    /// Forgets every stored secret of this account.
    pub fn logout(&self) -> Result<(), AuthError> {
        Ok(self.store.remove(&self.account)?)
    }

    /// When the stored access token expires.
    pub fn expires_at(&self) -> Option<Timestamp> {
        match self.credentials {
            Credentials::Stored => self.store.load(&self.account).ok()??.expires_at,
            _ => None,
        }
    }

    /// Resolves once a refresh after a 401 has failed (since the last call).
    pub async fn login_needed(&self) {
        self.login_needed.notified().await;
    }

    /// The client's hook for a 401: one refresh.
    pub fn refresher(self: &Arc<Session>) -> Arc<dyn TokenRefresher> {
        Arc::new(SessionRefresher(self.clone()))
    }

    /// For long sessions (the console): refreshes a minute before expiry, for as long as it
    /// runs, handing each new token to `client`. Returns only when a refresh failed; never
    /// when there is nothing to refresh (a ready token, tokens without an expiry).
    pub async fn keep_fresh(self: Arc<Session>, client: Client) {
        loop {
            let wait = match &self.credentials {
                Credentials::Ready(_) => std::future::pending().await,
                Credentials::Client { .. } => Duration::from_secs(240),
                Credentials::Stored => match self.expires_at() {
                    Some(at) => (at.0 - chrono::Utc::now())
                        .to_std()
                        .unwrap_or_default()
                        .saturating_sub(REFRESH_MARGIN),
                    // Nothing stored (or no expiry): a 401 will say when to sign in.
                    None => std::future::pending().await,
                },
            };
            tokio::time::sleep(wait.max(Duration::from_secs(5))).await;
            match self.refresh().await {
                Ok(token) => client.set_token(Some(token)),
                Err(e) => {
                    tracing::warn!(error = %e, "keeping the session fresh failed");
                    return;
                }
            }
        }
    }
}

struct SessionRefresher(Arc<Session>);

impl TokenRefresher for SessionRefresher {
    fn refresh(&self) -> BoxFuture<'static, Result<Secret, String>> {
        let session = self.0.clone();
        Box::pin(async move {
            let result = session.refresh().await.map_err(|e| e.to_string());
            if result.is_err() {
                session.login_needed.notify_one();
            }
            result
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_close_to_expiry_are_refreshed_first() {
        let at = |secs: i64| StoredTokens {
            access_token: Secret::new("t"),
            refresh_token: None,
            expires_at: Some(Timestamp(
                chrono::Utc::now() + chrono::Duration::seconds(secs),
            )),
        };
        assert!(expiring(&at(10)));
        assert!(expiring(&at(-10)));
        assert!(!expiring(&at(600)));
        assert!(!expiring(&StoredTokens::default()));
    }

    #[test]
    fn debug_shows_no_credentials() {
        let c = Credentials::Client {
            id: "ci".into(),
            secret: Secret::new("hush-123"),
        };
        assert!(!format!("{c:?}").contains("hush-123"));
        let r = Credentials::Ready(Secret::new("tok-123"));
        assert!(!format!("{r:?}").contains("tok-123"));
    }
}
