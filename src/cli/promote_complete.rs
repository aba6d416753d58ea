//! `envdeck promote complete [--wait]`. On STOA a promotion completes itself when its gateways
//! acknowledge, and `complete` is refused before (400) and after ("already promoted"): so the
//! command succeeds when the promotion is or becomes promoted, waits with progress on stderr
//! while the gateways have not acknowledged (bounded by --timeout), and fails with the reason
//! when the promotion fails.

use std::time::Duration;

use super::connect::Connection;
use super::error::{CONFLICT, CliError, GENERAL};
use super::promote::{Step, act_on};
use crate::api::completion::{self, Refusal};
use crate::domain::text::sanitize;
use crate::domain::{Operation, PromotionStatus};
use crate::wire::Promotion;

pub async fn complete(
    conn: &Connection,
    id: &str,
    step: Step<'_>,
    wait: bool,
    timeout: Duration,
) -> Result<Promotion, CliError> {
    let client = &conn.client;
    let current = client.promotion(id).await?;
    match PromotionStatus::parse(&current.status) {
        // What was asked for happened already (the gateways completed it).
        Some(PromotionStatus::Promoted) => {
            eprintln!("promotion {} is promoted already", sanitize(&current.id));
            return Ok(current);
        }
        Some(PromotionStatus::Failed) => return settled(conn, current).await,
        _ => {}
    }
    // Asked of the promotion as just seen: the gateways may complete it any moment now.
    let p = act_on(conn, current, Operation::CompletePromotion, step).await?;
    let mut p = match client.complete_promotion(&p.id).await {
        Ok(done) => done,
        Err(e) => match completion::refusal(&e) {
            Some(Refusal::AlreadyPromoted) => client.promotion(&p.id).await?,
            Some(Refusal::NotYetSynced) if wait => p,
            Some(Refusal::NotYetSynced) => {
                return Err(CliError::new(
                    CONFLICT,
                    format!(
                        "{}: its gateways have not acknowledged yet; --wait waits for them",
                        sanitize(&e.to_string())
                    ),
                ));
            }
            None => return Err(e.into()),
        },
    };
    if wait {
        p = wait_for_gateways(conn, p, timeout).await?;
    }
    settled(conn, p).await
}

/// Polls the promotion (and asks to complete it when its gateways look done) until it leaves
/// `promoting` or the time is up; progress goes to stderr when it changes.
async fn wait_for_gateways(
    conn: &Connection,
    mut p: Promotion,
    timeout: Duration,
) -> Result<Promotion, CliError> {
    let client = &conn.client;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut delay = Duration::from_millis(250);
    let mut said = String::new();
    while p.status == PromotionStatus::Promoting.as_str() {
        let deployments = client.linked_deployments(&p).await;
        let progress = deployments
            .as_deref()
            .and_then(|d| completion::progress(&p, d));
        let line = match progress {
            Some((m, n)) => format!(
                "waiting for the gateways of {}: synced {m}/{n}",
                p.target_environment
            ),
            None => format!(
                "waiting for the gateways of {}: {}",
                p.target_environment, p.status
            ),
        };
        if line != said {
            eprintln!("{}", sanitize(&line));
            said = line;
        }
        let looks_done = progress.is_none_or(|(m, n)| m == n);
        if looks_done {
            match client.complete_promotion(&p.id).await {
                Ok(done) => p = done,
                Err(e) if completion::refusal(&e).is_some() => {}
                Err(e) => return Err(e.into()),
            }
            if p.status != PromotionStatus::Promoting.as_str() {
                break;
            }
        }
        if tokio::time::Instant::now() + delay > deadline {
            return Err(CliError::new(
                GENERAL,
                format!(
                    "promotion {} is still promoting after {}s: {}",
                    p.id,
                    timeout.as_secs(),
                    sanitize(&said)
                ),
            ));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
        p = client.promotion(&p.id).await?;
    }
    Ok(p)
}

/// Promoted is success; failed is exit 1 with the server's reason; anything else says so.
async fn settled(conn: &Connection, p: Promotion) -> Result<Promotion, CliError> {
    match PromotionStatus::parse(&p.status) {
        Some(PromotionStatus::Failed) => {
            let deployments = conn.client.linked_deployments(&p).await.unwrap_or_default();
            Err(CliError::new(
                GENERAL,
                format!(
                    "promotion {} failed: {}",
                    p.id,
                    sanitize(&completion::failure_reason(&p, &deployments))
                ),
            ))
        }
        _ => Ok(p),
    }
}
