//! `envdeck env [NAME]`: print the active stage, or set it.

use serde::Serialize;

use super::args::{EnvArgs, OutputFormat};
use super::connect::Connection;
use super::error::CliError;
use super::output;
use super::stages::{Origin, resolve_with_origin};
use crate::store::{Loaded, Paths, StateStore, UiState};

#[derive(Serialize)]
struct ActiveStage<'a> {
    stage: &'a str,
    label: &'a str,
    mode: &'a str,
    /// explicit, saved or default
    source: &'a str,
}

pub async fn run(conn: &Connection, args: &EnvArgs) -> Result<String, CliError> {
    let (_, stage, origin) = resolve_with_origin(conn, args.name.as_deref()).await?;
    if origin == Origin::Explicit {
        save(&conn.key, stage.name.as_str()).await?;
    }
    let source = match origin {
        Origin::Explicit => "explicit",
        Origin::Saved => "saved",
        Origin::Default => "default",
    };
    match output::resolve(args.output) {
        OutputFormat::Json => output::json(&ActiveStage {
            stage: stage.name.as_str(),
            label: &stage.label,
            mode: stage.mode.as_str(),
            source,
        }),
        OutputFormat::Table => Ok(format!("{}\n", stage.name)),
    }
}

async fn save(key: &str, stage: &str) -> Result<(), CliError> {
    let key = key.to_string();
    let stage = stage.to_string();
    tokio::task::spawn_blocking(move || {
        let paths = Paths::discover().map_err(|e| CliError::general(e.to_string()))?;
        let store = StateStore::new(&paths.state_dir);
        let mut state = match store.load(&key) {
            Loaded::Found(state) => state,
            Loaded::Missing | Loaded::Corrupt(_) => UiState::default(),
        };
        state.stage = Some(stage);
        store
            .save(&key, &state)
            .map_err(|e| CliError::general(e.to_string()))
    })
    .await
    .map_err(|e| CliError::general(format!("saving the stage failed: {e}")))?
}
