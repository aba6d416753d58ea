//! Which control plane a command talks to, and as whom.

use std::time::Duration;

use crate::api::{Client, ClientOptions};
use crate::secret::Secret;

use super::args::Global;
use super::error::{CliError, NOT_ALLOWED};

pub struct Connection {
    pub client: Client,
    /// Key for persisted state: the normalised URL and the tenant.
    pub key: String,
    pub context_name: String,
}

/// `https://Host:443/x/` and `https://host/x` are the same control plane.
pub fn control_plane_key(server: &str, tenant: &str) -> String {
    let base = match url::Url::parse(server.trim()) {
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
    };
    format!("{base}#{tenant}")
}

/// The client's bounds; `ENVDECK_TIMEOUT_SECS` shortens or lengthens the per-request timeout.
pub fn client_options() -> ClientOptions {
    let mut options = ClientOptions::default();
    if let Some(secs) = std::env::var("ENVDECK_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=600).contains(s))
    {
        options.timeout = Duration::from_secs(secs);
        options.connect_timeout = options.connect_timeout.min(options.timeout);
    }
    options
}

/// From `--server`/`--tenant` and `ENVDECK_TOKEN` (contexts from config.toml come with login).
pub fn from_flags(global: &Global) -> Result<Connection, CliError> {
    if let Some(context) = &global.context {
        return Err(CliError::misuse(format!(
            "context {context:?}: contexts are not configured yet; use --server URL --tenant T with ENVDECK_TOKEN, or `envdeck demo`"
        )));
    }
    let Some(server) = global.server.as_deref() else {
        return Err(CliError::misuse(
            "no control plane given: use --server URL --tenant T (with ENVDECK_TOKEN), or try `envdeck demo`",
        ));
    };
    let Some(tenant) = global.tenant.as_deref() else {
        return Err(CliError::misuse("--tenant is required with --server"));
    };
    let url = url::Url::parse(server)
        .map_err(|e| CliError::misuse(format!("--server {server:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CliError::misuse(format!(
            "--server {server:?} must be an http or https URL"
        )));
    }
    let token = std::env::var("ENVDECK_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(Secret::new);
    if token.is_none() {
        return Err(CliError::new(
            NOT_ALLOWED,
            "not signed in: set ENVDECK_TOKEN to a bearer token for this control plane",
        ));
    }
    let client = Client::with_options(server, tenant, token, client_options())?;
    Ok(Connection {
        client,
        key: control_plane_key(server, tenant),
        context_name: url.host_str().unwrap_or("control plane").to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
