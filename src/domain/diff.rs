//! Source vs target spec of a promotion, as a line diff (the `similar` crate) of their fields,
//! one `path = value` line per field (as `gron` writes JSON), sorted by path. One
//! implementation for the CLI's `promote show --diff` and the console's review.
//!
//! The envelope is left out: which deployment, gateway and stage a copy lives in and when it
//! last synced differ between any two stages and are not what a promotion changes (the
//! recorded real diffs, tests/fixtures/stoa/get_promotion-diff_ok*.json). One field per line
//! makes a changed field one `-` and one `+` line, so the [`Summary`] counts what is shown.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffTag {
    /// A hunk header or file header.
    Header,
    /// Only in the target as it is now: removed by the promotion.
    Removed,
    /// Only in the source: added by the promotion.
    Added,
    Same,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub tag: DiffTag,
    pub text: String,
}

/// Top-level fields of a stage's copy that say where and when it lives, not what it is.
const ENVELOPE: &[&str] = &[
    "environment",
    "deployment_id",
    "gateway_instance_id",
    "gateway_name",
    "gateway_resource_id",
    "sync_status",
    "desired_generation",
    "synced_generation",
    "last_sync_attempt",
    "last_sync_success",
    "sync_error",
    "timestamp",
];

fn is_envelope(key: &str) -> bool {
    ENVELOPE.contains(&key) || key.ends_with("_at")
}

/// A JSON object key as a path step: bare when it is a plain word, else quoted.
fn step(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!(".{key}")
    } else {
        format!("[{}]", Value::String(key.to_string()))
    }
}

fn flatten(value: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                flatten(v, format!("{path}{}", step(k)), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                flatten(v, format!("{path}[{i}]"), out);
            }
        }
        leaf => {
            out.insert(path, leaf.to_string());
        }
    }
}

/// A spec's fields, path → value, without the envelope.
fn fields(spec: Option<&Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match spec {
        Some(Value::Object(map)) => {
            for (k, v) in map.iter().filter(|(k, _)| !is_envelope(k)) {
                let path = step(k);
                flatten(v, path.trim_start_matches('.').to_string(), &mut out);
            }
        }
        Some(other) => flatten(other, String::new(), &mut out),
        None => {}
    }
    out
}

fn text(fields: &BTreeMap<String, String>) -> String {
    fields.iter().map(|(p, v)| format!("{p} = {v}\n")).collect()
}

/// What the promotion changes, field by field: the counts of what the diff shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Summary::default() {
            return f.write_str("no difference");
        }
        let plural = |n: usize| if n == 1 { "field" } else { "fields" };
        let mut parts = Vec::new();
        for (n, what) in [
            (self.changed, "changed"),
            (self.added, "added"),
            (self.removed, "removed"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {} {what}", plural(n)));
            }
        }
        f.write_str(&parts.join(", "))
    }
}

/// The summary of the diff from `target` (now) to `source` (after the promotion).
pub fn summary(target: Option<&Value>, source: Option<&Value>) -> Summary {
    let (now, after) = (fields(target), fields(source));
    let mut s = Summary::default();
    for (path, value) in &after {
        match now.get(path) {
            None => s.added += 1,
            Some(v) if v != value => s.changed += 1,
            Some(_) => {}
        }
    }
    s.removed = now.keys().filter(|p| !after.contains_key(*p)).count();
    s
}

/// The unified diff from `target` (now) to `source` (after the promotion).
pub fn unified(
    target: Option<&Value>,
    source: Option<&Value>,
    target_label: &str,
    source_label: &str,
) -> String {
    let (target, source) = (text(&fields(target)), text(&fields(source)));
    similar::TextDiff::from_lines(&target, &source)
        .unified_diff()
        .header(
            &format!("{target_label} (now)"),
            &format!("{source_label} (after promotion)"),
        )
        .to_string()
}

/// The same diff as tagged lines, for colouring.
pub fn lines(
    target: Option<&Value>,
    source: Option<&Value>,
    target_label: &str,
    source_label: &str,
) -> Vec<DiffLine> {
    unified(target, source, target_label, source_label)
        .lines()
        .map(|line| {
            let tag =
                if line.starts_with("---") || line.starts_with("+++") || line.starts_with("@@") {
                    DiffTag::Header
                } else if line.starts_with('-') {
                    DiffTag::Removed
                } else if line.starts_with('+') {
                    DiffTag::Added
                } else {
                    DiffTag::Same
                };
            DiffLine {
                tag,
                text: line.to_string(),
            }
        })
        .collect()
}

/// Promotion ids are UUIDs: lists, the queue and titles show their first 8 characters (as
/// git shows commits); the detail shows the whole id. Other ids are kept whole (cutting a
/// name would hide the cut).
pub fn short_id(id: &str) -> &str {
    let uuid = id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if uuid { &id[..8] } else { id }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture_spec(file: &str, side: &str) -> Value {
        let path = format!("{}/tests/fixtures/stoa/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        let recorded: Value = serde_json::from_str(&text).unwrap();
        recorded["body"][side].clone()
    }

    #[test]
    fn tags_follow_the_direction_of_the_promotion() {
        let now = json!({"version": "1.0.0"});
        let after = json!({"version": "1.1.0"});
        let got = lines(Some(&now), Some(&after), "staging", "dev");
        assert_eq!(got[0].tag, DiffTag::Header);
        assert!(got[0].text.contains("staging (now)"));
        assert!(
            got.iter()
                .any(|l| l.tag == DiffTag::Removed && l.text == "-version = \"1.0.0\"")
        );
        assert!(
            got.iter()
                .any(|l| l.tag == DiffTag::Added && l.text == "+version = \"1.1.0\"")
        );
        assert!(lines(Some(&now), Some(&now), "a", "b").is_empty());
    }

    #[test]
    fn a_missing_target_adds_everything() {
        let after = json!({"a": 1, "spec": {"paths": {"/refunds": {"post": {}}}}});
        let got = lines(None, Some(&after), "staging", "dev");
        let body: Vec<&DiffLine> = got.iter().filter(|l| l.tag != DiffTag::Header).collect();
        assert!(body.iter().all(|l| l.tag == DiffTag::Added));
        assert!(
            body.iter()
                .any(|l| l.text == "+spec.paths[\"/refunds\"].post = {}")
        );
        assert_eq!(summary(None, Some(&after)).added, body.len());
    }

    #[test]
    fn the_envelope_is_left_out_of_recorded_real_diffs() {
        let file = "get_promotion-diff_ok_production.json";
        let (now, after) = (
            fixture_spec(file, "target_spec"),
            fixture_spec(file, "source_spec"),
        );
        // Two copies of the same spec in two stages: nothing to promote.
        assert!(lines(Some(&now), Some(&after), "p", "s").is_empty());
        assert_eq!(
            summary(Some(&now), Some(&after)).to_string(),
            "no difference"
        );
        let mut newer = after.clone();
        newer["version"] = json!("1.1.0");
        newer["updated_at"] = json!("2026-11-24T10:00:00Z");
        let got = lines(Some(&now), Some(&newer), "p", "s");
        let shown: Vec<&str> = got
            .iter()
            .filter(|l| l.tag != DiffTag::Header && l.tag != DiffTag::Same)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(shown, ["-version = \"1.0.0\"", "+version = \"1.1.0\""]);
        for envelope in [
            "environment",
            "gateway_name",
            "last_sync_success",
            "updated_at",
        ] {
            assert!(got.iter().all(|l| !l.text.contains(envelope)), "{envelope}");
        }
    }

    #[test]
    fn the_summary_counts_exactly_the_lines_shown() {
        let now = json!({"version": "1", "spec": {"a": 1, "gone": true, "tags": ["x"]}});
        let after = json!({"version": "2", "spec": {"a": 1, "new": "n", "tags": ["x", "y"]}});
        let s = summary(Some(&now), Some(&after));
        assert_eq!(
            s,
            Summary {
                added: 2,
                removed: 1,
                changed: 1
            }
        );
        assert_eq!(
            s.to_string(),
            "1 field changed, 2 fields added, 1 field removed"
        );
        let got = lines(Some(&now), Some(&after), "t", "s");
        let count = |tag| got.iter().filter(|l| l.tag == tag).count();
        // A changed field is one `-` and one `+` line; an added one `+`; a removed one `-`.
        assert_eq!(count(DiffTag::Added), s.changed + s.added);
        assert_eq!(count(DiffTag::Removed), s.changed + s.removed);
    }

    #[test]
    fn short_ids_are_eight_characters() {
        assert_eq!(short_id("852497fa-b9a6-4340-ae58-bf2323f935dc"), "852497fa");
        assert_eq!(short_id("promo-1"), "promo-1");
        assert_eq!(
            short_id("customers-and-their-orders"),
            "customers-and-their-orders"
        );
        assert_eq!(
            short_id("ééééééééé-b9a6-4340-ae58-bf2323f935dc"),
            "ééééééééé-b9a6-4340-ae58-bf2323f935dc"
        );
    }
}
