//! API specs per stage: a small OpenAPI document built from the API's fields, its canonical
//! hash (sha256 of the key-sorted JSON), and a structural diff for promotion reviews.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// What an API looks like in one stage.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecFields {
    pub display_name: String,
    pub version: String,
    pub description: Option<String>,
    pub backend_url: Option<String>,
    /// Extra operations beyond the default pair, as (path, method, summary).
    pub operations: Vec<(String, String, String)>,
}

pub fn build(api_id: &str, f: &SpecFields) -> Value {
    let mut paths = Map::new();
    let mut add = |path: &str, method: &str, summary: &str| {
        let entry = paths
            .entry(path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(ops) = entry {
            ops.insert(method.to_string(), json!({ "summary": summary }));
        }
    };
    add(&format!("/{api_id}"), "get", &format!("List {api_id}"));
    add(
        &format!("/{api_id}/{{id}}"),
        "get",
        &format!("Get one of {api_id}"),
    );
    for (path, method, summary) in &f.operations {
        add(path, method, summary);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": f.display_name,
            "version": f.version,
            "description": f.description.clone().unwrap_or_default(),
        },
        "servers": f.backend_url.iter().map(|u| json!({ "url": u })).collect::<Vec<_>>(),
        "paths": Value::Object(paths),
    })
}

/// serde_json keeps object keys sorted (no `preserve_order`), so `to_string` is canonical.
pub fn canonical(spec: &Value) -> String {
    spec.to_string()
}

pub fn hash(spec: &Value) -> String {
    let digest = Sha256::digest(canonical(spec).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `{changed:[{path,source,target}], added:[{path,value}], removed:[{path,value}], identical}`
/// where `added` are in the source only (they arrive with the promotion).
pub fn diff(source: Option<&Value>, target: Option<&Value>) -> Value {
    let mut changed = Vec::new();
    let mut added = Vec::new();
    let mut removed = Vec::new();
    walk(
        "",
        source.unwrap_or(&Value::Null),
        target.unwrap_or(&Value::Null),
        &mut changed,
        &mut added,
        &mut removed,
    );
    let identical = changed.is_empty() && added.is_empty() && removed.is_empty();
    json!({
        "identical": identical,
        "changed": changed,
        "added": added,
        "removed": removed,
    })
}

fn walk(
    path: &str,
    source: &Value,
    target: &Value,
    changed: &mut Vec<Value>,
    added: &mut Vec<Value>,
    removed: &mut Vec<Value>,
) {
    match (source, target) {
        (Value::Object(s), Value::Object(t)) => {
            for (k, sv) in s {
                let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                match t.get(k) {
                    Some(tv) => walk(&p, sv, tv, changed, added, removed),
                    None => added.push(json!({ "path": p, "value": sv })),
                }
            }
            for (k, tv) in t {
                if !s.contains_key(k) {
                    let p = format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
                    removed.push(json!({ "path": p, "value": tv }));
                }
            }
        }
        (s, t) if s == t => {}
        (s, Value::Null) => added.push(json!({ "path": or_root(path), "value": s })),
        (Value::Null, t) => removed.push(json!({ "path": or_root(path), "value": t })),
        (s, t) => changed.push(json!({ "path": or_root(path), "source": s, "target": t })),
    }
}

fn or_root(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(version: &str) -> SpecFields {
        SpecFields {
            display_name: "Payments API".into(),
            version: version.into(),
            description: Some("Payment initiation".into()),
            backend_url: Some("https://payments.internal".into()),
            operations: vec![],
        }
    }

    #[test]
    fn hash_is_stable_and_tracks_content() {
        let a = build("payments", &fields("1.0.0"));
        let b = build("payments", &fields("1.0.0"));
        assert_eq!(hash(&a), hash(&b));
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&build("payments", &fields("1.1.0"))));
    }

    #[test]
    fn diff_names_what_changes() {
        let mut newer = fields("1.1.0");
        newer.operations.push((
            "/payments/{id}/refund".into(),
            "post".into(),
            "Refund".into(),
        ));
        let d = diff(
            Some(&build("payments", &newer)),
            Some(&build("payments", &fields("1.0.0"))),
        );
        assert_eq!(d["identical"], false);
        assert_eq!(d["changed"][0]["path"], "/info/version");
        assert_eq!(d["added"][0]["path"], "/paths/~1payments~1{id}~1refund");
        let same = diff(
            Some(&build("p", &fields("1"))),
            Some(&build("p", &fields("1"))),
        );
        assert_eq!(same["identical"], true);
        let fresh = diff(Some(&build("p", &fields("1"))), None);
        assert_eq!(fresh["added"][0]["path"], "/");
    }
}
