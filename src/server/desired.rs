//! What a gateway is asked to run: the `desired_state` of a gateway deployment, shaped as the
//! real control plane writes it (`api_id`, `api_name`, `tenant_id`, `version`, `spec_hash`,
//! `backend_url`, `openapi_spec`, ...). A stage runs what its gateway deployments desire.

use serde_json::{Value, json};

use super::spec::{self, SpecFields};

/// The per-stage description of an API, as carried in a desired state.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiSpec {
    pub display_name: String,
    pub version: String,
    pub description: Option<String>,
    pub backend_url: Option<String>,
    pub spec: Value,
    pub spec_hash: String,
}

impl ApiSpec {
    pub fn build(api_id: &str, fields: &SpecFields) -> ApiSpec {
        let doc = spec::build(api_id, fields);
        ApiSpec {
            display_name: fields.display_name.clone(),
            version: fields.version.clone(),
            description: fields.description.clone(),
            backend_url: fields.backend_url.clone(),
            spec_hash: spec::hash(&doc),
            spec: doc,
        }
    }

    /// Reads the spec back out of a desired state; `None` for a state that carries none.
    pub fn from_desired(desired: &Value) -> Option<ApiSpec> {
        let text = |k: &str| desired.get(k).and_then(Value::as_str).map(str::to_string);
        Some(ApiSpec {
            display_name: text("display_name").or_else(|| text("api_name"))?,
            version: text("version")?,
            description: text("description"),
            backend_url: text("backend_url"),
            spec: desired.get("openapi_spec").cloned().unwrap_or(Value::Null),
            spec_hash: text("spec_hash")?,
        })
    }
}

/// The desired state of an API for any gateway; [`for_gateway`] adds where it goes.
pub fn desired_state(tenant: &str, api: &str, catalog_id: &str, s: &ApiSpec) -> Value {
    json!({
        "api_id": api,
        "api_name": api,
        "tenant_id": tenant,
        "api_catalog_id": catalog_id,
        "display_name": s.display_name,
        "version": s.version,
        "description": s.description,
        "backend_url": s.backend_url,
        "spec_hash": s.spec_hash,
        "openapi_spec": s.spec,
        "methods": methods(&s.spec),
        "activated": true,
        "desired_source": "envdeck",
    })
}

/// The same desired state addressed to one gateway (the real one records both).
pub fn for_gateway(desired: &Value, stage: &str, gateway_name: &str) -> Value {
    let mut out = desired.clone();
    if let Value::Object(m) = &mut out {
        m.insert("target_environment".into(), Value::from(stage));
        m.insert("target_gateway_name".into(), Value::from(gateway_name));
    }
    out
}

pub fn version_of(desired: &Value) -> Option<&str> {
    desired.get("version").and_then(Value::as_str)
}

pub fn hash_of(desired: &Value) -> Option<&str> {
    desired
        .get("spec_hash")
        .or_else(|| desired.get("openapi_spec_hash"))
        .and_then(Value::as_str)
}

fn methods(doc: &Value) -> Vec<String> {
    let mut found: Vec<String> = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_desired_state_round_trips_its_spec() {
        let s = ApiSpec::build(
            "payments",
            &SpecFields {
                display_name: "Payments".into(),
                version: "1.2.0".into(),
                description: Some("d".into()),
                backend_url: Some("https://p".into()),
                operations: vec![],
            },
        );
        let d = for_gateway(&desired_state("acme", "payments", "c-1", &s), "dev", "gw");
        assert_eq!(d["api_name"], "payments");
        assert_eq!(d["target_gateway_name"], "gw");
        assert_eq!(d["methods"], json!(["GET"]));
        assert_eq!(ApiSpec::from_desired(&d), Some(s));
    }
}
