//! `envdeck demo`: the embedded control plane in-process on a loopback port, seeded with demo
//! data, the console signed in as a demo user, and the server stopped on quit.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::args::{DemoArgs, Global};
use super::caps;
use super::error::CliError;
use crate::api::Client;
use crate::auth::{TokenSet, password_grant, refresh_grant, token_endpoint};
use crate::runtime::{AppConfig, run as run_console};
use crate::secret::Secret;
use crate::server::{self, RunningServer, Seed, ServerOptions};
use crate::store::Paths;

const DEMO_PASSWORD: &str = "demo";
const CLIENT_ID: &str = "stoactl";
const DEMO_USERS: &[&str] = &["ada", "tess", "dave", "dora", "vic", "gus"];

pub async fn run(global: &Global, args: &DemoArgs, paths: Paths) -> Result<(), CliError> {
    let user = args.user.trim().to_ascii_lowercase();
    if !DEMO_USERS.contains(&user.as_str()) {
        return Err(CliError::misuse(format!(
            "no demo user {:?}; pick one of {}",
            args.user,
            DEMO_USERS.join(", ")
        )));
    }
    let gateways = args.gateways.agent(args.gateway_delay_ms);
    let server = server::start_with(
        ServerOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            data_dir: paths.data_dir.join("demo"),
            seed: Seed::Demo,
            fresh: args.fresh,
            stages_file: None,
        },
        gateways,
    )
    .await
    .map_err(|e| CliError::general(format!("the demo control plane did not start: {e}")))?;
    let outcome = console(global, &user, &server, paths).await;
    let stopped = server.shutdown().await;
    outcome?;
    stopped.map_err(|e| CliError::general(format!("stopping the demo control plane: {e}")))
}

async fn console(
    global: &Global,
    user: &str,
    server: &RunningServer,
    paths: Paths,
) -> Result<(), CliError> {
    let http = crate::net::http_client_builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| CliError::general(format!("cannot build an HTTP client: {e}")))?;
    let token_url = token_endpoint(server.url(), "stoa");
    let password = Secret::new(DEMO_PASSWORD);
    let tokens = password_grant(&http, &token_url, CLIENT_ID, user, &password).await?;
    let options = crate::api::ClientOptions {
        session_readonly: global.readonly,
        ..super::connect::client_options()
    };
    let probe = Client::with_options(
        server.url(),
        "",
        Some(tokens.access_token.clone()),
        options.clone(),
    )?;
    let tenant = home_tenant(&probe).await?;
    let client = Client::with_options(
        server.url(),
        &tenant,
        Some(tokens.access_token.clone()),
        options,
    )?;
    let refresher = tokio::spawn(keep_fresh(http, token_url, tokens, client.clone()));
    let (keymap, key_notices) = demo_keys(&paths);
    let mut notices = vec![format!(
        "demo control plane at {}, signed in as {user}",
        server.url()
    )];
    notices.extend(key_notices);
    // Everything is ready: the demo's own server answers on loopback at once.
    let ready = crate::runtime::Connected {
        client,
        // The demo keeps its own session fresh (`keep_fresh`).
        sign_in: None,
        tasks: vec![refresher],
    };
    let config = AppConfig {
        connect: Box::pin(async move { Ok(ready) }),
        tenant: tenant.clone(),
        control_plane: format!("demo#{tenant}"),
        context_name: "demo".to_string(),
        paths,
        session_readonly: global.readonly,
        no_color: caps::no_color(global.no_color),
        ascii: caps::ascii(global.ascii),
        local_tightening: BTreeMap::new(),
        notices,
        keymap,
    };
    let result = run_console(config).await;
    result.map_err(|e| CliError::general(format!("the console stopped: {e}")))
}

/// The operator's `[keys]` apply in the demo too; a config.toml that cannot be read is only a
/// notice here (the demo uses nothing else of it).
fn demo_keys(paths: &Paths) -> (crate::app::keymap::KeyMap, Vec<String>) {
    match crate::store::config::Config::load(&paths.config_file()) {
        Ok(config) => crate::app::keymap::KeyMap::from_config(&config.keys),
        Err(e) => (
            crate::app::keymap::KeyMap::defaults(),
            vec![format!("keys from config.toml not read: {e}")],
        ),
    }
}

/// The user's own tenant, or the first one for a cpi-admin who has none.
async fn home_tenant(client: &Client) -> Result<String, CliError> {
    let me = client.me().await?;
    if let Some(t) = me.tenant_id.filter(|t| !t.is_empty()) {
        return Ok(t);
    }
    let tenants = client.tenants().await?;
    tenants
        .into_iter()
        .map(|t| t.id)
        .min()
        .ok_or_else(|| CliError::general("the demo control plane has no tenant"))
}

/// Access tokens live five minutes: refresh a minute before they expire, for as long as the
/// console runs. (Issue 6 brings the general refresh-on-401 and the token store.)
async fn keep_fresh(
    http: reqwest::Client,
    token_url: String,
    mut tokens: TokenSet,
    client: Client,
) {
    loop {
        let lifetime = tokens.expires_in.unwrap_or(300);
        tokio::time::sleep(Duration::from_secs(lifetime.saturating_sub(60).max(10))).await;
        let Some(refresh) = tokens.refresh_token.clone() else {
            tracing::warn!("no refresh token: the demo session will expire");
            return;
        };
        match refresh_grant(&http, &token_url, CLIENT_ID, &refresh).await {
            Ok(fresh) => {
                client.set_token(Some(fresh.access_token.clone()));
                tokens = TokenSet {
                    refresh_token: fresh.refresh_token.clone().or(Some(refresh)),
                    ..fresh
                };
                tracing::info!("demo session token refreshed");
            }
            Err(e) => tracing::warn!("refreshing the demo session failed: {e}"),
        }
    }
}
