//! The client's flows against a STOA-compatible control plane. Against the real service when
//! these are set (README, "Live tests against the real STOA"):
//!
//! - `ENVDECK_LIVE_URL`: the control plane, e.g. `http://127.0.0.1:8098`;
//! - `ENVDECK_LIVE_TOKEN_CMD`: a command printing an access token, with `{user}`, `{role}` and
//!   `{tenant}` replaced (stoa-live's `token.py {user} {role} {tenant}`);
//! - `ENVDECK_LIVE_ACK_CMD` (optional): a command that plays the gateways' acknowledgement of
//!   promotion `{id}` (stoa-live's `pipeline.py {id} --mode auto`); without it the control
//!   plane's own gateways must acknowledge;
//! - `ENVDECK_LIVE_TENANT` (default `acme`).
//!
//! Unset, the real-service tests print a one-line notice and pass; the same flows always run
//! against the embedded control plane (`envdeck serve --seed demo`, its gateway agent on).

mod flows;

use std::process::{Command, Output};

use envdeck::api::Client;
use envdeck::secret::Secret;

use crate::support::{BIN, ServeProcess};

/// Who plays which part: the flows need a tenant-admin, two devops users and a viewer of the
/// tenant (the embedded demo's users and stoa-live's).
pub const TENANT_ADMIN: (&str, &str) = ("tess", "tenant-admin");
pub const DEVOPS: (&str, &str) = ("dave", "devops");
pub const SECOND_DEVOPS: (&str, &str) = ("dora", "devops");
pub const VIEWER: (&str, &str) = ("vic", "viewer");

pub struct Target {
    pub url: String,
    pub tenant: String,
    tokens: Tokens,
    ack: Option<String>,
    home: tempfile::TempDir,
    _serve: Option<(ServeProcess, tempfile::TempDir)>,
}

enum Tokens {
    Command(String),
    Embedded,
}

impl Target {
    /// The real service named by the environment, or None (with the notice printed).
    pub fn real() -> Option<Target> {
        let (Ok(url), Ok(cmd)) = (
            std::env::var("ENVDECK_LIVE_URL"),
            std::env::var("ENVDECK_LIVE_TOKEN_CMD"),
        ) else {
            eprintln!(
                "live: ENVDECK_LIVE_URL and ENVDECK_LIVE_TOKEN_CMD are unset; the real-service run is skipped"
            );
            return None;
        };
        Some(Target {
            url,
            tenant: std::env::var("ENVDECK_LIVE_TENANT").unwrap_or_else(|_| "acme".into()),
            tokens: Tokens::Command(cmd),
            ack: std::env::var("ENVDECK_LIVE_ACK_CMD").ok(),
            home: tempfile::tempdir().expect("home"),
            _serve: None,
        })
    }

    /// `envdeck serve --seed demo` in a child process, as CI runs it.
    pub fn embedded() -> Target {
        let data = tempfile::tempdir().expect("data dir");
        let serve = ServeProcess::start(data.path(), "demo");
        Target {
            url: serve.url.clone(),
            tenant: "acme".into(),
            tokens: Tokens::Embedded,
            ack: None,
            home: tempfile::tempdir().expect("home"),
            _serve: Some((serve, data)),
        }
    }

    pub async fn token(&self, (user, role): (&str, &str)) -> String {
        match &self.tokens {
            Tokens::Embedded => crate::support::token(&self.url, user)
                .await
                .expose()
                .to_string(),
            Tokens::Command(cmd) => {
                let line = cmd
                    .replace("{user}", user)
                    .replace("{role}", role)
                    .replace("{tenant}", &self.tenant);
                let out = shell(&line);
                assert!(out.status.success(), "token command failed: {line}");
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            }
        }
    }

    pub async fn client(&self, who: (&str, &str)) -> Client {
        let token = self.token(who).await;
        let client =
            Client::new(&self.url, &self.tenant, Some(Secret::new(token))).expect("client");
        // What every caller does before writing: the client's guard refuses until it has
        // seen the stages and who this is.
        client.environments().await.expect("stages");
        client.me().await.expect("me");
        client
    }

    /// The gateways acknowledge promotion `id` (the command, when the control plane has none).
    pub fn acknowledge(&self, id: &str) {
        if let Some(cmd) = &self.ack {
            let out = shell(&cmd.replace("{id}", id));
            assert!(
                out.status.success(),
                "ack command failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// The real binary as an operator types it, signed in as `who`.
    pub async fn cli(&self, who: (&str, &str), args: &[&str]) -> Output {
        let token = self.token(who).await;
        let (url, tenant, home) = (
            self.url.clone(),
            self.tenant.clone(),
            self.home.path().to_path_buf(),
        );
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            Command::new(BIN)
                .args(["--server", &url, "--tenant", &tenant])
                .args(&args)
                .env("ENVDECK_HOME", home)
                .env("ENVDECK_TOKEN", token)
                .env_remove("ENVDECK_CONTEXT")
                .output()
                .expect("envdeck runs")
        })
        .await
        .expect("joined")
    }
}

fn shell(line: &str) -> Output {
    Command::new("sh")
        .args(["-c", line])
        .output()
        .expect("sh runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operators_flows_against_the_embedded_control_plane() {
    flows::all(&Target::embedded()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operators_flows_against_the_real_service() {
    if let Some(target) = Target::real() {
        flows::all(&target).await;
    }
}
