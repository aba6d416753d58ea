//! Resource and request bodies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::time::Timestamp;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Health {
    pub status: String,
    pub version: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct EnvironmentEndpoints {
    pub api_url: Option<String>,
    pub keycloak_url: Option<String>,
    pub keycloak_realm: Option<String>,
    pub mcp_url: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Environment {
    pub name: String,
    pub label: String,
    /// `full`, `promote-only` or `read-only`.
    pub mode: String,
    /// `#rrggbb`.
    pub color: Option<String>,
    pub endpoints: Option<EnvironmentEndpoints>,
    pub is_current: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct EnvironmentList {
    pub environments: Vec<Environment>,
    pub current: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PublicEnvironment {
    pub name: String,
    pub label: String,
    pub mode: String,
    pub color: Option<String>,
    pub health_url: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PublicEnvironmentList {
    pub environments: Vec<PublicEnvironment>,
    pub current: Option<String>,
}

/// `GET /v1/me`: roles and permissions as the server computes them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Me {
    pub user_id: String,
    pub email: Option<String>,
    pub username: String,
    pub tenant_id: Option<String>,
    pub roles: Vec<String>,
    pub permissions: Vec<String>,
    pub effective_scopes: Vec<String>,
    pub role_display_names: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub owner_email: Option<String>,
    pub status: String,
    pub api_count: u64,
    pub application_count: u64,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TenantCreate {
    pub name: String,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner_email: Option<String>,
}

/// How an API is deployed in one stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct RuntimeDeployment {
    pub environment: String,
    pub status: String,
    pub gateway_count: u32,
    pub synced_count: u32,
    pub error_count: u32,
    pub pending_count: u32,
    pub drifted_count: u32,
    pub latest_error: Option<String>,
    pub last_sync_success: Option<Timestamp>,
    pub gateway_names: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Api {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub display_name: String,
    pub version: String,
    pub description: Option<String>,
    pub backend_url: Option<String>,
    pub status: String,
    pub tags: Vec<String>,
    pub deployed_dev: bool,
    pub deployed_staging: bool,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub runtime_deployments: Vec<RuntimeDeployment>,
    /// The labels of the stages it runs in, filled in by the console; never on the wire.
    #[serde(skip)]
    pub stage_labels: String,
}

impl Api {
    /// The stages the API runs in, as the server spells them (its catalog entry is shared by
    /// every one of them).
    pub fn stage_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .runtime_deployments
            .iter()
            .map(|r| r.environment.clone())
            .filter(|e| !e.is_empty())
            .collect();
        if self.deployed_dev {
            names.push("dev".to_string());
        }
        if self.deployed_staging {
            names.push("staging".to_string());
        }
        names.dedup();
        names
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiCreate {
    pub name: String,
    pub display_name: String,
    #[serde(default = "default_version")]
    pub version: String,
    #[serde(default)]
    pub description: String,
    pub backend_url: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

fn default_version() -> String {
    "1.0.0".to_string()
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Deleted {
    pub message: String,
    pub id: String,
}

/// Deployment history of an API in a stage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Deployment {
    pub id: String,
    pub tenant_id: String,
    pub api_id: String,
    pub api_name: String,
    pub environment: String,
    pub version: String,
    /// pending, in_progress, success, failed, rolled_back
    pub status: String,
    pub deployed_by: Option<String>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub error_message: Option<String>,
    pub rollback_of: Option<String>,
    pub gateway_id: Option<String>,
    pub spec_hash: Option<String>,
    pub commit_sha: Option<String>,
    pub attempt_count: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Gateway {
    pub id: String,
    pub name: String,
    pub display_name: String,
    pub gateway_type: String,
    pub environment: String,
    /// None: a platform gateway, shared by every tenant.
    pub tenant_id: Option<String>,
    pub base_url: Option<String>,
    /// The technology fronted (`webmethods`, `kong`, ...); the family when set.
    pub target_gateway_type: Option<String>,
    /// `native-edge`, `remote-agent`, `same-pod`.
    pub topology: Option<String>,
    pub deployment_mode: Option<String>,
    pub mode: Option<String>,
    /// Whether the gateway accepts deployments (absent means yes).
    pub enabled: bool,
    /// online, offline, degraded
    pub status: String,
    pub version: Option<String>,
    pub last_health_check: Option<Timestamp>,
    pub created_at: Option<Timestamp>,
}

impl Default for Gateway {
    fn default() -> Self {
        Gateway {
            id: String::new(),
            name: String::new(),
            display_name: String::new(),
            gateway_type: String::new(),
            environment: String::new(),
            tenant_id: None,
            base_url: None,
            target_gateway_type: None,
            topology: None,
            deployment_mode: None,
            mode: None,
            enabled: true,
            status: String::new(),
            version: None,
            last_health_check: None,
            created_at: None,
        }
    }
}

impl Gateway {
    /// What a promotion's targets must share with its source, as the real service checks it.
    pub fn family(&self) -> String {
        self.target_gateway_type
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or(&self.gateway_type)
            .to_ascii_lowercase()
    }

    pub fn topology_key(&self) -> Option<String> {
        self.topology
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(str::to_ascii_lowercase)
    }
}

/// An API on one gateway: the unit that promotions sync. The real shape: the API is named
/// only inside `desired_state` (`api_id`, `api_name`, `tenant_id`, `version`, `spec_hash`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct GatewayDeployment {
    pub id: String,
    pub api_catalog_id: String,
    pub gateway_instance_id: String,
    #[schema(value_type = Object)]
    pub desired_state: serde_json::Value,
    pub desired_at: Option<Timestamp>,
    /// pending, syncing, synced, drifted, error, deleting
    pub sync_status: String,
    pub last_sync_attempt: Option<Timestamp>,
    pub last_sync_success: Option<Timestamp>,
    pub sync_error: Option<String>,
    pub sync_attempts: u32,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    /// Joined from the gateway by list queries.
    pub gateway_name: Option<String>,
    pub gateway_display_name: Option<String>,
    pub gateway_type: Option<String>,
    pub gateway_environment: Option<String>,
}

impl GatewayDeployment {
    fn desired(&self, key: &str) -> Option<&str> {
        self.desired_state.get(key).and_then(|v| v.as_str())
    }

    pub fn api_id(&self) -> &str {
        self.desired("api_id").unwrap_or_default()
    }

    pub fn api_name(&self) -> &str {
        self.desired("api_name")
            .or_else(|| self.desired("api_id"))
            .unwrap_or_default()
    }

    pub fn tenant_id(&self) -> Option<&str> {
        self.desired("tenant_id")
    }

    pub fn version(&self) -> &str {
        self.desired("version").unwrap_or_default()
    }

    pub fn spec_hash(&self) -> Option<&str> {
        self.desired("spec_hash")
            .or_else(|| self.desired("openapi_spec_hash"))
    }

    pub fn gateway_label(&self) -> &str {
        self.gateway_name
            .as_deref()
            .unwrap_or(&self.gateway_instance_id)
    }

    /// Whether this deployment is of the API, as STOA's web console matches it.
    pub fn is_of_api(&self, api_id: &str, catalog_id: Option<&str>) -> bool {
        !api_id.is_empty()
            && (self.api_id() == api_id
                || self.desired("api_name") == Some(api_id)
                || catalog_id.is_some_and(|c| !c.is_empty() && c == self.api_catalog_id))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Subscription {
    pub id: String,
    pub application_id: String,
    pub application_name: String,
    pub subscriber_id: Option<String>,
    pub subscriber_email: Option<String>,
    pub api_id: String,
    pub api_name: String,
    pub api_version: Option<String>,
    pub tenant_id: String,
    pub environment: Option<String>,
    pub plan_id: Option<String>,
    pub plan_name: Option<String>,
    /// pending, active, suspended, revoked, expired, rejected
    pub status: String,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub approved_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub approved_by: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AuditEntry {
    pub id: String,
    pub timestamp: Option<Timestamp>,
    pub tenant_id: Option<String>,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub action: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// success, failure
    pub status: String,
    /// Free-form; the stage of the change is `details.environment`, or for promotions
    /// `source_environment`/`target_environment` (`original_source`/`original_target`).
    pub details: Option<serde_json::Value>,
    pub request_id: Option<String>,
    /// The stages' labels, filled in by the console for display; never on the wire.
    #[serde(skip)]
    pub stage_labels: String,
}

impl AuditEntry {
    /// The raw stage names the entry is about: a promotion's source then target (a rollback's
    /// from its original target back to its original source), else `details.environment`.
    pub fn stage_names(&self) -> Vec<&str> {
        let Some(details) = self.details.as_ref() else {
            return Vec::new();
        };
        let get = |key: &str| {
            details
                .get(key)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
        };
        let pairs = [
            (get("source_environment"), get("target_environment")),
            (get("original_target"), get("original_source")),
        ];
        let mut names: Vec<&str> = match pairs.iter().find(|(a, b)| a.is_some() || b.is_some()) {
            Some((a, b)) => a.iter().chain(b.iter()).copied().collect(),
            None => get("environment").into_iter().collect(),
        };
        names.dedup();
        names
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Promotion {
    pub id: String,
    pub tenant_id: String,
    pub api_id: String,
    pub source_environment: String,
    pub target_environment: String,
    pub source_deployment_id: Option<String>,
    pub target_deployment_id: Option<String>,
    pub target_gateway_ids: Option<Vec<String>>,
    /// pending, promoting, promoted, failed, rolled_back
    pub status: String,
    pub spec_diff: Option<serde_json::Value>,
    pub message: String,
    pub requested_by: String,
    pub approved_by: Option<String>,
    pub completed_at: Option<Timestamp>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    /// The stages' labels, filled in by the console for display; never on the wire.
    #[serde(skip)]
    pub source_label: String,
    #[serde(skip)]
    pub target_label: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PromotionCreate {
    pub source_deployment_id: String,
    pub target_gateway_ids: Vec<String>,
    pub source_environment: String,
    pub target_environment: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PromotionDiff {
    pub promotion_id: String,
    pub source_environment: String,
    pub target_environment: String,
    pub source_spec: Option<serde_json::Value>,
    pub target_spec: Option<serde_json::Value>,
    pub diff_summary: Option<serde_json::Value>,
    /// envdeck's control plane: the hash of the source spec shown here; send it back on approve.
    pub reviewed_spec_hash: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApproveRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_spec_hash: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RollbackRequest {
    pub message: String,
}
