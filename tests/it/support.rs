//! Shared test helpers: the embedded control plane on 127.0.0.1:0, tokens, clients,
//! and the real binary started as `envdeck serve` in a child process.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use envdeck::api::Client;
use envdeck::auth::{password_grant, token_endpoint};
use envdeck::secret::Secret;
use envdeck::server::{RunningServer, Seed, ServerOptions};

pub const BIN: &str = env!("CARGO_BIN_EXE_envdeck");

/// An in-process server with its own data dir, removed on drop.
pub struct TestServer {
    pub server: RunningServer,
    pub dir: tempfile::TempDir,
}

impl TestServer {
    pub fn url(&self) -> &str {
        self.server.url()
    }
}

/// Its gateway agent acknowledges within 50 ms, so promotions complete quickly.
pub async fn start_server(seed: Seed) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let agent = envdeck::server::agent::AgentOptions {
        delay: Duration::from_millis(50),
        ..Default::default()
    };
    let server = envdeck::server::start_with(
        ServerOptions {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            data_dir: dir.path().to_path_buf(),
            seed,
            fresh: false,
            stages_file: None,
        },
        agent,
    )
    .await
    .expect("server starts");
    TestServer { server, dir }
}

pub async fn demo_server() -> TestServer {
    start_server(Seed::Demo).await
}

/// A token for a demo user (password `demo`) through the password grant.
pub async fn token(url: &str, user: &str) -> Secret {
    envdeck::net::install_crypto_provider();
    let http = reqwest::Client::new();
    password_grant(
        &http,
        &token_endpoint(url, "stoa"),
        "stoactl",
        user,
        &Secret::new("demo"),
    )
    .await
    .expect("password grant")
    .access_token
}

/// A client of `user`, whose write guard trusts the server (see [`trusting`]).
pub async fn client_as(url: &str, user: &str, tenant: &str) -> Client {
    trusting(Client::new(url, tenant, Some(token(url, user).await)).expect("client"))
}

/// Teaches `client`'s write guard a view that lets every write through (dev, staging and
/// production, all full; an actor with every permission and no name, so four-eyes never
/// matches): what such a test sees is the server's own enforcement. Tests of the guard fetch
/// /v1/environments and /v1/me, which replace this view with the server's.
pub fn trusting(client: Client) -> Client {
    use envdeck::domain::policy::Actor;
    use envdeck::domain::{Mode, Pipeline, Role, Stage, StageName, permissions_for};
    let stages = ["dev", "staging", "production"]
        .iter()
        .filter_map(|n| StageName::parse(n).ok())
        .map(|name| Stage::new(name, None, Mode::Full, None))
        .collect();
    let actor = Actor {
        username: String::new(),
        roles: Vec::new(),
        permissions: permissions_for(&[Role::CpiAdmin])
            .into_iter()
            .map(String::from)
            .collect(),
    };
    client.learn_policy(Pipeline::in_order(stages), actor);
    client
}

/// `envdeck serve` as a child process on port 0; killed on drop.
pub struct ServeProcess {
    pub child: Child,
    pub url: String,
}

impl ServeProcess {
    pub fn start(data_dir: &Path, seed: &str) -> ServeProcess {
        ServeProcess::start_on(data_dir, seed, "127.0.0.1:0")
    }

    /// On a given address, e.g. to restart a killed server where the console expects it.
    pub fn start_on(data_dir: &Path, seed: &str, listen: &str) -> ServeProcess {
        let mut child = Command::new(BIN)
            .args(["serve", "--listen", listen, "--seed", seed, "--data-dir"])
            .arg(data_dir)
            .env("ENVDECK_LOG", "warn")
            .env("ENVDECK_GATEWAY_DELAY_MS", "100")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn envdeck serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("first line");
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        ServeProcess { child, url }
    }

    /// SIGSTOP: the server keeps its socket but stops answering.
    pub fn stall(&self) {
        signal(self.child.id(), "STOP");
    }

    pub fn resume(&self) {
        signal(self.child.id(), "CONT");
    }

    /// SIGKILL: the server dies with whatever it was doing.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(pid: u32, sig: &str) {
    let status = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{sig} {pid}");
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        signal_quietly(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal_quietly(pid: u32) {
    let _ = Command::new("kill")
        .args(["-CONT", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}

/// Polls `check` until it is true or `timeout` passes.
pub fn eventually(timeout: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    check()
}
