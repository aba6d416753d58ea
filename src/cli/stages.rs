//! The stages of a control plane and which one a command acts on.

use super::connect::Connection;
use super::error::{CliError, NOT_FOUND};
use crate::domain::{Pipeline, Stage};
use crate::store::{Loaded, Paths, StateStore};

pub async fn pipeline(conn: &Connection) -> Result<Pipeline, CliError> {
    let list = conn.client.environments().await?;
    let (pipeline, warnings) = list.pipeline();
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    if pipeline.is_empty() {
        return Err(CliError::general("the control plane lists no stages"));
    }
    Ok(pipeline)
}

pub fn find(pipeline: &Pipeline, raw: &str) -> Result<Stage, CliError> {
    pipeline.find(raw).cloned().ok_or_else(|| {
        let known: Vec<&str> = pipeline.stages().iter().map(|s| s.name.as_str()).collect();
        CliError::new(
            NOT_FOUND,
            format!("no stage {raw:?} here; stages: {}", known.join(", ")),
        )
    })
}

/// Where the active stage came from, for `envdeck env`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Explicit,
    Saved,
    Default,
}

/// The explicit stage, else the saved one, else the safe default.
pub async fn resolve_stage(
    conn: &Connection,
    explicit: Option<&str>,
) -> Result<(Pipeline, Stage), CliError> {
    let (pipeline, stage, _) = resolve_with_origin(conn, explicit).await?;
    Ok((pipeline, stage))
}

pub async fn resolve_with_origin(
    conn: &Connection,
    explicit: Option<&str>,
) -> Result<(Pipeline, Stage, Origin), CliError> {
    let pipeline = pipeline(conn).await?;
    if let Some(raw) = explicit {
        let stage = find(&pipeline, raw)?;
        return Ok((pipeline, stage, Origin::Explicit));
    }
    let saved = saved_stage(&conn.key).await;
    if let Some(stage) = saved.as_deref().and_then(|raw| pipeline.find(raw)).cloned() {
        return Ok((pipeline, stage, Origin::Saved));
    }
    let stage = pipeline
        .safe_default()
        .cloned()
        .ok_or_else(|| CliError::general("the control plane lists no stages"))?;
    Ok((pipeline, stage, Origin::Default))
}

async fn saved_stage(key: &str) -> Option<String> {
    let key = key.to_string();
    tokio::task::spawn_blocking(move || {
        let paths = Paths::discover().ok()?;
        match StateStore::new(&paths.state_dir).load(&key) {
            Loaded::Found(state) => state.stage,
            Loaded::Missing => None,
            Loaded::Corrupt(reason) => {
                tracing::warn!("saved state ignored: {reason}");
                None
            }
        }
    })
    .await
    .ok()
    .flatten()
}
