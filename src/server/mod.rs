//! The embedded control plane: the contract of CONTRACT.md served by axum on SQLite.
//! `start` is shared by `envdeck serve`, `envdeck demo` and every test.

pub mod agent;
pub mod auth;
pub mod cache;
pub mod db;
pub mod desired;
pub mod error;
pub mod extract;
pub mod identity;
pub mod listen;
pub mod migrate;
pub mod openapi;
pub mod repo;
pub mod routes;
pub mod seed;
pub mod spec;
pub mod stages;
pub mod state;

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use openapi::openapi_json;

use db::{Db, DbError};
use state::AppState;

/// The database file inside the data dir.
pub const DB_FILE: &str = "envdeck.db";
/// The optional stages file inside the data dir.
pub const STAGES_FILE: &str = "stages.toml";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seed {
    /// A busy demo platform: tenants, users, APIs in every stage, promotions waiting.
    Demo,
    /// Only the demo accounts and their two (empty) tenants, so that someone can sign in.
    None,
}

#[derive(Clone, Debug)]
pub struct ServerOptions {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub seed: Seed,
    /// Start from an empty database (the db files are removed first).
    pub fresh: bool,
    /// Default: `<data_dir>/stages.toml` if present.
    pub stages_file: Option<PathBuf>,
}

impl ServerOptions {
    pub fn new(data_dir: PathBuf) -> ServerOptions {
        ServerOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 8421)),
            data_dir,
            seed: Seed::Demo,
            fresh: false,
            stages_file: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Refused(#[from] migrate::CheckError),
    #[error("cannot open database at {path}: {source}")]
    Open { path: String, source: DbError },
    #[error("cannot remove {path}: {source}")]
    Fresh {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Stages(#[from] stages::StagesError),
    #[error("identity provider: {0}")]
    Identity(#[from] identity::IdentityError),
    #[error("seeding the database failed: {0}")]
    Seed(DbError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("server task failed: {0}")]
    Task(String),
    #[error("cannot wait for signals: {0}")]
    Signals(std::io::Error),
    #[error("cannot write to stdout: {0}")]
    Stdout(std::io::Error),
}

pub struct RunningServer {
    url: String,
    agent: agent::Agent,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    db: Db,
}

impl RunningServer {
    /// "http://127.0.0.1:PORT"
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
    }

    /// Graceful: stops accepting, lets in-flight requests finish, then checkpoints the WAL.
    pub async fn shutdown(self) -> Result<(), ServerError> {
        self.agent.stop().await;
        let _ = self.shutdown.send(());
        self.task
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?
            .map_err(|e| ServerError::Task(e.to_string()))?;
        if let Err(e) = self.db.checkpoint().await {
            tracing::warn!(error = %e, "WAL checkpoint on shutdown failed");
        }
        Ok(())
    }
}

pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "envdeck", "envdeck")
        .map(|dirs| dirs.data_dir().join("server"))
}

/// Opens (creating, checking, migrating) the database in `data_dir`. Refuses, without
/// writing a byte, a file that is corrupt or was written by a newer envdeck.
pub fn open_database(data_dir: &Path, fresh: bool) -> Result<Db, ServerError> {
    db::create_private_dir(data_dir).map_err(|source| ServerError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;
    let path = data_dir.join(DB_FILE);
    if fresh {
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(ServerError::Fresh {
                        path: file.display().to_string(),
                        source,
                    });
                }
            }
        }
    }
    migrate::check_existing(&path)?;
    let open_err = |source: DbError| ServerError::Open {
        path: path.display().to_string(),
        source,
    };
    {
        let mut conn = rusqlite::Connection::open(&path).map_err(|e| open_err(e.into()))?;
        migrate::migrate(&mut conn).map_err(|e| open_err(e.into()))?;
    }
    let db = Db::open(&path).map_err(open_err)?;
    // After open, when the -wal and -shm files exist: SQLite creates them with the umask.
    db::make_private(&path).map_err(|source| ServerError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;
    Ok(db)
}

fn load_pipeline(opts: &ServerOptions) -> Result<crate::domain::Pipeline, ServerError> {
    let default_file = opts.data_dir.join(STAGES_FILE);
    let file = match &opts.stages_file {
        Some(f) => Some(f.clone()),
        None if default_file.exists() => Some(default_file),
        None => None,
    };
    Ok(match file {
        Some(f) => stages::load(&f)?,
        None => stages::default_pipeline(),
    })
}

/// Opens/migrates/seeds the database, binds, and serves in a tokio task; the gateway agent
/// follows `ENVDECK_GATEWAYS` / `ENVDECK_GATEWAY_DELAY_MS` (auto, 1500 ms by default).
pub async fn start(opts: ServerOptions) -> Result<RunningServer, ServerError> {
    start_with(opts, agent::AgentOptions::from_env()).await
}

/// [`start`] with an explicit gateway agent.
pub async fn start_with(
    opts: ServerOptions,
    gateways: agent::AgentOptions,
) -> Result<RunningServer, ServerError> {
    start_limited(opts, gateways, listen::ConnLimits::default()).await
}

/// [`start_with`] with explicit connection limits (tests shorten the timeouts).
pub async fn start_limited(
    opts: ServerOptions,
    gateways: agent::AgentOptions,
    limits: listen::ConnLimits,
) -> Result<RunningServer, ServerError> {
    let pipeline = load_pipeline(&opts)?;
    let data_dir = opts.data_dir.clone();
    let fresh = opts.fresh;
    let db = tokio::task::spawn_blocking(move || open_database(&data_dir, fresh))
        .await
        .map_err(|e| ServerError::Task(e.to_string()))??;
    seed::ensure(&db, opts.seed, &pipeline)
        .await
        .map_err(ServerError::Seed)?;
    let identity = identity::Identity::load_or_create(&opts.data_dir, db.clone())?;
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(|source| ServerError::Listen {
            addr: opts.listen,
            source,
        })?;
    let addr = listener
        .local_addr()
        .map_err(|source| ServerError::Listen {
            addr: opts.listen,
            source,
        })?;
    let url = format!("http://{addr}");
    identity.set_public_url(&url);
    let state = AppState {
        db: db.clone(),
        identity,
        pipeline: Arc::new(pipeline),
        url: url.clone().into(),
        gateways: gateways.mode,
    };
    let app = routes::router(state);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(listen::serve(listener, app, limits, async move {
        let _ = rx.await;
    }));
    let agent = agent::spawn(db.clone(), gateways);
    tracing::info!(%url, mode = ?gateways.mode, "control plane listening");
    Ok(RunningServer {
        url,
        agent,
        shutdown: tx,
        task,
        db,
    })
}

/// `envdeck serve`: the first stdout line is `listening on http://HOST:PORT`; runs until
/// SIGINT or SIGTERM, then shuts down gracefully.
pub async fn serve(opts: ServerOptions) -> Result<(), ServerError> {
    serve_with(opts, agent::AgentOptions::from_env()).await
}

/// [`serve`] with an explicit gateway agent (`envdeck serve --gateways …`).
pub async fn serve_with(
    opts: ServerOptions,
    gateways: agent::AgentOptions,
) -> Result<(), ServerError> {
    let server = start_with(opts, gateways).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", server.url()).map_err(ServerError::Stdout)?;
        out.flush().map_err(ServerError::Stdout)?;
    }
    wait_for_signal().await?;
    tracing::info!("shutting down");
    server.shutdown().await
}

#[cfg(unix)]
async fn wait_for_signal() -> Result<(), ServerError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(ServerError::Signals)?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.map_err(ServerError::Signals),
        _ = term.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> Result<(), ServerError> {
    tokio::signal::ctrl_c().await.map_err(ServerError::Signals)
}
