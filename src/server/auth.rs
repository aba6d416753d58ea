//! The caller of a request, from its bearer token (verified by the identity provider), and
//! the checks every handler applies: tenant access and `domain::policy` (through [`Caller::policy`]).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::extract::StageRef;
use super::identity::Principal;
use super::state::AppState;
use crate::domain::policy::{Actor, Decision, Denial, PolicyContext, PromotionFacts};
use crate::domain::{Operation, Pipeline, Role, Stage, StageName};

/// The verified caller.
pub struct Caller {
    pub principal: Principal,
    pub actor: Actor,
    /// `X-Envdeck-Override-Reason`: why a cpi-admin writes into a read-only stage (audit-logged).
    pub override_reason: Option<String>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let principal = state
            .identity
            .verify(header)
            .map_err(IntoResponse::into_response)?;
        let actor = principal.actor();
        // The client sends X-Envdeck-Override-Reason; the shorter name is accepted too.
        let override_reason = ["x-envdeck-override-reason", "x-override-reason"]
            .iter()
            .find_map(|name| parts.headers.get(*name))
            .and_then(|v| v.to_str().ok())
            // Kept whole (trimmed): an over-long reason is refused later, not silently cut.
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        Ok(Caller {
            principal,
            actor,
            override_reason,
        })
    }
}

impl Caller {
    pub fn is_cpi_admin(&self) -> bool {
        self.principal.roles.contains(&Role::CpiAdmin)
    }

    pub fn username(&self) -> &str {
        &self.principal.username
    }

    /// Non-admins reach only the tenant in their token.
    pub fn check_tenant(&self, tenant: &str) -> Result<(), ApiError> {
        if self.is_cpi_admin() || self.principal.tenant_id.as_deref() == Some(tenant) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("Access denied to this tenant".into()))
        }
    }

    pub fn require_permission(&self, permission: &'static str) -> Result<(), ApiError> {
        if self.actor.may(permission) {
            Ok(())
        } else {
            Err(permission_denied(permission))
        }
    }

    /// What the policy knows of this caller: the server's stages, the token's actor, and the
    /// override a cpi-admin always holds (audit-logged by the caller when it was used). No
    /// local tightening, `--readonly` or offline here: those are the client's.
    pub fn policy<'a>(&'a self, pipeline: &'a Pipeline) -> PolicyContext<'a> {
        PolicyContext::new(pipeline, &self.actor).with_override(self.is_cpi_admin())
    }

    /// Asks the policy whether `op` may land in `stage`.
    pub fn authorize(
        &self,
        pipeline: &Pipeline,
        op: Operation,
        stage: &StageRef<'_>,
        promotion: Option<PromotionFacts<'_>>,
    ) -> Result<Granted, ApiError> {
        let decided = self
            .policy(pipeline)
            .decide(op, &stage.stage.name, promotion);
        granted(decided, stage)
    }
}

impl Caller {
    /// An edit or delete of the tenant-wide catalog entry: it reaches every stage the API
    /// runs in, so each of them must allow it (`… is live in Production (read-only)`).
    pub fn authorize_catalog(
        &self,
        pipeline: &Pipeline,
        op: Operation,
        stage: &StageRef<'_>,
        api: &str,
        present_in: &[&Stage],
    ) -> Result<Granted, ApiError> {
        let names: Vec<StageName> = present_in.iter().map(|s| s.name.clone()).collect();
        let decided = self
            .policy(pipeline)
            .decide_catalog(op, &stage.stage.name, api, &names);
        granted(decided, stage)
    }

    /// `/v1/admin/*`: cpi-admin and tenant-admin only, in the real service's words.
    pub fn require_admin_role(&self) -> Result<(), ApiError> {
        if self.is_cpi_admin() || self.principal.roles.contains(&Role::TenantAdmin) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "Access denied. Required roles: ['cpi-admin', 'tenant-admin']".into(),
            ))
        }
    }
}

/// Longest override reason accepted: it is stored in the audit log as sent.
pub const MAX_OVERRIDE_REASON_CHARS: usize = 500;

/// The override header, for the 422 of a write through the override that lacks it.
pub const OVERRIDE_HEADER: &str = "X-Envdeck-Override-Reason";

impl Caller {
    /// A write through the cpi-admin override needs a stated reason, checked here on the
    /// server (the client's prompt and time box alone can be bypassed).
    pub fn require_override_reason(&self, granted: Granted, stage: &str) -> Result<(), ApiError> {
        if !granted.via_override {
            return Ok(());
        }
        match &self.override_reason {
            None => Err(ApiError::invalid(
                &["header", OVERRIDE_HEADER],
                "missing",
                format!(
                    "Environment '{stage}' is read-only: a cpi-admin write needs the {OVERRIDE_HEADER} header stating why (it is audit-logged)"
                ),
                None,
            )),
            Some(r) if r.chars().count() > MAX_OVERRIDE_REASON_CHARS => Err(ApiError::invalid(
                &["header", OVERRIDE_HEADER],
                "string_too_long",
                format!(
                    "{OVERRIDE_HEADER} should have at most {MAX_OVERRIDE_REASON_CHARS} characters"
                ),
                None,
            )),
            Some(_) => Ok(()),
        }
    }
}

/// A write the policy allowed.
#[derive(Clone, Copy, Debug)]
pub struct Granted {
    pub via_override: bool,
}

fn granted(decided: Decision, stage: &StageRef<'_>) -> Result<Granted, ApiError> {
    match decided {
        Decision::Allowed { via_override } => Ok(Granted { via_override }),
        Decision::Denied(denial) => Err(denial_error(&denial, stage)),
    }
}

pub fn permission_denied(permission: &str) -> ApiError {
    ApiError::Forbidden(format!("Permission denied: {permission} required"))
}

fn denial_error(denial: &Denial, stage: &StageRef<'_>) -> ApiError {
    let spelled = &stage.spelled;
    match denial {
        Denial::ReadOnly { .. } => ApiError::Forbidden(format!(
            "Environment '{spelled}' is read-only. Only cpi-admin can perform writes."
        )),
        Denial::PromoteOnly { .. } | Denial::LocallyTightened { .. } => ApiError::Forbidden(
            format!("Environment '{spelled}' is promote-only. Changes arrive through promotions."),
        ),
        Denial::MissingPermission(p) => permission_denied(p),
        Denial::FourEyes { .. } => ApiError::Forbidden(format!(
            "Cannot approve your own promotion to {} (4-eyes principle). A different team member must approve {} deployments.",
            stage.stage.name, stage.stage.name
        )),
        Denial::WrongStatus { status, needed } => ApiError::Conflict(format!(
            "Promotion is in status '{status}' (expected '{needed}')"
        )),
        Denial::UnknownStage { .. }
        | Denial::SessionReadOnly
        | Denial::Offline
        | Denial::LiveIn { .. } => ApiError::Forbidden(denial.to_string()),
    }
}
