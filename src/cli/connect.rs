//! Which control plane a command talks to, and as whom: `--server`/`--tenant` (flags or env)
//! over `--context`/`ENVDECK_CONTEXT` over config.toml's current context; tokens from
//! `ENVDECK_TOKEN`, client credentials, or the token store; a refresher and the policy guard
//! installed on every client.

use std::sync::Arc;
use std::time::Duration;

use crate::api::{Client, ClientOptions};
use crate::auth::{Credentials, IdentityConfig, Session};
use crate::domain::Pipeline;
use crate::domain::StageName;
use crate::domain::policy::{Actor, PolicyContext};
use crate::store::config::{DEFAULT_CLIENT_ID, DEFAULT_REALM};
use crate::store::{AutoTokenStore, Config, Paths, TokenStore};

use super::args::Global;
use super::error::{CliError, NOT_ALLOWED};

/// What a command resolved to, before any network call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The context's name, or the server's host for one-off use.
    pub name: String,
    /// Token-store account: the context's name, or the control-plane key for one-off use.
    pub account: String,
    pub server: String,
    pub tenant: String,
    pub identity: IdentityConfig,
    pub stage_endpoints: bool,
    /// Key for persisted state: the normalised URL and the tenant.
    pub key: String,
}

#[derive(Clone)]
pub struct Connection {
    pub client: Client,
    /// Key for persisted state: the normalised URL and the tenant.
    pub key: String,
    pub context_name: String,
    pub target: Target,
    pub config: Config,
    pub session: Arc<Session>,
    pub store: Arc<dyn TokenStore>,
}

/// `https://Host:443/x/` and `https://host/x` are the same control plane.
pub fn control_plane_key(server: &str, tenant: &str) -> String {
    format!("{}#{tenant}", normalise_url(server))
}

fn normalise_url(server: &str) -> String {
    match url::Url::parse(server.trim()) {
        Ok(u) => {
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!(
                "{}://{}{}{}",
                u.scheme(),
                u.host_str().unwrap_or_default(),
                port,
                u.path().trim_end_matches('/')
            )
        }
        Err(_) => server.trim().trim_end_matches('/').to_string(),
    }
}

/// The client's bounds: `[client] timeout_secs`, overridden by `ENVDECK_TIMEOUT_SECS`.
pub fn options_for(config: &Config) -> ClientOptions {
    let mut options = ClientOptions {
        local_tightening: config.tighten.clone(),
        ..ClientOptions::default()
    };
    let from_env = std::env::var("ENVDECK_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=600).contains(s))
        .map(Duration::from_secs);
    if let Some(timeout) = from_env.or(config.timeout) {
        options.timeout = timeout;
        options.connect_timeout = options.connect_timeout.min(timeout);
    }
    options
}

/// The client's bounds without a config file (the demo).
pub fn client_options() -> ClientOptions {
    options_for(&Config::default())
}

pub fn load_config(paths: &Paths) -> Result<Config, CliError> {
    Config::load(&paths.config_file()).map_err(|e| CliError::misuse(e.to_string()))
}

fn check_url(flag: &str, server: &str) -> Result<url::Url, CliError> {
    let url = url::Url::parse(server)
        .map_err(|e| CliError::misuse(format!("{flag} {server:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CliError::misuse(format!(
            "{flag} {server:?} must be an http or https URL"
        )));
    }
    Ok(url)
}

/// Flags and environment over the chosen context over the current one.
pub fn resolve(global: &Global, config: &Config) -> Result<Target, CliError> {
    let context = match global.context.as_deref().map(str::trim) {
        Some(name) => Some(config.context(name).ok_or_else(|| {
            CliError::misuse(format!(
                "no context {name:?} in config.toml; see `envdeck context list`"
            ))
        })?),
        None if global.server.is_some() => None,
        None => config.current(),
    };
    let server = global
        .server
        .clone()
        .or_else(|| context.map(|c| c.server.clone()))
        .ok_or_else(|| {
            CliError::misuse(
                "no control plane: add one with `envdeck context add NAME --server URL --tenant T`, use --server URL --tenant T, or try `envdeck demo`",
            )
        })?;
    let url = check_url("--server", &server)?;
    let tenant = global
        .tenant
        .clone()
        .or_else(|| context.map(|c| c.tenant.clone()))
        .ok_or_else(|| CliError::misuse("--tenant is required with --server"))?;
    let key = control_plane_key(&server, &tenant);
    Ok(match context {
        Some(c) => Target {
            name: c.name.clone(),
            account: c.name.clone(),
            identity: IdentityConfig {
                base: c
                    .identity_provider
                    .clone()
                    .unwrap_or_else(|| server.clone()),
                realm: c.realm().to_string(),
                client_id: c.client_id().to_string(),
            },
            stage_endpoints: c.stage_endpoints,
            server,
            tenant,
            key,
        },
        None => Target {
            name: url.host_str().unwrap_or("control plane").to_string(),
            account: key.clone(),
            identity: IdentityConfig {
                base: server.clone(),
                realm: DEFAULT_REALM.to_string(),
                client_id: DEFAULT_CLIENT_ID.to_string(),
            },
            stage_endpoints: false,
            server,
            tenant,
            key,
        },
    })
}

pub fn http_client(options: &ClientOptions) -> Result<reqwest::Client, CliError> {
    crate::net::http_client_builder()
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout)
        .build()
        .map_err(|e| CliError::general(format!("cannot build an HTTP client: {e}")))
}

/// The session for a target (nothing is sent yet).
pub fn session_for(
    target: &Target,
    config: &Config,
    paths: &Paths,
) -> Result<(Arc<Session>, Arc<dyn TokenStore>), CliError> {
    let store: Arc<dyn TokenStore> = Arc::new(AutoTokenStore::discover(&paths.state_dir));
    let http = http_client(&options_for(config))?;
    let session = Session::new(
        &target.account,
        target.identity.clone(),
        Credentials::from_env(),
        store.clone(),
        http,
    );
    Ok((Arc::new(session), store))
}

/// Resolves, signs in (from the environment or the token store) and builds the client.
/// Not signed in: exit code 3.
pub async fn connect(global: &Global, paths: &Paths) -> Result<Connection, CliError> {
    let config = load_config(paths)?;
    let target = resolve(global, &config)?;
    connect_to(target, config, paths, global.readonly).await
}

/// [`connect`] once the target is resolved.
pub async fn connect_to(
    target: Target,
    config: Config,
    paths: &Paths,
    session_readonly: bool,
) -> Result<Connection, CliError> {
    let (session, store) = session_for(&target, &config, paths)?;
    let token = session.access_token().await?.ok_or_else(|| {
        CliError::new(
            NOT_ALLOWED,
            format!(
                "not signed in to {}: run `envdeck login` (or set ENVDECK_TOKEN)",
                target.name
            ),
        )
    })?;
    let options = ClientOptions {
        session_readonly,
        ..options_for(&config)
    };
    let client = Client::with_options(&target.server, &target.tenant, Some(token), options)?;
    client.set_token_refresher(Some(session.refresher()));
    Ok(Connection {
        client,
        key: target.key.clone(),
        context_name: target.name.clone(),
        target,
        config,
        session,
        store,
    })
}

impl Connection {
    /// What the policy knows for this command: the server's `pipeline`, the `actor` from
    /// `/v1/me`, this machine's tightening and `--readonly`. The client's write guard learns
    /// the same from the `environments()` and `me()` calls that fetched them.
    pub fn policy<'a>(
        &'a self,
        pipeline: &'a Pipeline,
        actor: &'a Actor,
        session_readonly: bool,
    ) -> PolicyContext<'a> {
        PolicyContext::new(pipeline, actor)
            .tightened(&self.config.tighten)
            .session_readonly(session_readonly)
    }

    /// The client for calls about `stage`: this one, or — when the context says its stages
    /// live on separate control planes — one for the stage's `endpoints.api_url`, signed in
    /// to the stage's own identity provider when it differs.
    pub async fn client_for(&self, stage: &StageName) -> Result<Client, CliError> {
        if !self.target.stage_endpoints {
            return Ok(self.client.clone());
        }
        let environments = self.client.environments().await?;
        let endpoints = environments
            .environments
            .iter()
            .find(|e| StageName::parse(&e.name).is_ok_and(|n| &n == stage))
            .and_then(|e| e.endpoints.clone());
        let Some(api_url) = endpoints.as_ref().and_then(|e| e.api_url.clone()) else {
            return Ok(self.client.clone());
        };
        if normalise_url(&api_url) == normalise_url(&self.target.server) {
            return Ok(self.client.clone());
        }
        let stage_identity = stage_identity(&self.target, endpoints.as_ref());
        let Some(identity) = stage_identity else {
            // Same identity provider: the same token is good there.
            let client = self.client.for_endpoint(
                &api_url,
                Some(self.session.access_token().await?.unwrap_or_default()),
            )?;
            client.set_token_refresher(Some(self.session.refresher()));
            return Ok(client);
        };
        let session = Arc::new(Session::new(
            &stage_account(&self.target.account, stage),
            identity,
            self.session.credentials().clone(),
            self.store.clone(),
            self.session.http().clone(),
        ));
        let token = session.access_token().await?.ok_or_else(|| {
            CliError::new(
                NOT_ALLOWED,
                format!(
                    "{stage} lives on its own control plane with its own sign-in: run `envdeck login --stage {stage}`"
                ),
            )
        })?;
        let client = self.client.for_endpoint(&api_url, Some(token))?;
        client.set_token_refresher(Some(session.refresher()));
        Ok(client)
    }
}

impl Connection {
    /// For the console: routes every stage that lives on its own control plane to a client
    /// of its own (signed in or not yet); returns the sessions of stages with their own
    /// identity provider, whose sign-in the console asks for when a call is refused.
    pub async fn route_stages(&self) -> Result<Vec<(Arc<Session>, Client)>, CliError> {
        let mut sessions = Vec::new();
        if !self.target.stage_endpoints {
            return Ok(sessions);
        }
        let environments = self.client.environments().await?;
        for environment in &environments.environments {
            let Ok(stage) = StageName::parse(&environment.name) else {
                continue;
            };
            let endpoints = environment.endpoints.as_ref();
            let Some(api_url) = endpoints.and_then(|e| e.api_url.clone()) else {
                continue;
            };
            if normalise_url(&api_url) == normalise_url(&self.target.server) {
                continue;
            }
            let client = match stage_identity(&self.target, endpoints) {
                None => {
                    let token = self.session.access_token().await.ok().flatten();
                    let client = self.client.for_endpoint(&api_url, token)?;
                    client.set_token_refresher(Some(self.session.refresher()));
                    client
                }
                Some(identity) => {
                    let session = Arc::new(Session::new(
                        &stage_account(&self.target.account, &stage),
                        identity,
                        self.session.credentials().clone(),
                        self.store.clone(),
                        self.session.http().clone(),
                    ));
                    let token = session.access_token().await.ok().flatten();
                    let client = self.client.for_endpoint(&api_url, token)?;
                    client.set_token_refresher(Some(session.refresher()));
                    sessions.push((session, client.clone()));
                    client
                }
            };
            tracing::info!(%stage, url = %api_url, "stage served by its own control plane");
            self.client.route_stage(stage, client);
        }
        Ok(sessions)
    }
}

/// The token-store account of a stage signed in on its own identity provider.
pub fn stage_account(account: &str, stage: &StageName) -> String {
    format!("{account}@{stage}")
}

/// The stage's identity provider when it is not the context's own (then it needs its own login).
pub fn stage_identity(
    target: &Target,
    endpoints: Option<&crate::wire::types::EnvironmentEndpoints>,
) -> Option<IdentityConfig> {
    let endpoints = endpoints?;
    let base = endpoints.keycloak_url.clone()?;
    let realm = endpoints
        .keycloak_realm
        .clone()
        .unwrap_or_else(|| target.identity.realm.clone());
    let same = normalise_url(&base) == normalise_url(&target.identity.base)
        && realm == target.identity.realm;
    (!same).then(|| IdentityConfig {
        base,
        realm,
        client_id: target.identity.client_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ContextConfig;

    #[test]
    fn keys_ignore_spelling_of_the_same_url() {
        assert_eq!(
            control_plane_key("https://API.example.test/", "acme"),
            control_plane_key("https://api.example.test", "acme")
        );
        assert_ne!(
            control_plane_key("https://api.example.test", "acme"),
            control_plane_key("https://api.example.test", "globex")
        );
        assert_eq!(
            control_plane_key("http://127.0.0.1:8421", "acme"),
            "http://127.0.0.1:8421#acme"
        );
    }

    fn global(context: Option<&str>, server: Option<&str>, tenant: Option<&str>) -> Global {
        Global {
            server: server.map(str::to_string),
            tenant: tenant.map(str::to_string),
            context: context.map(str::to_string),
            readonly: false,
            no_color: false,
            ascii: false,
        }
    }

    fn config() -> Config {
        let context = |name: &str, server: &str| ContextConfig {
            name: name.to_string(),
            server: server.to_string(),
            tenant: "acme".to_string(),
            identity_provider: None,
            realm: None,
            client_id: None,
            stage_endpoints: false,
        };
        Config {
            current_context: Some("team".to_string()),
            contexts: vec![
                context("team", "https://team.example.test"),
                context("prod", "https://prod.example.test"),
            ],
            ..Config::default()
        }
    }

    #[test]
    fn flags_over_the_chosen_context_over_the_current_one() {
        let config = config();
        let t = resolve(&global(None, None, None), &config).unwrap();
        assert_eq!(
            (t.name.as_str(), t.server.as_str()),
            ("team", "https://team.example.test")
        );
        let t = resolve(&global(Some("prod"), None, None), &config).unwrap();
        assert_eq!((t.account.as_str(), t.tenant.as_str()), ("prod", "acme"));
        let t = resolve(&global(Some("prod"), None, Some("globex")), &config).unwrap();
        assert_eq!(
            (t.server.as_str(), t.tenant.as_str()),
            ("https://prod.example.test", "globex")
        );
        // --server alone is one-off use: not the current context's tenant nor its tokens.
        let err = resolve(&global(None, Some("http://127.0.0.1:1"), None), &config).unwrap_err();
        assert_eq!(err.code, 2);
        let t = resolve(
            &global(None, Some("http://127.0.0.1:1"), Some("t")),
            &config,
        )
        .unwrap();
        assert_eq!(
            (t.name.as_str(), t.account.as_str()),
            ("127.0.0.1", "http://127.0.0.1:1#t")
        );
        assert_eq!(t.identity.base, "http://127.0.0.1:1");
        let err = resolve(&global(Some("nope"), None, None), &config).unwrap_err();
        assert!(
            err.message.contains("no context \"nope\""),
            "{}",
            err.message
        );
        let err = resolve(&global(None, None, None), &Config::default()).unwrap_err();
        assert!(
            err.message.contains("envdeck context add"),
            "{}",
            err.message
        );
    }
}
