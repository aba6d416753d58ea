//! The control-plane client: one `reqwest::Client`, tolerant of the real service's quirks.
//! SKELETON: signatures agreed between the console and the client; bodies being written.

pub mod error;

use crate::domain::StageName;
use crate::secret::Secret;
use crate::wire::*;

pub use error::ApiError;

pub type Result<T> = std::result::Result<T, ApiError>;

/// Filters for `GET /v1/tenants/{t}/promotions`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PromotionFilter {
    pub api_id: Option<String>,
    pub status: Option<String>,
    pub target: Option<StageName>,
}

/// Cheap to clone: clones share one connection pool and one token.
#[derive(Clone)]
pub struct Client {
    _private: (),
}

#[allow(unused_variables)]
impl Client {
    /// `base_url` is the control plane root (`http://127.0.0.1:8421`), `tenant` the tenant id.
    pub fn new(base_url: &str, tenant: &str, token: Option<Secret>) -> Result<Client> {
        todo!()
    }
    pub fn base_url(&self) -> &str {
        todo!()
    }
    pub fn tenant(&self) -> &str {
        todo!()
    }
    pub fn set_token(&self, token: Option<Secret>) {
        todo!()
    }
    pub async fn health(&self) -> Result<Health> {
        todo!()
    }
    pub async fn environments(&self) -> Result<EnvironmentList> {
        todo!()
    }
    pub async fn me(&self) -> Result<Me> {
        todo!()
    }
    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        todo!()
    }
    /// Every page of the stage's APIs (never trusts `total`).
    pub async fn apis(&self, stage: &StageName) -> Result<Vec<Api>> {
        todo!()
    }
    pub async fn create_api(&self, stage: &StageName, body: &ApiCreate) -> Result<Api> {
        todo!()
    }
    pub async fn update_api(&self, stage: &StageName, id: &str, body: &ApiUpdate) -> Result<Api> {
        todo!()
    }
    pub async fn delete_api(&self, stage: &StageName, id: &str) -> Result<Deleted> {
        todo!()
    }
    pub async fn deployments(&self, stage: &StageName) -> Result<Vec<Deployment>> {
        todo!()
    }
    /// Gateways are global; `stage` narrows the list.
    pub async fn gateways(&self, stage: Option<&StageName>) -> Result<Vec<Gateway>> {
        todo!()
    }
    pub async fn gateway_deployments(
        &self,
        stage: Option<&StageName>,
        sync_status: Option<&str>,
    ) -> Result<Vec<GatewayDeployment>> {
        todo!()
    }
    pub async fn subscriptions(&self, stage: &StageName) -> Result<Vec<Subscription>> {
        todo!()
    }
    /// Audit is per tenant; `search` filters server-side.
    pub async fn audit(&self, search: Option<&str>) -> Result<Vec<AuditEntry>> {
        todo!()
    }
    pub async fn promotions(&self, filter: &PromotionFilter) -> Result<Vec<Promotion>> {
        todo!()
    }
    pub async fn promotion(&self, id: &str) -> Result<Promotion> {
        todo!()
    }
    pub async fn promotion_diff(&self, id: &str) -> Result<PromotionDiff> {
        todo!()
    }
    pub async fn create_promotion(
        &self,
        api_id: &str,
        body: &PromotionCreate,
    ) -> Result<Promotion> {
        todo!()
    }
    pub async fn approve_promotion(
        &self,
        id: &str,
        reviewed_spec_hash: Option<&str>,
    ) -> Result<Promotion> {
        todo!()
    }
    pub async fn complete_promotion(&self, id: &str) -> Result<Promotion> {
        todo!()
    }
    pub async fn rollback_promotion(&self, id: &str, message: &str) -> Result<Promotion> {
        todo!()
    }
}
