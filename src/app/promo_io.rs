//! The promotion effects and their replies: what the runner fetches or sends for the review,
//! the create form, the writes and the live polling.

use super::action::Action;
use super::effect::bounded;
use super::promo::{Draft, PromoWrite, ReviewData};
use crate::api::{ApiError, Client, PromotionFilter};
use crate::domain::{StageName, WireSpelling};
use crate::wire::{GatewayDeployment, Promotion};

#[derive(Clone, Debug, PartialEq)]
pub enum PromoEffect {
    /// Everything the create form needs for an API from `source` into `target`.
    Prepare {
        api_id: String,
        api_name: String,
        source: StageName,
        target: StageName,
    },
    /// The promotion, its diff and the pre-flight facts.
    Review {
        id: String,
    },
    Write(PromoWrite),
    /// The promotion's status and the target's gateway deployments.
    Poll {
        id: String,
    },
}

#[derive(Debug)]
pub enum PromoReply {
    Draft(Result<Draft, ApiError>),
    Review {
        id: String,
        result: Result<ReviewData, ApiError>,
    },
    Written {
        write: PromoWrite,
        result: Result<Promotion, ApiError>,
    },
    Polled {
        id: String,
        result: Result<(Promotion, Vec<GatewayDeployment>), ApiError>,
    },
}

/// Runs one effect to its reply, bounded like every request (the runner puts it on a task).
pub async fn run(client: Client, effect: PromoEffect) -> Action {
    Action::Promo(Box::new(reply(client, effect).await))
}

async fn reply(client: Client, effect: PromoEffect) -> PromoReply {
    match effect {
        PromoEffect::Prepare {
            api_id,
            api_name,
            source,
            target,
        } => PromoReply::Draft(bounded(prepare(&client, api_id, api_name, source, target)).await),
        PromoEffect::Review { id } => PromoReply::Review {
            result: bounded(review(&client, &id)).await,
            id,
        },
        PromoEffect::Write(write) => PromoReply::Written {
            result: bounded(send(&client, &write)).await,
            write,
        },
        PromoEffect::Poll { id } => PromoReply::Polled {
            result: bounded(poll(&client, &id)).await,
            id,
        },
    }
}

async fn prepare(
    client: &Client,
    api_id: String,
    api_name: String,
    source: StageName,
    target: StageName,
) -> Result<Draft, ApiError> {
    let of_api = PromotionFilter {
        api_id: Some(api_id.clone()),
        ..PromotionFilter::default()
    };
    let (sources, gateways, target_deployments, history) = tokio::try_join!(
        client.gateway_deployments(Some(&source), Some("synced")),
        client.gateways(Some(&target)),
        client.gateway_deployments(Some(&target), None),
        client.promotions(&of_api),
    )?;
    let sources = sources
        .into_iter()
        .filter(|d| d.is_of_api(&api_id, None) || d.is_of_api(&api_name, None))
        .collect();
    Ok(Draft {
        api_id,
        api_name,
        source,
        target,
        sources,
        gateways,
        target_deployments,
        history,
    })
}

async fn review(client: &Client, id: &str) -> Result<ReviewData, ApiError> {
    let (promotion, diff) = tokio::try_join!(client.promotion(id), client.promotion_diff(id))?;
    let target = StageName::parse(&promotion.target_environment).ok();
    let of_api = PromotionFilter {
        api_id: Some(promotion.api_id.clone()),
        ..PromotionFilter::default()
    };
    let (target_deployments, history) = tokio::try_join!(
        client.gateway_deployments(target.as_ref(), None),
        client.promotions(&of_api),
    )?;
    Ok(ReviewData {
        promotion,
        diff,
        target_deployments,
        history,
    })
}

async fn send(client: &Client, write: &PromoWrite) -> Result<Promotion, ApiError> {
    match write {
        PromoWrite::Create { api_id, body, .. } => client.create_promotion(api_id, body).await,
        PromoWrite::Approve {
            target,
            reviewed_spec_hash,
        } => {
            client
                .approve_promotion(&target.id, reviewed_spec_hash.as_deref())
                .await
        }
        PromoWrite::Complete { target } => client.complete_promotion(&target.id).await,
        PromoWrite::Rollback { target, message } => {
            client.rollback_promotion(&target.id, message).await
        }
    }
}

async fn poll(client: &Client, id: &str) -> Result<(Promotion, Vec<GatewayDeployment>), ApiError> {
    let promotion = client.promotion(id).await?;
    let target = StageName::parse(&promotion.target_environment)
        .map_err(|e| ApiError::Invalid(e.to_string()))?;
    let deployments = client.gateway_deployments(Some(&target), None).await?;
    Ok((promotion, deployments))
}

/// The wire spelling of a stage in a create body.
pub fn wire_name(stage: &StageName) -> String {
    stage.wire(WireSpelling::Long).to_string()
}
