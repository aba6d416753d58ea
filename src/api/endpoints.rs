//! The contract's endpoints (CONTRACT.md), one method each. Lists are fetched whole (every
//! page); stages are spelt per endpoint the way the real service expects; every write sends
//! `?environment=` and passes the write guard first.

use reqwest::Method;

use super::transport::{self, Request};
use super::{ApiError, Client, PromotionFilter, Result, decode};
use crate::domain::{Operation, StageName, WireSpelling};
use crate::wire::*;

impl Client {
    pub async fn health(&self) -> Result<Health> {
        let request = Request::new(Method::GET, &["health"]).public();
        self.inner.get_json(&request).await
    }

    pub async fn environments(&self) -> Result<EnvironmentList> {
        let request = Request::new(Method::GET, &["v1", "environments"]);
        let list: EnvironmentList = self.inner.get_json(&request).await?;
        let names = list
            .environments
            .iter()
            .filter_map(|e| StageName::parse(&e.name).ok())
            .collect();
        *self
            .inner
            .stages
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = names;
        self.inner
            .update_guard(|g| g.learn_pipeline(list.pipeline().0));
        Ok(list)
    }

    /// The stages without their endpoints; needs no token.
    pub async fn public_environments(&self) -> Result<PublicEnvironmentList> {
        let request = Request::new(Method::GET, &["v1", "environments", "public"]).public();
        self.inner.get_json(&request).await
    }

    pub async fn me(&self) -> Result<Me> {
        let me: Me = self
            .inner
            .get_json(&Request::new(Method::GET, &["v1", "me"]))
            .await?;
        self.inner.update_guard(|g| g.learn_actor(me.actor()));
        Ok(me)
    }

    /// The tenants the caller may see (the real service sends a bare array).
    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        let request = Request::new(Method::GET, &["v1", "tenants"]);
        let page: Page<Tenant> = self.inner.get_json(&request).await?;
        Ok(page.items)
    }

    /// cpi-admin only (`tenants:create`, checked by the server). Not a stage write, so the
    /// stage policy and the write guard have nothing to say. The real service answers 200.
    pub async fn create_tenant(&self, body: &TenantCreate) -> Result<Tenant> {
        let request = Request::new(Method::POST, &["v1", "tenants"]).json(body)?;
        self.inner.send_json(&request).await
    }

    /// Every page of the stage's APIs (never trusts `total`).
    pub async fn apis(&self, stage: &StageName) -> Result<Vec<Api>> {
        if let Some(routed) = self.routed(stage) {
            return Box::pin(routed.apis(stage)).await;
        }
        let request = Request::new(Method::GET, &["v1", "tenants", self.tenant_id()?, "apis"])
            .query("environment", stage.wire(WireSpelling::Short));
        self.get_all::<Page<Api>>(request).await
    }

    /// One API of the tenant's catalog.
    pub async fn api(&self, id: &str) -> Result<Api> {
        let request = Request::new(
            Method::GET,
            &["v1", "tenants", self.tenant_id()?, "apis", id],
        );
        self.inner.get_json(&request).await
    }

    pub async fn create_api(&self, stage: &StageName, body: &ApiCreate) -> Result<Api> {
        if let Some(routed) = self.routed(stage) {
            return Box::pin(routed.create_api(stage, body)).await;
        }
        self.check_write(Operation::CreateApi, stage, None)?;
        let request = Request::new(Method::POST, &["v1", "tenants", self.tenant_id()?, "apis"])
            .query("environment", stage.wire(WireSpelling::Short))
            .json(body)?;
        self.inner.send_json(&request).await
    }

    pub async fn update_api(&self, stage: &StageName, id: &str, body: &ApiUpdate) -> Result<Api> {
        if let Some(routed) = self.routed(stage) {
            return Box::pin(routed.update_api(stage, id, body)).await;
        }
        self.check_catalog_write(Operation::EditApi, stage, id)
            .await?;
        let path = ["v1", "tenants", self.tenant_id()?, "apis", id];
        let request = Request::new(Method::PUT, &path)
            .query("environment", stage.wire(WireSpelling::Short))
            .json(body)?;
        self.inner.send_json(&request).await
    }

    pub async fn delete_api(&self, stage: &StageName, id: &str) -> Result<Deleted> {
        if let Some(routed) = self.routed(stage) {
            return Box::pin(routed.delete_api(stage, id)).await;
        }
        self.check_catalog_write(Operation::DeleteApi, stage, id)
            .await?;
        let path = ["v1", "tenants", self.tenant_id()?, "apis", id];
        let request = Request::new(Method::DELETE, &path)
            .query("environment", stage.wire(WireSpelling::Short));
        let body = transport::execute(&self.inner, &request).await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            // 204 No Content is a success too.
            return Ok(Deleted {
                message: String::new(),
                id: id.to_string(),
            });
        }
        decode(&request, &body)
    }

    pub async fn deployments(&self, stage: &StageName) -> Result<Vec<Deployment>> {
        if let Some(routed) = self.routed(stage) {
            return Box::pin(routed.deployments(stage)).await;
        }
        let path = ["v1", "tenants", self.tenant_id()?, "deployments"];
        let request =
            Request::new(Method::GET, &path).query("environment", stage.wire(WireSpelling::Long));
        self.get_all::<Page<Deployment>>(request).await
    }

    /// This tenant's gateways and the platform's (`tenant_id=`; the real service lists every
    /// tenant's without it). `stage` narrows the list. An admin list: the real service answers
    /// 403 to devops and viewer.
    pub async fn gateways(&self, stage: Option<&StageName>) -> Result<Vec<Gateway>> {
        if let Some(routed) = stage.and_then(|stage| self.routed(stage)) {
            return Box::pin(routed.gateways(stage)).await;
        }
        let tenant = self.tenant_id()?;
        let request = Request::new(Method::GET, &["v1", "admin", "gateways"])
            .query_opt("environment", stage.map(|s| s.wire(WireSpelling::Long)))
            .query("tenant_id", tenant);
        let mut gateways = self.get_all::<Page<Gateway>>(request).await?;
        gateways.retain(|g| super::plan::is_tenant_or_platform(g, tenant));
        if let Some(stage) = stage {
            gateways.retain(|g| super::plan::same_stage(Some(&g.environment), stage));
        }
        Ok(gateways)
    }

    pub async fn gateway_deployments(
        &self,
        stage: Option<&StageName>,
        sync_status: Option<&str>,
    ) -> Result<Vec<GatewayDeployment>> {
        if let Some(routed) = stage.and_then(|stage| self.routed(stage)) {
            return Box::pin(routed.gateway_deployments(stage, sync_status)).await;
        }
        let tenant = self.tenant_id()?;
        let request = Request::new(Method::GET, &["v1", "admin", "deployments"])
            .query_opt("environment", stage.map(|s| s.wire(WireSpelling::Long)))
            .query_opt("sync_status", sync_status)
            .query("tenant_id", tenant);
        let mut deployments = self.get_all::<Page<GatewayDeployment>>(request).await?;
        // The real service ignores tenant_id here and lists every tenant's deployments.
        deployments.retain(|d| d.tenant_id().is_none_or(|t| t == tenant));
        if let Some(stage) = stage {
            deployments.retain(|d| {
                d.gateway_environment.is_none()
                    || super::plan::same_stage(d.gateway_environment.as_deref(), stage)
            });
        }
        Ok(deployments)
    }

    /// Audit is per tenant; `search` filters server-side. An empty list is a normal answer
    /// (the real service has none without its search backend).
    pub async fn audit(&self, search: Option<&str>) -> Result<Vec<AuditEntry>> {
        let request = Request::new(Method::GET, &["v1", "audit", self.tenant_id()?])
            .query_opt("search", search.filter(|s| !s.trim().is_empty()));
        self.get_all::<AuditPage>(request).await
    }

    pub async fn promotions(&self, filter: &PromotionFilter) -> Result<Vec<Promotion>> {
        let path = ["v1", "tenants", self.tenant_id()?, "promotions"];
        let request = Request::new(Method::GET, &path)
            .query_opt("api_id", filter.api_id.as_deref())
            .query_opt("status", filter.status.as_deref())
            .query_opt(
                "target_environment",
                filter.target.as_ref().map(|s| s.wire(WireSpelling::Long)),
            );
        self.get_all::<Page<Promotion>>(request).await
    }

    pub async fn promotion(&self, id: &str) -> Result<Promotion> {
        let path = ["v1", "tenants", self.tenant_id()?, "promotions", id];
        self.inner.get_json(&Request::new(Method::GET, &path)).await
    }

    pub async fn promotion_diff(&self, id: &str) -> Result<PromotionDiff> {
        let path = ["v1", "tenants", self.tenant_id()?, "promotions", id, "diff"];
        self.inner.get_json(&Request::new(Method::GET, &path)).await
    }

    /// Sends `?environment=` with the target stage, like every write.
    pub async fn create_promotion(
        &self,
        api_id: &str,
        body: &PromotionCreate,
    ) -> Result<Promotion> {
        let target = StageName::parse(&body.target_environment)
            .map_err(|e| ApiError::Invalid(format!("target stage: {e}")))?;
        self.check_write(Operation::CreatePromotion, &target, None)?;
        let path = ["v1", "tenants", self.tenant_id()?, "promotions", api_id];
        let request = Request::new(Method::POST, &path)
            .query("environment", target.wire(WireSpelling::Long))
            .json(body)?;
        self.inner.send_json(&request).await
    }

    /// `reviewed_spec_hash` ties the approval to the diff that was shown (envdeck's control
    /// plane refuses with 409 when the spec changed since; the real service ignores it).
    pub async fn approve_promotion(
        &self,
        id: &str,
        reviewed_spec_hash: Option<&str>,
    ) -> Result<Promotion> {
        let body = ApproveRequest {
            reviewed_spec_hash: reviewed_spec_hash.map(str::to_string),
        };
        self.promotion_step(Operation::ApprovePromotion, id, Some(&body))
            .await
    }

    pub async fn complete_promotion(&self, id: &str) -> Result<Promotion> {
        self.promotion_step::<()>(Operation::CompletePromotion, id, None)
            .await
    }

    /// Answers with the NEW reverse promotion; the original becomes `rolled_back`.
    pub async fn rollback_promotion(&self, id: &str, message: &str) -> Result<Promotion> {
        let body = RollbackRequest {
            message: message.to_string(),
        };
        self.promotion_step(Operation::RollbackPromotion, id, Some(&body))
            .await
    }

    /// `POST …/promotions/{id}/{approve|complete|rollback}`, once the write guard allowed it
    /// with the promotion's facts.
    async fn promotion_step<B: serde::Serialize>(
        &self,
        op: Operation,
        id: &str,
        body: Option<&B>,
    ) -> Result<Promotion> {
        self.check_promotion_step(op, id).await?;
        let step = match op {
            Operation::ApprovePromotion => "approve",
            Operation::CompletePromotion => "complete",
            _ => "rollback",
        };
        let path = ["v1", "tenants", self.tenant_id()?, "promotions", id, step];
        let mut request = Request::new(Method::POST, &path);
        if let Some(body) = body {
            request = request.json(body)?;
        }
        self.inner.send_json(&request).await
    }

    pub(super) fn tenant_id(&self) -> Result<&str> {
        if self.inner.tenant.is_empty() {
            return Err(ApiError::Invalid(
                "no tenant chosen: pass --tenant or choose a context".to_string(),
            ));
        }
        Ok(&self.inner.tenant)
    }
}
