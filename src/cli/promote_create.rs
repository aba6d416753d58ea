//! `envdeck promote create`: the same choice STOA's web console makes: a synced source
//! deployment of the API in the stage before, and compatible gateways of the target stage.

use super::connect::Connection;
use super::error::{CONFLICT, CliError, VALIDATION};
use super::promote::{actor, check, find_api, required_message};
use super::stages::{find, pipeline};
use crate::api::{plan, prepare};
use crate::domain::{Operation, PromotionStatus, WireSpelling};
use crate::wire::{Promotion, PromotionCreate};

pub struct Ask<'a> {
    pub api: &'a str,
    pub to: &'a str,
    pub message: Option<&'a str>,
    /// Target gateways by name; empty: the default choice.
    pub gateways: &'a [String],
}

pub async fn create(
    conn: &Connection,
    ask: &Ask<'_>,
    readonly: bool,
) -> Result<Promotion, CliError> {
    let message = required_message(ask.message)?;
    let pipeline = pipeline(conn).await?;
    let target = find(&pipeline, ask.to)?;
    let source = pipeline.previous(&target.name).cloned().ok_or_else(|| {
        CliError::new(
            VALIDATION,
            format!(
                "{} is the first stage: nothing promotes into it",
                target.label
            ),
        )
    })?;
    let actor = actor(conn).await?;
    let ctx = conn.policy(&pipeline, &actor, readonly);
    check(&ctx, Operation::CreatePromotion, &target.name, None)?;
    let api = find_api(conn, &source.name, ask.api).await?;
    let client = &conn.client;
    let prepared = client
        .prepare_promotion(&api.id, &source.name, &target.name)
        .await?;
    if let Some(p) = prepared.history.iter().find(|p| {
        PromotionStatus::parse(&p.status).is_some_and(|s| s.is_open())
            && pipeline.find(&p.target_environment).map(|s| &s.name) == Some(&target.name)
    }) {
        return Err(CliError::new(
            CONFLICT,
            format!(
                "an open promotion of {} into {} exists already: {} ({})",
                api.name, target.label, p.id, p.status
            ),
        ));
    }
    let Some(lane) = prepared.lanes.first() else {
        return Err(CliError::new(
            VALIDATION,
            format!(
                "{} has no synced deployment in {} to promote from",
                api.name, source.label
            ),
        ));
    };
    if let Some(why) = plan::lane_problem(lane, &target.label) {
        return Err(CliError::new(VALIDATION, why));
    }
    let targets = choose(&lane.targets, ask.gateways, client.tenant(), &target.label)?;
    let body = PromotionCreate {
        source_deployment_id: lane.source.id.clone(),
        target_gateway_ids: targets,
        source_environment: source.name.wire(WireSpelling::Long).to_string(),
        target_environment: target.name.wire(WireSpelling::Long).to_string(),
        message,
    };
    Ok(client.create_promotion(&api.id, &body).await?)
}

/// The gateways asked for by name (each must be compatible), or the default choice.
fn choose(
    compatible: &[crate::wire::Gateway],
    asked: &[String],
    tenant: &str,
    target_label: &str,
) -> Result<Vec<String>, CliError> {
    if asked.is_empty() {
        let chosen = prepare::default_choice(compatible, tenant);
        return Ok(compatible
            .iter()
            .zip(chosen)
            .filter(|(_, on)| *on)
            .map(|(g, _)| g.id.clone())
            .collect());
    }
    asked
        .iter()
        .map(|name| {
            compatible
                .iter()
                .find(|g| g.name == *name || g.id == *name)
                .map(|g| g.id.clone())
                .ok_or_else(|| {
                    let names: Vec<&str> = compatible.iter().map(|g| g.name.as_str()).collect();
                    CliError::new(
                        VALIDATION,
                        format!(
                            "{name} is not a compatible gateway of {target_label}; choose from: {}",
                            names.join(", ")
                        ),
                    )
                })
        })
        .collect()
}
