//! What a promotion request must satisfy, in the real service's words
//! (`_validate_gateway_aware_request`): a synced source deployment of this API in the source
//! stage, and target gateways of the tenant (or the platform), enabled, in the target stage,
//! of the source gateway's family and topology.

use rusqlite::Connection;

use crate::server::error::{ApiError, ApiResult};
use crate::server::repo::gateways;
use crate::wire::{Gateway, GatewayDeployment};

pub struct Checked {
    pub source: GatewayDeployment,
    pub targets: Vec<Gateway>,
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::BadRequest(msg.into())
}

fn gateway_or_raise(tx: &Connection, id: &str) -> ApiResult<Gateway> {
    gateways::gateway(tx, id)?.ok_or_else(|| bad(format!("Gateway {id} not found")))
}

fn check_tenant(gateway: &Gateway, tenant: &str) -> ApiResult<()> {
    match gateway.tenant_id.as_deref() {
        Some(owner) if owner != tenant => Err(bad(format!(
            "Gateway '{}' belongs to another tenant",
            gateway.name
        ))),
        _ => Ok(()),
    }
}

/// Source and targets of a promotion. Unlike the real service both may be left out: the
/// source is then the API's synced deployment in the source stage (the tenant's own gateway
/// first) and the targets every compatible enabled gateway of the target stage.
pub fn check(
    tx: &Connection,
    tenant: &str,
    api: &str,
    source_stage: &str,
    target_stage: &str,
    source_id: Option<&str>,
    target_ids: Option<&[String]>,
) -> ApiResult<Checked> {
    let source = match source_id {
        Some(id) => gateways::deployment(tx, id)?
            .ok_or_else(|| bad(format!("Source gateway deployment {id} not found")))?,
        None => pick_source(tx, tenant, api, source_stage)?,
    };
    if source.tenant_id() != Some(tenant) {
        return Err(bad("Source gateway deployment belongs to another tenant"));
    }
    if source.api_id() != api {
        return Err(bad(format!(
            "Source gateway deployment belongs to API '{}', not '{api}'",
            source.api_id()
        )));
    }
    let source_gateway = gateway_or_raise(tx, &source.gateway_instance_id)?;
    check_tenant(&source_gateway, tenant)?;
    if source_gateway.environment != source_stage {
        return Err(bad(format!(
            "Source gateway '{}' is in environment '{}', not '{source_stage}'",
            source_gateway.name, source_gateway.environment
        )));
    }
    if source.sync_status != "synced" {
        return Err(bad(format!(
            "Source deployment {} is '{}'. Only synced gateway deployments can be promoted.",
            source.id, source.sync_status
        )));
    }
    let targets = match target_ids {
        Some(ids) => {
            let mut targets = Vec::with_capacity(ids.len());
            for id in ids {
                let gateway = gateway_or_raise(tx, id)?;
                check_tenant(&gateway, tenant)?;
                if !gateway.enabled {
                    return Err(bad(format!(
                        "Target gateway '{}' is disabled",
                        gateway.name
                    )));
                }
                if gateway.environment != target_stage {
                    return Err(bad(format!(
                        "Target gateway '{}' is in environment '{}', not '{target_stage}'",
                        gateway.name, gateway.environment
                    )));
                }
                if !targets.iter().any(|t: &Gateway| t.id == gateway.id) {
                    targets.push(gateway);
                }
            }
            targets
        }
        None => compatible_targets(tx, tenant, target_stage, &source_gateway)?,
    };
    if targets.is_empty() {
        return Err(bad("Promotion requires at least one target gateway"));
    }
    for gateway in &targets {
        if gateway.family() != source_gateway.family() {
            return Err(bad(format!(
                "Target gateway '{}' is '{}', but the source gateway '{}' is '{}'. Select an equivalent target gateway.",
                gateway.name,
                gateway.family(),
                source_gateway.name,
                source_gateway.family()
            )));
        }
        if let (Some(s), Some(t)) = (source_gateway.topology_key(), gateway.topology_key())
            && s != t
        {
            return Err(bad(format!(
                "Target gateway '{}' topology is '{t}', but the source gateway '{}' topology is '{s}'.",
                gateway.name, source_gateway.name
            )));
        }
    }
    Ok(Checked { source, targets })
}

fn pick_source(
    tx: &Connection,
    tenant: &str,
    api: &str,
    stage: &str,
) -> ApiResult<GatewayDeployment> {
    let filter = gateways::DeploymentFilter {
        stage: Some(stage.to_string()),
        tenant: Some(tenant.to_string()),
        api_id: Some(api.to_string()),
        ..Default::default()
    };
    let paging = crate::server::extract::Paging {
        page: 1,
        page_size: 100,
    };
    let all = gateways::deployments(tx, &filter, paging)?.items;
    let mut synced: Vec<GatewayDeployment> = all
        .iter()
        .filter(|d| d.sync_status == "synced")
        .cloned()
        .collect();
    // The tenant's own gateway first: it is the lane STOA's console offers first.
    synced.sort_by_key(|d| !d.gateway_name.as_deref().unwrap_or("").starts_with(tenant));
    match (synced.into_iter().next(), all.first()) {
        (Some(d), _) => Ok(d),
        (None, Some(d)) => Err(bad(format!(
            "Source deployment {} is '{}'. Only synced gateway deployments can be promoted.",
            d.id, d.sync_status
        ))),
        (None, None) => Err(bad(format!(
            "{api} has no gateway deployment in {stage} to promote"
        ))),
    }
}

/// Enabled, online-or-degraded gateways of the stage of the source's family and topology: the
/// tenant's own when it has any, the platform's otherwise (STOA console's compatibleTargetGateways).
fn compatible_targets(
    tx: &Connection,
    tenant: &str,
    stage: &str,
    source: &Gateway,
) -> ApiResult<Vec<Gateway>> {
    let filter = gateways::GatewayFilter {
        stage: Some(stage.to_string()),
        tenant: Some(tenant.to_string()),
        gateway_type: None,
    };
    let paging = crate::server::extract::Paging {
        page: 1,
        page_size: 100,
    };
    let fits = |g: &Gateway| {
        g.enabled
            && g.status != "offline"
            && g.family() == source.family()
            && match (g.topology_key(), source.topology_key()) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    };
    let all: Vec<Gateway> = gateways::gateways(tx, &filter, paging)?
        .items
        .into_iter()
        .filter(fits)
        .collect();
    let own: Vec<Gateway> = all
        .iter()
        .filter(|g| g.tenant_id.is_some())
        .cloned()
        .collect();
    Ok(if own.is_empty() { all } else { own })
}
