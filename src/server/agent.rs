//! The simulated gateway agent: a task owned by the server that acknowledges waiting gateway
//! deployments after a delay, as real gateway agents answer route-sync requests, so that
//! promotions complete (or fail) by themselves. `manual` leaves them waiting for
//! `POST …/complete`, the manual path.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::db::Db;
use super::repo::sync::{self, Ack};
use crate::wire::Timestamp;

/// How the simulated gateways answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GatewayMode {
    /// Every deployment syncs.
    #[default]
    Auto,
    /// Nothing answers; `complete` acknowledges.
    Manual,
    /// Every deployment fails with a sync error.
    Fail,
}

impl GatewayMode {
    pub fn parse(raw: &str) -> Option<GatewayMode> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(GatewayMode::Auto),
            "manual" => Some(GatewayMode::Manual),
            "fail" => Some(GatewayMode::Fail),
            _ => None,
        }
    }
}

pub const DEFAULT_DELAY: Duration = Duration::from_millis(1500);
pub const MODE_ENV: &str = "ENVDECK_GATEWAYS";
pub const DELAY_ENV: &str = "ENVDECK_GATEWAY_DELAY_MS";
/// The sync error of `--gateways fail`.
pub const SIMULATED_ERROR: &str =
    "gateway rejected the route: simulated failure (envdeck --gateways fail)";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgentOptions {
    pub mode: GatewayMode,
    pub delay: Duration,
}

impl Default for AgentOptions {
    fn default() -> Self {
        AgentOptions {
            mode: GatewayMode::Auto,
            delay: DEFAULT_DELAY,
        }
    }
}

impl AgentOptions {
    /// `ENVDECK_GATEWAYS` and `ENVDECK_GATEWAY_DELAY_MS`, defaults otherwise (unreadable
    /// values are ignored with a warning).
    pub fn from_env() -> AgentOptions {
        let mut out = AgentOptions::default();
        if let Ok(raw) = std::env::var(MODE_ENV) {
            match GatewayMode::parse(&raw) {
                Some(mode) => out.mode = mode,
                None => tracing::warn!(value = %raw, "{MODE_ENV}: expected auto, manual or fail"),
            }
        }
        if let Ok(raw) = std::env::var(DELAY_ENV) {
            match raw.trim().parse::<u64>() {
                Ok(ms) => out.delay = Duration::from_millis(ms),
                Err(_) => tracing::warn!(value = %raw, "{DELAY_ENV}: expected milliseconds"),
            }
        }
        out
    }
}

/// The running agent; stopping (or dropping) it ends the task.
pub struct Agent {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Agent {
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

pub fn spawn(db: Db, opts: AgentOptions) -> Agent {
    if opts.mode == GatewayMode::Manual {
        return Agent {
            stop: None,
            task: None,
        };
    }
    let (tx, mut rx) = oneshot::channel::<()>();
    // Look often enough that a deployment waits about `delay`, not much more.
    let tick = (opts.delay / 4).clamp(Duration::from_millis(10), Duration::from_millis(250));
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut rx => return,
                _ = tokio::time::sleep(tick) => {}
            }
            if let Err(e) = round(&db, opts).await {
                tracing::warn!(error = %e, "gateway agent round failed");
            }
        }
    });
    Agent {
        stop: Some(tx),
        task: Some(task),
    }
}

/// Acknowledges every deployment that has waited `delay`; a read first, so an idle platform
/// costs no write (writes invalidate the response cache).
async fn round(db: &Db, opts: AgentOptions) -> Result<(), super::db::DbError> {
    let delay = chrono::Duration::from_std(opts.delay).unwrap_or(chrono::Duration::zero());
    let cutoff = Timestamp(Utc::now() - delay).to_rfc3339();
    let probe = cutoff.clone();
    if db.read(move |c| sync::due(c, &probe)).await?.is_empty() {
        return Ok(());
    }
    let ack = match opts.mode {
        GatewayMode::Fail => Ack::Error(SIMULATED_ERROR.to_string()),
        _ => Ack::Synced,
    };
    db.write(move |tx| {
        let mut promotions = Vec::new();
        for id in sync::due(tx, &cutoff)? {
            if let Some(p) = sync::acknowledge(tx, &id, &ack)?
                && !promotions.contains(&p)
            {
                promotions.push(p);
            }
        }
        for p in promotions {
            sync::check_promotion_completion(tx, &p)?;
        }
        Ok(())
    })
    .await
}
