//! Issue 6, client side: contexts, login (device code through the HTML page, password),
//! refresh, the token store, per-stage control planes, tightening, and secrets kept out of
//! every file but the token store. Control planes are built from the server's parts so that
//! device codes poll every second and tokens can be made short-lived.

mod console;
mod contexts;
mod device;
pub mod logout;
mod overrides;
mod refresh;
mod secrets;
mod stages;
mod tightening;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use envdeck::server::identity::{DeviceTiming, Identity};
use envdeck::server::state::AppState;
use envdeck::server::{Seed, routes, seed};

/// A control plane on 127.0.0.1:0 with its identity provider at `/realms/stoa`.
pub struct Plane {
    pub url: String,
    pub identity: Identity,
    /// The database and signing key; removed with the plane.
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Plane {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Extra routes placed before the control plane's own (they win on the same path).
pub type Overlay = Box<dyn FnOnce(&str, Identity) -> Router + Send>;

pub async fn plane(seed: Seed) -> Plane {
    plane_with(seed, None).await
}

pub async fn plane_with(seed_with: Seed, overlay: Option<Overlay>) -> Plane {
    let dir = tempfile::tempdir().expect("data dir");
    let path = dir.path().to_path_buf();
    let db = tokio::task::spawn_blocking(move || envdeck::server::open_database(&path, false))
        .await
        .expect("open task")
        .expect("database");
    let pipeline = envdeck::server::stages::default_pipeline();
    seed::ensure(&db, seed_with, &pipeline)
        .await
        .expect("seeded");
    let identity = Identity::load_or_create(dir.path(), db.clone()).expect("identity");
    identity.set_device_timing(DeviceTiming {
        interval: Duration::from_secs(1),
        expires_in: Duration::from_secs(120),
        slow_down_step: Duration::from_secs(1),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    identity.set_public_url(&url);
    let state = AppState {
        db,
        identity: identity.clone(),
        pipeline: Arc::new(pipeline),
        url: url.clone().into(),
        gateways: Default::default(),
    };
    let app = match overlay {
        Some(make) => make(&url, identity.clone()).fallback_service(routes::router(state)),
        None => routes::router(state),
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Plane {
        url,
        identity,
        _dir: dir,
        shutdown: Some(tx),
    }
}

/// An `ENVDECK_HOME` of its own; every run of the binary uses it, with the keyring off (the
/// automatic fallback is tested in the store's unit tests) and debug logs.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("home"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(crate::support::BIN);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("ENVDECK_HOME", self.path())
            .env("ENVDECK_KEYRING", "off")
            .env("ENVDECK_LOG", "debug")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs to the end with `stdin` as standard input.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_env(args, stdin, &[])
    }

    pub fn run_env(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        use std::io::Write;
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn envdeck");
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().expect("envdeck output")
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args, "");
        assert!(
            out.status.success(),
            "{args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// `envdeck login --username U --password-stdin` (password `demo`).
    pub fn login_password(&self, args: &[&str], user: &str) {
        let mut full = args.to_vec();
        full.extend(["login", "--username", user, "--password-stdin"]);
        let out = self.run(&full, "demo\n");
        assert!(
            out.status.success(),
            "login failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn add_context(&self, name: &str, url: &str, extra: &[&str]) {
        let mut args = vec!["context", "add", name, "--server", url, "--tenant", "acme"];
        args.extend(extra);
        self.ok(&args);
    }

    pub fn token_file(&self) -> std::path::PathBuf {
        self.path().join("state").join("tokens.json")
    }

    /// The stored tokens of an account (access, refresh).
    pub fn stored(&self, account: &str) -> Option<(String, Option<String>)> {
        let text = std::fs::read_to_string(self.token_file()).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).expect("token file is JSON");
        let entry = json["contexts"].get(account)?;
        Some((
            entry["access_token"].as_str()?.to_string(),
            entry["refresh_token"].as_str().map(str::to_string),
        ))
    }
}

pub fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
