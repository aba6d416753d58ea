//! `envdeck api create|delete|edit`: changes to an API's catalog entry. The entry is one per tenant
//! and shared by every stage the API runs in, so the policy judges each of those stages (the
//! strictest decides) before anything is sent, and a guarded stage reached wants its name typed.

use super::args::{ApiCommand, OutputFormat};
use super::connect::Connection;
use super::error::CliError;
use super::output;
use super::promote::find_api;
use super::stages::resolve_stage;
use crate::domain::policy::stages_named;
use crate::domain::{Operation, Stage, StageName};
use crate::wire::{Api, ApiCreate, ApiUpdate};

pub async fn run(conn: &Connection, cmd: &ApiCommand, readonly: bool) -> Result<String, CliError> {
    match cmd {
        ApiCommand::Create {
            name,
            stage,
            display_name,
            version,
            description,
            backend_url,
            confirm,
            output,
        } => {
            let body = ApiCreate {
                name: name.trim().to_string(),
                display_name: display_name
                    .clone()
                    .unwrap_or_else(|| name.trim().to_string()),
                version: version.clone(),
                description: description.clone(),
                backend_url: backend_url.clone(),
                tags: Vec::new(),
            };
            let stage = create_checked(conn, &body.name, stage, confirm, readonly).await?;
            let created = conn.client.create_api(&stage.name, &body).await?;
            match output::resolve(*output) {
                OutputFormat::Json => output::json(&created),
                OutputFormat::Table => Ok(format!(
                    "created API {} in {}\n",
                    crate::domain::text::sanitize(&created.name),
                    stage.label
                )),
            }
        }
        ApiCommand::Delete {
            api,
            stage,
            confirm,
            output,
        } => {
            let (found, stage) =
                checked(conn, api, stage, Operation::DeleteApi, confirm, readonly).await?;
            let deleted = conn.client.delete_api(&stage.name, &found.id).await?;
            match output::resolve(*output) {
                OutputFormat::Json => output::json(&deleted),
                OutputFormat::Table => Ok(format!("deleted API {} from every stage\n", found.name)),
            }
        }
        ApiCommand::Edit {
            api,
            stage,
            display_name,
            version,
            description,
            backend_url,
            confirm,
            output,
        } => {
            let body = ApiUpdate {
                display_name: display_name.clone(),
                version: version.clone(),
                description: description.clone(),
                backend_url: backend_url.clone(),
                tags: None,
            };
            if body == ApiUpdate::default() {
                return Err(CliError::misuse(
                    "nothing to change: --display-name, --version, --description or --backend-url",
                ));
            }
            let (found, stage) =
                checked(conn, api, stage, Operation::EditApi, confirm, readonly).await?;
            let saved = conn
                .client
                .update_api(&stage.name, &found.id, &body)
                .await?;
            match output::resolve(*output) {
                OutputFormat::Json => output::json(&saved),
                OutputFormat::Table => Ok(format!("saved API {}\n", saved.name)),
            }
        }
    }
}

/// The stage to create in, once the policy allowed it there and a guarded one was named.
async fn create_checked(
    conn: &Connection,
    name: &str,
    stage: &str,
    confirm: &Option<String>,
    readonly: bool,
) -> Result<Stage, CliError> {
    let (pipeline, stage) = resolve_stage(conn, Some(stage)).await?;
    // Fetching /v1/me (and the stages, above) also lets the client's write guard judge.
    let actor = conn.client.me().await?.actor();
    let ctx = conn.policy(&pipeline, &actor, readonly);
    allow(
        &ctx,
        Operation::CreateApi,
        &stage.name,
        name,
        Vec::new(),
        confirm,
    )?;
    Ok(stage)
}

/// The API, once the policy allowed `op` in every stage it runs in and any guarded stage it
/// reaches was named with --confirm.
async fn checked(
    conn: &Connection,
    wanted: &str,
    stage: &str,
    op: Operation,
    confirm: &Option<String>,
    readonly: bool,
) -> Result<(Api, Stage), CliError> {
    let (pipeline, stage) = resolve_stage(conn, Some(stage)).await?;
    let api = find_api(conn, &stage.name, wanted).await?;
    // Fetching /v1/me (and the stages, above) also lets the client's write guard judge.
    let actor = conn.client.me().await?.actor();
    let ctx = conn.policy(&pipeline, &actor, readonly);
    let reached: Vec<StageName> = stages_named(&pipeline, api.stage_names())
        .into_iter()
        .map(|s| s.name.clone())
        .collect();
    allow(&ctx, op, &stage.name, &api.name, reached, confirm)?;
    Ok((api, stage))
}

/// `op` on `api` from `stage`, also reaching `reached` (the shared catalog entry): allowed by
/// the strictest of them, and any guarded one named with --confirm.
fn allow(
    ctx: &crate::domain::policy::PolicyContext<'_>,
    op: Operation,
    stage: &StageName,
    api: &str,
    reached: Vec<StageName>,
    confirm: &Option<String>,
) -> Result<(), CliError> {
    if let Some(denial) = ctx.decide_catalog(op, stage, api, &reached).denial() {
        return Err(denial.clone().into());
    }
    let mut landing = reached;
    landing.push(stage.clone());
    let what = format!("{} {api}", op.verb());
    super::confirm::typed(ctx, op, &landing, confirm.as_deref(), &what)
}
