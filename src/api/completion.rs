//! Completing a promotion on a platform whose gateways complete it. The real service moves a
//! promotion to `promoted` (or `failed`) by itself when its linked gateway deployments are
//! acknowledged, and answers `POST …/complete` with 400 before that and after it: these helpers
//! tell those answers apart and measure how far the gateways are.

use super::{ApiError, Client};
use crate::domain::StageName;
use crate::wire::{GatewayDeployment, Promotion};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The gateways have not acknowledged (or are not linked) yet: wait, then try again.
    NotYetSynced,
    /// It is promoted already: what the caller wanted.
    AlreadyPromoted,
}

/// What a refused `complete` means, from the server's words (400 on the real service, 409 or
/// 400 on envdeck's).
pub fn refusal(error: &ApiError) -> Option<Refusal> {
    if let ApiError::Refused(reason) = error {
        // The write guard read it promoted just before sending (the gateways were quicker).
        let already = crate::domain::Denial::WrongStatus {
            status: crate::domain::PromotionStatus::Promoted,
            needed: crate::domain::PromotionStatus::Promoting,
        };
        return reason
            .starts_with(&already.to_string())
            .then_some(Refusal::AlreadyPromoted);
    }
    if !matches!(error.status(), Some(400 | 409)) {
        return None;
    }
    let words = error.to_string().to_lowercase();
    if words.contains("linked gateway deployments") {
        Some(Refusal::NotYetSynced)
    } else if words.contains("'promoted'") && !words.contains("expected 'promoted'") {
        Some(Refusal::AlreadyPromoted)
    } else {
        None
    }
}

/// Gateway deployments of the promotion's API on its target gateways: synced / all, or None
/// when none is visible (this role may not list them, or the promotion names no gateway).
pub fn progress(p: &Promotion, deployments: &[GatewayDeployment]) -> Option<(usize, usize)> {
    // A rollback's reverse promotion names no gateway on the real service: nothing to count.
    let targets = p.target_gateway_ids.as_deref().unwrap_or_default();
    let linked: Vec<_> = deployments
        .iter()
        .filter(|d| d.is_of_api(&p.api_id, None))
        .filter(|d| targets.contains(&d.gateway_instance_id))
        .collect();
    if linked.is_empty() {
        return None;
    }
    let synced = linked.iter().filter(|d| d.sync_status == "synced").count();
    Some((synced, linked.len()))
}

/// Why a promotion failed, from what can be seen: the server's own words when it keeps them,
/// else the gateways' errors.
pub fn failure_reason(p: &Promotion, deployments: &[GatewayDeployment]) -> String {
    // envdeck's control plane keeps it in `spec_diff.failure_reason`; the real one nowhere.
    if let Some(reason) = p
        .spec_diff
        .as_ref()
        .and_then(|d| d.get("failure_reason"))
        .and_then(|r| r.as_str())
        .filter(|r| !r.trim().is_empty())
    {
        return reason.to_string();
    }
    let errors: Vec<String> = deployments
        .iter()
        .filter(|d| d.is_of_api(&p.api_id, None) && d.sync_status == "error")
        .map(|d| match &d.sync_error {
            Some(e) => format!("{}: {e}", d.gateway_label()),
            None => format!("{}: error", d.gateway_label()),
        })
        .collect();
    if errors.is_empty() {
        "the control plane gives no reason".to_string()
    } else {
        errors.join("; ")
    }
}

impl Client {
    /// The target stage's gateway deployments, or None when this role may not read them.
    pub async fn linked_deployments(&self, p: &Promotion) -> Option<Vec<GatewayDeployment>> {
        let target = StageName::parse(&p.target_environment).ok()?;
        self.gateway_deployments(Some(&target), None).await.ok()
    }
}
