//! The promotion effects carried out: the create form's data, the review's diff and pre-flight
//! facts, and the live polling, each bounded like every request.

use super::runner::bounded;
use crate::api::{ApiError, Client, PromotionFilter};
use crate::app::action::Action;
use crate::app::failure::Failure;
use crate::app::promo::io::{Polled, PromoEffect, PromoReply};
use crate::app::promo::{Draft, ReviewData};
use crate::domain::StageName;

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
            stamp,
        } => PromoReply::Draft {
            stamp,
            result: bounded(prepare(&client, api_id, api_name, source, target))
                .await
                .map(Box::new)
                .map_err(Failure::from),
        },
        PromoEffect::Review { id, stamp } => PromoReply::Review {
            result: bounded(review(&client, &id))
                .await
                .map(Box::new)
                .map_err(Failure::from),
            stamp,
            id,
        },
        PromoEffect::Poll { id } => PromoReply::Polled {
            result: bounded(poll(&client, &id)).await.map_err(Failure::from),
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
    let prepared = client.prepare_promotion(&api_id, &source, &target).await?;
    Ok(Draft {
        api_id,
        api_name,
        source,
        target,
        lanes: prepared.lanes,
        target_deployments: prepared.target_deployments,
        history: prepared.history,
    })
}

async fn review(client: &Client, id: &str) -> Result<ReviewData, ApiError> {
    let (promotion, diff) = tokio::try_join!(client.promotion(id), client.promotion_diff(id))?;
    let target = StageName::parse(&promotion.target_environment).ok();
    let of_api = PromotionFilter {
        api_id: Some(promotion.api_id.clone()),
        ..PromotionFilter::default()
    };
    let (target_deployments, history) = tokio::join!(
        client.gateway_deployments(target.as_ref(), None),
        client.promotions(&of_api),
    );
    // The review needs the diff and the promotion; the target's health is a pre-flight extra
    // that the real service shows to tenant-admin and cpi-admin only.
    let (target_deployments, target_unknown) = match target_deployments {
        Ok(list) => (list, None),
        Err(e) if e.status() == Some(403) => (
            Vec::new(),
            Some(
                "this control plane shows gateway deployments to tenant-admin and cpi-admin only"
                    .to_string(),
            ),
        ),
        Err(e) => (
            Vec::new(),
            Some(format!("cannot read the gateway deployments: {e}")),
        ),
    };
    Ok(ReviewData {
        promotion,
        diff,
        target_deployments,
        target_unknown,
        history: history?,
    })
}

async fn poll(client: &Client, id: &str) -> Result<Polled, ApiError> {
    let promotion = client.promotion(id).await?;
    let deployments = client.linked_deployments(&promotion).await;
    Ok(Polled {
        promotion,
        deployments,
    })
}
