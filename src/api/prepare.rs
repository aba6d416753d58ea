//! What creating a promotion needs from the control plane, fetched together: the API's synced
//! deployments in the source stage, the gateways they may go to, the target's health and the
//! API's promotion history. Shared by the console's form and `envdeck promote create`.

use super::plan::{self, Lane};
use super::{ApiError, Client, PromotionFilter, Result};
use crate::domain::StageName;
use crate::wire::{Gateway, GatewayDeployment, Promotion};

/// The real service opens `/v1/admin/*` to these roles only; devops cannot list the sources.
pub const ADMIN_ONLY_SOURCES: &str =
    "this control plane lists promotion sources to tenant-admin and cpi-admin only";

#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    pub lanes: Vec<Lane>,
    /// Every gateway deployment of the tenant in the target stage (its health).
    pub target_deployments: Vec<GatewayDeployment>,
    pub history: Vec<Promotion>,
}

impl Client {
    pub async fn prepare_promotion(
        &self,
        api_id: &str,
        source: &StageName,
        target: &StageName,
    ) -> Result<Prepared> {
        let of_api = PromotionFilter {
            api_id: Some(api_id.to_string()),
            ..PromotionFilter::default()
        };
        let admin = async {
            tokio::try_join!(
                self.gateway_deployments(Some(source), Some("synced")),
                self.gateway_deployments(Some(target), None),
                self.gateways(Some(source)),
                self.gateways(Some(target)),
            )
            .map_err(admin_only)
        };
        let ((sources, target_deployments, mut gateways, targets), history) =
            tokio::try_join!(admin, self.promotions(&of_api))?;
        gateways.extend(targets);
        let lanes = plan::lanes(&sources, &gateways, api_id, self.tenant(), source, target);
        Ok(Prepared {
            lanes,
            target_deployments,
            history,
        })
    }
}

/// A 403 on the admin lists means this role may not see promotion sources at all.
pub fn admin_only(error: ApiError) -> ApiError {
    admin_list("promotion sources")(error)
}

/// A 403 on an admin list (`/v1/admin/*`), said plainly: which role may read `what`.
pub fn admin_list(what: &'static str) -> impl Fn(ApiError) -> ApiError {
    move |error| {
        if error.status() == Some(403) {
            ApiError::Refused(format!(
                "this control plane lists {what} to tenant-admin and cpi-admin only"
            ))
        } else {
            error
        }
    }
}

/// Which targets are chosen at first: this tenant's own gateways when it has any, else the
/// platform's (a tenant's traffic does not go to shared gateways unless asked).
pub fn default_choice(targets: &[Gateway], tenant: &str) -> Vec<bool> {
    let own = |g: &Gateway| g.tenant_id.as_deref() == Some(tenant);
    let any_own = targets.iter().any(own);
    targets.iter().map(|g| !any_own || own(g)).collect()
}
