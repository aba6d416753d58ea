//! The control-plane client: one `reqwest::Client`, tolerant of the real service's quirks
//! (CONTRACT.md): stage spellings per endpoint, envelopes, error shapes, 400-as-not-found,
//! 429 with Retry-After, reset keep-alive connections. Bounded in time and in body size.

pub mod completion;
mod endpoints;
pub mod error;
mod guard;
pub mod matrix;
mod overrides;
mod paging;
pub mod plan;
pub mod prepare;
mod subscriptions;
mod token;
mod transport;

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use crate::domain::policy::PromotionFacts;
use crate::domain::text::sanitize;
use crate::domain::{Mode, Operation, StageName};
use crate::secret::Secret;

pub use error::ApiError;
pub use guard::{NOT_KNOWN_YET, PolicyGuard};
pub use overrides::{Emergency, OVERRIDE_HEADER, OVERRIDE_MAX, OverrideError};
pub use token::TokenRefresher;
use transport::Request;

pub type Result<T> = std::result::Result<T, ApiError>;

/// Filters for `GET /v1/tenants/{t}/promotions`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PromotionFilter {
    pub api_id: Option<String>,
    pub status: Option<String>,
    pub target: Option<StageName>,
}

/// Bounds and identity of the client. The defaults suit an interactive console.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Whole exchange: connecting, waiting and reading the body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Larger answers are refused with [`ApiError::TooLarge`].
    pub max_body_bytes: u64,
    /// Hard cap on requests for one list. Pages hold 100 items at most (larger ones are
    /// refused), so with full pages `max_list_items` ends a list first.
    pub max_pages: u32,
    /// The most items one list may hold; a longer one is refused with [`ApiError::TooMany`]
    /// before it is kept (memory stays bounded against a server whose list never ends).
    pub max_list_items: usize,
    /// How many times a throttled (429) read is retried, and the longest wait accepted.
    pub max_throttle_retries: u32,
    pub max_throttle_wait: Duration,
    pub user_agent: String,
    /// This machine's tightening of stages (config.toml), for the write guard.
    pub local_tightening: std::collections::BTreeMap<StageName, Mode>,
    /// `--readonly`: the write guard refuses every write.
    pub session_readonly: bool,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_body_bytes: 16 * 1024 * 1024,
            max_pages: 2000,
            // The largest list the console is built and measured for (BENCHMARKS.md).
            max_list_items: 100_000,
            max_throttle_retries: 3,
            max_throttle_wait: Duration::from_secs(30),
            user_agent: concat!("envdeck/", env!("CARGO_PKG_VERSION")).to_string(),
            local_tightening: std::collections::BTreeMap::new(),
            session_readonly: false,
        }
    }
}

/// Cheap to clone: clones share one connection pool and one token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("tenant", &self.inner.tenant)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    http: reqwest::Client,
    base: Url,
    base_url: String,
    tenant: String,
    token: RwLock<Option<Secret>>,
    refresher: RwLock<Option<Arc<dyn TokenRefresher>>>,
    /// The write guard, shared with the clients of routed stages; it learns the stages and
    /// the actor from every `environments()` and `me()` that succeeds.
    guard: Arc<RwLock<PolicyGuard>>,
    /// An emergency override under way (cpi-admin, time-boxed).
    override_: RwLock<Option<Emergency>>,
    /// Stages served by another control plane: their calls go to that client.
    routes: RwLock<std::collections::BTreeMap<StageName, Client>>,
    /// The stages `environments()` last listed (for lists that must ask per stage).
    stages: RwLock<Vec<StageName>>,
    /// One refresh at a time: calls refused together wait for the first refresh.
    refresh_lock: tokio::sync::Mutex<()>,
    options: ClientOptions,
}

impl Client {
    /// `base_url` is the control plane root (`http://127.0.0.1:8421`), `tenant` the tenant id.
    pub fn new(base_url: &str, tenant: &str, token: Option<Secret>) -> Result<Client> {
        Client::with_options(base_url, tenant, token, ClientOptions::default())
    }

    pub fn with_options(
        base_url: &str,
        tenant: &str,
        token: Option<Secret>,
        options: ClientOptions,
    ) -> Result<Client> {
        let base = parse_base_url(base_url)?;
        crate::net::install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ApiError::Invalid(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url: base.as_str().trim_end_matches('/').to_string(),
                base,
                tenant: tenant.trim().to_string(),
                token: RwLock::new(token.filter(|t| !t.is_empty())),
                refresher: RwLock::new(None),
                guard: Arc::new(RwLock::new(PolicyGuard::new(
                    options.local_tightening.clone(),
                    options.session_readonly,
                ))),
                override_: RwLock::new(None),
                routes: RwLock::new(std::collections::BTreeMap::new()),
                stages: RwLock::new(Vec::new()),
                refresh_lock: tokio::sync::Mutex::new(()),
                options,
            }),
        })
    }

    /// A client for another control plane of the same platform (a stage's own
    /// `endpoints.api_url`): same tenant, options, connection pool and write guard; its own
    /// token (the stage may use another identity provider) and no refresher yet.
    pub fn for_endpoint(&self, base_url: &str, token: Option<Secret>) -> Result<Client> {
        let base = parse_base_url(base_url)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http: self.inner.http.clone(),
                base_url: base.as_str().trim_end_matches('/').to_string(),
                base,
                tenant: self.inner.tenant.clone(),
                token: RwLock::new(token.filter(|t| !t.is_empty())),
                refresher: RwLock::new(None),
                guard: self.inner.guard.clone(),
                override_: RwLock::new(None),
                routes: RwLock::new(std::collections::BTreeMap::new()),
                stages: RwLock::new(Vec::new()),
                refresh_lock: tokio::sync::Mutex::new(()),
                options: self.inner.options.clone(),
            }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub fn tenant(&self) -> &str {
        &self.inner.tenant
    }

    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    /// Replaces the bearer token for every clone of this client.
    pub fn set_token(&self, token: Option<Secret>) {
        *self
            .inner
            .token
            .write()
            .unwrap_or_else(PoisonError::into_inner) = token.filter(|t| !t.is_empty());
    }

    pub fn has_token(&self) -> bool {
        self.inner.token().is_some()
    }

    /// Installs the hook asked once for a fresh token when the server answers 401.
    pub fn set_token_refresher(&self, refresher: Option<Arc<dyn TokenRefresher>>) {
        *self
            .inner
            .refresher
            .write()
            .unwrap_or_else(PoisonError::into_inner) = refresher;
    }

    /// Teaches the write guard the stages and the actor when the caller has them from
    /// elsewhere (`environments()` and `me()` teach it by themselves).
    pub fn learn_policy(
        &self,
        pipeline: crate::domain::Pipeline,
        actor: crate::domain::policy::Actor,
    ) {
        self.inner.update_guard(|g| {
            g.learn_pipeline(pipeline);
            g.learn_actor(actor);
        });
    }

    /// Sends every call about `stage` (its lists and writes) to `client`, a client for the
    /// stage's own control plane (see [`Client::for_endpoint`]); tenant-wide calls stay here.
    pub fn route_stage(&self, stage: StageName, client: Client) {
        self.inner
            .routes
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(stage, client);
    }

    fn routed_clients(&self) -> Vec<Client> {
        self.inner
            .routes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    /// The client for `stage` when it is routed elsewhere.
    fn routed(&self, stage: &StageName) -> Option<Client> {
        self.inner
            .routes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(stage)
            .cloned()
    }

    /// Starts the emergency override for this client and its clones: the guard is asked with
    /// the override on, and every write carries the reason, until it ends or times out.
    pub fn begin_override(&self, emergency: Emergency) {
        tracing::warn!(reason = %sanitize(emergency.reason()), "emergency override started");
        for routed in self.routed_clients() {
            routed.begin_override(emergency.clone());
        }
        *self
            .inner
            .override_
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(emergency);
    }

    /// Ends the override (the console does on idle, or when asked).
    pub fn end_override(&self) {
        for routed in self.routed_clients() {
            routed.end_override();
        }
        let ended = self
            .inner
            .override_
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if ended.is_some() {
            tracing::warn!("emergency override ended");
        }
    }

    /// The override, while it lasts.
    pub fn active_override(&self) -> Option<Emergency> {
        self.inner.active_override()
    }

    /// The guard for an edit or delete of an API: its catalog entry is shared by every stage
    /// it runs in, so each of them must allow the write (asks the server where it runs).
    async fn check_catalog_write(
        &self,
        operation: Operation,
        stage: &StageName,
        id: &str,
    ) -> Result<()> {
        // Refused before the look-up too, when the guard cannot judge or the stage forbids it.
        self.check_write(operation, stage, None)?;
        let api = self.api(id).await?;
        let present: Vec<StageName> = api
            .stage_names()
            .iter()
            .filter_map(|raw| StageName::parse(raw).ok())
            .collect();
        let override_active = self.inner.active_override().is_some();
        let verdict = self.inner.read_guard().check_catalog(
            operation,
            stage,
            &api.name,
            &present,
            override_active,
        );
        refused(verdict, operation, stage)
    }

    fn check_write(
        &self,
        operation: Operation,
        stage: &StageName,
        promotion: Option<PromotionFacts<'_>>,
    ) -> Result<()> {
        let override_active = self.inner.active_override().is_some();
        let verdict = self
            .inner
            .read_guard()
            .check(operation, stage, promotion, override_active);
        refused(verdict, operation, stage)
    }

    /// The guard for a step on an existing promotion: its target and facts (status, who
    /// asked) come from the server, read just before the write.
    async fn check_promotion_step(&self, operation: Operation, id: &str) -> Result<()> {
        if !self.inner.read_guard().knows() {
            tracing::info!(operation = operation.verb(), "write refused before sending");
            return Err(ApiError::Refused(guard::NOT_KNOWN_YET.to_string()));
        }
        let p = self.promotion(id).await?;
        let target = StageName::parse(&p.target_environment).map_err(|_| {
            ApiError::Refused(format!(
                "promotion {id} targets an unreadable stage; nothing was sent"
            ))
        })?;
        self.check_write(operation, &target, Some(p.facts()))
    }
}

fn refused(
    verdict: std::result::Result<(), String>,
    operation: Operation,
    stage: &StageName,
) -> Result<()> {
    verdict.map_err(|reason| {
        tracing::info!(operation = operation.verb(), %stage, %reason, "write refused before sending");
        ApiError::Refused(reason)
    })
}

impl Inner {
    fn read_guard(&self) -> std::sync::RwLockReadGuard<'_, PolicyGuard> {
        self.guard.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The guard follows what the server said last.
    fn update_guard(&self, learn: impl FnOnce(&mut PolicyGuard)) {
        learn(&mut self.guard.write().unwrap_or_else(PoisonError::into_inner));
    }

    fn active_override(&self) -> Option<Emergency> {
        self.override_
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|o| o.is_active(crate::wire::Timestamp::now()))
    }

    fn token(&self) -> Option<Secret> {
        self.token
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn refresher(&self) -> Option<Arc<dyn TokenRefresher>> {
        self.refresher
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// After a 401 on a call sent with `sent`: true when a fresh token is in place to resend.
    async fn refresh_token_after_401(&self, sent: Option<&Secret>) -> bool {
        let Some(refresher) = self.refresher() else {
            return false;
        };
        let _one_at_a_time = self.refresh_lock.lock().await;
        if self.token().as_ref() != sent {
            // Another call refreshed while this one waited.
            return true;
        }
        match refresher.refresh().await {
            Ok(token) if !token.is_empty() => {
                *self.token.write().unwrap_or_else(PoisonError::into_inner) = Some(token);
                tracing::info!("access token refreshed after a 401");
                true
            }
            Ok(_) => false,
            Err(reason) => {
                tracing::warn!(reason = %sanitize(&reason), "token refresh failed; sign in again");
                false
            }
        }
    }

    fn url_for(&self, request: &Request) -> Result<Url> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| ApiError::Invalid(format!("{} cannot take a path", self.base_url)))?
            .pop_if_empty()
            .extend(&request.segments);
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    async fn get_json<T: DeserializeOwned>(&self, request: &Request) -> Result<T> {
        let body = transport::execute(self, request).await?;
        decode(request, &body)
    }

    /// A write: sent once, its answer decoded.
    async fn send_json<T: DeserializeOwned>(&self, request: &Request) -> Result<T> {
        let body = transport::execute(self, request).await?;
        decode(request, &body)
    }
}

pub(crate) fn decode<T: DeserializeOwned>(request: &Request, body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| ApiError::Decode {
        what: request.what(),
        reason: sanitize(&e.to_string()).into_owned(),
    })
}

fn parse_base_url(raw: &str) -> Result<Url> {
    let mut url = Url::parse(raw.trim())
        .map_err(|e| ApiError::Invalid(format!("invalid control plane URL {raw:?}: {e}")))?;
    let has_credentials = !url.username().is_empty() || url.password().is_some();
    // Credentials in a URL would end up in logs and error texts: never echo them.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let invalid = |why: &str| ApiError::Invalid(format!("invalid control plane URL {url}: {why}"));
    if has_credentials {
        return Err(invalid("credentials do not belong in the URL; use a token"));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("use http:// or https://"));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(invalid("no host"));
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    #[test]
    fn base_urls_are_checked_and_normalised() {
        let c = Client::new("http://127.0.0.1:8421/", "acme", None).unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:8421");
        let c = Client::new("https://cp.example.test/api/", "acme", None).unwrap();
        assert_eq!(c.base_url(), "https://cp.example.test/api");
        for bad in ["ftp://x", "not a url", "http://user:pw@host", "mailto:a@b"] {
            let err = Client::new(bad, "acme", None).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}: {err}");
            assert!(!err.to_string().contains("pw@"), "{err}");
        }
    }

    #[test]
    fn paths_are_joined_and_escaped() {
        let c = Client::new("https://cp.example.test/api/", "ac me", None).unwrap();
        let r = Request::new(Method::GET, &["v1", "tenants", "ac me", "apis", "a/b"])
            .query("environment", "prod");
        let url = c.inner.url_for(&r).unwrap();
        assert_eq!(
            url.as_str(),
            "https://cp.example.test/api/v1/tenants/ac%20me/apis/a%2Fb?environment=prod"
        );
    }

    #[test]
    fn tokens_are_shared_by_clones_and_never_printed() {
        let c = Client::new("http://127.0.0.1:1", "acme", Some(Secret::new("tok-123"))).unwrap();
        let clone = c.clone();
        clone.set_token(Some(Secret::new("tok-456")));
        assert_eq!(c.inner.token().unwrap().expose(), "tok-456");
        assert!(!format!("{c:?}").contains("tok-"));
        c.set_token(Some(Secret::new("")));
        assert!(!clone.has_token());
    }

    #[test]
    fn a_stage_endpoint_client_keeps_the_tenant_but_not_the_token() {
        let c = Client::new("http://127.0.0.1:1", "acme", Some(Secret::new("a"))).unwrap();
        let other = c
            .for_endpoint("https://staging-api.example.test/", Some(Secret::new("b")))
            .unwrap();
        assert_eq!(other.base_url(), "https://staging-api.example.test");
        assert_eq!(other.tenant(), "acme");
        assert_eq!(other.inner.token().unwrap().expose(), "b");
        assert_eq!(c.inner.token().unwrap().expose(), "a");
        assert!(c.for_endpoint("ftp://x", None).is_err());
    }

    #[test]
    fn no_tenant_is_a_clear_misuse() {
        let c = Client::new("http://127.0.0.1:1", " ", None).unwrap();
        let err = c.tenant_id().unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}
