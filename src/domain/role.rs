//! Roles and the permissions they grant, as the control plane computes them.

use std::collections::BTreeSet;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    CpiAdmin,
    TenantAdmin,
    Devops,
    Viewer,
    Other(String),
}

impl Role {
    pub fn parse(raw: &str) -> Role {
        match raw.trim().to_ascii_lowercase().as_str() {
            "cpi-admin" => Role::CpiAdmin,
            "tenant-admin" => Role::TenantAdmin,
            "devops" => Role::Devops,
            "viewer" => Role::Viewer,
            other => Role::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Role::CpiAdmin => "cpi-admin",
            Role::TenantAdmin => "tenant-admin",
            Role::Devops => "devops",
            Role::Viewer => "viewer",
            Role::Other(s) => s,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const APIS_READ: &str = "apis:read";
pub const APIS_CREATE: &str = "apis:create";
pub const APIS_UPDATE: &str = "apis:update";
pub const APIS_DELETE: &str = "apis:delete";
pub const APIS_DEPLOY: &str = "apis:deploy";
pub const APIS_PROMOTE: &str = "apis:promote";
pub const AUDIT_READ: &str = "audit:read";
pub const TENANTS_READ: &str = "tenants:read";
pub const TENANTS_CREATE: &str = "tenants:create";

const VIEWER: &[&str] = &[APIS_READ, "apps:read", AUDIT_READ, TENANTS_READ];
const DEVOPS: &[&str] = &[
    APIS_CREATE,
    APIS_UPDATE,
    APIS_DEPLOY,
    APIS_PROMOTE,
    "apps:create",
    "apps:update",
    "workflows:read",
];
const TENANT_ADMIN: &[&str] = &[
    APIS_DELETE,
    "apps:delete",
    "users:manage",
    "workflows:manage",
];
const CPI_ADMIN: &[&str] = &[TENANTS_CREATE, "tenants:update", "tenants:delete"];

/// The permissions a set of roles grants; each role includes those below it
/// (the table matches what the real `/v1/me` answers for each role).
pub fn permissions_for(roles: &[Role]) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    let rank = roles
        .iter()
        .map(|r| match r {
            Role::CpiAdmin => 4,
            Role::TenantAdmin => 3,
            Role::Devops => 2,
            Role::Viewer => 1,
            Role::Other(_) => 0,
        })
        .max()
        .unwrap_or(0);
    let layers: [&[&str]; 4] = [VIEWER, DEVOPS, TENANT_ADMIN, CPI_ADMIN];
    for layer in layers.iter().take(rank) {
        out.extend(layer.iter().copied());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_cumulative_permissions() {
        let viewer = permissions_for(&[Role::Viewer]);
        assert!(viewer.contains(APIS_READ) && !viewer.contains(APIS_PROMOTE));
        let devops = permissions_for(&[Role::Devops]);
        assert!(devops.contains(APIS_PROMOTE) && !devops.contains(APIS_DELETE));
        let admin = permissions_for(&[Role::TenantAdmin]);
        assert!(admin.contains(APIS_DELETE) && !admin.contains(TENANTS_CREATE));
        let cpi = permissions_for(&[Role::Viewer, Role::CpiAdmin]);
        assert!(cpi.contains(TENANTS_CREATE) && cpi.contains(APIS_READ));
        assert!(permissions_for(&[Role::parse("auditor")]).is_empty());
    }
}
