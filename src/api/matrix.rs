//! Fetching the pipeline matrix (`domain::matrix`): what runs where, read the way each role
//! may read it.
//!
//! Requests: the tenant's catalog (one list, every page), the promotions list, and one list of
//! gateway deployments per stage (`/v1/admin/deployments?environment=`) — stages + 2 in all.
//! The catalog is the one call beyond "one per stage": it is what names the tenant's APIs
//! (deployed or not) and its `runtime_deployments` are the only per-stage state that every role
//! may read. The gateway deployments carry what the catalog cannot: the version and spec hash
//! each stage runs (the real service's catalog holds one version shared by every stage).
//!
//! Roles: the real service (and envdeck's) lists gateway deployments to tenant-admin and
//! cpi-admin only. For others every stage is read from the catalog alone: presence and sync
//! are known, versions are not (the cells say so, and the matrix carries a note). With
//! [`GatewayAccess::Probe`] the first stage is asked first and a 403 spares the other stages
//! the request.

use reqwest::Method;

use super::transport::Request;
use super::{ApiError, Client, PromotionFilter, Result};
use crate::domain::matrix::{Inputs, Matrix, StageSource};
use crate::domain::text::sanitize;
use crate::domain::{Role, Stage};
use crate::wire::{Api, Page, Promotion};

/// Why versions are unknown to devops and viewer.
pub const NO_GATEWAY_LISTS: &str = "your role cannot list gateway deployments (tenant-admin can)";

/// Whether the caller may list gateway deployments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayAccess {
    /// Ask every stage at once.
    Yes,
    /// Ask none: read the catalog alone.
    No,
    /// Ask the first stage, then the others unless it was refused.
    Probe,
}

impl GatewayAccess {
    /// From the roles `/v1/me` gave: admins may, devops and viewer may not, else probe.
    pub fn from_roles<S: AsRef<str>>(roles: &[S]) -> GatewayAccess {
        let roles: Vec<Role> = roles.iter().map(|r| Role::parse(r.as_ref())).collect();
        if roles
            .iter()
            .any(|r| matches!(r, Role::CpiAdmin | Role::TenantAdmin))
        {
            GatewayAccess::Yes
        } else if !roles.is_empty()
            && roles
                .iter()
                .all(|r| matches!(r, Role::Devops | Role::Viewer))
        {
            GatewayAccess::No
        } else {
            GatewayAccess::Probe
        }
    }
}

/// The matrix and the promotions it was built from (the health figures need them too).
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineData {
    pub matrix: Matrix,
    pub promotions: Vec<Promotion>,
}

impl Client {
    /// The tenant's whole API catalog (no stage filter), every page.
    pub async fn catalog(&self) -> Result<Vec<Api>> {
        let request = Request::new(Method::GET, &["v1", "tenants", self.tenant_id()?, "apis"]);
        self.get_all::<Page<Api>>(request).await
    }

    /// The matrix of `stages` (pipeline order), built from stages + 2 list calls at most.
    pub async fn pipeline_matrix(
        &self,
        stages: &[Stage],
        access: GatewayAccess,
    ) -> Result<PipelineData> {
        let (inputs, promotions) = self.pipeline_inputs(stages, access).await?;
        let matrix = inputs.build(stages, &promotions);
        Ok(PipelineData { matrix, promotions })
    }

    /// What the matrix is built from: the catalog and each stage's gateway deployments (one
    /// list call per stage), and every promotion. A stage whose list fails for another reason
    /// than a 403 reads as unknown; the catalog or the promotions failing fails the whole call.
    pub async fn pipeline_inputs(
        &self,
        stages: &[Stage],
        access: GatewayAccess,
    ) -> Result<(Inputs, Vec<Promotion>)> {
        let first_wave = match access {
            GatewayAccess::Yes => stages.len(),
            GatewayAccess::Probe => stages.len().min(1),
            GatewayAccess::No => 0,
        };
        let lists =
            futures::future::join_all(stages[..first_wave].iter().map(|s| self.stage_source(s)));
        let all = PromotionFilter::default();
        let (catalog, promotions, mut sources) =
            tokio::join!(self.catalog(), self.promotions(&all), lists);
        let (catalog, promotions) = (catalog?, promotions?);
        let refused = sources
            .first()
            .is_some_and(|s| matches!(s, StageSource::Runtime { .. }));
        if access == GatewayAccess::Probe && !refused {
            let rest = stages[first_wave..].iter().map(|s| self.stage_source(s));
            sources.extend(futures::future::join_all(rest).await);
        }
        while sources.len() < stages.len() {
            sources.push(StageSource::Runtime {
                why: NO_GATEWAY_LISTS.to_string(),
            });
        }
        let stages = stages.iter().map(|s| s.name.clone()).collect();
        Ok((
            Inputs {
                stages,
                catalog,
                sources,
            },
            promotions,
        ))
    }

    async fn stage_source(&self, stage: &Stage) -> StageSource {
        match self.gateway_deployments(Some(&stage.name), None).await {
            Ok(list) => StageSource::Deployments(list),
            Err(e) => source_after(&e),
        }
    }
}

/// A 403 leaves the catalog's view; anything else leaves the stage unknown.
fn source_after(error: &ApiError) -> StageSource {
    if error.status() == Some(403) {
        StageSource::Runtime {
            why: NO_GATEWAY_LISTS.to_string(),
        }
    } else {
        StageSource::Unknown {
            why: sanitize(&error.to_string()).into_owned(),
        }
    }
}
