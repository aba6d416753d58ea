//! Choosing what a promotion is made of, as STOA's own web console does
//! (control-plane-ui `pages/Promotions.tsx`): a synced source gateway deployment of the API in
//! the source stage, and the target stage's enabled gateways of this tenant or the platform,
//! of the source gateway's family and topology. Pure: the caller fetched the lists.

use crate::domain::StageName;
use crate::wire::{Gateway, GatewayDeployment};

/// Whether a wire spelling names `stage` (`prod` and `production` alike).
pub fn same_stage(raw: Option<&str>, stage: &StageName) -> bool {
    raw.and_then(|r| StageName::parse(r).ok())
        .is_some_and(|n| &n == stage)
}

/// A gateway this tenant may deploy to: its own or the platform's.
pub fn is_tenant_or_platform(gateway: &Gateway, tenant: &str) -> bool {
    gateway
        .tenant_id
        .as_deref()
        .is_none_or(|t| t.is_empty() || t == tenant)
}

/// Synced deployments of the API on gateways of `source`, of this tenant.
pub fn source_candidates<'a>(
    deployments: &'a [GatewayDeployment],
    api_id: &str,
    tenant: &str,
    source: &StageName,
) -> Vec<&'a GatewayDeployment> {
    deployments
        .iter()
        .filter(|d| d.sync_status == "synced")
        .filter(|d| d.is_of_api(api_id, None))
        .filter(|d| d.tenant_id().is_none_or(|t| t == tenant))
        .filter(|d| {
            d.gateway_environment.is_none() || same_stage(d.gateway_environment.as_deref(), source)
        })
        .collect()
}

/// Gateways of `target` that can take what `source_gateway` runs.
pub fn compatible_targets<'a>(
    source_gateway: &Gateway,
    gateways: &'a [Gateway],
    tenant: &str,
    target: &StageName,
) -> Vec<&'a Gateway> {
    let family = source_gateway.family();
    let topology = source_gateway.topology_key();
    gateways
        .iter()
        .filter(|g| g.id != source_gateway.id && g.enabled)
        .filter(|g| is_tenant_or_platform(g, tenant))
        .filter(|g| same_stage(Some(&g.environment), target))
        .filter(|g| g.family() == family)
        .filter(|g| match (&topology, g.topology_key()) {
            (Some(a), Some(b)) => *a == b,
            _ => true,
        })
        .collect()
}

/// A source deployment and the gateways it may be promoted to.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub source: GatewayDeployment,
    pub source_gateway: Option<Gateway>,
    pub targets: Vec<Gateway>,
}

/// Every source the API can be promoted from, each with its compatible targets; sources with
/// no compatible target come last (shown, with the reason, never sent).
pub fn lanes(
    deployments: &[GatewayDeployment],
    gateways: &[Gateway],
    api_id: &str,
    tenant: &str,
    source: &StageName,
    target: &StageName,
) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = source_candidates(deployments, api_id, tenant, source)
        .into_iter()
        .map(|d| {
            let source_gateway = gateways.iter().find(|g| g.id == d.gateway_instance_id);
            let targets = source_gateway
                .map(|sg| compatible_targets(sg, gateways, tenant, target))
                .unwrap_or_default();
            Lane {
                source: d.clone(),
                source_gateway: source_gateway.cloned(),
                targets: targets.into_iter().cloned().collect(),
            }
        })
        .collect();
    lanes.sort_by_key(|l| l.targets.is_empty());
    lanes
}

/// Why a lane cannot be promoted, in an operator's words.
pub fn lane_problem(lane: &Lane, target_label: &str) -> Option<String> {
    if !lane.targets.is_empty() {
        return None;
    }
    Some(match &lane.source_gateway {
        None => format!(
            "the gateway of {} is not listed for this tenant",
            lane.source.gateway_label()
        ),
        Some(g) => format!(
            "{target_label} has no enabled {} gateway of this tenant or the platform",
            g.family()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gateway(id: &str, env: &str, tenant: Option<&str>, kind: &str) -> Gateway {
        Gateway {
            id: id.into(),
            name: id.into(),
            environment: env.into(),
            tenant_id: tenant.map(str::to_string),
            gateway_type: kind.into(),
            ..Gateway::default()
        }
    }

    fn deployment(
        id: &str,
        gateway: &str,
        env: &str,
        api: &str,
        status: &str,
    ) -> GatewayDeployment {
        GatewayDeployment {
            id: id.into(),
            gateway_instance_id: gateway.into(),
            gateway_environment: Some(env.into()),
            sync_status: status.into(),
            desired_state: serde_json::json!({"api_id": api, "api_name": api, "tenant_id": "acme"}),
            ..GatewayDeployment::default()
        }
    }

    fn stage(raw: &str) -> StageName {
        StageName::parse(raw).unwrap()
    }

    #[test]
    fn targets_are_this_tenants_or_the_platforms_enabled_gateways_of_the_family() {
        let mut disabled = gateway("off", "staging", Some("acme"), "stoa");
        disabled.enabled = false;
        let mut topo = gateway("remote", "staging", Some("acme"), "stoa");
        topo.topology = Some("remote-agent".into());
        let mut source = gateway("src", "dev", Some("acme"), "stoa");
        source.topology = Some("native-edge".into());
        let gateways = vec![
            source.clone(),
            gateway("mine", "staging", Some("acme"), "stoa"),
            gateway("platform", "stage", None, "STOA"),
            gateway("theirs", "staging", Some("globex"), "stoa"),
            gateway("wm", "staging", Some("acme"), "webmethods"),
            gateway("prod", "prod", Some("acme"), "stoa"),
            disabled,
            topo,
        ];
        let ids: Vec<_> = compatible_targets(&source, &gateways, "acme", &stage("staging"))
            .into_iter()
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(ids, ["mine", "platform"]);
    }

    #[test]
    fn the_family_is_the_fronted_technology_when_set() {
        let mut source = gateway("src", "dev", None, "stoa");
        source.target_gateway_type = Some("webmethods".into());
        let gateways = vec![
            gateway("stoa", "staging", None, "stoa"),
            gateway("wm", "staging", None, "webmethods"),
        ];
        let ids: Vec<_> = compatible_targets(&source, &gateways, "acme", &stage("staging"))
            .into_iter()
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(ids, ["wm"]);
    }

    #[test]
    fn sources_are_synced_deployments_of_the_api_in_the_source_stage() {
        let deployments = vec![
            deployment("a", "g1", "dev", "shipping", "synced"),
            deployment("b", "g1", "dev", "shipping", "pending"),
            deployment("c", "g1", "dev", "orders", "synced"),
            deployment("d", "g2", "staging", "shipping", "synced"),
        ];
        let ids: Vec<_> = source_candidates(&deployments, "shipping", "acme", &stage("dev"))
            .into_iter()
            .map(|d| d.id.as_str())
            .collect();
        assert_eq!(ids, ["a"]);
    }

    #[test]
    fn a_lane_without_targets_says_why() {
        let gateways = vec![
            gateway("g1", "dev", Some("acme"), "stoa"),
            gateway("wm", "staging", Some("acme"), "webmethods"),
        ];
        let deployments = vec![deployment("a", "g1", "dev", "shipping", "synced")];
        let lanes = lanes(
            &deployments,
            &gateways,
            "shipping",
            "acme",
            &stage("dev"),
            &stage("staging"),
        );
        assert_eq!(lanes.len(), 1);
        assert_eq!(
            lane_problem(&lanes[0], "Staging").as_deref(),
            Some("Staging has no enabled stoa gateway of this tenant or the platform")
        );
    }
}
